"""`binance-harness diagnose` and `binance-harness matrix`, as a user runs them."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import pytest

from harness.cli import main
from harness.defaults import ROOT
from tests.harness.test_client_lifetime import stop_harness

CLIENTS = ROOT / "clients"
CLEAN_CLOSE = str(ROOT / "scenarios/drops/clean-close-1001.yaml")


def command(client: str) -> str:
    return f'"{sys.executable}" "{CLIENTS / client}"'


def test_diagnose_names_the_lack_what_to_change_and_the_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["diagnose", CLEAN_CLOSE, "--client", command("broken/no_resync.py"), "--dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "[1/1] drops/clean-close-1001" in out  # progress while it plays
    assert "1 problem found" in out
    assert "Your client does not re-read its state over REST after a reconnect" in out
    assert "What to change: after every (re)connect" in out
    assert "https://github.com/" in out  # reports to read, as links


def test_diagnose_of_a_client_that_recovers_finds_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["diagnose", CLEAN_CLOSE, "--dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "No problem found" in out


def test_diagnose_reads_a_saved_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.json"
    verdict = {
        "scenario": "drop-1006",
        "behaviour": "answers-server-ping",
        "status": "FAIL",
        "summary": "4 of 4 pings unanswered; closed 1008 'Pong timeout'",
        "hint": "",
        "measured": {},
        "evidence": [],
    }
    report.write_text(json.dumps({"client": "node bot.js", "runs": [{"verdicts": [verdict]}]}))
    assert main(["diagnose", "--from-json", str(report)]) == 1
    out = capsys.readouterr().out
    assert "Diagnosis of: node bot.js" in out and "4 of 4 pings unanswered" in out
    report.write_text("not json")
    assert main(["diagnose", "--from-json", str(report)]) == 2
    assert "not a JSON report" in capsys.readouterr().err


def test_matrix_puts_clients_side_by_side(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "matrix"
    code = main(
        [
            "matrix",
            CLEAN_CLOSE,
            "--client",
            f"reference={command('reference_client.py')}",
            "--client",
            f"no-reconnect={command('broken/no_reconnect.py')}",
            "--out",
            str(out_dir),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "[reference 1/2] [1/1] drops/clean-close-1001" in out  # progress per client
    md = (out_dir / "matrix.md").read_text()
    assert "| behaviour | reference | no-reconnect |" in md
    assert "| reconnects-after-drop | PASS 1/1 | FAIL 0/1 |" in md
    page = (out_dir / "matrix.html").read_text()
    assert 'href="no-reconnect/report.html"' in page
    for name in ("reference", "no-reconnect"):
        assert (out_dir / name / "report.html").is_file() and (out_dir / name / "report.json").is_file()


def test_matrix_needs_named_clients(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["matrix", CLEAN_CLOSE, "--client", "python bot.py"]) == 2
    assert "expected NAME=CMD" in capsys.readouterr().err


def test_ctrl_c_during_a_matrix_leaves_nothing_running(tmp_path: Path) -> None:
    """The matrix takes minutes: an interrupted one must end its client's whole process group."""
    fifo = tmp_path / "pids.fifo"
    os.mkfifo(fifo)
    scenario = tmp_path / "long.yaml"
    scenario.write_text(
        "family: test\ndescription: a long run to interrupt\nsource: [C1 drop-1006-no-close-frame]\n"
        f"duration: 60s\nclient_env: {{STUBBORN_FIFO: '{fifo}', STUBBORN_CONTACT: '1'}}\n"
        "expect:\n  reconnects-after-drop:\n"
    )
    stubborn = command("../tests/harness/clients/stubborn.py")
    cli = [sys.executable, "-m", "harness.cli", "matrix", str(scenario), "--out", str(tmp_path / "m")]
    assert stop_harness([*cli, "--client", f"stubborn={stubborn}"], fifo, signal.SIGINT) == 130
