"""`send_raw`: failure mode H1, an empty text frame, a text frame that is not JSON, or a
binary frame, on the user-data connections (a connection's transport, faults/target.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fake_server.faults import register
from fake_server.faults.common import OnConnections, hex_bytes
from fake_server.faults.target import FaultTarget
from fake_server.journal_entries import WsFrameEntry
from fake_server.schema import param

RawFrame = Literal["empty", "text", "binary"]


@register
@dataclass(frozen=True)
class SendRaw(OnConnections, name="send_raw", layer="payload"):
    """Write one data frame that is not an event on the target user-data connections, now.

    `frame`: `empty` (a text frame with no payload), `text` (the text `data`, not JSON by
    default: a proxy's error page) or `binary` (the bytes `binary_hex`, a gzip header by
    default). hummingbot#4627 saw "Expecting value: line 1 column 1 (char 0)" on both
    Binance user streams. Journaled per connection as `ws_frame` (`dir: out`, `op: text` or
    `binary`, `data`: the text or the hex bytes, `fault: send_raw`, `frame`).
    """

    frame: RawFrame = param("text", doc="empty (no payload), text (`data`) or binary (`binary_hex`)")
    data: str = param("Internal Server Error", doc="the text of a text frame")
    binary_hex: str = param(
        "1f8b0800000000000003", doc="the bytes of a binary frame, in hex", check=hex_bytes()
    )

    def apply(self, fake: FaultTarget) -> list[int]:
        binary = self.frame == "binary"
        payload = (
            bytes.fromhex(self.binary_hex) if binary else b"" if self.frame == "empty" else self.data.encode()
        )
        touched = []
        for conn in self.picked(fake):
            if not conn.carries_user_data:
                continue
            if conn.send_raw(payload, binary=binary):
                touched.append(conn.id)
                fake.journal.append(
                    WsFrameEntry(
                        kind="ws_frame",
                        conn=conn.id,
                        dir="out",
                        op="binary" if binary else "text",
                        data=payload.hex() if binary else payload.decode(),
                        fault=self.name,
                        frame=self.frame,
                    )
                )
        return touched
