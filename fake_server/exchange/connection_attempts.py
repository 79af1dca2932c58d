"""Connection attempts per client IP, and the limit on them, as a pure counter (time passed in).

binance-reference.md §2 table, §6.8: spot allows 300 connection attempts per 5 minutes per
IP; futures documents no limit. Every handshake request counts with its time, accepted or
refused (refused ones included, so a client that hammers a refusing server stays refused
until it slows down). Only when `StreamLimits.connection_attempts` is set is one refused:
then with HTTP 429 and a `Retry-After` header (seconds until the oldest attempt in the
window leaves it) and an empty body. 429 is our choice: the status Binance uses for rate
limits on REST (§4); what the stream server answers is not documented.
"""

from __future__ import annotations

import math
from collections import deque

from fake_server.exchange.settings import StreamLimits

#: An HTTP answer to an upgrade: status, body, headers.
HttpAnswer = tuple[int, str, dict[str, str]]


class ConnectionAttempts:
    def __init__(self) -> None:
        #: Handshake times per client IP (scenario seconds) within the attempt window.
        self.times: dict[str, deque[float]] = {}

    def count(self, ip: str, now: float, limits: StreamLimits) -> tuple[int, HttpAnswer | None]:
        """Record a handshake from `ip` at `now`: the attempts in the window, and a 429 if over."""
        window = limits.connection_attempt_window
        times = self.times.setdefault(ip, deque())
        while times and now - times[0] >= window:
            times.popleft()
        times.append(now)
        limit = limits.connection_attempts
        if limit is None or len(times) <= limit:
            return len(times), None
        # Every attempt counts, so the next one passes once the limit-th latest (this one
        # included) has left the window.
        oldest = times[-limit] if limit > 0 else now
        retry_after = max(1, math.ceil(oldest + window - now))
        return len(times), (429, "", {"Retry-After": str(retry_after)})

    def within(self, ip: str, now: float, window: float) -> int:
        """Handshakes from `ip` in the `window` seconds up to `now`."""
        return sum(1 for t in self.times.get(ip, ()) if now - t < window)
