"""The fake's exchange, step by step, against a small reference model (issue 14, point 5).

A Hypothesis state machine drives one FakeBinance in-process: no sockets, and a clock the
test moves by hand. REST calls go to the route handlers the REST front serves, after the
`settle()` the front does first (fake_server/fronts/rest.py); the account's activity is the
control API's `tick`; the fault is `expire_listen_key`. Time passes either on time (the
expiry timers the fake arms run when due, as on an idle event loop) or late (they run only
when the loop catches up, as on a busy one). The WebSocket front has no connections and
keeps what the exchange asks it to push.

The reference below is plain dicts and these rules (binance-reference.md §1-§3, the USD-M
New/Cancel Order pages, docs/fidelity.md "listenKey lifecycle" and "Events and the account"):

- listenKey: one active key per account. POST returns the active key and extends it to
  now + TTL, or makes a key never handed out before; PUT extends the active key, else 400
  -1125; DELETE retires it and pushes nothing, else -1125. A key whose TTL has passed is
  dead (`now >= expires_at`): the fake notices at its next look (a REST call, a tick, a
  fault, an expiry timer), journals `expired`/`ttl` and pushes `listenKeyExpired` to that
  key, once; with its loop on time it notices within GRACE of the TTL. Calls without the
  API key (-2014) or with another one (-2015) change nothing.
- orders: NEW, then FILLED (whole: the fake has no partial fills), CANCELED, or EXPIRED
  for an IOC that does not cross. A MARKET order, or a LIMIT at or through the mark, fills
  at once at the mark (taker); a resting LIMIT fills at its own price when a background
  fill moves the mark to it (maker); a tick fills the open background order at its price,
  moves the mark there, then places the next one. Refused: a client id an open order has
  (-4116), a notional under 100 (-4164), a GTX that would take (-5022), a FOK that would
  rest (-5021); cancelling an order that is not open is -2011.
- events: NEW makes ORDER_TRADE_UPDATE x=NEW; a fill TRADE_LITE, ORDER_TRADE_UPDATE
  x=TRADE and ACCOUNT_UPDATE (m=ORDER, the new position); a cancel or an IOC's end one
  ORDER_TRADE_UPDATE and no ACCOUNT_UPDATE. Every E is now, or one more than the last E
  when that would not increase. Account events go to the active key, or to nobody.

After every step the fake and the reference must agree on: each key's state and expiry,
the journal's listen_key entries, every event made (journal) and pushed (with its key and
the fields above), open orders, every order's status, the fills, the position and the mark.

Examples are bounded and derandomized so CI is quick and repeatable; set
HARNESS_FUZZ_EXAMPLES for a longer run.
"""

from __future__ import annotations

import asyncio
import os
import string
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from fake_server.clock import Clock
from fake_server.exchange.rest_call import Call, RestAnswer
from fake_server.exchange.rest_routes import sign
from fake_server.exchange.settings import Credentials, EventFlow, Settings, Timers
from fake_server.exchange.user_events import UserEvent
from fake_server.faults.expire_listen_key import ExpireListenKey
from fake_server.fronts.websocket import WsFront, WsOwner
from fake_server.journal import Journal
from fake_server.server import FakeBinance
from tests.fake_server._fake_helpers import EPOCH_MS

EXAMPLES = int(os.environ.get("HARNESS_FUZZ_EXAMPLES", "150"))
STEPS = 50

#: A binary fraction, like every step of time below, so sums and comparisons are exact.
TTL = 8.0
#: How soon after the TTL an on-time loop must notice a key's death.
GRACE = 0.01
CREDENTIALS = Credentials()
KEY_PATH = "/fapi/v1/listenKey"
ORDER_PATH = "/fapi/v1/order"
CANCEL_ALL_PATH = "/fapi/v1/allOpenOrders"
SYMBOL = "BTCUSDT"
MIN_NOTIONAL = Decimal(100)
START_MARK = Decimal("65000")
NO_KEY = {"code": -1125, "msg": "This listenKey does not exist."}
ORDER_FIELDS = ("i", "c", "S", "o", "f", "q", "p", "x", "X", "z", "l", "L", "ap", "m", "R", "er")
LITE_FIELDS = ("e", "E", "T", "i", "c", "S", "q", "p", "l", "L", "m")

