"""FakeBinance: wires the exchange layer, the fronts and the faults' target together.

The pure models (fake_server/exchange/: listenKeys, accounts, profiles) meet time and I/O
here: this schedules the account's activity and the keys' expiry on the one Clock, hands
the fronts (fake_server/fronts/) what they serve, routes events to connections, and
journals what the exchange did. Faults act on it only through the narrow `FaultTarget`
(fake_server/faults/target.py) it implements; the fronts know it only through the small
Protocols they declare (`RestOwner`, `WsOwner`, `ControlOwner`).
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, Unpack

from fake_server.clock import Clock
from fake_server.exchange import binance_errors
from fake_server.exchange.account import Account
from fake_server.exchange.coinm_account import CoinmAccount
from fake_server.exchange.exchange_info import exchange_info
from fake_server.exchange.listen_keys import ListenKey, ListenKeys
from fake_server.exchange.profiles import profile as profile_named
from fake_server.exchange.rest_call import RestAnswer
from fake_server.exchange.settings import Settings, StreamLimits
from fake_server.exchange.spot_account import SpotAccount
from fake_server.exchange.user_events import RenderedEvent, UserEvent
from fake_server.faults.target import Connection, EventRewrite, Outgoing, Pick
from fake_server.fronts.control_api import ControlApi
from fake_server.fronts.rest import RestFront
from fake_server.fronts.tls import ThrowawayCA, TlsRelay
from fake_server.fronts.websocket import WsFront
from fake_server.interception import PushHold, RestRule, Swallow, UpgradeRefusal, UpgradeRule
from fake_server.journal import Journal
from fake_server.journal_entries import (
    EventEntry,
    EventNote,
    FaultsClearedEntry,
    ListenKeyEntry,
    ServerEntry,
    with_note,
)


class FakeBinance:
    def __init__(self, settings: Settings, clock: Clock, journal: Journal) -> None:
        self.settings = settings
        self.clock = clock
        self.journal = journal
        #: The product whose rules apply, and the settings it resolves (unset timers, limits
        #: and symbol come from the product).
        self.profile = profile_named(settings.profile)
        self.timers = settings.timers.for_profile(self.profile)
        assert self.timers.ping_interval is not None and self.timers.pong_timeout is not None
        self.ping_interval: float = self.timers.ping_interval
        self.pong_timeout: float = self.timers.pong_timeout
        self.limits = settings.limits or StreamLimits(
            incoming_messages_per_second=self.profile.incoming_per_second,
            max_streams_per_connection=self.profile.max_streams,
        )
        self.symbol = settings.events.symbol or self.profile.symbol
        rng = random.Random(settings.events.seed)
        self.keys = ListenKeys(self.timers.listen_key_ttl, rng)
        self.account: Account | SpotAccount = (
            SpotAccount(self.symbol, rng)
            if self.profile.name == "spot"
            else CoinmAccount(self.symbol, rng)
            if self.profile.name == "coinm"
            else Account(self.symbol, rng)
        )
        self.rest = RestFront(self)
        self.ws = WsFront(self)
        #: Payload faults in force (`rewrite_events`): each rewrites the account's events on
        #: their way out (sends one twice, holds one back until the next).
        self.payload_rules: list[EventRewrite] = []
        self.control = ControlApi(self) if settings.control_api else None
        #: With `settings.tls`: the run's CA, and the TLS relays in front of REST and WS.
        self.ca: ThrowawayCA | None = None
        self._relays: dict[str, TlsRelay] = {}
        self._ticker: asyncio.TimerHandle | None = None
        self._expiry_checks: list[asyncio.TimerHandle] = []
        self._running = False

    # Lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        host = self.settings.host
        await self.rest.start(host)
        await self.ws.start(host)
        try:
            if self.settings.tls:
                await self._start_tls(host)
            if self.control is not None:
                await self.control.start(host, self.settings.control_port)
        except BaseException:
            # E.g. the control port is taken: release what started (ports, the CA file).
            await self.stop()
            raise
        self._running = True
        if self.settings.events.rate > 0:
            self._schedule_tick()
        started = ServerEntry(kind="server", phase="start", rest_url=self.rest_url, ws_url=self.ws_url)
        if self.control_url is not None:
            started["control_url"] = self.control_url
        if self.ca_file is not None:
            started["ca_file"] = str(self.ca_file)
        self.journal.append(started)

    async def _start_tls(self, host: str) -> None:
        """A throwaway CA and one TLS relay per front (why relays: fake_server/fronts/tls.py)."""
        self.ca = ThrowawayCA([host])
        context = self.ca.server_context()
        for name, port in (("rest", self.rest.port), ("ws", self.ws.port)):
            relay = TlsRelay(context, host, port)
            await relay.start(host)
            self._relays[name] = relay

    async def stop(self) -> None:
        self._running = False
        for handle in [self._ticker, *self._expiry_checks]:
            if handle is not None:
                handle.cancel()
        if self.control is not None:
            await self.control.stop()
        await self.ws.stop()
        await self.rest.stop()
        for relay in self._relays.values():
            await relay.stop()
        if self.ca is not None:
            self.ca.remove()
        self.journal.append(ServerEntry(kind="server", phase="stop"))

    async def __aenter__(self) -> FakeBinance:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def futures_account(self) -> Account:
        """The account where futures-only routes (orders, positions) act."""
        if not isinstance(self.account, Account):
            raise TypeError(f"the {self.profile.name} profile has no futures account")
        return self.account

    @property
    def rest_url(self) -> str:
        if "rest" in self._relays:
            return f"https://{_host(self.settings.host)}:{self._relays['rest'].port}"
        return f"http://{_host(self.settings.host)}:{self.rest.port}"

    @property
    def ws_url(self) -> str:
        if "ws" in self._relays:
            return f"wss://{_host(self.settings.host)}:{self._relays['ws'].port}"
        return f"ws://{_host(self.settings.host)}:{self.ws.port}"

    @property
    def control_url(self) -> str | None:
        """The control API's base (append `/v1`); None unless `settings.control_api`.

        Always plain http: it is the test suite's own channel, not part of what the client
        under test sees, so it needs no CA.
        """
        if self.control is None:
            return None
        return f"http://{_host(self.settings.host)}:{self.control.port}"

    @property
    def ca_file(self) -> Path | None:
        """The PEM file of this run's throwaway CA; None unless `settings.tls`."""
        return None if self.ca is None else self.ca.ca_file

    # Time-driven behaviour -----------------------------------------------------------

    def settle(self) -> None:
        """Expire keys whose TTL passed, before anything reads the key table."""
        for lk in self.keys.due(self.clock.now()):
            self._expired(lk, why="ttl")

    def _schedule_tick(self) -> None:
        self._ticker = self.clock.call_later(1.0 / self.settings.events.rate, self._tick)

    def _tick(self) -> None:
        if not self._running:
            return
        self._schedule_tick()
        self.settle()
        self.publish(self.account.tick(self.clock.epoch_ms()))

    def _watch_expiry(self, lk: ListenKey) -> None:
        delay = lk.expires_at - self.clock.now()
        self._expiry_checks = [h for h in self._expiry_checks if not h.cancelled()]
        self._expiry_checks.append(self.clock.call_later(delay + 0.001, self.settle))

    # Events ------------------------------------------------------------------------------

    def publish(self, events: list[UserEvent], **note: Unpack[EventNote]) -> list[int]:
        """Deliver account events to the connections of the account's active key; the ids
        of the connections that got at least one of them.

        Events happen whether or not anyone listens; the journal records who got each one
        (an empty `conns` is a gap event a client can only learn about through REST).
        Payload faults in force (`payload_rules`) may first send an event twice or hold it
        back; `note` adds fields to each event's journal entry (the fault that made them).
        """
        if not self.profile.trade_lite:
            events = [e for e in events if e["e"] != "TRADE_LITE"]
        notes: list[EventNote] | None = None
        if self.payload_rules:
            outgoing: list[Outgoing] = [(event, EventNote(**note)) for event in events]
            for rule in self.payload_rules:
                outgoing = rule.rewrite(outgoing)
            self.payload_rules = [r for r in self.payload_rules if not r.spent]
            events = [event for event, _ in outgoing]
            notes = [extra for _, extra in outgoing]
        reached: set[int] = set()
        sent = self._send_events(events)
        # One `t` for the batch: its events were all written in this instant.
        t = self.journal.stamp()
        entries: list[EventEntry] = []
        for i, conns in enumerate(sent):
            reached.update(conns)
            entries.append(_event_entry(t, events[i], conns, note if notes is None else notes[i]))
        self.journal.record_all(entries)
        return sorted(reached)

    def _send_events(self, events: list[UserEvent]) -> list[list[int]]:
        """Write `events` in order; for each, the connections it reached. All are written
        before any is journaled: a journal listener (a trigger) only arms a timer, so nothing
        can act on a connection in between, and the receivers are looked up once."""
        if self.profile.listen_key_path is None:  # spot: WebSocket API subscriptions
            return [self.ws.deliver_subscribed(event) for event in events]
        lk = self.keys.active(self.settings.credentials.api_key, self.clock.now())
        if lk is None:
            return [[] for _ in events]
        extras = self.profile.event_extras
        return self.ws.deliver_all(lk.key, [{**e, **extras} for e in events] if extras else events)

    def _journal_event(self, event: UserEvent, conns: list[int], note: EventNote | None = None) -> None:
        self.journal.record(_event_entry(self.journal.stamp(), event, conns, note))

    def _expired(
        self, lk: ListenKey, *, why: Literal["ttl", "fault"], notify: bool = True, copies: int = 1
    ) -> None:
        """Futures pushes listenKeyExpired and keeps the socket open (reference §2).

        `notify=False`: the silent death of the legacy spot streams (reference §1), a fault;
        `copies` > 1: the notice sent again, byte for byte (a fault, nardew/cryptoxlib-aio#65).
        """
        self.journal.append(ListenKeyEntry(kind="listen_key", action="expired", key=lk.key, why=why))
        if notify:
            self._push_expired(lk.key, lk.key, copies)

    def _push_expired(self, named: str, to: str, copies: int, **note: Unpack[EventNote]) -> list[int]:
        """Push `listenKeyExpired` naming key `named` to the connections of key `to`, `copies`
        times back to back (the same E each time); the connections reached."""
        # Stamped from the same sequence as account events: E never goes backwards on a socket.
        stamp = self.account.stamp(self.clock.epoch_ms())
        event: UserEvent = {"e": "listenKeyExpired", "E": stamp}
        if self.profile.expired_has_key:  # PM's event has only e and E (reference §3)
            event["listenKey"] = named
        reached: set[int] = set()
        for n in range(1, copies + 1):
            conns = self.ws.deliver(to, event)
            reached.update(conns)
            self._journal_event(event, conns, EventNote(**note, copy=n) if n > 1 else EventNote(**note))
        return sorted(reached)

    def active_listen_key(self) -> str | None:
        self.settle()
        lk = self.keys.active(self.settings.credentials.api_key, self.clock.now())
        return None if lk is None else lk.key

    def deliver_raw(self, event: dict[str, Any]) -> list[int]:
        key = self.active_listen_key()
        return self.ws.deliver(key, event) if key is not None else []

    def connection_table(self) -> list[dict[str, Any]]:
        now = self.clock.now()
        return [c.summary(now) for c in sorted(self.ws.open_connections(), key=lambda c: c.id)]

    def key_state(self, key: str) -> str:
        # Settle first: a handshake in the instant between a key's TTL and its expiry timer
        # must see the key dead, as the TTL rule says (`now >= expires_at`).
        self.settle()
        lk = self.keys.lookup(key)
        return "unknown" if lk is None else lk.state

    # Exchange operations (REST handlers and faults) -------------------------------------

    def rest_create_listen_key(self, api_key: str) -> RestAnswer:
        lk, reused = self.keys.create(api_key, self.clock.now())
        self.journal.append(
            ListenKeyEntry(kind="listen_key", action="reused" if reused else "created", key=lk.key)
        )
        self._watch_expiry(lk)
        return 200, {"listenKey": lk.key}

    def rest_keepalive(self, api_key: str) -> RestAnswer:
        lk = self.keys.keepalive(api_key, self.clock.now())
        if lk is None:
            return binance_errors.listen_key_does_not_exist()
        self.journal.append(ListenKeyEntry(kind="listen_key", action="extended", key=lk.key))
        self._watch_expiry(lk)
        # fapi and dapi answer PUT with the key since 2024-04-25; PM documents {} (reference §0, §6.3).
        return 200, {"listenKey": lk.key} if self.profile.put_returns_key else {}

    def rest_delete_listen_key(self, api_key: str) -> RestAnswer:
        lk = self.keys.delete(api_key, self.clock.now())
        if lk is None:
            return binance_errors.listen_key_does_not_exist()
        self.journal.append(ListenKeyEntry(kind="listen_key", action="deleted", key=lk.key))
        return 200, {}

    def clear_faults(self) -> int:
        """Stop every fault still in force (REST rules, refused upgrades, payload rewrites); how
        many there were. Events a payload fault still holds back are never sent."""
        cleared = len(self.rest.rules) + len(self.ws.rejections) + len(self.ws.swallows)
        cleared += len(self.payload_rules) + len(self.ws.upgrade_rules)
        self.rest.rules.clear()
        self.ws.rejections.clear()
        self.ws.upgrade_rules.clear()
        self.ws.swallows.clear()
        self.payload_rules.clear()
        self.journal.append(FaultsClearedEntry(kind="faults_cleared", count=cleared))
        return cleared

    def expire_listen_key(self, *, notify: bool = True, copies: int = 1) -> ListenKey | None:
        # Settle first: a key whose TTL passed before its expiry timer ran died of its TTL
        # and says so (listenKeyExpired, `why: ttl`); unsettled, the lookup below would
        # retire it silently and the fault would find no key.
        self.settle()
        lk = self.keys.expire(self.settings.credentials.api_key, self.clock.now())
        if lk is not None:
            self._expired(lk, why="fault", notify=notify, copies=copies)
        return lk

    def revoke_listen_key(self, *, notify: bool = False) -> ListenKey | None:
        """Another client of the same API key DELETEs the shared key (reference §1): the key
        table's DELETE, journaled `deleted` with `why: fault`; `notify` also pushes the
        `listenKeyExpired` futures users saw after such a DELETE (docs/fidelity.md)."""
        lk = self.keys.delete(self.settings.credentials.api_key, self.clock.now())
        if lk is None:
            return None
        self.journal.append(ListenKeyEntry(kind="listen_key", action="deleted", key=lk.key, why="fault"))
        if notify:
            self._push_expired(lk.key, lk.key, 1)
        return lk

    def previous_listen_key(self) -> str | None:
        self.settle()
        lk = self.keys.previous(self.settings.credentials.api_key, self.clock.now())
        return None if lk is None else lk.key

    def push_listen_key_expired(self, named: str, *, copies: int = 1, **note: Unpack[EventNote]) -> list[int]:
        key = self.active_listen_key()
        return [] if key is None else self._push_expired(named, key, copies, **note)

    # The fault target (fake_server/faults/target.py) ---------------------------------------

    def connections(self, pick: Pick = "all") -> list[Connection]:
        conns = sorted(self.ws.open_connections(), key=lambda c: c.id)
        if pick == "latest":
            return list(conns[-1:])
        if pick == "first":
            return list(conns[:1])
        return list(conns)

    def message_stamp(self, *, before_last: bool = False) -> int:
        if before_last:
            last = self.account.update_ms
            return (last if last else self.clock.epoch_ms()) - 1
        return self.ws.stamp()

    def limit_connection_attempts(self, attempts: int, window: float) -> None:
        self.limits = self.ws.limits = replace(
            self.limits, connection_attempts=attempts, connection_attempt_window=window
        )

    def intercept_rest(self, rule: RestRule) -> None:
        self.rest.rules.append(rule)

    def intercept_upgrades(self, rule: UpgradeRefusal | UpgradeRule) -> None:
        if isinstance(rule, UpgradeRule):
            self.ws.upgrade_rules.append(rule)
        else:
            self.ws.rejections.append(rule)

    def rewrite_events(self, rule: EventRewrite) -> None:
        self.payload_rules.append(rule)

    def hold_pushes(self, hold: PushHold) -> None:
        self.ws.holds.append(hold)

    def swallow_connections(self, rule: Swallow) -> None:
        self.ws.swallows.append(rule)

    def refuse_connections(self, until: float | None) -> None:
        self.ws.refuse(until)

    def exchange_info(self) -> dict[str, Any]:
        """GET exchangeInfo of the profile's product, stamped now."""
        return exchange_info(self.profile, self.symbol, self.settings.rest_limits, self.clock.epoch_ms())


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _event_entry(t: float, event: UserEvent, conns: list[int], note: EventNote | None) -> EventEntry:
    """An event's journal entry, `t` first as `Journal.append` would put it: with the order
    and execution type it is about, and what a payload fault adds (`note`). An event made
    with its text (RenderedEvent) says what it is about without its `o` being parsed."""
    # `e` and `E` are top-level fields, never held as text: read past RenderedEvent's lookup.
    kind = dict.__getitem__(event, "e")
    entry: EventEntry = {
        "t": t,
        "kind": "event",
        "e": kind,
        "E": dict.__getitem__(event, "E"),
        "conns": conns,
    }
    if type(event) is RenderedEvent:
        if event.order_id is not None:
            entry["order_id"] = event.order_id
            if event.x is not None:
                entry["x"] = event.x
    elif kind == "ORDER_TRADE_UPDATE":
        entry["order_id"], entry["x"] = event["o"]["i"], event["o"]["x"]
    elif kind == "TRADE_LITE":
        entry["order_id"] = event["i"]
    return with_note(entry, note) if note else entry
