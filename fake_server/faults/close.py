"""`close`: the server closes the WebSocket cleanly, with a code and a reason.

With 1000/1001 it is failure mode C2: a clean server close must still be followed by a
reconnect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fake_server.faults import register
from fake_server.faults.common import OnConnections, close_code, close_reason

if TYPE_CHECKING:
    from fake_server.faults.target import FaultTarget


@register
@dataclass(frozen=True)
class Close(OnConnections):
    """Send a close frame with `code` and `reason`, then close TCP once the client answers."""

    name = "close"
    ends_connection = True
    layer = "websocket"
    code: int = close_code(1000)
    reason: str = close_reason()

    def apply(self, fake: FaultTarget) -> list[int]:
        conns = self.picked(fake)
        for conn in conns:
            conn.close(self.code, self.reason)
        return [c.id for c in conns]
