"""The Node example (examples/node/) run as its users would: `serve`, `npm ci`, `node --test`.

This is the use docs/control-api.md is for, a test suite in another language that starts the
fake standalone, drives faults through the HTTP control API and reads the journal back, proven with a
real Node client (`ws` and Node's own fetch). It runs once over plain ws and once over wss,
where only NODE_EXTRA_CA_CERTS (printed by `serve --tls`) makes Node trust the fake; a third
run without that variable must fail, so the TLS pass means something.

The example is copied to a temporary folder for `npm ci`, so the repository never gets a
node_modules (and parallel workers never share one). Skipped only when node or npm is
missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.defaults import ROOT
from tests.serve import serve

EXAMPLE = ROOT / "examples" / "node"
#: Seconds any one step (serve starting, npm ci, the Node suite) may take before the test fails.
STEP_TIMEOUT = 40.0

# Both runs share one `npm ci` (a module fixture): keep them on one xdist worker.
pytestmark = pytest.mark.xdist_group("node-example")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed: the Node example needs Node.js 20+ and npm")
    return path


@pytest.fixture(scope="module")
def node_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of examples/node with its locked dependencies installed by `npm ci`."""
    _tool("node")
    npm = _tool("npm")
    work = tmp_path_factory.mktemp("node-example") / "node"
    shutil.copytree(EXAMPLE, work, ignore=shutil.ignore_patterns("node_modules"))
    installed = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
    )
    assert installed.returncode == 0, f"npm ci failed:\n{installed.stdout}\n{installed.stderr}"
    return work


def node_test(example: Path, environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_tool("node"), "--test"],
        cwd=example,
        env=environ,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
    )


def _clean_environ() -> dict[str, str]:
    """This process's environment without variables that would decide the result for us."""
    drop = {"NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_OPTIONS"}
    return {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("BINANCE_HARNESS_")}


@pytest.mark.parametrize("tls", [False, True], ids=["ws-with-token", "wss"])
def test_node_suite_drives_faults_and_reads_the_journal(node_example: Path, tls: bool) -> None:
    # Over ws the control API also asks for a token, which the example sends from the environment.
    with serve(*(["--tls"] if tls else ["--token"])) as exported:
        assert ("BINANCE_HARNESS_CONTROL_TOKEN" in exported) is not tls
        scheme = "wss://" if tls else "ws://"
        assert exported["BINANCE_HARNESS_WS_URL"].startswith(scheme)
        assert ("NODE_EXTRA_CA_CERTS" in exported) is tls
        result = node_test(node_example, {**_clean_environ(), **exported})
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "# pass 4" in report and "# fail 0" in report, report


def test_node_suite_fails_over_wss_without_the_ca_variable(node_example: Path) -> None:
    with serve("--tls") as exported:
        untrusting = {k: v for k, v in exported.items() if k != "NODE_EXTRA_CA_CERTS"}
        result = node_test(node_example, {**_clean_environ(), **untrusting})
    report = result.stdout + result.stderr
    assert result.returncode != 0, report
    # Only the test that never touches the fake's TLS endpoints passes.
    assert "# pass 1" in report and "# fail 3" in report, report
