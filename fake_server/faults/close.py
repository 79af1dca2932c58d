"""`close`: the server closes the WebSocket cleanly, with a code and a reason, or with a
close frame RFC 6455 forbids (a reserved code, a truncated payload) when asked explicitly.

With 1000/1001 it is failure mode C2: a clean server close must still be followed by a
reconnect. With `raw_code: 1005` it is altangent/ccxws#63: Node's ws met "invalid status
code 1005" in a close frame on Binance's `!ticker@arr` and threw an unhandled error event,
and the feed never reconnected.
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import OnConnections, close_code, close_reason, hex_bytes
from fake_server.faults.target import FaultTarget
from fake_server.schema import param

#: The longest hand-built close payload: past 125 bytes it breaks §5.5 on purpose (Autobahn
#: case 7.3.6), and a few hundred bytes show that as well as more would.
MAX_RAW_PAYLOAD = 1024


@register
@dataclass(frozen=True)
class Close(
    OnConnections,
    name="close",
    layer="websocket",
    ends_connection=True,
    mirrors="Autobahn case family 7 (close handling: 7.3 payload length, 7.9 invalid codes, 7.13 codes 5000+)",
):
    """Send a close frame with `code` and `reason`, then close TCP once the client answers
    (a reset `CLOSE_TIMEOUT`, 2 s, after the frame if it never does).

    `code` is checked: 1000-1003, 1007-1014 or 3000-4999, what a server may send. To send
    what it may not, say so: `raw_code` puts any 16-bit code on the wire (1004-1006 and
    1015 are reserved for reporting and never sent, RFC 6455 §7.4.1; 0-999 and 5000 up
    are not codes at all, §7.4.2), and `payload_hex` makes the frame's whole payload (`''` an
    empty payload, `'03'` a 1-byte one, a code cut in half; §5.5.1 wants none or at least
    2). websockets refuses to build those frames, so the fake writes them itself.
    On the wire: `88 <len> <payload>`, e.g. `88 02 03 ed` for `raw_code: 1005`. A conforming
    client fails the connection with 1002 (protocol error) and reconnects. Journaled as
    `ws_frame` (`op: close`, `code`, `reason`, and `data`: the payload in hex when
    hand-built).
    """

    code: int = close_code(1000)
    reason: str = close_reason()
    raw_code: int | None = param(
        None,
        doc="send this code instead of `code`, unchecked: a reserved one (1004-1006, 1015) or none (0-999, 5000-65535)",
        ge=0,
        le=65535,
    )
    payload_hex: str | None = param(
        None,
        doc=f"the close frame's whole payload in hex instead ('' empty, '03' one byte), at most {MAX_RAW_PAYLOAD} bytes",
        check=hex_bytes(MAX_RAW_PAYLOAD),
    )

    def check(self) -> None:
        if self.raw_code is not None and self.payload_hex is not None:
            raise ValueError("raw_code and payload_hex both set: payload_hex is the whole payload, give one")

    def payload(self) -> bytes | None:
        """The hand-built payload, or None for a checked `code` and `reason`."""
        if self.payload_hex is not None:
            return bytes.fromhex(self.payload_hex)
        if self.raw_code is not None:
            return self.raw_code.to_bytes(2, "big") + self.reason.encode()
        return None

    def apply(self, fake: FaultTarget) -> list[int]:
        payload = self.payload()
        if payload is None:
            return self.on_each(fake, lambda c: c.close(self.code, self.reason))
        code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None
        reason = payload[2:].decode("utf-8", "replace")
        return self.on_each(fake, lambda c: c.close(code, reason, payload=payload))
