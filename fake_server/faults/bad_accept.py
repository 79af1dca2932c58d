"""`bad_accept`: the upgrade is answered 101, with a Sec-WebSocket-Accept that does not match.

RFC 6455 §4.1: a client whose Sec-WebSocket-Accept is not the hash of its own key must fail
the connection. A proxy or gateway that rewrites the handshake produces it (the same class of
failure as Binance's 101s that clients refused in knowm/XChange#3907 and #3912, "invalid
WebSocket Extension handshake", and glitch100/BinanceDotNet#147, "Not a WebSocket handshake
response"). A client must treat it as a failed connect and retry; one that does not check
the key believes it is connected to a socket that will never carry anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import Budgeted
from fake_server.faults.target import FaultTarget
from fake_server.schema import param


@register
@dataclass(frozen=True)
class BadAccept(Budgeted, name="bad_accept", layer="http"):
    """Answer each upgrade `101 Switching Protocols` with a wrong Sec-WebSocket-Accept, then
    send and read nothing; close TCP `hold` seconds later, or never.

    On the wire: the 101 the request would have got, headers and all, except that
    Sec-WebSocket-Accept is the base64 SHA-1 of the right value (well formed, and wrong).
    The fake itself never opens the connection: no event, ping or close frame follows. The
    journal has a `ws_reject` with `status: 101`, `why: fault` and the `accept` sent, and a
    `ws_unopened` when the connection ends (a correct client closes at once). For `times`
    upgrades or `lasting` seconds (with neither, until the run ends).
    """

    hold: float | None = param(None, doc="seconds after the 101 until the fake closes TCP; none: never", gt=0)

    def apply(self, fake: FaultTarget) -> list[int]:
        return self.upgrade_rule(fake, action="bad_accept", hold=self.hold)
