"""The issue's acceptance run: `pytest scenarios/ --client <forum bot>` fails, naming each
failed behaviour with its reason and hint."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from harness.defaults import ROOT

FORUM_BOT = ROOT / "clients" / "forum_bot.py"
MUST_FAIL = (
    "reconnects-after-drop",
    "answers-server-ping",
    "renews-expired-listenkey",
    "surfaces-error-body",
)


def test_catalog_fails_the_forum_bot_with_reasons_and_hints(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "scenarios",
            "-p",
            "no:xdist",
            "-q",
            "--no-header",
            "--client",
            f'"{sys.executable}" "{FORUM_BOT}"',
            "--harness-json",
            str(tmp_path / "r.json"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    out = proc.stdout
    assert proc.returncode == 1, out[-3000:]
    table = out[out.index("binance-harness behaviours") :]
    for behaviour in MUST_FAIL:
        assert "FAILED scenarios/" in out and f"::{behaviour}" in out, behaviour
        rows = [line for line in table.splitlines() if line.strip().startswith(behaviour)]
        assert any(" FAIL " in row for row in rows), (behaviour, rows)
    assert table.count("hint: ") >= len(MUST_FAIL)
    assert (tmp_path / "r.json").exists()
