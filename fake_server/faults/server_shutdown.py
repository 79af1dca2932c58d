"""`server_shutdown`: failure mode B4, the announced close (reconnect at once, before the
old socket goes)."""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import OnConnections, close_code, close_reason
from fake_server.faults.target import FaultTarget
from fake_server.journal_entries import EventEntry
from fake_server.schema import param


@register
@dataclass(frozen=True)
class ServerShutdown(OnConnections, name="server_shutdown", layer="websocket", ends_connection=True):
    """Push `serverShutdown` on the target connections, then close them after `grace` seconds.

    Shapes (binance-reference.md §2): raw `{"e":"serverShutdown","E":<ms>}`, combined
    `{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":<ms>}}` (per connection, by
    its `combined` property). The connections keep serving events during the grace period,
    and new connections are accepted. The docs document the event for spot only and give
    neither the lead time (§6.10) nor the close code; the fake closes with 1001 "going
    away" and no reason, like its 24 h close (failure-modes B4: "1001 or plain TCP"). A
    scenario can pick another `code`, or follow with `abort_tcp` for a bare TCP close.
    """

    grace: float = param(1.0, doc="seconds between the event and the close", ge=0)
    code: int = close_code(1001)
    reason: str = close_reason()

    def apply(self, fake: FaultTarget) -> list[int]:
        conns = self.picked(fake)
        stamp = fake.message_stamp()
        touched = [c.id for c in conns if c.server_shutdown(stamp, self.grace, self.code, self.reason)]
        fake.journal.append(EventEntry(kind="event", e="serverShutdown", E=stamp, conns=touched))
        return touched