#: Steps of time: short ones (a key lives on) and those that land before, on and after a TTL.
STEPS_OF_TIME = st.sampled_from([1.0, 0.25, TTL / 2, TTL - 0.25, TTL, TTL + 0.25, 3 * TTL])
PRICES = st.sampled_from(["64990", "65010", "64000", "65000", "65990"])
#: The first of each list is the one Hypothesis leans to: a valid, common choice.
QUANTITIES = st.sampled_from(["0.002", "0.005", "0.001"])  # 0.001 is under the minimum notional
TIME_IN_FORCE = st.sampled_from(["GTC", "IOC", "GTX", "FOK"])
CLIENT_IDS = st.sampled_from([None, "bot-a", "bot-b"])


def text(d: Decimal) -> str:
    """A number as Binance writes it: no exponent, no trailing zeros."""
    return "0" if d == 0 else format(d.normalize(), "f")


# The fake's side --------------------------------------------------------------------------


class HandClock(Clock):
    """A clock that moves only when told; timers run when the test says the loop runs them."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(epoch_ms=EPOCH_MS)
        self.t = 0.0
        self._loop = loop  # never run: it only owns the handles
        self._timers: list[tuple[asyncio.TimerHandle, Callable[[], object]]] = []

    def now(self) -> float:
        return self.t

    def call_later(self, delay: float, callback: Callable[[], object]) -> asyncio.TimerHandle:
        handle = asyncio.TimerHandle(self.t + max(0.0, delay), callback, (), self._loop)
        self._timers.append((handle, callback))
        return handle

    def run_timers(self, until: float, before: Callable[[], None]) -> None:
        """Run every timer due by `until`, earliest first (ties: in the order armed), each at
        its due time, or now if it is overdue (a late loop catching up). `before` runs
        before each one."""
        while True:
            due = [(h, cb) for h, cb in self._timers if not h.cancelled() and h.when() <= until]
            if not due:
                return
            handle, callback = min(due, key=lambda timer: timer[0].when())
            self._timers.remove((handle, callback))
            self.t = max(self.t, handle.when())
            before()
            callback()


class PushRecorder(WsFront):
    """The WebSocket front with no connections, keeping each (listen key, event) it is given."""

    def __init__(self, server: WsOwner) -> None:
        super().__init__(server)
        self.pushed: list[tuple[str, UserEvent]] = []

    def deliver_all(self, listen_key: str, events: list[dict[str, Any]]) -> list[list[int]]:
        self.pushed += [(listen_key, event) for event in events]
        return super().deliver_all(listen_key, events)


def view(event: UserEvent) -> dict[str, Any]:
    """The fields of an event the reference predicts."""
    kind = event["e"]
    if kind == "ORDER_TRADE_UPDATE":
        return {"e": kind, "E": event["E"], "T": event["T"], **{k: event["o"][k] for k in ORDER_FIELDS}}
    if kind == "TRADE_LITE":
        return {k: event[k] for k in LITE_FIELDS}
    if kind == "ACCOUNT_UPDATE":
        (position,) = event["a"]["P"]
        return {"e": kind, "E": event["E"], "T": event["T"], "m": event["a"]["m"], "pa": position["pa"]}
    assert kind == "listenKeyExpired", f"an event the reference never makes: {event}"
    return dict(event)


def journal_view(v: dict[str, Any]) -> tuple[Any, ...]:
    """What the journal's `event` entry keeps of an event."""
    order_id = v["i"] if v["e"] in ("ORDER_TRADE_UPDATE", "TRADE_LITE") else None
    return (v["e"], v["E"], order_id, v["x"] if v["e"] == "ORDER_TRADE_UPDATE" else None)


# The reference ----------------------------------------------------------------------------


