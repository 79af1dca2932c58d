"""The `binance-harness` command as a user meets it: list, run, serve, and bad input."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx

from harness.cli import main
from harness.defaults import ROOT
from tests.serve import serve


def test_list_names_scenarios_behaviours_and_faults(capsys) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "drops/drop-1006" in out and "reconnects-after-drop" in out and "abort_tcp" in out


def test_run_writes_json_report_and_exit_status(tmp_path: Path, capsys) -> None:
    report = tmp_path / "report.json"
    code = main(
        [
            "run",
            str(ROOT / "scenarios/http/listenkey-404.yaml"),
            "--json",
            str(report),
            "--dir",
            str(tmp_path / "runs"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "[1/1] http/listenkey-404" in out and "surfaces-error-body" in out
    data = json.loads(report.read_text())
    assert data["schema"] == "binance-stream-harness/report" and data["version"] == 1
    (run,) = data["runs"]
    assert run["verdicts"][0]["status"] == "PASS"
    assert (tmp_path / "runs" / "listenkey-404" / "journal.jsonl").exists()


def test_run_with_a_typo_names_file_line_and_field(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "scenarios" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text(
        "family: x\ndescription: y\nsource: [z]\nduration: 2s\n"
        "steps:\n  - fault: abort_tpc\nexpect:\n  reconnects-after-drop:\n"
    )
    assert main(["run", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:6: steps[0].fault" in err and "abort_tcp" in err


def test_failing_client_exits_1(tmp_path: Path) -> None:
    code = main(
        [
            "run",
            str(ROOT / "scenarios/http/listenkey-404.yaml"),
            "--dir",
            str(tmp_path),
            "--client",
            f'"{sys.executable}" "{ROOT / "clients/broken/no_error_body.py"}"',
        ]
    )
    assert code == 1


def test_serve_prints_urls_and_serves_until_interrupted() -> None:
    with serve() as exported:
        rest = exported["BINANCE_HARNESS_REST_URL"]
        assert rest.startswith("http://127.0.0.1:")
        r = httpx.post(
            rest + "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": exported["BINANCE_HARNESS_API_KEY"]}
        )
        assert r.status_code == 200 and "listenKey" in r.json()
    # serve() asserts that SIGINT ended it with exit status 0.
