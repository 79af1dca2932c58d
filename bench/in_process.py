"""Scenario runs per minute against the reference client, as a subprocess and in-process.

The figure a search of fault schedules lives on (issue 14): how many runs a minute each
mode plays on the same scenario list, in turn (`--jobs 1`) and side by side (the default,
docs/scheduling.md), and what a run costs beyond its scenario's duration. That overhead
is the wall time of a run in turn minus the duration, over the runs that lasted their
duration (a client that exits on its own, as on a 451, ends its run early); it is the
fake's start, the client's start (for a command: an interpreter, its imports, the guard),
its end (SIGTERM and the wait for it, or a cancellation) and the judging.

    python -m bench.in_process            # both modes: the catalog 3 times side by side, once in turn
    python -m bench.in_process --no-turn  # side by side only (3 minutes instead of 10)
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from harness import schedule
from harness.defaults import SCENARIOS, default_client
from harness.record import exit_time
from harness.runner import RunResult
from harness.scenario import Scenario
from harness.scenario_file import default_registries, load_scenarios

IN_PROCESS = "python:clients.reference_client:in_process"


@dataclass
class Mode:
    """What one mode measured on the scenario list, at one --jobs."""

    runs: int
    wall: float
    cost: float  # cores per run, as the schedule measured it
    peak: int  # most runs at once
    retried: int  # runs too late to judge, played again alone
    overheads: list[float]  # seconds beyond the duration, runs that lasted it
    statuses: dict[tuple[int, str], str]  # (run's place in the list, behaviour) -> status

    @property
    def per_minute(self) -> float:
        return 60.0 * self.runs / self.wall


async def measure(scenarios: list[Scenario], client: str, jobs: int | None, root: Path, repeat: int) -> Mode:
    """Play the scenarios `repeat` times over (a list long enough that the schedule's first
    and last waves, and the longest scenario, weigh little in the wall time)."""
    work = [job for i in range(repeat) for job in schedule.jobs_for(scenarios, client, root / str(i))]
    started = time.monotonic()
    results, summary = await schedule.play(work, limit=jobs, out=io.StringIO())
    wall = time.monotonic() - started
    overheads = [_overhead(r) for r in results if _lasted(r)]
    return Mode(
        len(results), wall, summary.cost, summary.peak, summary.retried, overheads, _statuses(results)
    )


def _lasted(result: RunResult) -> bool:
    return result.record is not None and exit_time(result.record) is None


def _overhead(result: RunResult) -> float:
    return result.wall_time - result.scenario.duration


def _statuses(results: list[RunResult]) -> dict[tuple[int, str], str]:
    return {(i, v.behaviour): v.status.value for i, r in enumerate(results) for v in r.verdicts}


def describe(name: str, jobs: str, mode: Mode) -> str:
    text = f"  {name:<11} {jobs:<7} {mode.per_minute:6.1f} runs/min ({mode.runs} in {mode.wall:5.1f} s"
    text += (
        f", at most {mode.peak} at once, {mode.retried} played again alone, a run cost {mode.cost:.3f} core)"
    )
    if mode.overheads:
        o = mode.overheads
        text += f"; overhead per run: median {statistics.median(o):.2f} s, mean {statistics.fmean(o):.2f} s"
    return text


async def compare(turn: bool, repeat: int = 3) -> list[str]:
    faults, behaviours = default_registries()
    scenarios = load_scenarios(sorted(SCENARIOS.glob("*/*.yaml")), faults=faults, behaviours=behaviours)
    total = sum(s.duration for s in scenarios)
    lines = [
        f"the catalog ({len(scenarios)} scenarios, {total:g} s of durations) {repeat} times over side by side,"
        f" once in turn; load {_load()} at start"
    ]
    with tempfile.TemporaryDirectory(prefix="bench-in-process-") as tmp:
        plays = [(None, "default", repeat)] + ([(1, "--jobs 1", 1)] if turn else [])
        for jobs, label, times in plays:
            sub = await measure(scenarios, default_client(), jobs, Path(tmp) / f"sub-{label}", times)
            inp = await measure(scenarios, IN_PROCESS, jobs, Path(tmp) / f"in-{label}", times)
            lines.append(describe("subprocess", label, sub))
            lines.append(describe("in-process", label, inp))
            same = "identical" if sub.statuses == inp.statuses else "DIFFER"
            lines.append(f"  {inp.per_minute / sub.per_minute:.2f} x the runs per minute; statuses {same}")
    lines.append(f"load {_load()} at the end")
    return lines


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.in_process", description=__doc__)
    parser.add_argument(
        "--no-turn", dest="turn", action="store_false", help="skip the runs in turn (--jobs 1)"
    )
    args = parser.parse_args()
    for line in asyncio.run(compare(args.turn)):
        print(line, flush=True)


if __name__ == "__main__":
    main()
