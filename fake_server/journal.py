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

A journal made with a `window` (what `serve` does) holds only about that many of its latest
entries in memory, so a session of hours stays bounded; an entry keeps its absolute index
(`first` is the index of `entries[0]`), and `page` reads older ones back from the file, or
raises `Forgotten` without one (fake_server/journal_window.py). Without a window (scenario
runs: their checks read everything) it holds every entry, as `entries`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TypeVar, cast

import orjson

from fake_server import gc_shelter
from fake_server.clock import Clock
from fake_server.journal_entries import Entry, Lookup
from fake_server.journal_window import Forgotten, LineIndex

Listener = Callable[[Entry], None]
E = TypeVar("E", bound=Entry)

#: The longest a written entry waits in memory before it reaches the file (seconds).
FLUSH_AFTER = 0.1
#: Or this many bytes of lines, whichever comes first.
FLUSH_BYTES = 1 << 16
#: Every this many entries, the entries so far are sheltered from full GC passes.
SHELTER_EVERY = 10_000
#: Entries dropped from memory at a time past the window: a few at once keep the cost of
#: freeing them (about a microsecond each) well under a millisecond of the loop's time.
TRIM = 1024


class Journal(Lookup):
    def __init__(self, clock: Clock, path: Path | None = None, *, window: int | None = None) -> None:
        self.clock = clock
        #: The entries held in memory: all of them, or the latest `window` to `window + TRIM`.
        self.entries: list[Entry] = []
        #: The absolute index of `entries[0]`: how many entries were dropped from memory.
        self.first = 0
        self.window = window
        self._listeners: list[Listener] = []
        # Unbuffered: `_write` hands the OS whole lines only, so the file never ends mid-line.
        self._file = path.open("ab", buffering=0) if path else None
        self._lines_at = (
            LineIndex(path, self._file.tell()) if path and self._file and window is not None else None
        )
        self._lines: list[bytes] = []
        self._line_bytes = 0
        self._flush_timer: asyncio.TimerHandle | None = None
        self._sheltered = False

    def stamp(self) -> float:
        """The `t` of an entry appended now: scenario seconds, to the microsecond."""
        return round(self.clock.now(), 6)

    def append(self, entry: E) -> E:
        """Stamp `entry` with the time (first, so a journal line reads in order) and record it."""
        return self.record(cast(E, {"t": self.stamp(), **entry}))

    def record(self, stamped: E) -> E:
        """Record an entry that carries its `t` already, as its first field (see `record_all`)."""
        self.record_all([stamped])
        return stamped

    def record_all(self, stamped: list[E]) -> None:
        """Record entries that carry their `t` already, as their first field: for a writer
        that journals a batch made in one instant (`publish`) and builds each entry with
        `t` in place rather than have `append` copy it; the bookkeeping is done once."""
        entries = self.entries
        start = self.first + len(entries)
        entries.extend(stamped)
        if self._file is not None:
            lines = [orjson.dumps(e, default=str, option=orjson.OPT_APPEND_NEWLINE) for e in stamped]
            if self._lines_at is not None:
                for i, line in enumerate(lines, start):
                    self._lines_at.add(i, len(line))
            self._lines += lines
            self._line_bytes += sum(map(len, lines))
            if self._line_bytes >= FLUSH_BYTES:
                self.flush()
            elif self._flush_timer is None:
                self._flush_later()
        if start // SHELTER_EVERY != (self.first + len(entries)) // SHELTER_EVERY:
            self._shelter()
        if self.window is not None and len(entries) >= self.window + TRIM:
            drop = (len(entries) - self.window) // TRIM * TRIM
            del entries[:drop]
            self.first += drop
        if self._listeners:
            for entry in stamped:
                for listener in list(self._listeners):
                    listener(entry)

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

    @property
    def size(self) -> int:
        """How many entries were ever appended: the index the next one gets."""
        return self.first + len(self.entries)

    def held_from(self, index: int) -> list[Entry]:
        """The entries held in memory from absolute `index` on (all of them after a window
        of entries since `index` was the size)."""
        return self.entries[max(0, index - self.first) :]

    def index_of(self, entry: Entry) -> int:
        """The absolute index of `entry`, a recent one (searched from the end)."""
        entries = self.entries
        return self.first + next(i for i in range(len(entries) - 1, -1, -1) if entries[i] is entry)

    def page(self, since: int, limit: int, kinds: Collection[str] | None = None) -> tuple[list[Entry], int]:
        """Up to `limit` entries of `kinds` (all when None) from absolute index `since`, and the
        index after the last entry looked at (where the next page starts).

        Entries older than the window come from the file, a bounded number of lines per call
        (so the page may be short with more to come); without a file they raise `Forgotten`.
        """
        found: list[Entry] = []
        index = since
        if index < self.first:
            if self._lines_at is None:
                raise Forgotten(index, self.first)
            self.flush()
            found, index = self._lines_at.read(index, self.first, kinds, limit)
            if len(found) == limit or index < self.first:
                return found, index
        entries = self.entries
        end = self.size
        for i in range(max(0, index - self.first), len(entries)):
            entry = entries[i]
            if kinds is None or entry["kind"] in kinds:
                if len(found) == limit:
                    end = self.first + i
                    break
                found.append(entry)
        return found, max(end, since)

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
