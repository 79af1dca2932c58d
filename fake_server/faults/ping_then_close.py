"""`ping_then_close`: a ping, and right behind it a close frame."""

from __future__ import annotations

from dataclasses import dataclass

from websockets.frames import Opcode

from fake_server.faults import register
from fake_server.faults.common import WritesFrames, close_code, close_reason, control_data
from fake_server.faults.target import FaultTarget
from fake_server.interception import WireFrame
from fake_server.journal_entries import WsFrameFields


@register
@dataclass(frozen=True)
class PingThenClose(
    WritesFrames,
    name="ping_then_close",
    layer="websocket",
    ends_connection=True,
    mirrors="Autobahn case families 2 (pings/pongs) and 7 (close handling)",
):
    """Send a ping and, in the same write, a close frame; then the closing handshake.

    On the wire: `89 <len> <data>` `88 <len> <code><reason>`. The client owes the ping a
    pong (RFC 6455 §5.5.2) and must send nothing after its own close frame (§5.5.1): a pong
    that comes after it, or a library that pongs or pings a socket already closing, raises
    ("WebSocket is not open: readyState 2 (CLOSING)", websockets/ws#1410;
    sieblyio/binance#384 hit the same on a Binance client's pings). Either way the connection ends with the
    close and the client must reconnect. Journaled as `ws_frame` (`op: ping`, `fault:
    ping_then_close`), then the close frame's `ws_frame`; the ping awaits no pong (it is
    not one of the fake's heartbeats).
    """

    data: str = control_data("the ping's payload")
    code: int = close_code(1001)
    reason: str = close_reason()

    def apply(self, fake: FaultTarget) -> list[int]:
        payload = self.data.encode()
        ping: WsFrameFields = {"dir": "out", "op": "ping", "data": payload.hex()}
        return self.write(
            fake, [(WireFrame(Opcode.PING, payload), ping)], then=lambda c: c.close(self.code, self.reason)
        )
