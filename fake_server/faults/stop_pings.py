"""`stop_pings`: the server stops pinging, so a scenario can check that a client does not
depend on server pings."""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import OnConnections
from fake_server.faults.target import FaultTarget


@register
@dataclass(frozen=True)
class StopPings(OnConnections, name="stop_pings", layer="websocket"):
    """The server stops pinging (and stops waiting for pongs) on the target connections."""

    def apply(self, fake: FaultTarget) -> list[int]:
        return self.on_each(fake, lambda c: c.stop_pings())
