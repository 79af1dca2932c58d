"""`stall_data`: failure mode E1, the socket and its heartbeats stay healthy and the data stops."""

from __future__ import annotations

import math
from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import Lasting, OnConnections
from fake_server.faults.target import FaultTarget
from fake_server.interception import PushHold


@register
@dataclass(frozen=True)
class StallData(Lasting, OnConnections, name="stall_data", layer="websocket"):
    """The target connections stop carrying data: events and market pushes are dropped.

    Failure mode E1 (silent stall, socket open): TCP and WebSocket stay up, server pings
    go on and client pings are answered, control messages are still answered, but no
    push is written for `lasting` seconds (None: until the connection ends). The
    account keeps trading meanwhile; its events are journaled with the connections that
    got them, so a stalled connection is missing from their `conns`. Connections opened
    later are not stalled.
    """

    def apply(self, fake: FaultTarget) -> list[int]:
        conns = [c.id for c in self.picked(fake)]
        until = self.until(fake)
        fake.hold_pushes(PushHold(frozenset(conns), math.inf if until is None else until))
        return conns
