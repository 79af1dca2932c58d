"""Lateness: how far behind its own schedule a run was, and when that makes a verdict unjudgeable.

A check compares the client's reaction with a deadline measured on the harness's clock, so
it trusts that the harness ran on time: that a fault fired when its step said, and that the
journal stamped what the client did when it happened. On a loaded machine (many scenarios at
once, other programs, a long garbage-collection pass) the harness's own event loop can run
late, and a slow harness can then look like a slow client. Each run therefore measures its
own lateness, twice over:

- every scenario step records in its `fault` entry how late it fired (`late`, seconds after
  its trigger plus `at`);
- a probe ticking on the run's event loop records the worst delay of any tick (`loop_late`
  on the `run` `stopping` entry): a stall anywhere in the run, not only at a fault.

How long the client took from launch to first contact is measured too (`start_delay`): it
shortens nothing (the scenario's duration counts from that contact) but it is the first sign
of a machine asked to do too much, which the scheduler (harness/schedule.py) reads.

When the run's lateness exceeds `TOO_BUSY_FRACTION` of a verdict's tightest deadline, the
verdict says ERROR "the machine was too busy to judge" instead of a PASS or FAIL it cannot
vouch for. The rule reads only the journal, so a run replayed from its files is judged alike.

A stall far from what a verdict judged cannot have moved it: the probe also journals its
worst stalls with their times (`loop_stalls`), and a verdict that cites evidence is held
only to the stalls within a deadline of that evidence. That matters in a long run (a
Binance day at a time factor is 146 s of wall time, in which one 150 ms stall at its start
said nothing about the reconnect two minutes later); a verdict without evidence, or a
journal without the list, is held to the run's worst stall.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import math
import shutil
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from fake_server.clock import Clock
from harness.behaviours import is_deadline
from harness.verdict import Status, Verdict, error

#: A deadline is judged only when the run was late by less than this share of it: a reaction
#: measured 10 % long cannot turn a reference client's margin into a FAIL, nor a late
#: client's into a PASS (the deadlines in failure-modes.md §6 leave several times that).
TOO_BUSY_FRACTION = 0.1

#: Seconds between the probe's ticks: short enough to see a stall of a few tens of ms, cheap
#: enough (a callback) to leave no trace with a dozen runs sharing a loop.
PROBE_INTERVAL = 0.02

#: The start of a too-busy verdict's summary: how the scheduler recognises a run to retry alone.
TOO_BUSY = "the machine was too busy to judge"

#: Stalls the probe keeps with their times: those longer than this (wall seconds), the
#: `KEPT_STALLS` longest of them. Shorter ones cannot make a verdict too busy: the catalog's
#: tightest deadlines leave 100 ms.
STALL_FLOOR = 0.01
KEPT_STALLS = 64


@dataclass(frozen=True)
class Lateness:
    """A run's own lateness, in seconds (0 when nothing was late or nothing was measured)."""

    #: The worst delay of a scenario step's fault behind its due time.
    fault: float = 0.0
    #: The worst delay of the run's event-loop probe behind its tick.
    loop: float = 0.0
    #: From the client's launch to its first contact with the fake; None if it never made contact.
    start_delay: float | None = None
    #: The run's time factor: the figures above are in Binance time, this many times the wall's.
    factor: float = 1.0
    #: The probe's longest stalls, (when it was measured, how late), longest first; None when
    #: the journal does not list them. `dropped` is the longest stall not kept in the list.
    stalls: tuple[tuple[float, float], ...] | None = None
    dropped: float = 0.0

    @property
    def worst(self) -> float:
        """The run's lateness: what a deadline must tolerate."""
        return max(self.fault, self.loop)

    def near(self, times: Sequence[float], margin: float) -> Lateness:
        """This lateness with the loop's held to the stalls from `margin` before the first of
        `times` to `margin` after the last (a stall measured at t spans t - late to t)."""
        if self.stalls is None or not times:
            return self
        start, end = min(times) - margin, max(times) + margin
        loop = max((late for t, late in self.stalls if t >= start and t - late <= end), default=0.0)
        return dataclasses.replace(self, loop=max(loop, self.dropped))

    def in_wall(self) -> Lateness:
        """The same lateness in wall seconds (what the machine's load is measured in)."""
        f = self.factor
        delay = None if self.start_delay is None else self.start_delay / f
        return Lateness(self.fault / f, self.loop / f, delay)

    def words(self) -> str:
        """Why the run was late, in the words a verdict quotes."""
        late, what = (
            (self.fault, "fault fired {} late")
            if self.fault >= self.loop
            else (self.loop, "the harness's timers ran {} late")
        )
        figure = f"{late * 1000:.0f} ms"
        if self.factor != 1:
            figure += f" of Binance time ({late / self.factor * 1000:.1f} ms wall)"
        return what.format(figure)


