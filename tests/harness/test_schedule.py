"""Playing runs at once gives the reports of playing them in turn.

The scheduler is tested with a stand-in for `run_scenario` that records what it was asked
and when, so order, admission and the retry of a too-busy run are decided exactly; one
CLI test plays real scenarios at --jobs 2 and compares with --jobs 1.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
from pathlib import Path

import pytest

from harness import schedule
from harness.cli import main
from harness.defaults import ROOT
from harness.lateness import TOO_BUSY, Lateness
from harness.runner import RunResult
from harness.scenario import Scenario
from harness.verdict import Status, Verdict, error, passed


def _scenario(name: str, duration: float) -> Scenario:
    return Scenario(name=name, family="f", description="", source=("t",), duration=duration, expect=())


class FakeRuns:
    """Stands in for run_scenario: each run lasts a hundredth of its duration."""

    def __init__(self, busy_once: frozenset[str] = frozenset()) -> None:
        self.launched: list[str] = []
        self.running = 0
        self.peak = 0
        self.busy_once = set(busy_once)
        self.alone_when_retried: list[bool] = []

    async def __call__(
        self, scenario: Scenario, client: str, *, workdir: Path, contacted: asyncio.Event
    ) -> RunResult:
        retry = scenario.name in self.launched
        if retry:
            self.alone_when_retried.append(self.running == 0)
        self.launched.append(scenario.name)
        self.running += 1
        self.peak = max(self.peak, self.running)
        contacted.set()
        try:
            await asyncio.sleep(scenario.duration / 100)  # the run's length, not a synchronisation
        finally:
            self.running -= 1
        verdict: Verdict = passed("ok")
        lateness = Lateness(fault=0.001)
        if scenario.name in self.busy_once and not retry:
            lateness = Lateness(fault=0.3)
            verdict = error(f"{TOO_BUSY} ({lateness.words()})")
        verdict.scenario, verdict.behaviour = scenario.name, "b"
        return RunResult(scenario, [verdict], None, workdir, wall_time=scenario.duration, lateness=lateness)


SCENARIOS = [_scenario("a", 2), _scenario("b", 9), _scenario("c", 4), _scenario("d", 7), _scenario("e", 1)]


def _play(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, runs: FakeRuns, limit: int | None
) -> tuple[list[RunResult], str]:
    monkeypatch.setattr(schedule, "run_scenario", runs)
    out = io.StringIO()
    jobs = schedule.jobs_for(SCENARIOS, "client", tmp_path)
    results, _ = asyncio.run(schedule.play(jobs, limit=limit, out=out))
    return results, out.getvalue()


def test_runs_start_longest_first_and_report_in_catalog_order(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    runs = FakeRuns()
    results, out = _play(monkeypatch, tmp_path, runs, limit=3)
    assert runs.launched == ["b", "d", "c", "a", "e"]
    assert [r.scenario.name for r in results] == ["a", "b", "c", "d", "e"]
    lines = out.splitlines()
    assert [line.split()[1] for line in lines] == ["f/a", "f/b", "f/c", "f/d", "f/e"]
    assert lines[0].startswith("[1/5] f/a (2 s) ... 2.0 s: 1 PASS")
    assert runs.peak == 3


def test_one_job_plays_in_turn_in_catalog_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    runs = FakeRuns()
    _play(monkeypatch, tmp_path, runs, limit=1)
    assert runs.launched == ["a", "b", "c", "d", "e"] and runs.peak == 1


def test_a_run_too_busy_to_judge_is_played_again_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    runs = FakeRuns(busy_once=frozenset({"c"}))
    results, out = _play(monkeypatch, tmp_path, runs, limit=4)
    assert runs.launched.count("c") == 2 and runs.launched[-1] == "c"
    assert runs.alone_when_retried == [True]
    assert results[2].verdicts[0].status is Status.PASS
    line = next(line for line in out.splitlines() if "f/c" in line)
    assert "played again alone" in line and "fault fired 300 ms late" in line
    # Still one line per scenario, in catalog order.
    assert [line.split()[1] for line in out.splitlines()] == ["f/a", "f/b", "f/c", "f/d", "f/e"]


def test_late_runs_halve_the_limit_once_per_episode_and_calm_runs_raise_it() -> None:
    admission = schedule.Admission(8, n_cores=2)
    late = Lateness(fault=schedule.BUSY_LATENESS * 2, start_delay=0.5)
    admission.finished("c", late, started=0.0, now=10.0)
    assert admission.limit == 4
    # Started before the cut: it measured the load already answered.
    admission.finished("c", late, started=9.0, now=11.0)
    assert admission.limit == 4
    admission.finished("c", late, started=10.5, now=12.0)
    assert admission.limit == 2
    calm = Lateness(fault=0.001, start_delay=0.5)
    for _ in range(10):
        admission.finished("c", calm, started=13.0, now=14.0)
    assert admission.limit == 8  # never above the ceiling
    assert admission.admits(7) and not admission.admits(8)


def test_a_slow_client_start_counts_as_overload() -> None:
    admission = schedule.Admission(8, n_cores=2)
    admission.finished("c", Lateness(start_delay=0.4), started=0.0, now=1.0)
    assert admission.limit == 8
    admission.finished(
        "c", Lateness(start_delay=0.4 + schedule.SLOW_START_MARGIN + 1.0), started=0.5, now=2.0
    )
    assert admission.limit == 4
    # Another client's start is judged against its own: its first is its reference.
    admission.finished("node", Lateness(start_delay=3.0), started=3.0, now=4.0)
    assert admission.limit == 5


def test_the_automatic_limit_follows_the_cores_and_the_cost_of_a_run() -> None:
    assert schedule.auto_limit(2, 0.2) == int(2 * schedule.TARGET_SHARE / 0.2)
    assert schedule.auto_limit(2, 0.5) == int(2 * schedule.TARGET_SHARE / 0.5)
    assert schedule.auto_limit(2, 5.0) == 1
    assert schedule.auto_limit(2, 0.0) == schedule.auto_limit(2, 0.01) == schedule.MAX_PER_CORE * 2
    admission = schedule.Admission(None, n_cores=2)
    admission.measured(cpu_seconds=3.0, run_seconds=10.0)  # 0.3 core per run
    assert admission.ceiling == schedule.auto_limit(2, 0.3) and admission.limit <= admission.ceiling


def test_jobs_argument() -> None:
    assert schedule.jobs_argument("auto") is None
    assert schedule.jobs_argument("3") == 3
    for bad in ("0", "-2", "many"):
        with pytest.raises(argparse.ArgumentTypeError):
            schedule.jobs_argument(bad)


def test_run_at_two_jobs_reports_what_one_job_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = {}
    for jobs in ("1", "2"):
        path = tmp_path / f"j{jobs}.json"
        code = main(
            [
                "run",
                str(ROOT / "scenarios/http"),
                "--jobs",
                jobs,
                "--json",
                str(path),
                "--dir",
                str(tmp_path / jobs),
            ]
        )
        out = capsys.readouterr().out
        assert code == 0, out
        progress = [line.split()[1] for line in out.splitlines() if line.startswith("[")]
        assert progress == [
            "http/html-error-pages",
            "http/listenkey-404",
            "http/restricted-location-451",
            "http/retry-after",
        ]
        reports[jobs] = json.loads(path.read_text())
    assert [
        (r["scenario"], [(v["behaviour"], v["status"]) for v in r["verdicts"]]) for r in reports["1"]["runs"]
    ] == [
        (r["scenario"], [(v["behaviour"], v["status"]) for v in r["verdicts"]]) for r in reports["2"]["runs"]
    ]
    assert reports["2"]["totals"] == reports["1"]["totals"] and reports["2"]["totals"]["PASS"] > 0
