"""`slicer`: writes cut into small chunks with a delay between them, as a fragmenting path does."""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import Shaping, direction_param
from fake_server.faults.target import FaultTarget
from fake_server.interception import Direction
from fake_server.schema import param


@register
@dataclass(frozen=True)
class Slicer(Shaping, name="slicer", layer="tcp", mirrors="Toxiproxy toxic `slicer`"):
    """Cut every write into pieces of about `average_size` bytes, `delay` seconds apart.

    On the wire: a WebSocket frame (its header included) reaches the client in several TCP
    segments with gaps between them, so a reader that assumes one read is one frame, or
    one message, breaks; the bytes and their order are unchanged. Each piece is
    `average_size` +/- `size_variation` bytes (at least 1). Toxiproxy's `slicer` toxic,
    whose `delay` is in microseconds; here it is seconds. With a `lasting`, what it still
    holds when it ends goes out at once, as Toxiproxy flushes a removed toxic.
    """

    average_size: int = param(16, doc="bytes in an average piece", ge=1, le=2**20)
    size_variation: int = param(0, doc="a piece is this many bytes larger or smaller at most", ge=0)
    delay: float = param(0.01, doc="seconds between two pieces", ge=0)
    direction: Direction = direction_param()

    def check(self) -> None:
        if self.size_variation >= self.average_size:
            raise ValueError(
                f"size_variation: less than average_size ({self.average_size}), got {self.size_variation}"
            )

    def apply(self, fake: FaultTarget) -> list[int]:
        return self.shape(
            fake,
            self.direction,
            slice_size=self.average_size,
            slice_variation=self.size_variation,
            slice_delay=self.delay,
        )
