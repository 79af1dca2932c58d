"""The fake spot account: balances, open orders and the spot user-data events they make.

Spot user data (after 2026-02-20 only through the WebSocket API subscription) carries
`executionReport` for every order change and `outboundAccountPosition` for the balances it
moved (binance-reference.md §3 "Spot and margin"). Pure, like the futures account: time in
epoch milliseconds, randomness from a seeded Random, E strictly increasing; the REST
snapshots (`/api/v3/account`, `/api/v3/openOrders`, `/api/v3/allOrders`, `/api/v3/order`)
read the same state.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fake_server.order_history import HistoryQuery, find, select
from fake_server.stamps import Stamps

Event = dict[str, Any]
#: Done orders GET /api/v3/order and allOrders still find (a long run would grow without bound).
HISTORY = 10_000


def _s(d: Decimal) -> str:
    return f"{d:.8f}"


@dataclass
class SpotOrder:
    order_id: int
    client_id: str
    side: str
    price: Decimal
    qty: Decimal
    time_ms: int
    update_ms: int
    status: str = "NEW"
    executed: Decimal = Decimal(0)


class SpotAccount:
    def __init__(self, symbol: str, rng: random.Random) -> None:
        self.symbol = symbol
        self.base, self.quote = symbol.removesuffix("USDT"), "USDT"
        self._rng = rng
        self.free = {self.base: Decimal("1.00000000"), self.quote: Decimal("100000.00000000")}
        self.locked = {self.base: Decimal(0), self.quote: Decimal(0)}
        self.open_orders: dict[int, SpotOrder] = {}
        #: Every open order and the last HISTORY done ones, for GET /api/v3/order and allOrders.
        self.orders: dict[int, SpotOrder] = {}
        self._done: deque[int] = deque()
        self._next_order_id = 28_000_000_001
        self._next_trade_id = 1_800_000_001
        self._stamps = Stamps()
        self.update_ms = 0

    def stamp(self, now_ms: int) -> int:
        self.update_ms = self._stamps.next(now_ms)
        return self.update_ms

    def tick(self, now_ms: int) -> list[Event]:
        """Fill the open order (if any), then place a new one: the same rhythm as futures."""
        events: list[Event] = []
        for order in list(self.open_orders.values()):
            events += self._fill(order, now_ms)
        events += self._place(now_ms)
        return events

    def _place(self, now_ms: int) -> list[Event]:
        side = self._rng.choice(("BUY", "SELL"))
        price = Decimal(self._rng.randrange(6_400_000, 6_600_000)) / 100
        qty = Decimal(self._rng.randrange(1, 10)) / 1000
        oid = self._next_order_id
        self._next_order_id += 1
        stamp = self.stamp(now_ms)
        order = SpotOrder(oid, f"web_{oid:x}", side, price, qty, stamp, stamp)
        self.open_orders[oid] = self.orders[oid] = order
        asset, amount = (self.quote, qty * price) if side == "BUY" else (self.base, qty)
        self.free[asset] -= amount
        self.locked[asset] += amount
        return [self._report(order, stamp, "NEW", Decimal(0), Decimal(0), -1), self._position(now_ms)]

    def _fill(self, order: SpotOrder, now_ms: int) -> list[Event]:
        stamp = self.stamp(now_ms)
        trade_id = self._next_trade_id
        self._next_trade_id += 1
        last = order.qty - order.executed
        order.executed, order.status, order.update_ms = order.qty, "FILLED", stamp
        del self.open_orders[order.order_id]
        self._done.append(order.order_id)
        while len(self._done) > HISTORY:
            del self.orders[self._done.popleft()]
        quote = last * order.price
        fee = (last * Decimal("0.001")).quantize(Decimal("0.00000001"))
        if order.side == "BUY":
            self.locked[self.quote] -= quote
            self.free[self.base] += last - fee
        else:
            self.locked[self.base] -= last
            self.free[self.quote] += quote
        return [self._report(order, stamp, "TRADE", last, fee, trade_id), self._position(now_ms)]

    def _position(self, now_ms: int) -> Event:
        stamp = self.stamp(now_ms)
        return {
            "e": "outboundAccountPosition",
            "E": stamp,
            "u": stamp,
            "B": [{"a": a, "f": _s(self.free[a]), "l": _s(self.locked[a])} for a in (self.base, self.quote)],
        }

    def _report(
        self, order: SpotOrder, stamp: int, exec_type: str, last: Decimal, fee: Decimal, trade_id: int
    ) -> Event:
        filled = exec_type == "TRADE"
        cum_quote = order.executed * order.price
        return {
            "e": "executionReport",
            "E": stamp,
            "s": self.symbol,
            "c": order.client_id,
            "S": order.side,
            "o": "LIMIT",
            "f": "GTC",
            "q": _s(order.qty),
            "p": _s(order.price),
            "P": _s(Decimal(0)),
            "F": _s(Decimal(0)),
            "g": -1,
            "C": "",
            "x": exec_type,
            "X": order.status,
            "r": "NONE",
            "i": order.order_id,
            "l": _s(last),
            "z": _s(order.executed),
            "L": _s(order.price if filled else Decimal(0)),
            "n": _s(fee),
            "N": (self.base if order.side == "BUY" else self.quote) if filled else None,
            "T": stamp,
            "t": trade_id,
            "I": stamp,  # execution id: unique and increasing, like the real one
            "w": not filled,
            "m": filled,
            "M": False,
            "O": order.time_ms,
            "Z": _s(cum_quote),
            "Y": _s(last * order.price),
            "Q": _s(Decimal(0)),
            "W": order.time_ms,
            "V": "EXPIRE_MAKER",
        }

    # REST snapshots -------------------------------------------------------------------------

    def account_snapshot(self) -> dict[str, Any]:
        """`GET /api/v3/account`."""
        return {
            "makerCommission": 10,
            "takerCommission": 10,
            "buyerCommission": 0,
            "sellerCommission": 0,
            "commissionRates": {
                "maker": "0.00100000",
                "taker": "0.00100000",
                "buyer": "0.00000000",
                "seller": "0.00000000",
            },
            "canTrade": True,
            "canWithdraw": True,
            "canDeposit": True,
            "brokered": False,
            "requireSelfTradePrevention": False,
            "preventSor": False,
            "updateTime": self.update_ms,
            "accountType": "SPOT",
            "balances": [
                {"asset": a, "free": _s(self.free[a]), "locked": _s(self.locked[a])}
                for a in (self.base, self.quote)
            ],
            "permissions": ["SPOT"],
            "uid": 354937868,
        }

    def order_fields(self, o: SpotOrder) -> dict[str, Any]:
        """An order as `GET /api/v3/order`, `openOrders` and `allOrders` show it."""
        return {
            "symbol": self.symbol,
            "orderId": o.order_id,
            "orderListId": -1,
            "clientOrderId": o.client_id,
            "price": _s(o.price),
            "origQty": _s(o.qty),
            "executedQty": _s(o.executed),
            "cummulativeQuoteQty": _s(o.executed * o.price),
            "status": o.status,
            "timeInForce": "GTC",
            "type": "LIMIT",
            "side": o.side,
            "stopPrice": _s(Decimal(0)),
            "icebergQty": _s(Decimal(0)),
            "time": o.time_ms,
            "updateTime": o.update_ms,
            "isWorking": True,
            "workingTime": o.time_ms,
            "origQuoteOrderQty": _s(Decimal(0)),
            "selfTradePreventionMode": "EXPIRE_MAKER",
        }

    def open_orders_snapshot(self) -> list[dict[str, Any]]:
        """`GET /api/v3/openOrders`."""
        return [self.order_fields(o) for o in self.open_orders.values()]

    def query(self, order_id: int | None, client_id: str | None) -> dict[str, Any] | None:
        """`GET /api/v3/order`: the order, or None (Binance's -2013) when there is none."""
        order = find(self.orders, order_id, client_id)
        return None if order is None else self.order_fields(order)

    def all_orders_snapshot(self, query: HistoryQuery) -> list[dict[str, Any]]:
        """`GET /api/v3/allOrders`."""
        return [self.order_fields(o) for o in select(self.orders.values(), query)]
