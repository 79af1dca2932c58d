"""`reserved_frame`: a frame with reserved bits set or a reserved opcode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from websockets.frames import Opcode

from fake_server.faults import register
from fake_server.faults.common import WritesFrames, control_data
from fake_server.faults.target import FaultTarget
from fake_server.interception import WireFrame
from fake_server.journal_entries import WsFrameFields
from fake_server.schema import param

Op = Literal["text", "binary", "close", "ping", "pong", "reserved"]
#: The journal's name of each opcode that has one.
_OPS: dict[int, Op] = {
    Opcode.TEXT: "text",
    Opcode.BINARY: "binary",
    Opcode.CLOSE: "close",
    Opcode.PING: "ping",
    Opcode.PONG: "pong",
}
#: Opcodes RFC 6455 §5.2 reserves: 3-7 for data frames, 11-15 for control frames.
RESERVED_OPCODES = frozenset({3, 4, 5, 6, 7, 11, 12, 13, 14, 15})


@register
@dataclass(frozen=True)
class ReservedFrame(
    WritesFrames,
    name="reserved_frame",
    layer="websocket",
    ends_connection=True,
    mirrors="Autobahn case families 3 (reserved bits) and 4 (opcodes)",
):
    """Write one frame RFC 6455 reserves: RSV bits set although no extension was negotiated
    (§5.2), a reserved opcode (3-7 data, 11-15 control, §5.2), or a continuation frame
    (opcode 0) with no message started (§5.4).

    On the wire: one byte of FIN, `rsv` and `opcode`, the length, then `data`: `c1 02 7b
    7d` for `rsv: 4` (RSV1) on the text `{}`, `83 ...` for opcode 3. The client must fail
    the connection (close 1002) and reconnect; a client that parses it as data, or dies on
    the library's error, shows it here. The fake negotiates no extension, so RSV1 is never
    compression here. Journaled as `ws_frame` (`op`: text, binary, close, ping or pong, or
    `reserved`; `opcode`, `rsv`, `data`, `fault: reserved_frame`).
    """

    rsv: int = param(4, doc="the RSV bits set: 4 RSV1, 2 RSV2, 1 RSV3, or a sum of them; 0 none", ge=0, le=7)
    opcode: int = param(
        int(Opcode.TEXT),
        doc="the opcode: 1 text, 2 binary, 3-7 and 11-15 reserved, 0 continuation",
        ge=0,
        le=15,
    )
    data: str = control_data("the payload")

    def check(self) -> None:
        if self.rsv == 0 and self.opcode not in RESERVED_OPCODES | {Opcode.CONT}:
            raise ValueError(
                f"opcode {self.opcode} with no RSV bit is a valid frame: set rsv, or a reserved opcode (3-7, 11-15) or 0"
            )

    def apply(self, fake: FaultTarget) -> list[int]:
        fields: WsFrameFields = {
            "dir": "out",
            "op": _OPS.get(self.opcode, "reserved"),
            "opcode": self.opcode,
            "rsv": self.rsv,
            "data": self.data,
        }
        return self.write(fake, [(WireFrame(self.opcode, self.data.encode(), rsv=self.rsv), fields)])
