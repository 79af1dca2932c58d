"""`unfinished_close`: the server starts the closing handshake and never finishes it."""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import OnConnections, close_code, close_reason
from fake_server.faults.target import Connection, FaultTarget
from fake_server.schema import param


@register
@dataclass(frozen=True)
class UnfinishedClose(
    OnConnections,
    name="unfinished_close",
    layer="websocket",
    ends_connection=True,
    mirrors="Autobahn case family 7 (close handling: 7.1, the closing handshake)",
):
    """Send a close frame, then read nothing and send nothing, with TCP left open.

    On the wire: `88 <len> <code><reason>`, then silence. The client's close frame is never
    read and the fake never closes TCP, which RFC 6455 §7.1.1 leaves to the server once both
    close frames passed: the handshake never completes. A client that waits for it with no
    close timeout waits for ever (and reconnects never): websockets' asyncio client (17.x)
    computes a deadline from its `close_timeout` but, while only `recv()` waits, never
    enforces it (the reference client does, clients/reference_client.py). With `hold` the
    fake sends its FIN that many seconds after the frame after all. The fake's pings stop with it. QuantConnect/Lean.Brokerages.Binance#42
    saw "The remote party closed the WebSocket connection without completing the close
    handshake" on fstream, several times a day; sammchardy/python-binance#1589's read loop
    waited with no timeout once Binance closed with 1001. Journaled as the close frame's
    `ws_frame`, then a `ws_close` (`initiator: server`, `how: fault`) when TCP ends.
    """

    code: int = close_code(1001)
    reason: str = close_reason()
    hold: float | None = param(
        None, doc="seconds until the fake closes TCP (FIN) after all; none: never, the client must", gt=0
    )

    def holds_for(self) -> float:
        """The connection it closed is held until `hold` (none: never)."""
        return float("inf") if self.hold is None else self.hold

    def apply(self, fake: FaultTarget) -> list[int]:
        def unfinished(conn: Connection) -> None:
            conn.close(self.code, self.reason, then="hold")
            if self.hold is not None:
                conn.hang(self.hold)

        return self.on_each(fake, unfinished)
