"""The issue's acceptance run: `pytest scenarios/ --client <forum bot>` fails, naming each
failed behaviour with its reason and hint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from harness.behaviours import load_all
from harness.defaults import ROOT

FORUM_BOT = ROOT / "clients" / "forum_bot.py"
#: The forum thread's advice, family by family: "answer the pings, keep the listenKey alive,
#: handle the socket dying and the key expiring" (and read the 404's body). The bot follows
#: none of it, so each of these families must fail it, on the behaviour named.
MUST_FAIL = {
    "drops": "reconnects-after-drop",
    "heartbeats": "answers-server-ping",
    "listenkey": "renews-expired-listenkey",
    "reconnect": "keeps-retrying",
    "http": "surfaces-error-body",
}
#: What the bot does do (it reads every frame, parses leniently and sends nothing of its own):
#: a FAIL here would be the harness blaming it wrongly.
MUST_NOT_FAIL = (
    "no-event-lost",
    "tolerates-unknown-events",
    "survives-bad-frame",
    "stays-under-message-rate",
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
    report = json.loads((tmp_path / "r.json").read_text())
    verdicts = [(run["family"], v) for run in report["runs"] for v in run["verdicts"]]
    registry = load_all()
    for family, behaviour in MUST_FAIL.items():
        failed = [
            v for f, v in verdicts if f == family and v["behaviour"] == behaviour and v["status"] == "FAIL"
        ]
        assert failed, (family, behaviour)
        assert any(
            line.startswith(f"FAILED scenarios/{family}/") and f"::{behaviour}" in line
            for line in out.splitlines()
        ), (family, behaviour)
        # The hint is the behaviour's own, shown under the FAIL in the table.
        assert all(v["hint"] == registry[behaviour].hint for v in failed)
        assert registry[behaviour].hint.split(",")[0] in " ".join(table.split())
    for behaviour in MUST_NOT_FAIL:
        assert not [v for _, v in verdicts if v["behaviour"] == behaviour and v["status"] == "FAIL"], (
            behaviour
        )
    assert not [v for _, v in verdicts if v["status"] == "ERROR"], "the harness judged everything"
