"""`abort_tcp`: the connection dies underneath the WebSocket, with no close frame.

Failure mode C1 (drop-1006-no-close-frame): the client sees close code 1006 because no
close frame ever arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fake_server.faults import register
from fake_server.faults.common import OnConnections
from fake_server.faults.target import FaultTarget
from fake_server.schema import param


@register
@dataclass(frozen=True)
class AbortTcp(
    OnConnections,
    name="abort_tcp",
    layer="tcp",
    ends_connection=True,
    mirrors="Toxiproxy toxic `reset_peer` (mode rst)",
):
    """Close TCP with no WebSocket close frame.

    `fin`: an orderly TCP close after the data already written (the peer reads everything
    sent, then EOF). `rst`: SO_LINGER 0 then close, so the kernel sends a reset and may
    discard data the peer had not read yet.
    """

    mode: Literal["fin", "rst"] = param("fin", doc="fin: an orderly TCP close; rst: a reset")

    def apply(self, fake: FaultTarget) -> list[int]:
        return self.on_each(fake, lambda c: c.abort(self.mode))
