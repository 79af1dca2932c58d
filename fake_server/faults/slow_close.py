"""`slow_close`: the fake's TCP close of a connection reaches the client late."""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import Shaping
from fake_server.faults.target import FaultTarget
from fake_server.schema import param


@register
@dataclass(frozen=True)
class SlowClose(Shaping, name="slow_close", layer="tcp", mirrors="Toxiproxy toxic `slow_close`"):
    """Hold every TCP close the fake makes on the connection for `delay` seconds.

    On the wire: after a close handshake (or a FIN abort, or the client's own FIN) the
    fake's FIN comes `delay` seconds late, so a client that waits for the TCP close before
    it reconnects is held up by it; one with a close timeout is not. The reset the fake
    sends when the client never answers a close frame waits as long. Toxiproxy's
    `slow_close` toxic (`delay`, there in milliseconds). It acts on the fake's closes,
    downstream, only.
    """

    delay: float = param(1.0, doc="seconds each TCP close waits", gt=0)

    def holds_for(self) -> float:
        """A close it took just before it stops still waits its whole delay."""
        return self.delay

    def apply(self, fake: FaultTarget) -> list[int]:
        return self.shape(fake, "downstream", close_delay=self.delay)