class LatenessProbe:
    """Ticks on the running loop every `interval` wall seconds and keeps the worst delay of a
    tick behind its due time, in the clock's (Binance) seconds."""

    def __init__(self, clock: Clock, interval: float = PROBE_INTERVAL) -> None:
        self.clock = clock
        self.interval = interval
        self.worst = 0.0
        #: Stalls over STALL_FLOOR of wall time: (when measured, how late), in clock seconds.
        self.stalls: list[tuple[float, float]] = []
        #: The longest stall left out of `stalls` (only the KEPT_STALLS longest are kept).
        self.dropped = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._tick())

    async def _tick(self) -> None:
        while True:
            # The tick is wall time; the clock (and so the delay kept) is Binance time.
            due = self.clock.now() + self.interval * self.clock.factor
            await asyncio.sleep(self.interval)
            now = self.clock.now()
            late = now - due
            self.worst = max(self.worst, late)
            if late > STALL_FLOOR * self.clock.factor:
                self._keep(now, late)

    def _keep(self, t: float, late: float) -> None:
        self.stalls.append((round(t, 6), round(late, 6)))
        if len(self.stalls) > KEPT_STALLS:
            self.stalls.sort(key=lambda stall: -stall[1])
            self.dropped = max(self.dropped, self.stalls.pop()[1])

    def kept(self) -> list[list[float]]:
        """The stalls kept, longest first, as the journal lists them."""
        return [[t, late] for t, late in sorted(self.stalls, key=lambda stall: -stall[1])]

    async def stop(self) -> float:
        """Stop ticking; the worst delay seen, in seconds."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        return round(self.worst, 6)


def of_entries(entries: Iterable[Mapping[str, Any]]) -> Lateness:
    """A run's lateness, as its journal recorded it (docs/journal.md: `fault` `late`, `run`
    `stopping` `loop_late`, `client_start` and `run` `contact`)."""
    fault = loop = dropped = 0.0
    factor = 1.0
    stalls: tuple[tuple[float, float], ...] | None = None
    launched = contact = None
    for e in entries:
        kind = e["kind"]
        if kind == "run" and e.get("phase") == "start":
            factor = float(e.get("time_factor", 1))
        elif kind == "fault" and e.get("step") is not None:
            fault = max(fault, float(e.get("late", 0.0)))
        elif kind == "client_start" and launched is None:
            launched = float(e["t"])
        elif kind == "run" and e.get("phase") == "contact":
            contact = float(e.get("at", e["t"]))
        elif kind == "run" and e.get("phase") == "stopping":
            loop = max(loop, float(e.get("loop_late", 0.0)))
            if "loop_stalls" in e:
                stalls = tuple((float(t), float(late)) for t, late in e["loop_stalls"])
                dropped = float(e.get("loop_stalls_dropped", 0.0))
    start_delay = None if launched is None or contact is None else max(0.0, contact - launched)
    return Lateness(fault, loop, start_delay, factor, stalls, dropped)


def tightest_deadline(params: object) -> float | None:
    """The shortest deadline (seconds) among a behaviour's parameters; None if it has none."""
    if not dataclasses.is_dataclass(params):
        return None
    deadlines = [
        float(value)
        for f in dataclasses.fields(params)
        if is_deadline(f.name)
        and isinstance(value := getattr(params, f.name), int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    ]
    return min(deadlines, default=None)


def too_busy(verdict: Verdict, params: object, lateness: Lateness) -> Verdict:
    """`verdict`, or an ERROR when the run was too late to hold it to its tightest deadline.

    Only a PASS or FAIL is replaced: they are what lateness can flip. NOT-APPLICABLE, INFO
    and ERROR say something that timing does not decide.
    """
    if verdict.status not in (Status.PASS, Status.FAIL):
        return verdict
    deadline = tightest_deadline(params)
    if deadline is None:
        return verdict
    times = [float(e["t"]) for e in verdict.evidence if isinstance(e.get("t"), int | float)]
    lateness = lateness.near(times, deadline)
    if lateness.worst <= TOO_BUSY_FRACTION * deadline:
        return verdict
    busy = error(
        f"{TOO_BUSY} ({lateness.words()}, more than {TOO_BUSY_FRACTION:.0%} of its "
        f"{deadline:g} s deadline); run the scenario again alone"
    )
    busy.measured = {
        "fault_late_ms": round(lateness.fault * 1000, 1),
        "loop_late_ms": round(lateness.loop * 1000, 1),
        "deadline": deadline,
    }
    return busy


def is_too_busy(verdict: Verdict) -> bool:
    """Whether `verdict` is a too-busy ERROR: the run deserves another try, alone."""
    return verdict.status is Status.ERROR and verdict.summary.startswith(TOO_BUSY)


class Judged(Protocol):
    verdicts: list[Verdict]


J = TypeVar("J", bound=Judged)


async def played_again_if_too_busy(play: Callable[[], Awaitable[J]], workdir: Path) -> J:
    """`play()`'s result, or, when the machine made one of its verdicts too busy to judge, the
    result of playing it once more from an empty `workdir`: a second too-busy verdict stays
    an ERROR. The pytest plugin plays scenarios one by one, so its retry comes at once; the
    CLI's scheduler defers its retries until nothing else runs (harness/schedule.py)."""
    result = await play()
    if any(is_too_busy(v) for v in result.verdicts):
        shutil.rmtree(workdir, ignore_errors=True)
        result = await play()
    return result
