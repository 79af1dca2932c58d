"""`server_shutdown`: failure mode B4, the announced close (reconnect at once, before the
old socket goes); with `copies` or `out_of_order`, the notice duplicated or stamped out of
order."""

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

    Lifecycle notices misbehaving, a fault a scenario asks for (Binance promises one ordered
    stream per connection, reference §5): `copies: 2` pushes the notice twice back to back
    (same bytes; the close still comes once), as users saw `listenKeyExpired` doubled
    (nardew/cryptoxlib-aio#65): a client that opens a replacement per notice leaks one;
    `out_of_order: true` stamps its E 1 ms before the last account event already sent, as a
    notice generated earlier and delivered late: a client that drops anything older than
    the newest E it has seen never learns of the shutdown. Each copy is journaled as an
    `event` entry (`copy` on the second and later).
    """

    grace: float = param(1.0, doc="seconds between the event and the close", ge=0)
    code: int = close_code(1001)
    reason: str = close_reason()
    copies: int = param(
        1, doc="how many times the notice is pushed, back to back (2: duplicated)", ge=1, le=10
    )
    out_of_order: bool = param(
        False, doc="stamp E before the last account event's (a late notice); false: E never goes back"
    )

    def apply(self, fake: FaultTarget) -> list[int]:
        conns = self.picked(fake)
        stamp = fake.message_stamp(before_last=self.out_of_order)
        touched = [
            c.id for c in conns if c.server_shutdown(stamp, self.grace, self.code, self.reason, self.copies)
        ]
        for n in range(1, self.copies + 1):
            entry = EventEntry(kind="event", e="serverShutdown", E=stamp, conns=touched)
            if n > 1:
                entry["copy"] = n
            fake.journal.append(entry)
        return touched
