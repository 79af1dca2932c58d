"""`connection_attempt_limit`: Binance's per-IP connection-attempt limit, at a scale a
scenario can reach.

The stream server refuses an IP that opens too many connections: 300 attempts per 5 minutes
per IP (binance-reference.md §1 table, quoted in nautechsystems/nautilus_trader#1339; spot
documents it, futures documents none, §6.8). The fake always counts attempts per IP
(fake_server/exchange/connection_attempts.py) and refuses past `StreamLimits.connection_attempts`
with HTTP 429 and a `Retry-After`. A scenario lasts seconds, so it cannot reach 300 attempts
in 5 minutes: this fault turns the limit on at a scale that fits (e.g. 8 per 4 s), like the
timers the scenarios shorten (failure modes C4, F2).
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import Fault, register
from fake_server.faults.target import FaultTarget
from fake_server.schema import param


@register
@dataclass(frozen=True)
class ConnectionAttemptLimit(Fault, name="connection_attempt_limit", layer="websocket"):
    """From now on, a handshake from an IP that made `attempts` in the last `window` seconds
    is answered HTTP 429 with `Retry-After` (seconds until the oldest leaves the window).

    Every handshake counts, refused ones included and those made before the step fired, as
    the fake counts them all: a client that keeps hammering stays refused until it slows down.
    """

    attempts: int = param(300, doc="handshakes an IP may make within the window", ge=1, le=1_000_000)
    window: float = param(300.0, doc="the window, in seconds", gt=0)

    def apply(self, fake: FaultTarget) -> list[int]:
        fake.limit_connection_attempts(self.attempts, self.window)
        return []
