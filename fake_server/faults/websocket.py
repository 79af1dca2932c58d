"""WebSocket-layer faults: closes with a code, heartbeats that stop, refused upgrades.

`close` with 1000/1001 is failure mode C2 (a clean server close must still be followed by
a reconnect); `stop_pings` lets a scenario check that a client does not depend on server
pings; `stall_data` is E1 (the socket and its heartbeats stay healthy, the data stops);
`reject_handshake` is the refused-upgrade part of E4/F1/G1 (maintenance, bans);
`server_shutdown` is B4 (the announced close: reconnect at once, before the old socket goes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fake_server.faults import Fault, register
from fake_server.faults.target import Pick
from fake_server.interception import UpgradeRefusal

if TYPE_CHECKING:
    from fake_server.faults.target import FaultTarget


@register
@dataclass(frozen=True)
class Close(Fault):
    """Send a close frame with `code` and `reason`, then close TCP once the client answers."""

    name = "close"
    ends_connection = True
    layer = "websocket"
    code: int = 1000
    reason: str = ""
    target: Pick = "all"

    def apply(self, fake: FaultTarget) -> list[int]:
        conns = fake.connections(self.target)
        for conn in conns:
            conn.close(self.code, self.reason)
        return [c.id for c in conns]


@register
@dataclass(frozen=True)
class StopPings(Fault):
    """The server stops pinging (and stops waiting for pongs) on the target connections."""

    name = "stop_pings"
    layer = "websocket"
    target: Pick = "all"

    def apply(self, fake: FaultTarget) -> list[int]:
        conns = fake.connections(self.target)
        for conn in conns:
            conn.stop_pings()
        return [c.id for c in conns]


@register
@dataclass(frozen=True)
class StallData(Fault):
    """The target connections stop carrying data: events and market pushes are dropped.

    Failure mode E1 (silent stall, socket open): TCP and WebSocket stay up, server pings
    go on and client pings are answered, control messages are still answered, but no
    push is written for `lasting` seconds (None: until the connection ends). The
    account keeps trading meanwhile; its events are journaled with the connections that
    got them, so a stalled connection is missing from their `conns`. Connections opened
    later are not stalled.
    """

    name = "stall_data"
    layer = "websocket"
    target: Pick = "all"
    lasting: float | None = None

    def apply(self, fake: FaultTarget) -> list[int]:
        until = math.inf if self.lasting is None else fake.clock.now() + self.lasting
        conns = fake.connections(self.target)
        for conn in conns:
            conn.stall(until)
        return [c.id for c in conns]


@register
@dataclass(frozen=True)
class RejectHandshake(Fault):
    """Answer WebSocket upgrades with an HTTP error, for `times` upgrades or `lasting` seconds.

    With neither set, every upgrade is refused until the run ends.
    """

    name = "reject_handshake"
    layer = "websocket"
    status: int = 503
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = None
    lasting: float | None = None

    def apply(self, fake: FaultTarget) -> list[int]:
        until = None if self.lasting is None else fake.clock.now() + self.lasting
        fake.intercept_upgrades(UpgradeRefusal(self.times, until, self.status, self.body, dict(self.headers)))
        return []


@register
@dataclass(frozen=True)
class ServerShutdown(Fault):
    """Push `serverShutdown` on the target connections, then close them after `grace` seconds.

    Shapes (binance-reference.md §2): raw `{"e":"serverShutdown","E":<ms>}`, combined
    `{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":<ms>}}` (per connection, by
    its `combined` property). The connections keep serving events during the grace period,
    and new connections are accepted. The docs document the event for spot only and give
    neither the lead time (§6.10) nor the close code; the fake closes with 1001 "going
    away" and no reason, like its 24 h close (failure-modes B4: "1001 or plain TCP"). A
    scenario can pick another `code`, or follow with `abort_tcp` for a bare TCP close.
    """

    name = "server_shutdown"
    ends_connection = True
    layer = "websocket"
    grace: float = 1.0
    code: int = 1001
    reason: str = ""
    target: Pick = "all"

    def apply(self, fake: FaultTarget) -> list[int]:
        conns = fake.connections(self.target)
        stamp = fake.message_stamp()
        touched = [c.id for c in conns if c.server_shutdown(stamp, self.grace, self.code, self.reason)]
        fake.journal.append("event", e="serverShutdown", E=stamp, conns=touched)
        return touched
