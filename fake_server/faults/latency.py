"""`latency`: every chunk on the connection arrives late, as on a slow or lagging link."""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import Shaping, direction_param
from fake_server.faults.target import FaultTarget
from fake_server.interception import Direction
from fake_server.schema import param


@register
@dataclass(frozen=True)
class Latency(Shaping, name="latency", layer="tcp", mirrors="Toxiproxy toxic `latency`"):
    """Delay every chunk of bytes one way by `latency` seconds, give or take `jitter`.

    On the wire: each write the fake makes (downstream) or each read it takes from the
    client (upstream) waits `latency` +/- a uniform draw within `jitter`, never less than
    `latency - jitter`, and never overtakes the chunk before it, so the order of bytes
    and frames is kept (pings, pongs, close frames and the TCP close included: a close
    reaches the other side after the bytes before it). Toxiproxy's `latency` toxic, whose
    `latency` and `jitter` are milliseconds; here they are seconds like every duration.
    """

    latency: float = param(0.5, doc="seconds each chunk is held back", ge=0)
    jitter: float = param(0.0, doc="at most this many seconds more or less, drawn per chunk", ge=0)
    direction: Direction = direction_param()

    def check(self) -> None:
        if self.jitter > self.latency:
            raise ValueError(f"jitter: at most latency ({self.latency:g} s), got {self.jitter:g}")

    def apply(self, fake: FaultTarget) -> list[int]:
        return self.shape(fake, self.direction, latency=self.latency, jitter=self.jitter)
