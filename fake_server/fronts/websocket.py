"""The WebSocket front: a plain asyncio server whose connections are `WsConnection`s.

It owns the connection table, the refusals faults install for upgrades, the count of
connection attempts per client IP (the rule: fake_server/exchange/connection_attempts.py),
and the market streams. It opens each accepted connection's `StreamSession` (Binance's
rules for it, fake_server/exchange/stream_session.py) and pushes: user events to the
connections whose session takes them, market events to the connections subscribed to them,
skipping connections a fault stalled.

A push is built for the client to be the limit, not the fake: its receivers are looked up
by key (fake_server/fronts/receivers.py), each form of the message (raw, wrapped) is
serialised and framed once for all of them, and the frames a connection collects are
written in one transport write when the loop next runs; that writing pass hands the loop
back every `SLICE` seconds of work, so scheduled faults keep their time during a burst.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import socket
import time
from collections import deque
from typing import Any, Protocol

import orjson

from fake_server.clock import Clock
from fake_server.exchange.account import Account
from fake_server.exchange.connection_attempts import ConnectionAttempts, HttpAnswer
from fake_server.exchange.market import Market
from fake_server.exchange.profiles import Profile
from fake_server.exchange.settings import Settings, StreamLimits, Timers
from fake_server.exchange.spot_account import SpotAccount
from fake_server.exchange.stream_routes import StreamRoute
from fake_server.exchange.stream_session import SessionRules, StreamSession
from fake_server.exchange.user_events import RenderedEvent
from fake_server.exchange.ws_api import WsApiSession
from fake_server.fronts.connection import WsConnection
from fake_server.fronts.frames import combined, text_frame
from fake_server.fronts.receivers import MARKET, WSAPI, Receivers
from fake_server.interception import PushHold, Swallow, UpgradeRefusal, UpgradeRule, take
from fake_server.journal import Journal
from fake_server.journal_entries import MarketEntry, with_note

#: The most work (seconds) the writing pass does before it lets the loop run timers.
SLICE = 0.001

#: Who gets a kind of user event: connections that get it raw, those that get it wrapped
#: as {"stream","data"}, and the ids of both in id order (what its journal entry lists).
Route = tuple[list[WsConnection], list[WsConnection], list[int]]


class WsOwner(Protocol):
    """What the WebSocket front needs from the fake it belongs to (FakeBinance provides it)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def journal(self) -> Journal: ...
    @property
    def profile(self) -> Profile: ...
    @property
    def timers(self) -> Timers: ...
    @property
    def ping_interval(self) -> float: ...
    @property
    def pong_timeout(self) -> float: ...
    @property
    def limits(self) -> StreamLimits: ...
    @property
    def account(self) -> Account | SpotAccount: ...
    def key_state(self, key: str) -> str:
        """ "active", "expired", "deleted" or "unknown": whether a key carries user data now."""
        ...


