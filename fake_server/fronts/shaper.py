"""One direction of one connection's bytes, carried through the transport toxics in force on it.

A connection has no shaper until a transport fault (latency, bandwidth, slicer, limit_data,
slow_close) is put on it, or a frame fault spaces frames out in time (`push`'s `after`),
and with none in force and nothing queued its bytes bypass the shaper entirely: the push
path's one write per loop pass (docs/performance.md) is untouched. While toxics hold,
every chunk goes through `push`: it gets a due time (latency +/- jitter, one slicer piece
after another, no faster than the rate) never earlier than the chunk before it, so order is
kept, and one timer releases what is due. An ending (the TCP close, an EOF read) is queued
as a marker behind the bytes, so it reaches the other side after them, and a slow_close
delay is added to it; Toxiproxy's toxics pass an EOF down the pipe the same way.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections import deque
from collections.abc import Callable

from fake_server.clock import Clock
from fake_server.interception import WireToxic

#: A bandwidth-limited link sends pieces of at most this many seconds of its rate, so the
#: bytes flow rather than arrive all at once at the end.
RATE_PIECE = 0.01

Item = bytes | Callable[[], object]


class WireShaper:
    def __init__(
        self,
        clock: Clock,
        deliver: Callable[[bytes], object],
        cut: Callable[[], object],
        rng: random.Random | None = None,
    ) -> None:
        self.clock = clock
        #: Where released bytes go (the transport's write, or the protocol's read).
        self.deliver = deliver
        #: What a byte limit does when reached: close the connection.
        self.cut = cut
        self.rng = rng or random.Random()
        self.toxics: list[WireToxic] = []
        self._queue: deque[tuple[float, Item]] = deque()
        self._timer: asyncio.TimerHandle | None = None
        #: The due time of the last item queued, and when a rate-limited link is free again.
        self._last_due = 0.0
        self._free_at = 0.0
        #: Bytes that may still pass before `cut`; None: no limit in force.
        self._left: int | None = None
        self._cut = False

    def add(self, toxic: WireToxic) -> None:
        self.toxics.append(toxic)
        if toxic.limit is not None:
            self._left = toxic.limit if self._left is None else min(self._left, toxic.limit)

    def busy(self) -> bool:
        """Whether bytes must go through the shaper now: a toxic holds, or some are queued."""
        if self.toxics:
            now = self.clock.now()
            self.toxics = [t for t in self.toxics if now < t.until]
            if not any(t.limit is not None for t in self.toxics):
                self._left = None
        return bool(self.toxics) or bool(self._queue) or self._cut

    @property
    def backlog(self) -> float:
        """Seconds until what is queued now has all been released."""
        return max(0.0, self._last_due - self.clock.now()) if self._queue else 0.0

    def push(self, data: bytes, *, after: float = 0.0) -> None:
        """Queue `data` (bytes beyond a byte limit are dropped, and the cut queued after them),
        `after` seconds behind what is queued before it (a gap between two fragments)."""
        if self._cut or not data:
            return
        if self._left is not None:
            data, over = data[: self._left], len(data) > self._left
            self._left -= len(data)
            if over or self._left == 0:
                self._cut = True
        now = self.clock.now()
        latency = max(0.0, sum(t.latency + self.rng.uniform(-t.jitter, t.jitter) for t in self.toxics))
        due = max(now + latency, self._last_due) + after
        limiting = min(
            (t for t in self.toxics if t.rate is not None), key=lambda t: t.rate or 0.0, default=None
        )
        rate = None if limiting is None else limiting.rate
        slicer = next((t for t in self.toxics if t.slice_size is not None), None)
        for n, piece in enumerate(self._pieces(data, slicer, rate)):
            if n and slicer is not None:
                # Pieces are spread only while the slicer lasts: what it still holds goes out
                # when it ends, as Toxiproxy flushes a removed toxic (a 1 KiB event cut in
                # bytes 0.5 s apart outlived a 0.3 s slicer by minutes).
                due = max(due, min(due + slicer.slice_delay, slicer.until))
            if limiting is not None and rate is not None:
                # The piece leaves once the link has carried it: no faster than `rate`, and
                # no later than the rate's end, as Toxiproxy flushes what a toxic holds when
                # the toxic is removed (a bandwidth of `lasting` 0.6 s held a burst 2 min).
                self._free_at = max(due, self._free_at) + len(piece) / rate
                due = max(due, min(self._free_at, limiting.until))
            self._queue.append((due, piece))
        self._last_due = due
        if self._cut:
            self._queue.append((due, self.cut))
        self._arm()

    def push_end(self, end: Callable[[], object]) -> None:
        """Queue an ending behind the bytes, `close_delay` later (slow_close)."""
        delay = max((t.close_delay for t in self.toxics), default=0.0)
        due = max(self.clock.now(), self._last_due) + delay
        self._last_due = due
        self._queue.append((due, end))
        self._arm()

    def _pieces(self, data: bytes, slicer: WireToxic | None, rate: float | None) -> list[bytes]:
        size = math.inf if rate is None else max(1, int(rate * RATE_PIECE))
        if slicer is None and size >= len(data):
            return [data]
        pieces, at = [], 0
        while at < len(data):
            step = size
            if slicer is not None and slicer.slice_size is not None:
                spread = slicer.slice_variation
                step = min(step, max(1, slicer.slice_size + self.rng.randint(-spread, spread)))
            end = at + int(min(step, len(data) - at))
            pieces.append(data[at:end])
            at = end
        return pieces

    def _arm(self) -> None:
        if self._timer is None and self._queue:
            self._timer = self.clock.call_later(self._queue[0][0] - self.clock.now(), self._release)

    def _release(self) -> None:
        self._timer = None
        now = self.clock.now()
        while self._queue and self._queue[0][0] <= now:
            _, item = self._queue.popleft()
            if isinstance(item, bytes):
                self.deliver(item)
            else:
                item()
        self._arm()

    def stop(self) -> None:
        """The connection is gone: drop what is queued."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._queue.clear()

    def hold_time(self) -> float:
        """Seconds a close made now waits: the backlog, plus slow_close's delay."""
        self.busy()  # drops the toxics that ended
        return self.backlog + max((t.close_delay for t in self.toxics), default=0.0)
