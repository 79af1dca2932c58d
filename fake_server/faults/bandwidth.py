"""`bandwidth`: the connection carries at most `rate` kilobytes a second, a congested link."""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import Shaping, direction_param
from fake_server.faults.target import FaultTarget
from fake_server.interception import Direction
from fake_server.schema import param


@register
@dataclass(frozen=True)
class Bandwidth(Shaping, name="bandwidth", layer="tcp", mirrors="Toxiproxy toxic `bandwidth`"):
    """Limit one direction of the connection to `rate` KB/s (1 KB = 1000 bytes).

    On the wire: bytes leave in pieces of 10 ms of the rate, each once the link has
    "carried" it, so N bytes written at once take at least N / (rate x 1000) seconds to
    arrive, in order. A burst of events then queues in the fake, as it would in a
    congested network, and a client falls behind the exchange. When the limit ends
    (`lasting`), what it still holds goes out at once, as Toxiproxy flushes a removed toxic's
    buffer. Toxiproxy's `bandwidth` toxic (`rate` in KB/s).
    """

    rate: float = param(10.0, doc="kilobytes (1000 bytes) per second the link carries at most", gt=0)
    direction: Direction = direction_param()

    def apply(self, fake: FaultTarget) -> list[int]:
        return self.shape(fake, self.direction, rate=self.rate * 1000)
