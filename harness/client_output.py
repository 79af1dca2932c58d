"""How much of a client's output the journal keeps, and the marker that says what it did not.

A client under test may print without end: 10 MB of log lines in a 5 s run made an 11 MB
journal (and as much in memory, and in the HTML report), and 10 MB without a newline was
cut to 3.5 MB with nothing said. So each stream (stdout, stderr) of a run keeps its lines
up to a budget, each line cut at `LINE_BYTES`, and what is not kept is counted and told in
a last line, "... 6.5 MB of client output not kept": a reader of the journal or the report
sees that output is missing and how much. Checks read the output for what a client said
about an error (surfaces-error-body), which a line's first 4 kB and a run's first half
megabyte hold for any client that logs like a person would read it; stdout and stderr have
a budget each, so a flood on one does not hide a traceback on the other.
"""

from __future__ import annotations

from collections.abc import Callable

#: Bytes of one line kept; the rest is cut, with a note on the line.
LINE_BYTES = 4096
#: What one stream of one run may cost the journal: the bytes of its kept lines, plus
#: ENTRY_COST for each (a journal entry's own fields), so a million short lines are bounded too.
STREAM_BUDGET = 512 * 1024
ENTRY_COST = 64

#: Called with a line to journal and how many bytes it says were not kept (0: none, a line
#: as printed; > 0: the closing marker).
Emit = Callable[[str, int], None]


def size_words(n: int) -> str:
    """A byte count as a person reads it: `512 bytes`, `4.1 kB`, `6.5 MB`."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f} kB"
    return f"{n} bytes"


class BoundedOutput:
    """One output stream of one run, cut into lines and kept within the budget."""

    def __init__(self, emit: Emit, *, budget: int = STREAM_BUDGET, line_bytes: int = LINE_BYTES) -> None:
        self._emit = emit
        self._budget = budget
        self._line_bytes = line_bytes
        self._line = bytearray()
        #: Bytes of the current line beyond `line_bytes`.
        self._line_over = 0
        self._spent = 0
        self.not_kept = 0

    def feed(self, chunk: bytes) -> None:
        """Bytes as read from the pipe: lines end at b"\\n", wherever chunks split them."""
        if self._spent >= self._budget:  # nothing more is kept: count it, without cutting lines
            self.not_kept += len(self._line) + self._line_over + len(chunk)
            self._line.clear()
            self._line_over = 0
            return
        parts = chunk.split(b"\n")
        for i, part in enumerate(parts):
            room = max(0, self._line_bytes - len(self._line))
            self._line += part[:room]
            self._line_over += max(0, len(part) - room)
            if i < len(parts) - 1:
                self._end_line(newline=1)

    def line(self, text: str) -> None:
        """A whole line (an in-process client's print)."""
        self.feed(text.encode("utf-8", "replace") + b"\n")

    def close(self) -> None:
        """The stream ended: its last line without a newline, then the marker if anything was cut."""
        if self._line or self._line_over:
            self._end_line(newline=0)
        if self.not_kept:
            self._emit(f"... {size_words(self.not_kept)} of client output not kept", self.not_kept)

    def _end_line(self, newline: int) -> None:
        kept, over = bytes(self._line), self._line_over
        self._line.clear()
        self._line_over = 0
        cost = len(kept) + ENTRY_COST
        if self._spent + cost > self._budget:
            self.not_kept += len(kept) + over + newline
            self._spent = self._budget  # once over, stay over: no later short line slips in
            return
        self._spent += cost
        self.not_kept += over
        text = kept.decode("utf-8", "replace").rstrip("\r")
        if over:
            text += f" ... ({size_words(over)} more of this line not kept)"
        self._emit(text, 0)
