"""The journal: an append-only record of everything that happened in one run.

Every part of the fake (and the harness's client driver) appends to one journal, so a
check can decide a behaviour from one ordered list of facts, and a run can be replayed into
a report later from its JSON-lines file. Entries are dicts typed by kind
(fake_server/journal_entries.py) with `t` (scenario seconds, from the run's Clock, stamped
here) and `kind`; docs/journal.md says what each field means.

Waiting on the journal (`wait_for`) is how tests and triggers synchronise with what the
fake saw, instead of sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar, cast

import orjson

from fake_server.clock import Clock
from fake_server.journal_entries import Entry, Lookup

Listener = Callable[[Entry], None]
E = TypeVar("E", bound=Entry)


class Journal(Lookup):
    def __init__(self, clock: Clock, path: Path | None = None) -> None:
        self.clock = clock
        self.entries: list[Entry] = []
        self._listeners: list[Listener] = []
        self._file: IO[bytes] | None = path.open("ab") if path else None

    def append(self, entry: E) -> E:
        """Stamp `entry` with the time (first, so a journal line reads in order) and record it."""
        stamped = cast(E, {"t": round(self.clock.now(), 6), **entry})
        self.entries.append(stamped)
        if self._file is not None:
            self._file.write(orjson.dumps(stamped, default=str) + b"\n")
            self._file.flush()
        for listener in list(self._listeners):
            listener(stamped)
        return stamped

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` for each entry appended from now on; returns an unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def entries_in_order(self) -> list[Entry]:
        return self.entries

    async def wait_for(
        self, predicate: Callable[[Entry], bool], timeout: float, *, past: bool = True
    ) -> Entry:
        """The first entry (already recorded, if `past`, or to come) matching `predicate`.

        Raises TimeoutError after `timeout` seconds: a test waiting on the journal fails with
        a clear message instead of hanging.
        """
        if past:
            for e in self.entries:
                if predicate(e):
                    return e
        fut: asyncio.Future[Entry] = asyncio.get_running_loop().create_future()

        def listener(e: Entry) -> None:
            if not fut.done() and predicate(e):
                fut.set_result(e)

        unsubscribe = self.subscribe(listener)
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            unsubscribe()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    @staticmethod
    def read(path: Path) -> list[Entry]:
        """Entries of a journal file, for replaying a run into a report."""
        with path.open("rb") as f:
            return [cast(Entry, orjson.loads(line)) for line in f if line.strip()]
