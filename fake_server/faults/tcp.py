"""TCP-layer faults: the connection dies or goes silent underneath the WebSocket.

`abort_tcp` is failure mode C1 (drop-1006-no-close-frame): the client sees close code
1006 because no close frame ever arrives. `half_open` is E2/D3: the socket stays open at
the TCP level but nothing comes back, not even pongs to the client's pings; only a client
with its own liveness check notices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from fake_server.faults import Fault, register
from fake_server.faults.target import Pick

if TYPE_CHECKING:
    from fake_server.faults.target import FaultTarget


@register
@dataclass(frozen=True)
class AbortTcp(Fault):
    """Close TCP with no WebSocket close frame.

    `fin`: an orderly TCP close after the data already written (the peer reads everything
    sent, then EOF). `rst`: SO_LINGER 0 then close, so the kernel sends a reset and may
    discard data the peer had not read yet.
    """

    name = "abort_tcp"
    ends_connection = True
    layer = "tcp"
    mode: Literal["fin", "rst"] = "fin"
    target: Pick = "all"

    def apply(self, fake: FaultTarget) -> list[int]:
        conns = fake.connections(self.target)
        for conn in conns:
            conn.abort(self.mode)
        return [c.id for c in conns]


@register
@dataclass(frozen=True)
class HalfOpen(Fault):
    """Keep TCP open but send nothing and read nothing: no events, no pings, no pongs."""

    name = "half_open"
    ends_connection = True
    layer = "tcp"
    target: Pick = "all"

    def apply(self, fake: FaultTarget) -> list[int]:
        conns = fake.connections(self.target)
        for conn in conns:
            conn.half_open()
        return [c.id for c in conns]
