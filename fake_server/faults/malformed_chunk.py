"""`malformed_chunk`: a 200 whose chunked body is garbage, then the connection closes.

WireMock's `MALFORMED_RESPONSE_CHUNK`. The status line says success, so a client that acts on
the status before it has read the body, or that lets the body's parse error escape its retry
loop (requests' `ChunkedEncodingError`, "Connection broken: InvalidChunkLength": urllib3/urllib3#2461;
an unmapped network error out of ccxt's Binance fetch: ccxt/ccxt#17253), breaks on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import BreaksAnswers


@register
@dataclass(frozen=True)
class MalformedChunk(
    BreaksAnswers,
    name="malformed_chunk",
    layer="http",
    mirrors="WireMock fault `MALFORMED_RESPONSE_CHUNK`",
):
    """Answer `HTTP/1.1 200 OK` with `Transfer-Encoding: chunked`, then bytes that are not a
    chunk, then close TCP (FIN).

    On the wire: the status line and headers (fake_server/fronts/wire_breaks.py,
    `MALFORMED_HEAD`), 32 fixed bytes that start with no hex digit (`GARBAGE`), then FIN. The
    call is not carried out. On an upgrade the client reads a 200 where it needs a 101.
    """

    breaks = "malformed_chunk"
