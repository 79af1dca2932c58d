"""Broken client: lacks ``one-live-connection``.

The futures reference client, except for what it does with a stream that looks dead. It
checks liveness itself, as many bots do: when no frame came for a ping interval it pings,
and when the pong does not come in time it reconnects, but it never closes the socket it
gives up on: it just stops reading it and keeps the handle around (as code that assigns
``ws = new WebSocket(url)`` over the old one does). On a half-open connection the server
never closes it either, so after each reconnect one more socket stays open.

Mimics binance/binance-connector-python#505 (after the 24 h cut "each reconnect recreated
both sockets", the count doubling), #528 (duplicate connections on reconnect) and
sammchardy/python-binance PR#1655 (stale references to a replaced socket).

Run: ``python /abs/path/clients/broken/leaks_old_socket.py``
"""

from __future__ import annotations

import asyncio
import random
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosedOK

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import Config, ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "one-live-connection"
SCENARIO = "heartbeats/half-open.yaml"


class AbandonedConnection(ClientConnection):
    """A connection whose ``close()`` does nothing once the client has given up on it."""

    abandoned = False

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if not self.abandoned:
            await super().close(code, reason)


class LeaksOldSocketClient(ReferenceClient):
    connection_class = AbandonedConnection

    def __init__(self, config: Config, rng: random.Random | None = None) -> None:
        super().__init__(config, rng)
        self.given_up: list[ClientConnection] = []  # never closed, never read again

    def ping_settings(self) -> tuple[float | None, float | None]:
        return None, None  # its own liveness check, in frames()

    async def frames(self, ws: ClientConnection) -> AsyncIterator[str | bytes]:
        interval, timeout = self.config.client_ping_interval, self.config.client_ping_timeout
        while True:
            try:
                message = await asyncio.wait_for(ws.recv(), interval)
            except ConnectionClosedOK:
                return
            except TimeoutError:
                try:
                    await asyncio.wait_for(await ws.ping(), timeout)
                except TimeoutError:
                    self.log("stream looks dead: reconnecting (the old socket is left open)")
                    assert isinstance(ws, AbandonedConnection)
                    ws.abandoned = True
                    self.given_up.append(ws)
                    return
                continue
            self._last_news = asyncio.get_running_loop().time()
            yield message


if __name__ == "__main__":
    sys.exit(LeaksOldSocketClient.main())
