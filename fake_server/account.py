"""The fake futures account: balances, one position, open orders, and the events they make.

Pure: time comes in as Binance epoch milliseconds, randomness from a seeded Random. The
REST snapshots (`/fapi/v2/account`, `/fapi/v1/openOrders`, `/fapi/v2/positionRisk`) read
the same state the events describe, so a client that resyncs after a gap sees what it
missed. Field names and shapes: binance-reference.md §3 (USD-M ORDER_TRADE_UPDATE,
ACCOUNT_UPDATE); nothing is added that Binance does not send.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Event = dict[str, Any]


@dataclass
class Order:
    order_id: int
    client_id: str
    symbol: str
    side: str
    price: Decimal
    qty: Decimal
    time_ms: int
    update_ms: int
    status: str = "NEW"
    executed: Decimal = Decimal(0)


def _s(d: Decimal) -> str:
    return format(d.normalize(), "f") if d else "0"


class Account:
    def __init__(self, symbol: str, rng: random.Random) -> None:
        self.symbol = symbol
        self._rng = rng
        self.wallet = Decimal("10000.00000000")
        self.position = Decimal(0)
        self.entry_price = Decimal(0)
        self.open_orders: dict[int, Order] = {}
        self._next_order_id = 4_000_000_001
        self._next_trade_id = 300_000_001
        self._last_e = 0
        self.update_ms = 0

    def stamp(self, now_ms: int) -> int:
        # Events of one connection are strictly ordered by E and T (reference §5 Ordering);
        # several events made in the same millisecond still get increasing stamps.
        self._last_e = max(now_ms, self._last_e + 1)
        self.update_ms = self._last_e
        return self._last_e

    def tick(self, now_ms: int) -> list[Event]:
        """One unit of activity: fill the open order (if any), then place a new one."""
        events: list[Event] = []
        for order in list(self.open_orders.values()):
            events.extend(self._fill(order, now_ms))
        events.append(self._place(now_ms))
        return events

    def _place(self, now_ms: int) -> Event:
        side = self._rng.choice(("BUY", "SELL"))
        price = Decimal(self._rng.randrange(6_400_000, 6_600_000)) / 100
        qty = Decimal(self._rng.randrange(1, 10)) / 1000
        oid = self._next_order_id
        self._next_order_id += 1
        stamp = self.stamp(now_ms)
        order = Order(oid, f"web_{oid:x}", self.symbol, side, price, qty, stamp, stamp)
        self.open_orders[oid] = order
        return self._order_event(order, stamp, "NEW", Decimal(0), Decimal(0), 0)

    def _fill(self, order: Order, now_ms: int) -> list[Event]:
        stamp = self.stamp(now_ms)
        trade_id = self._next_trade_id
        self._next_trade_id += 1
        last_qty = order.qty - order.executed
        order.executed = order.qty
        order.status = "FILLED"
        order.update_ms = stamp
        del self.open_orders[order.order_id]
        fee = (last_qty * order.price * Decimal("0.0002")).quantize(Decimal("0.00000001"))
        signed = last_qty if order.side == "BUY" else -last_qty
        if self.position == 0 or (self.position > 0) == (signed > 0):
            total = abs(self.position) + last_qty
            self.entry_price = (
                (abs(self.position) * self.entry_price + last_qty * order.price) / total
            ).quantize(Decimal("0.01"))
        elif abs(signed) > abs(self.position):
            # The fill closed the position and opened one the other way: what remains was
            # opened at this fill's price.
            self.entry_price = order.price
        self.position += signed
        if self.position == 0:
            self.entry_price = Decimal(0)
        self.wallet -= fee
        trade = self._order_event(order, stamp, "TRADE", last_qty, fee, trade_id)
        account_stamp = self.stamp(now_ms)
        account: Event = {
            "e": "ACCOUNT_UPDATE",
            "E": account_stamp,
            "T": stamp,
            "a": {
                "m": "ORDER",
                "B": [{"a": "USDT", "wb": _s(self.wallet), "cw": _s(self.wallet), "bc": "0"}],
                "P": [self._position_fields()],
            },
        }
        return [trade, account]

    def _position_fields(self) -> dict[str, str]:
        return {
            "s": self.symbol,
            "pa": _s(self.position),
            "ep": _s(self.entry_price),
            "bep": _s(self.entry_price),
            "cr": "0",
            "up": "0",
            "mt": "cross",
            "iw": "0",
            "ps": "BOTH",
        }

    def _order_event(
        self, order: Order, stamp: int, exec_type: str, last_qty: Decimal, fee: Decimal, trade_id: int
    ) -> Event:
        filled = exec_type == "TRADE"
        return {
            "e": "ORDER_TRADE_UPDATE",
            "E": stamp,
            "T": stamp,
            "o": {
                "s": order.symbol,
                "c": order.client_id,
                "S": order.side,
                "o": "LIMIT",
                "f": "GTC",
                "q": _s(order.qty),
                "p": _s(order.price),
                "ap": _s(order.price) if filled else "0",
                "sp": "0",
                "x": exec_type,
                "X": order.status,
                "i": order.order_id,
                "l": _s(last_qty),
                "z": _s(order.executed),
                "L": _s(order.price) if filled else "0",
                "N": "USDT",
                "n": _s(fee),
                "T": stamp,
                "t": trade_id,
                "b": "0" if filled or order.side == "SELL" else _s(order.qty * order.price),
                "a": "0" if filled or order.side == "BUY" else _s(order.qty * order.price),
                "m": filled,
                "R": False,
                "wt": "CONTRACT_PRICE",
                "ot": "LIMIT",
                "ps": "BOTH",
                "cp": False,
                "rp": "0",
                "pP": False,
                "si": 0,
                "ss": 0,
                "V": "EXPIRE_TAKER",
                "pm": "NONE",
                "gtd": 0,
                "er": "0",
            },
        }

    # REST snapshots ---------------------------------------------------------------

    def account_snapshot(self) -> dict[str, Any]:
        """`GET /fapi/v2/account`, trimmed to the fields a resync reads."""
        w = _s(self.wallet)
        return {
            "feeTier": 0,
            "canTrade": True,
            "canDeposit": True,
            "canWithdraw": True,
            "updateTime": self.update_ms,
            "multiAssetsMargin": False,
            "tradeGroupId": -1,
            "totalInitialMargin": "0",
            "totalMaintMargin": "0",
            "totalWalletBalance": w,
            "totalUnrealizedProfit": "0",
            "totalMarginBalance": w,
            "totalPositionInitialMargin": "0",
            "totalOpenOrderInitialMargin": "0",
            "totalCrossWalletBalance": w,
            "totalCrossUnPnl": "0",
            "availableBalance": w,
            "maxWithdrawAmount": w,
            "assets": [
                {
                    "asset": "USDT",
                    "walletBalance": w,
                    "unrealizedProfit": "0",
                    "marginBalance": w,
                    "maintMargin": "0",
                    "initialMargin": "0",
                    "positionInitialMargin": "0",
                    "openOrderInitialMargin": "0",
                    "crossWalletBalance": w,
                    "crossUnPnl": "0",
                    "availableBalance": w,
                    "maxWithdrawAmount": w,
                    "marginAvailable": True,
                    "updateTime": self.update_ms,
                }
            ],
            "positions": [
                {
                    "symbol": self.symbol,
                    "initialMargin": "0",
                    "maintMargin": "0",
                    "unrealizedProfit": "0",
                    "positionInitialMargin": "0",
                    "openOrderInitialMargin": "0",
                    "leverage": "20",
                    "isolated": False,
                    "entryPrice": _s(self.entry_price),
                    "breakEvenPrice": _s(self.entry_price),
                    "maxNotional": "1000000",
                    "positionSide": "BOTH",
                    "positionAmt": _s(self.position),
                    "notional": "0",
                    "isolatedWallet": "0",
                    "updateTime": self.update_ms,
                    "bidNotional": "0",
                    "askNotional": "0",
                }
            ],
        }

    def open_orders_snapshot(self) -> list[dict[str, Any]]:
        """`GET /fapi/v1/openOrders`."""
        return [
            {
                "avgPrice": "0",
                "clientOrderId": o.client_id,
                "cumQuote": "0",
                "executedQty": _s(o.executed),
                "orderId": o.order_id,
                "origQty": _s(o.qty),
                "origType": "LIMIT",
                "price": _s(o.price),
                "reduceOnly": False,
                "side": o.side,
                "positionSide": "BOTH",
                "status": o.status,
                "stopPrice": "0",
                "closePosition": False,
                "symbol": o.symbol,
                "time": o.time_ms,
                "timeInForce": "GTC",
                "type": "LIMIT",
                "updateTime": o.update_ms,
                "workingType": "CONTRACT_PRICE",
                "priceProtect": False,
                "priceMatch": "NONE",
                "selfTradePreventionMode": "EXPIRE_TAKER",
                "goodTillDate": 0,
            }
            for o in self.open_orders.values()
        ]

    def position_risk_snapshot(self) -> list[dict[str, Any]]:
        """`GET /fapi/v2/positionRisk`."""
        return [
            {
                "symbol": self.symbol,
                "positionAmt": _s(self.position),
                "entryPrice": _s(self.entry_price),
                "breakEvenPrice": _s(self.entry_price),
                "markPrice": _s(self.entry_price),
                "unRealizedProfit": "0",
                "liquidationPrice": "0",
                "leverage": "20",
                "maxNotionalValue": "1000000",
                "marginType": "cross",
                "isolatedMargin": "0",
                "isAutoAddMargin": "false",
                "positionSide": "BOTH",
                "notional": "0",
                "isolatedWallet": "0",
                "updateTime": self.update_ms,
            }
        ]
