"""`abort_tcp`: the connection dies underneath the WebSocket, with no close frame.

Failure mode C1 (drop-1006-no-close-frame): the client sees close code 1006 because no
close frame ever arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from fake_server.faults import register
from fake_server.faults.common import OnConnections
from fake_server.schema import param

if TYPE_CHECKING:
    from fake_server.faults.target import FaultTarget


@register
@dataclass(frozen=True)
class AbortTcp(OnConnections):
    """Close TCP with no WebSocket close frame.

    `fin`: an orderly TCP close after the data already written (the peer reads everything
    sent, then EOF). `rst`: SO_LINGER 0 then close, so the kernel sends a reset and may
    discard data the peer had not read yet.
    """

    name = "abort_tcp"
    ends_connection = True
    layer = "tcp"
    mode: Literal["fin", "rst"] = param("fin", doc="fin: an orderly TCP close; rst: a reset")

    def apply(self, fake: FaultTarget) -> list[int]:
        conns = self.picked(fake)
        for conn in conns:
            conn.abort(self.mode)
        return [c.id for c in conns]
