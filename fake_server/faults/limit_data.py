"""`limit_data`: the connection is closed after a number of bytes, maybe in the middle of a frame."""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import Shaping, direction_param
from fake_server.faults.target import FaultTarget
from fake_server.interception import Direction
from fake_server.schema import param


@register
@dataclass(frozen=True)
class LimitData(
    Shaping, name="limit_data", layer="tcp", ends_connection=True, mirrors="Toxiproxy toxic `limit_data`"
):
    """Let `bytes` more bytes pass one way, then close TCP (FIN) with no close frame.

    On the wire: counted from when the fault fires, the client receives (downstream) or
    the fake takes (upstream) exactly `bytes` bytes, then the connection ends, so the last
    frame may be cut short; the client sees 1006. The journal's `ws_close` says
    `abort_fin`. Toxiproxy's `limit_data` toxic (`bytes`).
    """

    bytes: int = param(100, doc="bytes that still pass before TCP is closed", ge=1, le=2**40)
    direction: Direction = direction_param()

    def apply(self, fake: FaultTarget) -> list[int]:
        return self.shape(fake, self.direction, limit=self.bytes)