class WsFront:
    def __init__(self, server: WsOwner) -> None:
        self.server = server
        self.clock = server.clock
        self.journal = server.journal
        self.limits = server.limits
        self.connections: dict[int, WsConnection] = {}
        #: Open connections by what they receive.
        self.receivers: Receivers[WsConnection] = Receivers()
        #: For each listen key, by kind of user event: its receivers that get it raw, those
        #: that get it wrapped, and all their ids in id order (`_route`). Emptied at each
        #: refile, the one way what a connection takes can change.
        self._routes: dict[str, dict[str, Route]] = {}
        #: Connections with frames pushed and not yet written, in the order they got them.
        self._unwritten: deque[WsConnection] = deque()
        self._writing: asyncio.Handle | None = None
        #: Refusals faults installed for upgrades, and holds on pushes (stall_data).
        self.rejections: list[UpgradeRefusal] = []
        #: What faults make of upgrade requests instead of answering them (hang_upgrade, ...).
        self.upgrade_rules: list[UpgradeRule] = []
        self.holds: list[PushHold] = []
        #: New TCP connections accepted and never answered (the `timeout` fault).
        self.swallows: list[Swallow] = []
        #: While the port refuses connections: a socket bound to it, not listening, so the
        #: port stays ours; and the timer that listens again.
        self._placeholder: socket.socket | None = None
        self._relisten: asyncio.TimerHandle | None = None
        self._host = ""
        self.attempt_log = ConnectionAttempts()
        #: Handshake times per client IP (scenario seconds) within the attempt window.
        self.attempts = self.attempt_log.times
        # Its own Random, so the account's sequence (and every user-data scenario) is unchanged.
        self.market = Market(random.Random(server.settings.events.seed))
        self._ids = itertools.count(1)
        self._server: asyncio.Server | None = None
        self._market_ticker: asyncio.TimerHandle | None = None
        self.port = 0

    async def start(self, host: str) -> None:
        self._host = host
        await self._listen(0)
        self.port = self._server.sockets[0].getsockname()[1] if self._server is not None else 0
        if self.server.settings.events.market_rate > 0:
            self._schedule_market_tick()

    async def _listen(self, port: int) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: WsConnection(self, next(self._ids)), self._host, port, reuse_address=True
        )

    def refuse(self, until: float | None) -> None:
        """Stop listening until scenario time `until` (None: until the run ends): the kernel
        answers new connections with RST (ECONNREFUSED); open connections live on."""
        if self._relisten is not None:
            self._relisten.cancel()
            self._relisten = None
        if self._server is not None:
            family = self._server.sockets[0].family
            self._server.close()
            self._server = None
            placeholder = socket.socket(family, socket.SOCK_STREAM)
            placeholder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                placeholder.bind((self._host, self.port))
            except OSError:
                placeholder.close()
            else:
                self._placeholder = placeholder
        if until is not None:
            self._relisten = self.clock.call_later(
                until - self.clock.now(), lambda: asyncio.ensure_future(self._listen_again())
            )

    async def _listen_again(self) -> None:
        self._relisten = None
        try:
            await self._listen(self.port)
        except OSError:  # the placeholder's bind is refused on this system: let the port go first
            self._drop_placeholder()
            await self._listen(self.port)
        self._drop_placeholder()

    def _drop_placeholder(self) -> None:
        if self._placeholder is not None:
            self._placeholder.close()
            self._placeholder = None

    def swallow(self) -> Swallow | None:
        """The `timeout` rule a TCP connection accepted now falls under, if one holds."""
        return take(self.swallows, self.clock.now()) if self.swallows else None

    async def stop(self) -> None:
        if self._relisten is not None:
            self._relisten.cancel()
            self._relisten = None
        self._drop_placeholder()
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

    def upgrade_rule(self) -> UpgradeRule | None:
        """The rule an upgrade request read now falls under, if one holds."""
        return take(self.upgrade_rules, self.clock.now()) if self.upgrade_rules else None

    def handshake_rejection(self) -> HttpAnswer | None:
        """The HTTP answer for the next upgrade while a refusal a fault installed holds."""
        r = take(self.rejections, self.clock.now())
        return None if r is None else (r.status, r.body, r.headers)

    def count_attempt(self, ip: str) -> tuple[int, HttpAnswer | None]:
        """Record a handshake from `ip` now: the attempts in the window, and a 429 if over."""
        return self.attempt_log.count(ip, self.clock.now(), self.limits)

    def attempts_from(self, ip: str) -> int:
        """Handshakes from `ip` within the attempt window, up to now."""
        return self.attempt_log.within(ip, self.clock.now(), self.limits.connection_attempt_window)

    def open_session(self, route: StreamRoute) -> StreamSession:
        """Binance's rules for a connection just accepted on `route`."""
        s = self.server
        rules = SessionRules(
            s.profile, self.limits, s.ping_interval, s.pong_timeout, s.timers.connection_life
        )
        ws_api = (
            WsApiSession(s.settings.credentials, self.clock.epoch_ms, self.clock.outside_recv_window)
            if route.kind == "wsapi"
            else None
        )
        return StreamSession(route, rules, self.clock.now(), key_state=s.key_state, ws_api=ws_api)

    # Delivery ------------------------------------------------------------------------------

    def open_connections(self) -> list[WsConnection]:
        return [c for c in self.connections.values() if c.is_open and c.session is not None]

    def refile(self, conn: WsConnection) -> None:
        self._routes.clear()  # what a connection takes, and how, may have changed
        if conn.id in self.connections and conn.session is not None:
            self.receivers.file(conn)
        else:
            self.receivers.drop(conn)

    def _takers(self, conns: list[WsConnection]) -> list[WsConnection]:
        """Those of `conns` that take pushes now: open, and not held by a fault (stall_data)."""
        if not self.holds:
            return [c for c in conns if c.is_open]
        now = self.clock.now()
        return [c for c in conns if c.is_open and not any(h.holds(c.id, now) for h in self.holds)]

    def deliver(self, listen_key: str, event: dict[str, Any]) -> list[int]:
        """Send `event` to every open user-data connection bound to `listen_key`."""
        return self.deliver_all(listen_key, [event])[0]

    def deliver_all(self, listen_key: str, events: list[dict[str, Any]]) -> list[list[int]]:
        """Send `events`, in order, to every open user-data connection bound to `listen_key`;
        for each event, the connections it was written to. The receivers are looked up once
        for the batch: nothing that changes them (a fault, a message from a client) can run
        before it is sent, and none of them stops taking pushes meanwhile (a push is only
        queued: `WsConnection.queue_frame`)."""
        receivers = self.receivers.user(listen_key)
        takers = [c for c in self._takers(receivers) if c.takes_pushes]
        if not takers:
            return [[] for _ in events]
        # Who gets each kind of event, raw or wrapped: kept until a refile when every
        # receiver takes pushes (the usual case), else asked for this batch only.
        routes = self._routes.get(listen_key) if len(takers) == len(receivers) else None
        if routes is None:
            routes = {}
            if len(takers) == len(receivers):
                self._routes[listen_key] = routes
        reached: list[list[int]] = []
        for event in events:
            kind = dict.__getitem__(event, "e")  # top level: never held as text
            route = routes.get(kind)
            if route is None:
                route = routes[kind] = _route(takers, listen_key, kind)
            plain, wrapped, ids = route
            raw = event.raw if type(event) is RenderedEvent else orjson.dumps(event)
            if plain:
                frame = text_frame(raw)
                for conn in plain:
                    conn.queue_frame(frame)
            if wrapped:
                frame = text_frame(combined(listen_key, raw))
                for conn in wrapped:
                    conn.queue_frame(frame)
            reached.append(ids.copy())
        return reached

    def deliver_subscribed(self, event: dict[str, Any]) -> list[int]:
        """Send a spot event to every WebSocket API connection subscribed to user data."""
        sent = []
        for conn in self._takers(self.receivers.of(WSAPI)):
            assert conn.ws_api is not None
            delivered = [conn.send_json(message) for message in conn.ws_api.wrap(event)]
            if any(delivered):
                sent.append(conn.id)
        return sent

    def queue_write(self, conn: WsConnection) -> None:
        self._unwritten.append(conn)
        if self._writing is None:
            self._writing = asyncio.get_running_loop().call_soon(self._write)

    def _write(self) -> None:
        """Write the connections' pushed frames, one write each, yielding every `SLICE`."""
        self._writing = None
        unwritten = self._unwritten
        deadline = time.perf_counter() + SLICE
        while unwritten:
            unwritten.popleft().write_pending()
            if time.perf_counter() > deadline and unwritten:
                self._writing = asyncio.get_running_loop().call_soon(self._write)
                return

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
        for conn in self._takers(self.receivers.of(MARKET)):
            assert conn.session is not None
            for name in conn.session.market_streams():
                wanted.setdefault(name, []).append(conn)
        if not wanted:
            return
        events = self.market.tick(wanted, self.clock.epoch_ms())
        for name, event in events.items():
            raw = orjson.dumps(event)
            frames = {False: text_frame(raw), True: text_frame(combined(name, raw))}
            conns = [c.id for c in wanted[name] if c.push_frame(frames[c.combined])]
            entry = MarketEntry(kind="market", stream=name, e=event["e"], E=event["E"], conns=conns)
            ids: dict[str, int] = {k: event[k] for k in ("a", "U", "u", "pu") if k in event}
            self.journal.append(with_note(entry, ids))


def _route(takers: list[WsConnection], listen_key: str, kind: str) -> Route:
    """Which of `takers` get an event of type `kind` on `listen_key` raw, which wrapped."""
    plain: list[WsConnection] = []
    wrapped: list[WsConnection] = []
    ids: list[int] = []
    for conn in takers:
        wraps = None if conn.session is None else conn.session.user_wrap(listen_key, kind)
        if wraps is not None:
            (wrapped if wraps else plain).append(conn)
            ids.append(conn.id)
    return plain, wrapped, ids
