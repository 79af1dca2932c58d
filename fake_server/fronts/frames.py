"""Server frames built by hand: pushes framed once per message, and the frames faults write.

websockets' Sans-I/O protocol frames every message it is handed, one connection at a time;
for a push that is the same bytes for every receiver, so the front frames it once here and
writes the result as is. A server's frames are unmasked (RFC 6455 §5.1) and the fake
negotiates no extension (its ServerProtocol is built without any), so a frame is a header
(FIN, the three RSV bits and the opcode, then the length in 7, 16 or 64 bits, §5.2)
followed by the payload: exactly what `proto.send_text` would write.

`frame` also makes what websockets refuses to: reserved opcodes and RSV bits, a control
frame over 125 bytes or not final, a close frame with any payload. Only the frame faults
(fake_server/faults/) ask for those, on purpose, as `WireFrame`s (fake_server/interception.py).
"""

from __future__ import annotations

import orjson

#: Opcodes (RFC 6455 §5.2) the fake frames itself.
CONT, TEXT, CLOSE, PING, PONG = 0x0, 0x1, 0x8, 0x9, 0xA


def text_frame(payload: bytes) -> bytes:
    """The complete frame of one unfragmented text message."""
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 1 << 16:
        return b"\x81\x7e" + size.to_bytes(2, "big") + payload
    return b"\x81\x7f" + size.to_bytes(8, "big") + payload


def frame(opcode: int, payload: bytes, *, fin: bool = True, rsv: int = 0) -> bytes:
    """One unmasked frame with any opcode (0-15), RSV bits (0-7, RSV1 the highest) and FIN."""
    first = (0x80 if fin else 0) | (rsv << 4) | opcode
    size = len(payload)
    if size < 126:
        return bytes((first, size)) + payload
    if size < 1 << 16:
        return bytes((first, 126)) + size.to_bytes(2, "big") + payload
    return bytes((first, 127)) + size.to_bytes(8, "big") + payload


def payload_of(whole: bytes) -> bytes:
    """The payload of an unmasked frame made by `text_frame` or `frame`."""
    size = whole[1] & 0x7F
    return whole[2 + {126: 2, 127: 8}.get(size, 0) :]


def fragmented(payload: bytes, count: int, opcode: int = TEXT) -> list[bytes]:
    """One message as `count` frames (§5.4): the first with `opcode` and FIN clear, then
    continuation frames, the last with FIN set. The payload is cut into parts as even as
    can be; a payload shorter than `count` bytes gives empty fragments, which are legal."""
    step, extra = divmod(len(payload), count)
    frames, at = [], 0
    for n in range(count):
        end = at + step + (1 if n < extra else 0)
        frames.append(frame(opcode if n == 0 else CONT, payload[at:end], fin=n == count - 1))
        at = end
    return frames


def combined(stream: str, raw: bytes) -> bytes:
    """`{"stream": stream, "data": <raw>}` from an already serialised payload, byte for byte
    what orjson makes of the dict (keys in that order, no spaces)."""
    return b'{"stream":' + orjson.dumps(stream) + b',"data":' + raw + b"}"