class Reference:
    """What Binance's rules say the exchange holds and sends, in plain dicts and lists."""

    def __init__(self) -> None:
        self.last_e = 0
        #: Every listen key handed out: {"state": active|expired|deleted, "expires_at": s}.
        self.keys: dict[str, dict[str, Any]] = {}
        self.active: str | None = None
        self.key_log: list[tuple[str, str, str | None]] = []
        #: Every order, by id; the open ones' ids, oldest first.
        self.orders: dict[int, dict[str, Any]] = {}
        self.open: list[int] = []
        self.fills: list[tuple[int, str, str, bool]] = []  # order id, qty, price, maker
        self.position = Decimal(0)
        self.mark = START_MARK
        self.made: list[dict[str, Any]] = []
        self.pushed: list[tuple[str, dict[str, Any]]] = []

    def stamp(self, now_ms: int) -> int:
        self.last_e = max(now_ms, self.last_e + 1)
        return self.last_e

    def emit(self, event: dict[str, Any]) -> None:
        self.made.append(event)
        if self.active is not None:
            self.pushed.append((self.active, event))

    # listenKey

    def look(self, now: float, now_ms: int, *, on_time_since: float | None = None) -> None:
        """The exchange looks at its keys: a key past its TTL dies now, and says so.

        `on_time_since`: the loop has run its timers on time since then, so a key that died
        in that stretch must be noticed within GRACE."""
        key = self.active
        if key is None or now < self.keys[key]["expires_at"]:
            return
        if on_time_since is not None:
            late = now - max(self.keys[key]["expires_at"], on_time_since)
            assert late <= GRACE, f"with the loop on time, {key} was noticed dead {late:.3f}s late"
        self.retire(key, "expired", "ttl")
        self.announce_expiry(key, now_ms)

    def announce_expiry(self, key: str, now_ms: int) -> None:
        """`listenKeyExpired`, pushed to the dead key's sockets (USD-M: e, E, listenKey)."""
        event = {"e": "listenKeyExpired", "E": self.stamp(now_ms), "listenKey": key}
        self.made.append(event)
        self.pushed.append((key, event))

    def retire(self, key: str, state: str, why: str | None) -> None:
        self.keys[key]["state"] = state
        self.active = None
        self.key_log.append((state, key, why))

    def extend(self, now: float) -> str | None:
        """POST or PUT on the active key: it lives TTL from now."""
        if self.active is not None:
            self.keys[self.active]["expires_at"] = now + TTL
        return self.active

    def adopt(self, key: str, now: float) -> None:
        assert key not in self.keys, f"POST handed out {key} again"
        assert len(key) == 64 and set(key) <= set(string.ascii_letters + string.digits), key
        self.keys[key] = {"state": "active", "expires_at": now + TTL}
        self.active = key
        self.key_log.append(("created", key, None))

    # Orders

    def crosses(self, side: str, price: Decimal) -> bool:
        return price >= self.mark if side == "BUY" else price <= self.mark

    def refusal(self, order: dict[str, Any]) -> int | None:
        if order["c"] is not None and any(self.orders[i]["c"] == order["c"] for i in self.open):
            return -4116
        at = self.mark if order["o"] == "MARKET" else order["p"]
        if order["q"] * at < MIN_NOTIONAL:
            return -4164
        crossing = order["o"] == "MARKET" or self.crosses(order["S"], order["p"])
        if order["f"] == "GTX" and crossing:
            return -5022
        if order["f"] == "FOK" and not crossing:
            return -5021
        return None

    def order_event(self, o: dict[str, Any], x: str, e: int, **trade: Any) -> dict[str, Any]:
        return {
            "e": "ORDER_TRADE_UPDATE",
            "E": e,
            "T": trade.get("T", e),
            "i": o["i"],
            "c": o["c"],
            "S": o["S"],
            "o": o["o"],
            "f": o["f"],
            "q": text(o["q"]),
            "p": text(o["p"]),
            "x": x,
            "X": o["X"],
            "z": text(o["z"]),
            "l": text(trade.get("l", Decimal(0))),
            "L": text(trade.get("L", Decimal(0))),
            "ap": text(o["ap"]),
            "m": trade.get("m", False),
            "R": False,
            "er": trade.get("er", "0"),
        }

    def accept(self, o: dict[str, Any], now_ms: int) -> None:
        o.update(X="NEW", z=Decimal(0), ap=Decimal(0))
        self.orders[o["i"]] = o
        self.open.append(o["i"])
        self.emit(self.order_event(o, "NEW", self.stamp(now_ms)))

    def place(self, o: dict[str, Any], now_ms: int) -> None:
        """A client's accepted order: NEW, then at once a fill, an IOC's end, or nothing (it rests)."""
        self.accept(o, now_ms)
        if o["o"] == "MARKET" or self.crosses(o["S"], o["p"]):
            self.fill(o, self.mark, maker=False, now_ms=now_ms)
        elif o["f"] == "IOC":
            self.end(o, "EXPIRED", now_ms, er="2")

    def fill(self, o: dict[str, Any], price: Decimal, *, maker: bool, now_ms: int) -> None:
        last = o["q"] - o["z"]
        trade_time = self.stamp(now_ms)
        o.update(X="FILLED", z=o["q"], ap=price)
        self.open.remove(o["i"])
        self.position += last if o["S"] == "BUY" else -last
        self.fills.append((o["i"], text(last), text(price), maker))
        self.emit(
            {"e": "TRADE_LITE", "E": trade_time, "T": trade_time, "i": o["i"], "c": o["c"], "S": o["S"]}
            | {"q": text(o["q"]), "p": text(o["p"]), "l": text(last), "L": text(price), "m": maker}
        )
        self.emit(self.order_event(o, "TRADE", self.stamp(now_ms), T=trade_time, l=last, L=price, m=maker))
        self.emit(
            {"e": "ACCOUNT_UPDATE", "E": self.stamp(now_ms), "T": trade_time, "m": "ORDER"}
            | {"pa": text(self.position)}
        )

    def end(self, o: dict[str, Any], status: str, now_ms: int, er: str = "0") -> None:
        o["X"] = status
        self.open.remove(o["i"])
        self.emit(self.order_event(o, status, self.stamp(now_ms), er=er))

    def find_open(self, order_id: int | None, client_id: str | None) -> dict[str, Any] | None:
        for i in self.open:
            if i == order_id or (order_id is None and self.orders[i]["c"] == client_id):
                return self.orders[i]
        return None

    def tick(self, placed: dict[str, Any], now_ms: int) -> None:
        """The market trades: the open background order fills at its price and moves the mark
        there, resting client orders it reaches fill, and the next background order is
        placed, to rest until the next tick (`placed`: its side, price and quantity are the
        fake's random draw, the market's doing, not a rule)."""
        for i in [i for i in self.open if not self.orders[i]["client"]]:
            background = self.orders[i]
            self.fill(background, background["p"], maker=True, now_ms=now_ms)
            self.mark = background["p"]
            for j in [j for j in self.open if self.orders[j]["client"]]:
                if self.crosses(self.orders[j]["S"], self.orders[j]["p"]):
                    self.fill(self.orders[j], self.orders[j]["p"], maker=True, now_ms=now_ms)
        assert placed["i"] not in self.orders, f"order id {placed['i']} used twice"
        assert placed["S"] in ("BUY", "SELL") and placed["X"] == "NEW", placed
        self.accept(
            {
                "i": placed["i"],
                "c": placed["c"],
                "S": placed["S"],
                "o": "LIMIT",
                "f": "GTC",
                "q": Decimal(placed["q"]),
                "p": Decimal(placed["p"]),
                "client": False,
            },
            now_ms,
        )


