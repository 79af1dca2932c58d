"""`refuse_connections`: nothing listens on the WebSocket port for a while.

Failure modes F1 (reconnect-gives-up: "refuse connections (TCP refused, handshake 5xx, or
blackhole) for longer than a naive retry budget") and F3 (a TCP refusal inside the
reconnect path must be caught and retried).
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import Lasting
from fake_server.faults.target import FaultTarget


@register
@dataclass(frozen=True)
class RefuseConnections(
    Lasting, name="refuse_connections", layer="tcp", mirrors="Toxiproxy `down` (a disabled proxy)"
):
    """Stop listening on the WebSocket port for `lasting` seconds (None: until the run ends).

    On the wire: a connect gets a TCP reset (ECONNREFUSED) before any HTTP; the fake never
    sees the attempt, so the journal has only the fault. The port stays the fake's (a bound,
    not listening, socket holds it) and is listened on again when the fault ends. Open
    connections live on; a scenario drops them with `abort_tcp`, as Toxiproxy's disabled
    proxy does to its links. With `tls: true` the TLS relay in front still accepts and then
    closes, since it is the relay's port that clients reach.
    """

    def apply(self, fake: FaultTarget) -> list[int]:
        fake.refuse_connections(self.until(fake))
        return []
