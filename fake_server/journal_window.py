"""Reading back journal entries a bounded journal no longer holds in memory.

A scenario run keeps its whole journal in memory (its checks read all of it), but a
`binance-harness serve` session runs for hours: at 1,000 events/s its journal would grow by
a few hundred MB an hour. So `serve` holds only the latest entries (a window) and the
control API still pages the journal by absolute index. An index older than the window is
read back from the journal file when there is one; this module keeps the few byte offsets
that make that a seek rather than a scan of the whole file. Without a file the older
entries are gone, and asking for them is an error that says from which index entries are
still held (`Forgotten`).
"""

from __future__ import annotations

from array import array
from collections.abc import Collection
from pathlib import Path
from typing import cast

import orjson

from fake_server.journal_entries import Entry

#: How many entries `serve` holds in memory (and at most `journal.TRIM` more): about a
#: minute at 1,000 events/s, some tens of MB.
SERVE_WINDOW = 50_000
#: Every this many entries, the byte offset of an entry's line is kept (8 bytes each: a
#: day at 1,000 entries/s keeps 0.7 MB of offsets).
STRIDE = 1024
#: The most lines one read back looks at, so a page from disk stalls the loop for a few
#: milliseconds at most; the caller's next page goes on from where it stopped.
SCAN = 10_000


class Forgotten(LookupError):
    """Entries before `first` are no longer held, and there is no file to read them from."""

    def __init__(self, index: int, first: int) -> None:
        super().__init__(index, first)
        self.index = index
        self.first = first


class LineIndex:
    """Where the lines of a journal file start, every `STRIDE`-th entry."""

    def __init__(self, path: Path, start: int) -> None:
        self.path = path
        #: The byte offset of the line of entry `k * STRIDE`, at `offsets[k]`.
        self.offsets = array("q")
        #: Where the next line will start (the file may hold an earlier session's lines).
        self.end = start

    def add(self, index: int, size: int) -> None:
        """Entry `index` (they come in order) has a line of `size` bytes."""
        if index % STRIDE == 0:
            self.offsets.append(self.end)
        self.end += size

    def read(
        self, since: int, stop: int, kinds: Collection[str] | None, limit: int
    ) -> tuple[list[Entry], int]:
        """Up to `limit` entries of `kinds` from index `since` to before `stop`, looking at
        `SCAN` lines at most; and the index after the last line looked at.

        The caller has flushed the file up to `stop`.
        """
        found: list[Entry] = []
        wanted = None if kinds is None else [b'"kind":"' + k.encode() + b'"' for k in kinds]
        index = since
        with self.path.open("rb") as f:
            f.seek(self.offsets[since // STRIDE])
            for _ in range(since % STRIDE):
                f.readline()
            while index < stop and index - since < SCAN and len(found) < limit:
                line = f.readline()
                index += 1
                # A cheap test first: most lines of a filtered page are of other kinds.
                if wanted is not None and not any(w in line for w in wanted):
                    continue
                entry = cast(Entry, orjson.loads(line))
                if kinds is None or entry["kind"] in kinds:
                    found.append(entry)
        return found, index
