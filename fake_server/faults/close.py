"""`close`: the server closes the WebSocket cleanly, with a code and a reason.

With 1000/1001 it is failure mode C2: a clean server close must still be followed by a
reconnect.
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import OnConnections, close_code, close_reason
from fake_server.faults.target import FaultTarget


@register
@dataclass(frozen=True)
class Close(OnConnections, name="close", layer="websocket", ends_connection=True):
    """Send a close frame with `code` and `reason`, then close TCP once the client answers."""

    code: int = close_code(1000)
    reason: str = close_reason()

    def apply(self, fake: FaultTarget) -> list[int]:
        return self.on_each(fake, lambda c: c.close(self.code, self.reason))
