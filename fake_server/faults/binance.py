"""Exchange-semantics faults: things Binance itself decides, like a key expiring early.

`expire_listen_key` is failure modes A2/A3/A7: the key dies now; futures pushes
`listenKeyExpired` on the sockets bound to it and keeps them open (reference §2); every
later keepalive answers -1125. With `notify: false` the key dies silently: the legacy spot
and margin streams sent no such event (reference §1 "Expiry notification", obs
nardew/cryptoxlib-aio#65), and users saw keys die despite keepalives with nothing pushed
(JKorf/Binance.Net#796), so only the next keepalive's -1125 tells the client (A3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fake_server.faults import Fault, register

if TYPE_CHECKING:
    from fake_server.faults.target import FaultTarget


@register
@dataclass(frozen=True)
class ExpireListenKey(Fault):
    """Expire the account's active listenKey now; `notify: false` pushes nothing (silent death)."""

    name = "expire_listen_key"
    layer = "binance"
    #: Push `listenKeyExpired` on the key's sockets (futures); false: the key dies silently.
    notify: bool = True

    def apply(self, fake: FaultTarget) -> list[int]:
        lk = fake.expire_listen_key(notify=self.notify)
        if lk is None:
            return []
        return [c.id for c in fake.connections() if lk.key in c.listen_keys]


@register
@dataclass(frozen=True)
class TerminateEventStream(Fault):
    """End every spot WebSocket API user-data subscription now: `eventStreamTerminated`.

    Failure mode B2: the subscription ends while the socket stays open (the server sends
    `{"subscriptionId":N,"event":{"e":"eventStreamTerminated","E":..}}`, reference §2); a
    client must subscribe again. Touches only connections of the spot profile's /ws-api/v3.
    """

    name = "terminate_event_stream"
    layer = "binance"

    def apply(self, fake: FaultTarget) -> list[int]:
        touched = []
        for conn in fake.connections():
            if conn.ws_api is None:
                continue
            messages = conn.ws_api.terminate_all()
            if messages and all(conn.send_json(m) for m in messages):
                touched.append(conn.id)
        fake.journal.append("event", e="eventStreamTerminated", E=fake.clock.epoch_ms(), conns=touched)
        return touched
