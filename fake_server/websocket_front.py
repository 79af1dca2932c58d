"""The WebSocket front: a plain asyncio server whose connections are `WsConnection`s.

It owns the connection table and the handshake rejections (a fault that answers upgrades
with an HTTP error for a while), and routes user events to the connections bound to the
account's active listenKey.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fake_server.connection import WsConnection
from fake_server.limits import Limited, take

if TYPE_CHECKING:
    from fake_server.server import FakeBinance


@dataclass
class HandshakeRejection(Limited):
    status: int = 503
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


class WsFront:
    def __init__(self, server: FakeBinance) -> None:
        self.server = server
        self.clock = server.clock
        self.journal = server.journal
        self.connections: dict[int, WsConnection] = {}
        self.rejections: list[HandshakeRejection] = []
        self._ids = itertools.count(1)
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self, host: str) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: WsConnection(self, next(self._ids)), host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for conn in list(self.connections.values()):
            conn.abort("rst")
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    def handshake_rejection(self) -> tuple[int, str, dict[str, str]] | None:
        """The HTTP answer for the next upgrade while a rejection fault is active."""
        r = take(self.rejections, self.clock.now())
        return None if r is None else (r.status, r.body, r.headers)

    def open_connections(self) -> list[WsConnection]:
        return [c for c in self.connections.values() if c.is_open and c.route is not None]

    def deliver(self, listen_key: str, event: dict[str, Any]) -> list[int]:
        """Send `event` to every open private connection bound to `listen_key`."""
        sent = []
        for conn in self.open_connections():
            route = conn.route
            assert route is not None
            if route.kind != "private" or listen_key not in route.listen_keys:
                continue
            if event["e"] != "listenKeyExpired" and not route.wants(event["e"]):
                continue
            payload = {"stream": listen_key, "data": event} if route.wrapped else event
            if conn.send_json(payload):
                sent.append(conn.id)
        return sent
