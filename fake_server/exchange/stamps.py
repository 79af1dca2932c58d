"""The `E` sequence of one account: event times that never repeat and never go backwards.

Events of one connection are strictly ordered by E and T (binance-reference.md §5
Ordering); several events made in the same millisecond still get increasing stamps. Both
the futures and the spot account stamp through one of these.
"""

from __future__ import annotations


class Stamps:
    def __init__(self) -> None:
        self.last = 0

    def next(self, now_ms: int) -> int:
        """A stamp at or after `now_ms`, greater than every stamp before it."""
        last = self.last + 1
        if now_ms > last:  # not max(): this runs four times a tick, and a call costs more
            last = now_ms
        self.last = last
        return last

    def take(self, now_ms: int, count: int) -> int:
        """The first of `count` stamps in a row, as `next` would give them one by one (after
        the first, each is the one before plus one): a fill takes three at once."""
        first = self.last + 1
        if now_ms > first:
            first = now_ms
        self.last = first + count - 1
        return first
