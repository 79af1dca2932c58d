"""`half_open`: the socket stays open at the TCP level but nothing comes back.

Failure modes E2/D3: not even pongs to the client's pings; only a client with its own
liveness check notices.
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import OnConnections
from fake_server.faults.target import FaultTarget


@register
@dataclass(frozen=True)
class HalfOpen(OnConnections, name="half_open", layer="tcp", ends_connection=True):
    """Keep TCP open but send nothing and read nothing: no events, no pings, no pongs."""

    def apply(self, fake: FaultTarget) -> list[int]:
        return self.on_each(fake, lambda c: c.half_open())
