"""`half_open`: the socket stays open at the TCP level but nothing comes back.

Failure modes E2/D3: not even pongs to the client's pings; only a client with its own
liveness check notices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fake_server.faults import register
from fake_server.faults.common import OnConnections

if TYPE_CHECKING:
    from fake_server.faults.target import FaultTarget


@register
@dataclass(frozen=True)
class HalfOpen(OnConnections):
    """Keep TCP open but send nothing and read nothing: no events, no pings, no pongs."""

    name = "half_open"
    ends_connection = True
    layer = "tcp"

    def apply(self, fake: FaultTarget) -> list[int]:
        conns = self.picked(fake)
        for conn in conns:
            conn.half_open()
        return [c.id for c in conns]