# The machine ------------------------------------------------------------------------------


class ExchangeMachine(RuleBasedStateMachine):
    """Each rule does one thing to the fake and tells the reference what Binance would do;
    the invariants compare the two, so a failure names the first step where they part."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.clock = HandClock(self.loop)
        settings_ = Settings(timers=Timers(listen_key_ttl=TTL), events=EventFlow(rate=0.0, seed=5))
        self.fake = FakeBinance(settings_, self.clock, Journal(self.clock))
        self.streams = PushRecorder(self.fake)
        self.fake.ws = self.streams
        self.ref = Reference()
        #: How far the invariants have compared the journal and the pushes.
        self.seen_entries = self.seen_events = self.seen_pushes = 0
        self.journal_keys: list[tuple[str, str, str | None]] = []
        self.journal_events: list[tuple[Any, ...]] = []

    def teardown(self) -> None:
        self.loop.close()

    # Driving the fake

    def look(self) -> None:
        """Both sides bring key expiry up to now, as the REST front does before each call."""
        self.ref.look(self.clock.now(), self.clock.epoch_ms())
        self.fake.settle()

    def call(
        self, method: str, path: str, api_key: str | None = CREDENTIALS.api_key, **params: str
    ) -> RestAnswer:
        """One REST call, through the route the REST front would pick (signed when it has
        parameters), after the look the front takes first."""
        self.look()
        raw = ""
        if params:
            raw = urlencode({**params, "timestamp": self.clock.epoch_ms()})
            raw += "&signature=" + sign(CREDENTIALS.api_secret, raw)
        call = Call(method, path, dict(parse_qsl(raw)), raw, api_key, "127.0.0.1")
        return self.fake.rest.api.routes[(method, path)].handler(call)

    # listenKey rules

    @initialize()
    def start_with_a_key(self) -> None:
        """Clients begin with a POST; later steps may retire the key and make another."""
        self.post_listen_key()

    @rule()
    def post_listen_key(self) -> None:
        status, body = self.call("POST", KEY_PATH)
        now = self.clock.now()
        assert status == 200, body
        key = self.ref.extend(now)
        if key is None:
            self.ref.adopt(body["listenKey"], now)
        else:
            assert body == {"listenKey": key}, "POST with an active key must return that key"
            self.ref.key_log.append(("reused", key, None))

    @rule()
    def put_listen_key(self) -> None:
        answer = self.call("PUT", KEY_PATH)
        key = self.ref.extend(self.clock.now())
        if key is None:
            assert answer == (400, NO_KEY)
        else:
            assert answer == (200, {"listenKey": key})
            self.ref.key_log.append(("extended", key, None))

    @rule()
    def delete_listen_key(self) -> None:
        answer = self.call("DELETE", KEY_PATH)
        key = self.ref.active
        if key is None:
            assert answer == (400, NO_KEY)
        else:
            assert answer == (200, {})
            self.ref.retire(key, "deleted", None)

    @rule(
        method=st.sampled_from(["POST", "PUT", "DELETE"]),
        api_key=st.sampled_from([None, "notTheAccountsKey"]),
    )
    def listen_key_call_by_a_stranger(self, method: str, api_key: str | None) -> None:
        """Without the API key (-2014) or with another one (-2015): refused, nothing changes."""
        status, body = self.call(method, KEY_PATH, api_key=api_key)
        assert (status, body.get("code")) == ((401, -2014) if api_key is None else (401, -2015)), body

    @rule(notify=st.booleans())
    def expire_listen_key_fault(self, *, notify: bool) -> None:
        now, now_ms = self.clock.now(), self.clock.epoch_ms()
        self.ref.look(now, now_ms)  # a fault fires on the loop, like a timer: the exchange looks
        touched = ExpireListenKey(notify=notify).apply(self.fake)
        assert touched == []  # no connections
        key = self.ref.active
        if key is not None:
            self.ref.retire(key, "expired", "fault")
            if notify:
                self.ref.announce_expiry(key, now_ms)

    # Time

    @rule(dt=STEPS_OF_TIME, on_time=st.booleans())
    def time_passes(self, dt: float, on_time: bool) -> None:
        """On time: the timers run as time passes, each when due, and the overdue ones of a
        late loop at once (it catches up). Late: none runs."""
        start, target = self.clock.t, self.clock.t + dt
        if on_time:

            def look() -> None:  # the reference looks each time a timer of the fake runs
                self.ref.look(self.clock.now(), self.clock.epoch_ms(), on_time_since=start)

            self.clock.run_timers(target, before=look)
            key = self.ref.active
            assert key is None or self.ref.keys[key]["expires_at"] >= target, (
                f"{key} outlived its TTL with the loop on time: no expiry timer ran"
            )
        self.clock.t = target

    # Orders

    @rule(
        side=st.sampled_from(["BUY", "SELL"]),
        market=st.booleans(),
        qty=QUANTITIES,
        price=PRICES,
        tif=TIME_IN_FORCE,
        client_id=CLIENT_IDS,
    )
    def place_order(
        self, side: str, market: bool, qty: str, price: str, tif: str, client_id: str | None
    ) -> None:
        params = {"symbol": SYMBOL, "side": side, "type": "MARKET" if market else "LIMIT", "quantity": qty}
        if not market:
            params |= {"price": price, "timeInForce": tif}
        if client_id is not None:
            params["newClientOrderId"] = client_id
        order: dict[str, Any] = {
            "c": client_id,
            "S": side,
            "o": params["type"],
            "f": "GTC" if market else tif,
            "q": Decimal(qty),
            "p": Decimal(0) if market else Decimal(price),
            "client": True,
        }
        refused = self.ref.refusal(order)
        status, body = self.call("POST", ORDER_PATH, **params)
        if refused is not None:
            assert (status, body.get("code")) == (400, refused), body
            return
        assert status == 200, body
        # ACK, the default answer: the order as accepted, before any fill.
        assert (body["status"], body["executedQty"], body["side"], body["type"]) == (
            "NEW",
            "0",
            side,
            order["o"],
        )
        if client_id is None:
            assert len(body["clientOrderId"]) == 22, body  # Binance makes one up
        else:
            assert body["clientOrderId"] == client_id
        order |= {"i": body["orderId"], "c": body["clientOrderId"]}
        assert order["i"] not in self.ref.orders, f"order id {order['i']} used twice"
        self.ref.place(order, self.clock.epoch_ms())

    @rule(pick=st.integers(0, 7), by_client_id=st.booleans())
    def cancel(self, pick: int, by_client_id: bool) -> None:
        """Cancel an open order, a done one, one that never was, or (7) all open orders."""
        if pick == 7:
            status, body = self.call("DELETE", CANCEL_ALL_PATH, symbol=SYMBOL)
            assert (status, body.get("code")) == (200, 200), body
            for i in list(self.ref.open):
                self.ref.end(self.ref.orders[i], "CANCELED", self.clock.epoch_ms())
            return
        done = [i for i in self.ref.orders if i not in self.ref.open]
        choices: list[int | None] = [*self.ref.open, *done, None]
        order_id = choices[pick % len(choices)]
        params = {"symbol": SYMBOL}
        if by_client_id:
            params["origClientOrderId"] = "nobody" if order_id is None else self.ref.orders[order_id]["c"]
        else:
            params["orderId"] = str(order_id or 1)
        status, body = self.call("DELETE", ORDER_PATH, **params)
        target = self.ref.find_open(None if by_client_id else order_id, params.get("origClientOrderId"))
        if target is None:
            assert (status, body) == (400, {"code": -2011, "msg": "Unknown order sent."})
            return
        assert status == 200 and (body["orderId"], body["status"]) == (target["i"], "CANCELED"), body
        self.ref.end(target, "CANCELED", self.clock.epoch_ms())

    @rule()
    def tick(self) -> None:
        """The control API's `tick`: look, one unit of account activity, publish it."""
        self.look()
        batch = self.fake.futures_account.tick(self.clock.epoch_ms())
        self.fake.publish(batch)
        placed = batch[-1]["o"]
        self.ref.tick({k: placed[k] for k in ("i", "c", "S", "q", "p", "X")}, self.clock.epoch_ms())

    # Agreement

    @invariant()
    def keys_agree(self) -> None:
        active = []
        for key, expected in self.ref.keys.items():
            lk = self.fake.keys.lookup(key)
            assert lk is not None, f"{key} is unknown to the fake"
            assert (lk.state, lk.expires_at) == (expected["state"], expected["expires_at"]), key
            assert lk.api_key == CREDENTIALS.api_key
            active += [key] if lk.state == "active" else []
        assert active == ([self.ref.active] if self.ref.active else []), "one active key per API key"

    @invariant()
    def journal_and_pushes_agree(self) -> None:
        """The journal's listen_key and event entries, and the pushes, since the last step."""
        entries = self.fake.journal.entries[self.seen_entries :]
        self.seen_entries += len(entries)
        self.journal_keys += [
            (e["action"], e["key"], e.get("why")) for e in entries if e["kind"] == "listen_key"
        ]
        self.journal_events += [
            (e["e"], e["E"], e.get("order_id"), e.get("x")) for e in entries if e["kind"] == "event"
        ]
        assert self.journal_keys == self.ref.key_log
        assert self.journal_events[self.seen_events :] == [
            journal_view(v) for v in self.ref.made[self.seen_events :]
        ]
        self.seen_events = len(self.journal_events)
        pushed = self.streams.pushed[self.seen_pushes :]
        assert [(key, view(event)) for key, event in pushed] == self.ref.pushed[self.seen_pushes :]
        self.seen_pushes += len(pushed)

    @invariant()
    def orders_agree(self) -> None:
        account = self.fake.futures_account
        assert [o["orderId"] for o in account.open_orders_snapshot()] == self.ref.open
        for order_id, o in self.ref.orders.items():
            got = account.query(order_id, None)
            assert (got["status"], got["executedQty"], got["avgPrice"], got["clientOrderId"]) == (
                o["X"],
                text(o["z"]),
                text(o["ap"]),
                o["c"],
            ), order_id
        fills = [(f.order_id, text(f.qty), text(f.price), f.maker) for f in account.fills]
        assert fills == self.ref.fills
        trade_ids = [f.trade_id for f in account.fills]
        assert trade_ids == sorted(set(trade_ids)), "trade ids are unique and increasing"
        assert (account.position, account.mark_price) == (self.ref.position, self.ref.mark)


ExchangeMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_exchange_model_matches_reference = ExchangeMachine.TestCase
