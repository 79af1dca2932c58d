"""Server text frames built once per message, for pushes written to many connections.

websockets' Sans-I/O protocol frames every message it is handed, one connection at a time;
for a push that is the same bytes for every receiver, so the front frames it once here and
writes the result as is. A server's frames are unmasked (RFC 6455 §5.1) and the fake
negotiates no extension (its ServerProtocol is built without any), so a frame is a header
(FIN + text opcode, then the length in 7, 16 or 64 bits, §5.2) followed by the payload:
exactly what `proto.send_text` would write.
"""

from __future__ import annotations

import orjson


def text_frame(payload: bytes) -> bytes:
    """The complete frame of one unfragmented text message."""
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 1 << 16:
        return b"\x81\x7e" + size.to_bytes(2, "big") + payload
    return b"\x81\x7f" + size.to_bytes(8, "big") + payload


def combined(stream: str, raw: bytes) -> bytes:
    """`{"stream": stream, "data": <raw>}` from an already serialised payload, byte for byte
    what orjson makes of the dict (keys in that order, no spaces)."""
    return b'{"stream":' + orjson.dumps(stream) + b',"data":' + raw + b"}"
