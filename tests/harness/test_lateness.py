"""A run that ran late says ERROR "too busy to judge" instead of a PASS or FAIL it cannot vouch for.

On a loaded machine the harness's own loop can run late: a fault fires after its time, the
journal stamps the client's reconnect after it happened. A check would then hold the
harness's delay against the client. The run measures its lateness; past a share of a
verdict's tightest deadline the verdict is an ERROR that names it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fake_server.clock import Clock
from fake_server.journal import Journal
from fake_server.journal_entries import ClientStartEntry, Entry, FaultEntry, RunEntry
from harness.lateness import (
    KEPT_STALLS,
    TOO_BUSY,
    TOO_BUSY_FRACTION,
    Lateness,
    LatenessProbe,
    is_too_busy,
    of_entries,
    played_again_if_too_busy,
    tightest_deadline,
    too_busy,
)
from harness.record import RunRecord
from harness.runner import judge
from harness.scenario import Expectation, Scenario, Step
from harness.steps import StepScheduler
from harness.verdict import Status, Verdict, error, failed, not_applicable, passed
from tests.behaviours.journal import BEHAVIOURS, closed, fault, opened


def _late(entry: FaultEntry, late: float) -> FaultEntry:
    entry["late"] = late
    entry["step"] = 0
    return entry


def _record(journal: list[Entry], *, within: float = 3.0) -> RunRecord:
    behaviour = BEHAVIOURS["reconnects-after-drop"]
    scenario = Scenario(
        name="t",
        family="t",
        description="",
        source=("t",),
        duration=6.0,
        expect=(Expectation("reconnects-after-drop", behaviour.params(within=within)),),
    )
    return RunRecord(scenario, journal, ended_at=6.0)


def _never_reconnects(late: float, loop_late: float = 0.0) -> list[Entry]:
    """A client lacking the behaviour: its connection is dropped and it never comes back."""
    return [
        opened(0.5, 1),
        _late(fault(1.0, "abort_tcp", [1], ends=True), late),
        closed(1.0, 1),
        RunEntry(t=6.0, kind="run", phase="stopping", loop_late=loop_late),
    ]


def test_a_client_without_the_behaviour_fails_when_the_run_was_on_time() -> None:
    (v,) = judge(_record(_never_reconnects(late=0.002)), [])
    assert v.status is Status.FAIL, v.summary


def test_the_same_client_is_not_failed_when_its_fault_fired_too_late_to_judge() -> None:
    (v,) = judge(_record(_never_reconnects(late=0.45)), [])
    assert v.status is Status.ERROR
    assert v.summary.startswith("the machine was too busy to judge (fault fired 450 ms late")
    assert is_too_busy(v) and v.measured["fault_late_ms"] == 450.0 and v.measured["deadline"] == 3.0


def test_a_stalled_loop_makes_a_passing_client_unjudgeable_too() -> None:
    """Lateness can flip a PASS as well as a FAIL: neither is kept."""
    journal = [*_never_reconnects(late=0.0, loop_late=0.5)[:-1], opened(1.4, 2)]
    journal.append(RunEntry(t=6.0, kind="run", phase="stopping", loop_late=0.5))
    (on_time,) = judge(_record(journal[:-1]), [])
    assert on_time.status is Status.PASS
    (v,) = judge(_record(journal), [])
    assert v.status is Status.ERROR and "the harness's timers ran 500 ms late" in v.summary


def _stalled_at(t: float, late: float) -> list[Entry]:
    """A client that never reconnects, in a run whose loop stalled once, at `t`."""
    journal = _never_reconnects(late=0.0)
    journal[-1] = RunEntry(t=6.0, kind="run", phase="stopping", loop_late=late, loop_stalls=[[t, late]])
    return journal


def test_a_stall_far_from_what_the_verdict_judged_does_not_make_it_unjudgeable() -> None:
    """The drop is at 1.0 s and its deadline 3 s (to 4.0 s); a 0.5 s stall measured at 5.9 s
    (from 5.4 s) could not have moved it. Within the deadline of the evidence, it does."""
    (far,) = judge(_record(_stalled_at(5.9, 0.5)), [])
    assert far.status is Status.FAIL, far.summary
    (near,) = judge(_record(_stalled_at(3.5, 0.5)), [])
    assert near.status is Status.ERROR and "the harness's timers ran 500 ms late" in near.summary


def test_the_probe_keeps_its_longest_stalls_with_their_times() -> None:
    probe = LatenessProbe(Clock())
    for n in range(KEPT_STALLS + 10):
        probe._keep(float(n), 0.02 + n / 1000)
    kept = probe.kept()
    assert len(kept) == KEPT_STALLS and kept[0] == pytest.approx(
        [KEPT_STALLS + 9, 0.02 + (KEPT_STALLS + 9) / 1000]
    )
    assert probe.dropped == pytest.approx(0.029)  # the longest left out is still counted
    late = Lateness(loop=0.5, stalls=((1.0, 0.05),), dropped=probe.dropped)
    assert late.near([100.0], 1.0).loop == probe.dropped


def test_lateness_under_the_share_of_the_tightest_deadline_keeps_the_verdict() -> None:
    within = 3.0
    just_under = TOO_BUSY_FRACTION * within * 0.9
    (v,) = judge(_record(_never_reconnects(late=just_under), within=within), [])
    assert v.status is Status.FAIL


def test_only_pass_and_fail_with_a_deadline_are_replaced() -> None:
    params = BEHAVIOURS["reconnects-after-drop"].params(within=1.0)
    late = Lateness(fault=0.5)
    assert too_busy(passed("ok"), params, late).status is Status.ERROR
    assert too_busy(failed("no"), params, late).status is Status.ERROR
    assert too_busy(not_applicable("n/a"), params, late).status is Status.NOT_APPLICABLE
    no_deadline = BEHAVIOURS["no-event-lost"].params()
    assert tightest_deadline(no_deadline) is None
    assert too_busy(failed("lost"), no_deadline, late).status is Status.FAIL


def test_the_tightest_deadline_is_the_smallest_deadline_field() -> None:
    params = BEHAVIOURS["stops-on-restricted-location"].params(within=2.0, watch=2.5)
    assert tightest_deadline(params) == 2.0


def test_lateness_is_read_from_the_journal() -> None:
    entries: list[Entry] = [
        ClientStartEntry(t=0.1, kind="client_start", argv=["x"]),
        RunEntry(t=0.9, kind="run", phase="contact", first="rest", at=0.85),
        _late(fault(2.0, "abort_tcp", [1]), 0.004),
        _late(fault(3.0, "abort_tcp", [1]), 0.012),
        RunEntry(t=5.0, kind="run", phase="stopping", loop_late=0.007),
    ]
    late = of_entries(entries)
    assert late == Lateness(fault=0.012, loop=0.007, start_delay=0.75)
    assert late.worst == 0.012 and late.words() == "fault fired 12 ms late"


def test_the_probe_sees_a_stalled_loop() -> None:
    async def scenario() -> float:
        probe = LatenessProbe(Clock(), interval=0.01)
        probe.start()
        await asyncio.sleep(0)  # one pass of the loop: the probe arms its first tick
        time.sleep(0.2)  # the stall under test: a loop kept busy, as by a heavy neighbour
        async with asyncio.timeout(2.0):  # until the overdue tick has run and been measured
            while probe.worst == 0.0:
                await asyncio.sleep(0)
        return await probe.stop()

    worst = asyncio.run(scenario())
    assert 0.15 <= worst < 1.0, worst


class _Marker:
    """A fault that only journals itself: what the step scheduler does around it is under test."""

    def apply(self, server: Any) -> list[int]:
        return []

    def entry(self, conns: list[int], *, step: int | None, line: int | None) -> FaultEntry:
        entry = fault(0.0, "marker", conns)
        entry["step"], entry["line"] = step, line
        return entry


def test_a_step_journals_how_late_it_fired() -> None:
    async def scenario() -> FaultEntry:
        clock = Clock()
        journal = Journal(clock)
        steps = StepScheduler((Step(_Marker(), at=0.05),), server=None, journal=journal, clock=clock)  # type: ignore[arg-type]
        steps.start()
        time.sleep(0.3)  # the loop is busy when the step is due
        entry = await journal.wait_for(lambda e: e["kind"] == "fault", 2.0)
        steps.cancel()
        return entry  # type: ignore[return-value]

    entry = asyncio.run(scenario())
    assert 0.2 <= entry["late"] < 1.0, entry


@dataclass
class _Plays:
    """Stands in for run_scenario: hands out the given verdicts, one list per play, and
    leaves a file in the run folder, as a run does."""

    workdir: Path
    outcomes: list[list[Verdict]]
    played: int = 0
    found: list[bool] = field(default_factory=list)

    async def __call__(self) -> _Played:
        self.found.append((self.workdir / "journal.jsonl").exists())
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "journal.jsonl").write_text("{}\n")
        self.played += 1
        return _Played(self.outcomes[self.played - 1])


@dataclass
class _Played:
    verdicts: list[Verdict]


TOO_BUSY_VERDICT = error(f"{TOO_BUSY}: a fault fired 200 ms late")


def test_a_run_too_busy_to_judge_is_played_again_from_an_empty_folder(tmp_path: Path) -> None:
    plays = _Plays(tmp_path / "run", [[TOO_BUSY_VERDICT], [passed("reconnected")]])
    result = asyncio.run(played_again_if_too_busy(plays, plays.workdir))
    assert plays.played == 2 and plays.found == [False, False]
    assert [v.status for v in result.verdicts] == [Status.PASS]


def test_a_run_judged_on_time_is_played_once(tmp_path: Path) -> None:
    plays = _Plays(tmp_path / "run", [[failed("no reconnect")], [passed("reconnected")]])
    result = asyncio.run(played_again_if_too_busy(plays, plays.workdir))
    assert plays.played == 1 and [v.status for v in result.verdicts] == [Status.FAIL]


def test_a_second_too_busy_run_stays_an_error(tmp_path: Path) -> None:
    plays = _Plays(tmp_path / "run", [[TOO_BUSY_VERDICT], [TOO_BUSY_VERDICT]])
    result = asyncio.run(played_again_if_too_busy(plays, plays.workdir))
    assert plays.played == 2 and [v.status for v in result.verdicts] == [Status.ERROR]
