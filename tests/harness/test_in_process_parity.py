"""The in-process mode judges as the subprocess mode does: every catalog scenario, played
both ways against the reference client, gets the same status for every behaviour.

Both modes are played in one schedule (harness/schedule.py), side by side as `binance-harness
run` plays a catalog, so the whole comparison takes about the catalog's own wall time twice
over (a minute or two on 2 cores). A run the machine was too busy to judge is played again
alone by the schedule; a pair still unjudgeable after that is played again, both ways, in
turn, before the statuses are compared.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from harness import schedule
from harness.defaults import SCENARIOS, default_client
from harness.lateness import is_too_busy
from harness.runner import RunResult, run_scenario
from harness.scenario import Scenario
from harness.scenario_file import default_registries, load_scenarios
from harness.verdict import Status
from tests.conftest import IN_PROCESS

pytestmark = pytest.mark.xdist_group("in-process-parity")

#: (scenario, behaviour) -> (status as a subprocess, status in-process), where the two modes
#: differ for a reason docs/in-process.md gives. None on today's catalog: every fault it uses
#: acts on the WebSocket connections or at the REST answer, both of which are the same in
#: either mode.
EXPECTED_DIFFERENCES: dict[tuple[str, str], tuple[Status, Status]] = {}

#: How many more times a pair of runs too busy to judge is played again, both ways, in turn.
REPLAYS = 2

Statuses = dict[tuple[str, str], Status]


def statuses(results: list[RunResult]) -> Statuses:
    return {(r.scenario.name, v.behaviour): v.status for r in results for v in r.verdicts}


def unjudged(result: RunResult) -> bool:
    return any(is_too_busy(v) for v in result.verdicts)


async def play_both(scenarios: list[Scenario], root: Path) -> tuple[list[RunResult], list[RunResult]]:
    jobs = schedule.jobs_for(scenarios, default_client(), root / "subprocess") + schedule.jobs_for(
        scenarios, IN_PROCESS, root / "in-process"
    )
    results, _ = await schedule.play(jobs, out=io.StringIO())
    as_subprocess, in_process = results[: len(scenarios)], results[len(scenarios) :]
    for i, scenario in enumerate(scenarios):
        for attempt in range(REPLAYS):
            if not (unjudged(as_subprocess[i]) or unjudged(in_process[i])):
                break
            folder = root / f"again-{attempt}" / scenario.name
            as_subprocess[i] = await run_scenario(scenario, default_client(), workdir=folder / "subprocess")
            in_process[i] = await run_scenario(scenario, IN_PROCESS, workdir=folder / "in-process")
    return as_subprocess, in_process


def client_tasks_left() -> list[str]:
    """Tasks of the in-process clients still alive once everything was played."""
    mine = asyncio.current_task()
    return [
        repr(t.get_coro()) for t in asyncio.all_tasks() if t is not mine and "clients" in repr(t.get_coro())
    ]


def test_every_catalog_scenario_gets_the_same_statuses_in_process_as_a_subprocess(tmp_path: Path) -> None:
    faults, behaviours = default_registries()
    catalog = load_scenarios(sorted(SCENARIOS.glob("*/*.yaml")), faults=faults, behaviours=behaviours)
    # At a time factor an in-process client is refused by design (it would share the harness's
    # loop and clock: docs/in-process.md); test_time_factor_refuses_an_in_process_client holds it.
    scenarios = [s for s in catalog if s.time_factor == 1]
    assert len(scenarios) >= 35  # the whole real-time catalog, not a selection

    async def play() -> tuple[list[RunResult], list[RunResult], list[str]]:
        as_subprocess, in_process = await play_both(scenarios, tmp_path)
        return as_subprocess, in_process, client_tasks_left()

    as_subprocess, in_process, left = asyncio.run(play())
    before, after = statuses(as_subprocess), statuses(in_process)
    assert before.keys() == after.keys()
    unjudgeable = sorted(k for k in before if Status.ERROR in (before[k], after[k]))
    assert not unjudgeable, f"ERROR verdicts, nothing to compare: {unjudgeable}"
    differences = {k: (before[k], after[k]) for k in before if before[k] is not after[k]}
    assert differences == EXPECTED_DIFFERENCES
    assert left == []  # every in-process client ended with its run


def test_time_factor_refuses_an_in_process_client(tmp_path: Path) -> None:
    faults, behaviours = default_registries()
    catalog = load_scenarios(sorted(SCENARIOS.glob("*/*.yaml")), faults=faults, behaviours=behaviours)
    fast = min((s for s in catalog if s.time_factor > 1), key=lambda s: s.duration / s.time_factor)
    result = asyncio.run(run_scenario(fast, IN_PROCESS, workdir=tmp_path))
    assert {v.status for v in result.verdicts} == {Status.ERROR}
    assert any("in-process client" in p for p in result.problems), result.problems
