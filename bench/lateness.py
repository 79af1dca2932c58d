"""How late a scheduled fault fires: idle, and while the fake pushes a steady event rate.

A scenario step fires from a timer on the fake's loop (`Clock.call_later`, harness/steps.py),
so its lateness is the loop's: the time between a timer's due moment and its callback. This
arms such timers every `PERIOD` and records each one's lateness, and the longest full
(generation 2) garbage-collection pause meanwhile.
"""

from __future__ import annotations

import asyncio
import gc
import time
from dataclasses import dataclass

from bench.peer import Peer
from bench.push import HOST, FakeRig

PERIOD = 0.01


@dataclass
class Lateness:
    p50_ms: float
    p99_ms: float
    max_ms: float
    samples: int
    gc_max_ms: float
    events: int = 0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class GcPauses:
    """The full collections while installed (a `gc.callbacks` entry): each one's seconds."""

    def __init__(self) -> None:
        self.longest = 0.0
        self.pauses: list[float] = []
        #: The longest young (generation 0 or 1) collection, to tell a loop stall from them.
        self.young_longest = 0.0
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
            return
        pause = time.perf_counter() - self._start
        if info.get("generation") == 2:
            self.pauses.append(pause)
            self.longest = max(self.longest, pause)
        else:
            self.young_longest = max(self.young_longest, pause)


async def timers(seconds: float) -> list[float]:
    loop = asyncio.get_running_loop()
    late: list[float] = []
    done = loop.create_future()
    end = time.monotonic() + seconds

    def arm() -> None:
        due = time.monotonic() + PERIOD
        loop.call_later(PERIOD, lambda: fired(due))

    def fired(due: float) -> None:
        late.append(time.monotonic() - due)
        if time.monotonic() < end:
            arm()
        elif not done.done():
            done.set_result(None)

    arm()
    await done
    return late


async def lateness(seconds: float, rate: float = 0.0) -> Lateness:
    """Timer lateness over `seconds` while the fake pushes `rate` events/s to one reader."""
    pauses = GcPauses()
    async with FakeRig() as rig:
        reader = Peer("read", HOST, rig.port, rig.user_path, 10**12)
        await reader.start()
        gc.callbacks.append(pauses)
        try:
            pusher = asyncio.ensure_future(rig.paced(rate, seconds)) if rate else None
            late = await timers(seconds)
            events = await pusher if pusher is not None else 0
        finally:
            gc.callbacks.remove(pauses)
            reader.kill()
    ms = [x * 1000 for x in late]
    return Lateness(
        p50_ms=percentile(ms, 0.5),
        p99_ms=percentile(ms, 0.99),
        max_ms=max(ms),
        samples=len(ms),
        gc_max_ms=pauses.longest * 1000,
        events=events,
    )
