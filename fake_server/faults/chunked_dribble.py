"""`chunked_dribble`: a REST answer whose body arrives in slow pieces.

WireMock's `chunkedDribbleDelay` (`numberOfChunks`, `totalDuration`): the headers come at once,
so a client's connect and first-byte timeouts are met, and the body trickles in over a while,
which only a read timeout that covers the whole body (or a total deadline) bounds. A slow
network path or an overloaded gateway does this to Binance's larger answers (exchangeInfo,
account snapshots); a client waiting on one with no total deadline holds up whatever needs it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import Budgeted, route_param
from fake_server.faults.target import FaultTarget
from fake_server.interception import Dribble
from fake_server.schema import param


@register
@dataclass(frozen=True)
class ChunkedDribble(
    Budgeted,
    name="chunked_dribble",
    layer="http",
    mirrors="WireMock `chunkedDribbleDelay` (numberOfChunks, totalDuration)",
):
    """Carry out each matching call, then send its answer's status line and headers at once
    and its body in `chunks` pieces, one every `duration / chunks` seconds.

    On the wire: the head (with the body's Content-Length, so the framing is the usual one)
    leaves at once; piece k of the body leaves (k + 1) x duration / chunks seconds later, so
    the last byte comes `duration` seconds after the head. A body shorter than `chunks` bytes
    goes one byte a piece. The `rest` journal entry, written when the head goes out, carries
    `dribbled`.
    """

    route: str = route_param("GET /fapi/v2/account")
    chunks: int = param(5, doc="how many pieces the body is cut into", ge=1, le=10_000)
    duration: float = param(1.0, doc="seconds from the head to the body's last byte", gt=0)

    def holds_for(self) -> float:
        """A body it started just before it stops still dribbles to its end."""
        return self.duration

    def apply(self, fake: FaultTarget) -> list[int]:
        return self.rest_rule(fake, self.route, dribble=Dribble(self.chunks, self.duration))
