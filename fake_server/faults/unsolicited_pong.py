"""`unsolicited_pong`: pongs no ping asked for."""

from __future__ import annotations

from dataclasses import dataclass

from websockets.frames import Opcode

from fake_server.faults import register
from fake_server.faults.common import WritesFrames, control_data
from fake_server.faults.target import FaultTarget
from fake_server.interception import WireFrame
from fake_server.journal_entries import WsFrameFields
from fake_server.schema import param


@register
@dataclass(frozen=True)
class UnsolicitedPong(
    WritesFrames,
    name="unsolicited_pong",
    layer="websocket",
    mirrors="Autobahn case family 2 (pings/pongs: 2.7-2.9, unsolicited pongs)",
):
    """Write `count` pong frames that answer no ping of the client's, back to back.

    On the wire: `8a <len> <data>`, `count` times, in one write. RFC 6455 §5.5.3 allows a
    pong nobody asked for, as a one-way heartbeat, and expects no answer: a client must
    neither answer it nor take it for the answer to a ping it has not sent yet, and must
    keep the connection. Binance's own docs allow unsolicited pongs the other way (client
    to server, binance-reference.md §2). Journaled per pong as `ws_frame` (`op: pong`,
    `data` in hex, `fault: unsolicited_pong`).
    """

    count: int = param(1, doc="pongs written back to back", ge=1, le=100)
    data: str = control_data("each pong's payload")

    def apply(self, fake: FaultTarget) -> list[int]:
        payload = self.data.encode()
        pong: WsFrameFields = {"dir": "out", "op": "pong", "data": payload.hex()}
        return self.write(fake, [(WireFrame(Opcode.PONG, payload), pong)] * self.count)
