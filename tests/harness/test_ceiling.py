"""A client's ceiling on the time factor (`--max-time-factor`): a scenario declaring a larger
factor plays at the ceiling, both clocks at that factor, figures still in Binance time, and
every report says the factor played and why. Slower is always fair: each time-factor
scenario of the catalog loads at every factor below its own (docs/time-factor.md)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness import cli
from harness.defaults import SCENARIOS
from harness.flag_types import ceiling_of
from harness.html_report import render
from harness.matrix import client_ceilings
from harness.scenario import Scenario
from harness.scenario_file import default_registries, load_scenario
from harness.time_factor import MAX_TIME_FACTOR, SUGGESTED, Deadline, pace_refusal, refusal
from tests.harness.test_json_report import SCHEMA
from tests.harness.test_pytest_collection import _pytest_in
from tests.harness.test_time_factor import HERE, SLEEP, TOLERANCE, needs_faketime

DAY = SCENARIOS / "composite" / "day-long-stream.yaml"


def _load(path: Path) -> Scenario:
    faults, behaviours = default_registries()
    return load_scenario(path, faults=faults, behaviours=behaviours)


def test_a_ceiling_below_the_scenarios_factor_lowers_the_factor_played() -> None:
    day = _load(DAY)
    assert day.time_factor == 1000  # the catalog's Binance day, at its own factor
    capped = day.at_most(600)
    assert (capped.time_factor, capped.declared_time_factor) == (600, 1000)
    assert capped.duration == day.duration  # Binance time, whatever the factor
    assert capped.wall_duration == pytest.approx(146.0)
    assert (
        capped.length() == "87600 s at x600 (the client's ceiling; the scenario's own is x1000): 146 s wall"
    )
    # A ceiling at or above the scenario's own factor, or none, plays the scenario as written.
    for ceiling in (None, 1000, MAX_TIME_FACTOR):
        assert day.at_most(ceiling) is day
    assert day.length() == "87600 s at x1000: 87.6 s wall"


def test_a_ceiling_of_one_plays_the_scenario_at_real_time_and_says_so() -> None:
    capped = _load(DAY).at_most(1)
    assert (capped.time_factor, capped.wall_duration) == (1, 87600.0)
    assert "at x1 (the client's ceiling; the scenario's own is x1000)" in capped.length()


TIME_FACTOR_FILES = sorted(
    p for p in SCENARIOS.rglob("*.yaml") if re.search(r"^time_factor: *\d+", p.read_text(), re.M)
)


@pytest.mark.parametrize("path", TIME_FACTOR_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_time_factor_scenario_loads_at_every_factor_below_its_own(path: Path, tmp_path: Path) -> None:
    """What a ceiling plays is what the loader would accept: the file with its factor lowered
    loads (its deadlines, pace and rate rules all hold) and is the same scenario as the
    capped one, so no check of the loader is skipped by playing slower."""
    scenario = _load(path)
    text = path.read_text(encoding="utf-8")
    lower = sorted({1, 2, *(f for f in SUGGESTED if f < scenario.time_factor), scenario.time_factor - 1})
    for factor in lower:
        copy = tmp_path / f"x{factor}" / path.name
        copy.parent.mkdir()
        copy.write_text(re.sub(r"^time_factor: *\d+", f"time_factor: {factor}", text, flags=re.M))
        loaded = _load(copy)  # raises ScenarioError if a rule refused the lower factor
        capped = scenario.at_most(factor)
        assert loaded == capped.__class__(
            **{**capped.__dict__, "declared_time_factor": None, "path": loaded.path}
        ), factor


@given(
    seconds=st.floats(min_value=0.001, max_value=1e6),
    factor=st.integers(min_value=1, max_value=MAX_TIME_FACTOR),
    ceiling=st.integers(min_value=1, max_value=MAX_TIME_FACTOR),
    behaviour=st.sampled_from(["reconnects-after-drop", "backs-off", "no-reconnect-storm"]),
)
def test_a_factor_the_rules_accept_stays_accepted_at_any_lower_one(
    seconds: float, factor: int, ceiling: int, behaviour: str
) -> None:
    """The time-factor rules (harness/time_factor.py) in general: a deadline's wall time only
    grows as the factor falls, and a pace is refused at every factor above 1 alike."""
    lower = min(factor, ceiling)
    deadline = Deadline("expect.x.within", seconds, "x", "within")
    if refusal(factor, deadline, given=True) is None:
        assert refusal(lower, deadline, given=True) is None
    if pace_refusal(factor, behaviour) is None:
        assert pace_refusal(lower, behaviour) is None


SLEEPER_FILE = """\
family: time-factor
description: a client that sleeps between two listenKey calls
source: [A1 lk-never-kept-alive]
duration: 180s
time_factor: 60
timers:
  client_ping_timeout: 60s
events:
  rate: 0
client_env:
  SLEEPER_SECONDS: "{sleep:g}"
expect:
  keeps-listenkey-alive:
