"""The incoming-message limit of one WebSocket connection, as a pure counter (time passed in).

binance-reference.md §2: USD-M futures allow 10 incoming messages per second per connection
(spot 5), and pings, pongs and JSON control frames all count; going past the limit
disconnects the connection. The docs do not say how the second is measured. The fake uses
a rolling window: a message is over the limit when `limit` messages were already admitted
in the `window` seconds before it. A client that keeps to the limit in every rolling second
is safe under any way of counting (fixed buckets, token buckets), so this reading fails
only clients the live service could also cut.
"""

from __future__ import annotations

from collections import deque


class MessageRate:
    def __init__(self, limit: int | None, window: float = 1.0) -> None:
        """`limit` messages per `window` seconds; None means no limit."""
        self.limit = limit
        self.window = window
        self.count = 0  # messages admitted so far (for the journal)
        self._times: deque[float] = deque(maxlen=limit if limit else 1)

    def admit(self, now: float) -> bool:
        """Count one incoming message at scenario time `now`; False when it breaks the limit."""
        if self.limit is None:
            self.count += 1
            return True
        if self.limit <= 0:
            return False
        times = self._times
        if len(times) == self.limit and now - times[0] < self.window:
            return False
        times.append(now)
        self.count += 1
        return True
