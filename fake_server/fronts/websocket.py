"""The WebSocket front: a plain asyncio server whose connections are `WsConnection`s.

It owns the connection table, the handshake rejections (a fault that answers upgrades with
an HTTP error for a while), the count of connection attempts per client IP, and the market
streams; it routes user events to the connections bound to the account's active listenKey
and market events to the connections subscribed to them.

Connection attempts (binance-reference.md §2 table, §6.8): spot allows 300 per 5 minutes
per IP; futures documents no limit. The front counts every handshake request per IP with
its time (accepted or refused, refused ones included, so a client that hammers a refusing
server stays refused until it slows down), and refuses one only when
`Limits.connection_attempts` is set: then the upgrade is answered HTTP 429 with a
`Retry-After` header (seconds until the oldest attempt in the window leaves it) and an
empty body. 429 is our choice: the status Binance uses for rate limits on REST (§4); what
the stream server answers is not documented.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import random
from collections import deque
from typing import Any, Protocol

import orjson

from fake_server.exchange import market
from fake_server.exchange.account import Account
from fake_server.exchange.market import Market
from fake_server.exchange.settings import Limits
from fake_server.exchange.spot_account import SpotAccount
from fake_server.exchange.stream_routes import Route
from fake_server.fronts.connection import StreamBackend, WsConnection
from fake_server.interception import UpgradeRefusal, take
from fake_server.journal import Journal


class WsOwner(StreamBackend, Protocol):
    """What the WebSocket front needs from the fake it belongs to (FakeBinance provides it)."""

    @property
    def journal(self) -> Journal: ...
    @property
    def limits(self) -> Limits: ...
    @property
    def account(self) -> Account | SpotAccount: ...


class WsFront:
    def __init__(self, server: WsOwner) -> None:
        self.server = server
        self.clock = server.clock
        self.journal = server.journal
        self.limits = server.limits
        self.connections: dict[int, WsConnection] = {}
        self.rejections: list[UpgradeRefusal] = []
        #: Handshake times per client IP (scenario seconds) within the attempt window.
        self.attempts: dict[str, deque[float]] = {}
        # Its own Random, so the account's sequence (and every user-data scenario) is unchanged.
        self.market = Market(random.Random(server.settings.events.seed))
        self._ids = itertools.count(1)
        self._server: asyncio.Server | None = None
        self._market_ticker: asyncio.TimerHandle | None = None
        self.port = 0

    async def start(self, host: str) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: WsConnection(self, next(self._ids)), host, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        if self.server.settings.events.market_rate > 0:
            self._schedule_market_tick()

    async def stop(self) -> None:
        if self._market_ticker is not None:
            self._market_ticker.cancel()
            self._market_ticker = None
        if self._server is not None:
            self._server.close()
        for conn in list(self.connections.values()):
            conn.abort("rst")
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    # Handshakes ---------------------------------------------------------------------------

    def handshake_rejection(self) -> tuple[int, str, dict[str, str]] | None:
        """The HTTP answer for the next upgrade while a rejection fault is active."""
        r = take(self.rejections, self.clock.now())
        return None if r is None else (r.status, r.body, r.headers)

    def count_attempt(self, ip: str) -> tuple[int, tuple[int, str, dict[str, str]] | None]:
        """Record a handshake from `ip` now: the attempts in the window, and a 429 if over."""
        now = self.clock.now()
        window = self.limits.connection_attempt_window
        times = self.attempts.setdefault(ip, deque())
        while times and now - times[0] >= window:
            times.popleft()
        times.append(now)
        limit = self.limits.connection_attempts
        if limit is None or len(times) <= limit:
            return len(times), None
        # Every attempt counts, so the next one passes once the limit-th latest (this one
        # included) has left the window.
        oldest = times[-limit] if limit > 0 else now
        retry_after = max(1, math.ceil(oldest + window - now))
        return len(times), (429, "", {"Retry-After": str(retry_after)})

    def attempts_from(self, ip: str) -> int:
        """Handshakes from `ip` within the attempt window, up to now."""
        now = self.clock.now()
        window = self.limits.connection_attempt_window
        return sum(1 for t in self.attempts.get(ip, ()) if now - t < window)

    # Delivery ------------------------------------------------------------------------------

    def open_connections(self) -> list[WsConnection]:
        return [c for c in self.connections.values() if c.is_open and c.route is not None]

    def data_connections(self) -> list[WsConnection]:
        """Open connections that take pushes now: not stalled by the stall_data fault."""
        return [c for c in self.open_connections() if c.carries_data]

    def carries_user_data(self, route: Route) -> bool:
        """Whether user events flow on this route for the product being played."""
        return route.name in self.server.profile.user_routes

    def deliver(self, listen_key: str, event: dict[str, Any]) -> list[int]:
        """Send `event` to every open user-data connection bound to `listen_key`."""
        sent = []
        for conn in self.data_connections():
            route = conn.route
            assert route is not None
            # A key in the URL, or one SUBSCRIBEd later on the connection (how some SDKs
            # join /private/stream: reference §1 table, SUBSCRIBE with the key as stream name).
            bound = listen_key in route.listen_keys or listen_key in conn.streams
            if not self.carries_user_data(route) or not bound:
                continue
            if event["e"] != "listenKeyExpired" and not route.wants(listen_key, event["e"]):
                continue
            payload = {"stream": listen_key, "data": event} if conn.combined else event
            if conn.send_json(payload):
                sent.append(conn.id)
        return sent

    def deliver_subscribed(self, event: dict[str, Any]) -> list[int]:
        """Send a spot event to every WebSocket API connection subscribed to user data."""
        sent = []
        for conn in self.data_connections():
            if conn.ws_api is None:
                continue
            delivered = [conn.send_json(message) for message in conn.ws_api.wrap(event)]
            if any(delivered):
                sent.append(conn.id)
        return sent

    def stamp(self) -> int:
        """An `E` for a server message on any connection: never before the account's last event."""
        return max(self.clock.epoch_ms(), self.server.account.update_ms)

    # Market streams --------------------------------------------------------------------------

    def _schedule_market_tick(self) -> None:
        rate = self.server.settings.events.market_rate
        self._market_ticker = self.clock.call_later(1.0 / rate, self._market_tick)

    def _market_tick(self) -> None:
        self._schedule_market_tick()
        self.publish_market()

    def publish_market(self) -> None:
        """One push on every market stream some open connection may receive."""
        wanted: dict[str, list[WsConnection]] = {}
        for conn in self.data_connections():
            assert conn.route is not None
            for name in conn.streams:
                if market.carries(conn.route.kind, name):
                    wanted.setdefault(name, []).append(conn)
        if not wanted:
            return
        events = self.market.tick(wanted, self.clock.epoch_ms())
        for name, event in events.items():
            raw = orjson.dumps(event)
            combined = orjson.dumps({"stream": name, "data": event})
            conns = [c.id for c in wanted[name] if c.send_bytes(combined if c.combined else raw)]
            ids = {k: event[k] for k in ("a", "U", "u", "pu") if k in event}
            self.journal.append("market", stream=name, e=event["e"], E=event["E"], conns=conns, **ids)
