"""The journal: an append-only record of everything that happened in one run.

Every part of the fake (and the harness's client driver) appends to one journal, so a
check can decide a behaviour from one ordered list of facts, and a run can be replayed into
a report later from its JSON-lines file. Entries are dicts typed by kind
(fake_server/journal_entries.py) with `t` (scenario seconds, from the run's Clock, stamped
here) and `kind`; docs/journal.md says what each field means.

Waiting on the journal (`wait_for`) is how tests and triggers synchronise with what the
fake saw, instead of sleeping.

The file is written in batches, not one flush per entry (a flush per pushed event was 14 %
of the fake's cost per event): complete lines are kept back at most `FLUSH_AFTER` seconds
or `FLUSH_BYTES` bytes, so a run killed outright still leaves a readable file up to its
last fraction of a second. Past `SHELTER_EVERY` entries the journal keeps its entries out
of the garbage collector's full passes (fake_server/gc_shelter.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

import orjson

from fake_server import gc_shelter
from fake_server.clock import Clock
from fake_server.journal_entries import Entry, Lookup

Listener = Callable[[Entry], None]
E = TypeVar("E", bound=Entry)

#: The longest a written entry waits in memory before it reaches the file (seconds).
FLUSH_AFTER = 0.1
#: Or this many bytes of lines, whichever comes first.
FLUSH_BYTES = 1 << 16
#: Every this many entries, the entries so far are sheltered from full GC passes.
SHELTER_EVERY = 10_000


class Journal(Lookup):
    def __init__(self, clock: Clock, path: Path | None = None) -> None:
        self.clock = clock
        self.entries: list[Entry] = []
        self._listeners: list[Listener] = []
        # Unbuffered: `_write` hands the OS whole lines only, so the file never ends mid-line.
        self._file = path.open("ab", buffering=0) if path else None
        self._lines: list[bytes] = []
        self._line_bytes = 0
        self._flush_timer: asyncio.TimerHandle | None = None
        self._sheltered = False

    def append(self, entry: E) -> E:
        """Stamp `entry` with the time (first, so a journal line reads in order) and record it."""
        stamped = cast(E, {"t": round(self.clock.now(), 6), **entry})
        entries = self.entries
        entries.append(stamped)
        if self._file is not None:
            line = orjson.dumps(stamped, default=str) + b"\n"
            self._lines.append(line)
            self._line_bytes += len(line)
            if self._line_bytes >= FLUSH_BYTES:
                self.flush()
            elif self._flush_timer is None:
                self._flush_later()
        if len(entries) % SHELTER_EVERY == 0:
            self._shelter()
        if self._listeners:
            for listener in list(self._listeners):
                listener(stamped)
        return stamped

    def flush(self) -> None:
        """Write the lines kept back to the file now."""
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None
        if self._file is None or not self._lines:
            return
        data = memoryview(b"".join(self._lines))
        self._lines.clear()
        self._line_bytes = 0
        while data:
            written = self._file.write(data)
            data = data[written or 0 :]

    def _flush_later(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a report replayed, a test): nothing would flush later
            self.flush()
            return
        self._flush_timer = loop.call_later(FLUSH_AFTER, self.flush)

    def _shelter(self) -> None:
        if self._sheltered:
            gc_shelter.refreeze()
        else:
            gc_shelter.freeze()
            self._sheltered = True

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
        self.flush()
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._sheltered:
            self._sheltered = False
            gc_shelter.release()

    @staticmethod
    def read(path: Path) -> list[Entry]:
        """Entries of a journal file, for replaying a run into a report.

        A last line that does not parse is a write the run was killed in the middle of (the
        journal writes whole lines, but the OS may take part of one): it is left out.
        """
        lines = [line for line in path.read_bytes().split(b"\n") if line.strip()]
        entries = [cast(Entry, orjson.loads(line)) for line in lines[:-1]]
        if lines:
            with contextlib.suppress(orjson.JSONDecodeError):
                entries.append(cast(Entry, orjson.loads(lines[-1])))
        return entries
