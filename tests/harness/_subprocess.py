"""Running `pytest` on scenario files in a child process, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from harness.defaults import ROOT

FORUM_BOT = ROOT / "clients" / "forum_bot.py"
FORUM_CLIENT = f'"{sys.executable}" "{FORUM_BOT}"'
LISTENKEY_404 = ROOT / "scenarios" / "http" / "listenkey-404.yaml"


def run_pytest(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--no-header", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