"""


@needs_faketime
def test_run_with_a_ceiling_plays_both_clocks_at_it_and_every_report_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`run --max-time-factor 30` on a x60 scenario: the fake's clock and the client's run at
    x30 (the client's 120 s sleep measures 120 s of Binance time on the fake's clock, where a
    client left at x60 would measure 60 s), and the progress line, the JSON report, each
    verdict and the journal say x30 and that it is the client's ceiling."""
    scenario = tmp_path / "scenarios" / "sleeper.yaml"
    scenario.parent.mkdir()
    scenario.write_text(SLEEPER_FILE.format(sleep=SLEEP), encoding="utf-8")
    client = f'"{sys.executable}" "{HERE / "clients" / "sleeper.py"}"'
    report = tmp_path / "report.json"
    argv = ["run", str(scenario), "--client", client, "--max-time-factor", "30"]
    cli.main([*argv, "--json", str(report), "--dir", str(tmp_path / "runs")])
    out = capsys.readouterr().out
    assert "time factor: at most x30 (--max-time-factor)" in out
    assert "(180 s at x30 (the client's ceiling; the scenario's own is x60): 6 s wall)" in out
    written = json.loads(report.read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(written)
    (run,) = written["runs"]
    assert (run["time_factor"], run["declared_time_factor"]) == (30, 60)
    assert run["wall_time"] >= 180 / 30  # played at x30: x60 would have taken 3 s
    for verdict in run["verdicts"]:
        assert verdict["measured"]["time_factor"] == 30
        assert verdict["measured"]["declared_time_factor"] == 60
    entries = [json.loads(line) for line in (Path(run["workdir"]) / "journal.jsonl").read_text().splitlines()]
    start = next(e for e in entries if e["kind"] == "run" and e["phase"] == "start")
    assert (start["time_factor"], start["declared_time_factor"]) == (30, 60)
    calls = {e["method"]: float(e["t"]) for e in entries if e["kind"] == "rest" and "listenKey" in e["path"]}
    gap = calls["PUT"] - calls["POST"]
    assert 1 / TOLERANCE <= gap / SLEEP <= TOLERANCE, f"the client slept {gap:.1f} s of Binance time"


def test_the_html_report_says_the_factor_played_and_why() -> None:
    report = {
        "client": "bot",
        "runs": [
            {
                "scenario": "day",
                "family": "composite",
                "wall_time": 146.0,
                "time_factor": 600,
                "declared_time_factor": 1000,
                "verdicts": [],
            }
        ],
    }
    assert "Binance time x600 (the client's ceiling; the scenario's own is x1000)" in render(report, {})
    del report["runs"][0]["declared_time_factor"]
    assert "Binance time x600<" in render(report, {})


def test_matrix_ceilings_are_per_client_with_one_for_the_rest() -> None:
    names = ["reference", "python-binance", "node-binance"]
    parse = ceiling_of(Scenario, "time_factor")
    given_ = [parse("python-binance=600"), parse("900")]
    assert client_ceilings(given_, names) == {"reference": 900, "python-binance": 600, "node-binance": 900}
    assert client_ceilings([], names) == dict.fromkeys(names)
    with pytest.raises(ValueError, match="no client named 'nobody'"):
        client_ceilings([parse("nobody=600")], names)
    with pytest.raises(ValueError, match="a second ceiling for python-binance"):
        client_ceilings([parse("python-binance=600"), parse("python-binance=300")], names)


def test_a_ceiling_out_of_range_is_refused_before_any_play(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["run", "--max-time-factor", "0"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "argument --max-time-factor: time_factor is a whole number from 1 (real time) to 1000" in err
    with pytest.raises(SystemExit):
        cli.main(["matrix", "--client", "a=true", "--max-time-factor", "=600"])
    assert "expected N or NAME=N, got '=600'" in capsys.readouterr().err


@needs_faketime
def test_the_pytest_plugin_takes_the_ceiling_from_its_option(tmp_path: Path) -> None:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "sleeper.yaml").write_text(SLEEPER_FILE.format(sleep=SLEEP), encoding="utf-8")
    client = f'"{sys.executable}" "{HERE / "clients" / "sleeper.py"}"'
    report = tmp_path / "report.json"
    done = _pytest_in(
        tmp_path,
        "scenarios",
        "--client",
        client,
        "--harness-max-time-factor",
        "30",
        "--harness-json",
        str(report),
    )
    # The sleeper's scenario judges nothing it can decide (an ERROR, explained): what matters
    # is the factor it was played at, in the explanation and in the report.
    assert "time factor: x30 (the client's ceiling; the scenario's own is x60)" in done.stdout, done.stdout
    (run,) = json.loads(report.read_text())["runs"]
    assert (run["time_factor"], run["declared_time_factor"]) == (30, 60)
    refused = _pytest_in(tmp_path, "scenarios", "--client", client, "--harness-max-time-factor", "x")
    assert "--harness-max-time-factor: expected an integer, got 'x'" in refused.stderr
