"""The Python example (examples/python/) run as its users would: `pytest` in its folder.

Its tests drive a drop, a listenKey expiry and a 429 through the `binance_fake` fixture
the plugin provides, against a small bot on a thread. Run in a child pytest so the example's
own pytest.ini (its rootdir, its sys.path) applies, as in the user's project.
"""

from __future__ import annotations

import os
import subprocess
import sys

from harness.defaults import ROOT

EXAMPLE = ROOT / "examples" / "python"


def test_the_python_example_suite_passes() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", "-rA"],
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    for test in ("1006_drop", "listen_key_expired", "retry_after_of_a_429", "async_control_client"):
        assert any(line.startswith("PASSED") and test in line for line in proc.stdout.splitlines()), test
