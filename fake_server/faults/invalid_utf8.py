"""`invalid_utf8`: a text frame whose payload is not UTF-8."""

from __future__ import annotations

from dataclasses import dataclass

from websockets.frames import Opcode

from fake_server.faults import register
from fake_server.faults.common import WritesFrames, hex_bytes
from fake_server.faults.target import FaultTarget
from fake_server.interception import WireFrame
from fake_server.journal_entries import WsFrameFields
from fake_server.schema import param

#: `{"msg":"café crème"}` in Latin-1, as a proxy that re-encodes text sends it: 0xE9 and
#: 0xE8 start 3-byte sequences in UTF-8, and the bytes after them do not continue one.
LATIN1_TEXT = '{"msg":"caf\xe9 cr\xe8me"}'.encode("latin-1").hex()


def _utf8_error(text: str) -> str | None:
    try:
        bytes.fromhex(text).decode("utf-8")
    except UnicodeDecodeError:
        return None
    except ValueError:
        return None  # not hex: hex_bytes says so
    return "these bytes are valid UTF-8: write bytes that are not (e.g. ff, c0af, eda080)"


def _check(text: str) -> str | None:
    return hex_bytes(4096)(text) or _utf8_error(text)


@register
@dataclass(frozen=True)
class InvalidUtf8(
    WritesFrames,
    name="invalid_utf8",
    layer="payload",
    ends_connection=True,
    mirrors="Autobahn case family 6 (UTF-8 handling: 6.3, invalid UTF-8)",
):
    """Write one text frame whose payload is not valid UTF-8 on the target user-data
    connections, now.

    On the wire: `81 <len> <bytes>`; by default `{"msg":"café crème"}` encoded in Latin-1
    (é is `e9`, è `e8`). RFC 6455 §8.1 has the client fail the connection on it, with
    close 1007 (websockets does, Node's ws does with `WS_ERR_INVALID_UTF8`), so the
    connection ends and the client must reconnect; a client whose library raises it as an
    uncaught error dies instead (websockets/ws#2047: "Invalid WebSocket frame: invalid
    UTF-8 sequence" brought the whole process down). Journaled as `ws_frame` (`op: text`,
    `data`: the bytes in hex, `fault: invalid_utf8`).
    """

    data_hex: str = param(LATIN1_TEXT, doc="the payload in hex: bytes that are not valid UTF-8", check=_check)

    def apply(self, fake: FaultTarget) -> list[int]:
        text: WsFrameFields = {"dir": "out", "op": "text", "data": self.data_hex}
        return self.write(
            fake, [(WireFrame(Opcode.TEXT, bytes.fromhex(self.data_hex)), text)], user_data_only=True
        )
