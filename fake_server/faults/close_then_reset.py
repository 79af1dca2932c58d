"""`close_then_reset`: a close frame, and at once a TCP reset instead of the handshake."""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import OnConnections, close_code, close_reason
from fake_server.faults.target import FaultTarget


@register
@dataclass(frozen=True)
class CloseThenReset(
    OnConnections,
    name="close_then_reset",
    layer="websocket",
    ends_connection=True,
    mirrors="Autobahn case family 7 (close handling), ended by Toxiproxy's `reset_peer`",
):
    """Send a close frame, then reset TCP (SO_LINGER 0, then close) in the same pass of the
    event loop, without waiting for the client's close frame.

    On the wire: `88 <len> <code><reason>` then an RST. A client that already read the
    frame sees `code`; one whose read the reset overtakes sees only the reset (1006), and
    its close frame, if it sends one, is answered by another reset. Either way it must
    reconnect. Journaled as the close frame's `ws_frame`, then `ws_close` with `how:
    abort_rst` and the frame's `code`.
    """

    code: int = close_code(1001)
    reason: str = close_reason()

    def apply(self, fake: FaultTarget) -> list[int]:
        return self.on_each(fake, lambda c: c.close(self.code, self.reason, then="reset"))
