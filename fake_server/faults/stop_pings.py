"""`stop_pings`: the server stops pinging, so a scenario can check that a client does not
depend on server pings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fake_server.faults import register
from fake_server.faults.common import OnConnections

if TYPE_CHECKING:
    from fake_server.faults.target import FaultTarget


@register
@dataclass(frozen=True)
class StopPings(OnConnections):
    """The server stops pinging (and stops waiting for pongs) on the target connections."""

    name = "stop_pings"
    layer = "websocket"

    def apply(self, fake: FaultTarget) -> list[int]:
        conns = self.picked(fake)
        for conn in conns:
            conn.stop_pings()
        return [c.id for c in conns]
