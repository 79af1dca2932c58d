"""The JSON report of both writers validates against its published schema (docs/json-report.schema.json)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from harness.cli import main
from harness.defaults import ROOT
from tests.harness._subprocess import LISTENKEY_404, run_pytest

SCHEMA = json.loads((ROOT / "docs" / "json-report.schema.json").read_text())


def validate(report: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA).validate(report)


def test_the_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_report_of_a_cli_run_validates(tmp_path: Path, capsys) -> None:
    path = tmp_path / "report.json"
    assert main(["run", str(LISTENKEY_404), "--json", str(path), "--dir", str(tmp_path / "runs")]) == 0
    capsys.readouterr()
    report = json.loads(path.read_text())
    validate(report)
    (run,) = report["runs"]
    assert run["family"] == "http" and run["source"] and run["workdir"].endswith("listenkey-404")


def test_report_of_the_pytest_plugin_validates_and_has_the_same_shape(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    proc = run_pytest(LISTENKEY_404, "--harness-json", path, "--harness-dir", tmp_path / "runs")
    assert proc.returncode == 0, proc.stdout[-3000:]
    report = json.loads(path.read_text())
    validate(report)
    (run,) = report["runs"]
    assert set(run) == {
        "scenario",
        "family",
        "description",
        "source",
        "wall_time",
        "time_factor",
        "workdir",
        "verdicts",
    }
    assert run["family"] == "http" and run["source"] and run["wall_time"] > 0 and run["time_factor"] == 1
    assert Path(run["workdir"]) == tmp_path / "runs" / "listenkey-404"
    assert report["totals"]["PASS"] == 1


GOOD: dict[str, Any] = {
    "schema": "binance-stream-harness/report",
    "version": 1,
    "client": "python bot.py",
    "totals": {"PASS": 1, "FAIL": 0, "NOT-APPLICABLE": 0, "INFO": 0, "ERROR": 0},
    "runs": [
        {
            "scenario": "drop-1006",
            "family": "drops",
            "source": ["failure-modes.md C1"],
            "wall_time": 7.04,
            "workdir": "reports/runs/drop-1006",
            "verdicts": [
                {
                    "scenario": "drop-1006",
                    "behaviour": "reconnects-after-drop",
                    "status": "PASS",
                    "summary": "reconnected",
                    "hint": "",
                    "measured": {"reconnect_delays": [0.19]},
                    "evidence": [{"kind": "ws_open"}],
                }
            ],
        }
    ],
}


def test_a_hand_made_report_validates() -> None:
    validate(GOOD)


def _without(path: tuple[Any, ...]) -> dict[str, Any]:
    report = copy.deepcopy(GOOD)
    node: Any = report
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return report


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    report = copy.deepcopy(GOOD)
    node: Any = report
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return report


@pytest.mark.parametrize(
    "broken",
    [
        _without(("client",)),
        _without(("runs", 0, "family")),
        _without(("runs", 0, "verdicts", 0, "hint")),
        _with(("version",), 2),
        _with(("schema",), "something/else"),
        _with(("runs", 0, "verdicts", 0, "status"), "PASSED"),
        _with(("totals", "FAIL"), -1),
        _with(("totals", "SKIPPED"), 0),
        _with(("runs", 0, "wall_time"), "7 s"),
        _with(("runs", 0, "verdicts", 0, "evidence"), ["a line"]),
    ],
    ids=[
        "no-client",
        "no-family",
        "no-hint",
        "version-2",
        "wrong-schema",
        "unknown-status",
        "negative-total",
        "unknown-total",
        "wall-time-string",
        "evidence-not-objects",
    ],
)
def test_a_broken_report_fails_validation(broken: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)
