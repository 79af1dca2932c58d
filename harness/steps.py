"""The step scheduler: fires a scenario's faults at their time or on their trigger.

Triggers are journal happenings ("the 2nd user-stream connection opened"), so a fault aimed
at a connection lands on it whatever the client's start-up time was.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from fake_server.clock import Clock
from fake_server.journal import Journal
from fake_server.journal_entries import Entry
from fake_server.server import FakeBinance
from harness.record import SNAPSHOT_PATHS
from harness.scenario import Step

TRIGGER_MATCHERS: dict[str, Callable[[Entry], bool]] = {
    "ws_open": lambda e: e["kind"] == "ws_open" and bool(e.get("user")),
    "user_stream_ready": lambda e: e["kind"] == "user_stream",
    "ws_close": lambda e: e["kind"] == "ws_close",
    "listen_key_created": lambda e: (
        e["kind"] == "rest"
        and e["method"] == "POST"
        and e["path"].endswith("/listenKey")
        and e["status"] == 200
    ),
    "keepalive": lambda e: e["kind"] == "rest" and e["method"] == "PUT" and e["path"].endswith("/listenKey"),
    "resync": lambda e: e["kind"] == "rest" and e["path"] in SNAPSHOT_PATHS,
}


class StepScheduler:
    def __init__(self, steps: tuple[Step, ...], server: FakeBinance, journal: Journal, clock: Clock) -> None:
        self.steps = steps
        self.server = server
        self.journal = journal
        self.clock = clock
        self._handles: list[asyncio.TimerHandle] = []
        self._unsubscribe: Callable[[], None] | None = None
        self._counts: dict[int, int] = {}

    def start(self) -> None:
        for index, step in enumerate(self.steps):
            if step.on == "start":
                self._arm(index, step)
        if any(step.on != "start" for step in self.steps):
            self._unsubscribe = self.journal.subscribe(self._on_entry)

    def _on_entry(self, entry: Entry) -> None:
        for index, step in enumerate(self.steps):
            if step.on == "start" or not TRIGGER_MATCHERS[step.on](entry):
                continue
            self._counts[index] = self._counts.get(index, 0) + 1
            if self._counts[index] == step.nth:
                self._arm(index, step)

    def _arm(self, index: int, step: Step) -> None:
        due = self.clock.now() + step.at
        self._handles.append(self.clock.call_later(step.at, lambda: self._fire(index, step, due)))

    def _fire(self, index: int, step: Step, due: float) -> None:
        # How late the loop ran this step: the run's own lateness (harness/lateness.py).
        late = max(0.0, self.clock.now() - due)
        conns = step.fault.apply(self.server)
        entry = step.fault.entry(conns, step=index, line=step.line)
        entry["late"] = round(late, 6)
        self.journal.append(entry)

    def cancel(self) -> None:
        for handle in self._handles:
            handle.cancel()
        if self._unsubscribe is not None:
            self._unsubscribe()
