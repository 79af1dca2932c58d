"""What a broken answer puts on the wire: the bytes and the close of each `WireBreak`.

WireMock's and Mountebank's faults break an HTTP answer in four ways; both fronts (a REST
call's answer, a WebSocket upgrade's) break it the same way, so the bytes live here once:

- `empty`: nothing, then FIN (WireMock `EMPTY_RESPONSE`): Python's http.client calls it
  "Remote end closed connection without response", aiohttp `ServerDisconnectedError`;
- `malformed_chunk`: a 200 status line and headers announcing a chunked body, then bytes
  that are not a chunk, then FIN (`MALFORMED_RESPONSE_CHUNK`): the status was good, the body
  cannot be read;
- `random_data`: bytes that are not HTTP at all, then FIN (`RANDOM_DATA_THEN_CLOSE`);
- `reset`: nothing, then RST (SO_LINGER 0 and close: `CONNECTION_RESET_BY_PEER`).

The garbage is fixed, not random, so a run's bytes can be compared with a test's.
"""

from __future__ import annotations

import socket
import struct
from typing import Literal

from fake_server.interception import WireBreak

#: Neither a status line nor a chunk-size line (it starts with no hex digit and no "HTTP/"),
#: and not UTF-8: whatever a client parses it as, the parse fails.
GARBAGE = bytes.fromhex("a71f25fe7e6c71307800c3288d3b81f97a7a94025d1beed07c88b413cc7f05e2")

#: The head a `malformed_chunk` answer sends before its garbage.
MALFORMED_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"


def broken_bytes(how: WireBreak) -> bytes:
    """What is written before the connection is closed."""
    if how == "malformed_chunk":
        return MALFORMED_HEAD + GARBAGE
    if how == "random_data":
        return GARBAGE
    return b""


def closing(how: WireBreak) -> Literal["fin", "rst"]:
    """How TCP is closed after the bytes: only `reset` resets."""
    return "rst" if how == "reset" else "fin"


def arm_reset(sock: socket.socket | None) -> None:
    """SO_LINGER with a zero timeout, so the coming close() sends RST instead of FIN."""
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
