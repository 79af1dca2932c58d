"""The fake futures account: balances, one position, orders, and the events they make.

Pure: time comes in as Binance epoch milliseconds, randomness from a seeded Random. The
REST snapshots (`/fapi/v2/account` and v3, `/fapi/v1/openOrders`, `/fapi/v1/allOrders`,
`/fapi/v2/positionRisk` and v3, the balance routes, `/fapi/v1/order`) read the same state
the events describe, so a client that resyncs after
a gap sees what it missed. Field names and shapes: binance-reference.md §3 (USD-M
ORDER_TRADE_UPDATE, TRADE_LITE, ACCOUNT_UPDATE) and the USD-M New/Cancel/Query Order pages;
nothing is added that Binance does not send. Values, fees, PnL and entry prices go through the
symbol's `Contract` (contract.py): linear on USD-M and portfolio margin, inverse on COIN-M,
whose account (coinm_account.py) is this one in COIN-M's shapes.

Two kinds of orders share one id sequence and one `stamp()` sequence (so E stays strictly
increasing on a socket):
- background orders (`EventFlow.rate` ticks): each tick fills the open background order at
  its price and places a new one. Each background fill moves the mark price to its price:
  it stands for the market trading.
- client orders (`POST /fapi/v1/order`): MARKET fills at once at the mark; a LIMIT at or
  through the mark (BUY price >= mark, SELL price <= mark) fills at once at the mark, as a
  taker; any other LIMIT rests and fills at its own price, as a maker, when the mark
  reaches it (a background fill, or `move_mark`). Fills are whole (no partial fills).

Every fill makes TRADE_LITE, ORDER_TRADE_UPDATE (TRADE) and ACCOUNT_UPDATE, in that order
(TRADE_LITE is the low-latency copy, pushed first). Placing makes ORDER_TRADE_UPDATE (NEW);
a cancel makes ORDER_TRADE_UPDATE (CANCELED) and no ACCOUNT_UPDATE ("unfilled or cancelled
orders produce no event", reference §3).
"""

from __future__ import annotations

import random
import string
from collections import deque
from decimal import Decimal
from typing import Any, Literal

from fake_server.exchange import binance_errors, futures_events
from fake_server.exchange.contract import LINEAR, Contract
from fake_server.exchange.futures_order import Fill, Order
from fake_server.exchange.order_history import HistoryQuery, find, select
from fake_server.exchange.orders import OrderRejected, OrderRequest
from fake_server.exchange.position_economics import (
    Economics,
    bracket_cums,
    economics,
    isolated_wallet,
    max_notional,
    unrealized_pnl,
)
from fake_server.exchange.stamps import Stamps
from fake_server.exchange.user_events import UserEvent

Shape = Literal["new", "cancel", "query"]

#: The position's leverage at start (POST /fapi/v1/leverage changes `Account.leverage`). A
#: position at LEVERAGE may reach the cap of the last bracket that still allows LEVERAGE
#: (`Contract.brackets`): the `maxNotional` (COIN-M `maxQty`) the snapshots show.
LEVERAGE = 20
#: Fills GET /fapi/v1/userTrades and /fapi/v1/income still find.
FILL_HISTORY = 10_000
#: Done background orders GET /fapi/v1/order still finds.
BACKGROUND_HISTORY = 10_000
#: What amounts (fees, realized PnL) are rounded to, built once, not per fill.
_AMOUNT = Decimal("0.00000001")


#: Texts of the values `str` writes with an exponent (under a millionth, or with a positive
#: exponent) or with more digits than the context keeps, which `_s` must normalize and
#: format, by value: several times the cost of the usual case.
_TEXTS: dict[Decimal, str] = {}
#: `_TEXTS` starts again past this many values.
_TEXTS_MAX = 4096


def amount_text(d: Decimal) -> str:
    """A Decimal as Binance writes it: no exponent, no trailing zeros ("0" for zero).

    Equal Decimals (1.50 and 1.5) have the same text. `str` is the cheap way there (a tenth
    of normalizing and formatting, and a new value's hash costs as much): in plain notation
    it writes the digits, with the trailing zeros of the exponent stripped here."""
    if not d:  # half of an order update's amounts
        return "0"
    text = str(d)
    if "E" in text or len(text) > 28:  # more digits than normalize keeps: it rounds them
        found = _TEXTS.get(d)
        if found is None:
            if len(_TEXTS) >= _TEXTS_MAX:
                _TEXTS.clear()
            found = _TEXTS[d] = format(d.normalize(), "f")
        return found
    if text[-1] == "0" and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


_ZERO = Decimal(0)
_new_tuple = tuple.__new__
#: The background flow's sides, by the number drawn.
_SIDES = ("BUY", "SELL")

#: Short, as the account writes an amount in almost every field.
_s = amount_text


class Account:
    #: What the product calls the size a leverage allows (positionRisk, POST leverage) and a
    #: position's value (positionRisk): USD-M's names; COIN-M's in coinm_account.py.
    CAP_FIELD = "maxNotionalValue"
    NOTIONAL_FIELD = "notional"
    #: The bounds of a leverage bracket (USD-M: notionals; COIN-M: base-asset quantities).
    BRACKET_BOUNDS = ("notionalCap", "notionalFloor")
    #: Whether ORDER_TRADE_UPDATE takes COIN-M's shape (futures_events.order_update).
    COINM_EVENTS = False

    def __init__(
        self,
        symbol: str,
        rng: random.Random,
        contract: Contract = LINEAR,
        *,
        first_order_id: int = 4_000_000_001,
    ) -> None:
        self.symbol = symbol
        #: What a unit of the symbol is worth: linear (USD-M) or inverse (COIN-M).
        self.contract = contract
        self.rules = contract.rules
        self._rng = rng
        #: The background flow's quantities by the number drawn (1 to 9 steps), built once.
        self._background_qty = tuple(n * contract.rules.step_size for n in range(10))
        self._background_qty_text = tuple(map(amount_text, self._background_qty))
        self.wallet = contract.wallet
        self.position = Decimal(0)
        self.entry_price = Decimal(0)
        #: The price MARKET orders fill at and resting LIMIT orders wait for; background
        #: fills move it. (Binance's mark price is an index; here it is the last trade.)
        self.mark_price = Decimal("65000.00")
        self.open_orders: dict[int, Order] = {}
        #: Orders for GET /fapi/v1/order: every client order, and the last
        #: BACKGROUND_HISTORY done background orders (a long run would grow without bound).
        self.orders: dict[int, Order] = {}
        self._done_background: deque[int] = deque()
        #: Order ids are unique per symbol across accounts: another account starts elsewhere.
        self._next_order_id = first_order_id
        self._next_trade_id = 300_000_001
        self._stamps = Stamps()
        self.update_ms = 0
        #: The symbol's settings (POST leverage, marginType; positionSide/dual, multiAssetsMargin).
        self.leverage = LEVERAGE
        self.isolated = False
        self.dual_side = False
        self.multi_assets = False
        #: The BNB fee discount (`POST /fapi/v1/feeBurn`), reported by `/fapi/v2/account` too.
        self.fee_burn = False
        self.fills: deque[Fill] = deque(maxlen=FILL_HISTORY)
        #: Margin added to (or taken from) an isolated position: POST positionMargin.
        self.added_margin = Decimal(0)
        self.margin_history: list[dict[str, Any]] = []
        #: POST countdownCancelAll's countdown (ms; 0: off). Recorded, not fired.
        self.countdown_ms = 0
        #: PUT /fapi/v1/order's changes, for GET /fapi/v1/orderAmendment.
        self.amendments: list[dict[str, Any]] = []

    @property
    def pair(self) -> str:
        """The symbol's `pair` (USD-M: the symbol itself; COIN-M: BTCUSD of BTCUSD_PERP)."""
        return self.symbol

    def stamp(self, now_ms: int) -> int:
        self.update_ms = self._stamps.next(now_ms)
        return self.update_ms

    def tick(self, now_ms: int) -> list[UserEvent]:
        """One unit of activity: fill the open background order (if any), then place a new one.

        The fill moves the mark to its price, which may fill resting client orders.
        """
        events: list[UserEvent] = []
        open_orders = self.open_orders
        for order in [o for o in open_orders.values() if not o.by_client]:
            events += self._fill(order, now_ms, order.price, maker=True)
            self.mark_price = order.price
            if open_orders:  # only client orders are left to cross (usually none)
                events += self._cross(now_ms)
        events.append(self._place(now_ms))
        return events

    def move_mark(self, price: Decimal, now_ms: int) -> list[UserEvent]:
        """Set the mark price; resting client orders it reaches fill at their own price."""
        self.mark_price = price
        return self._cross(now_ms)

    def _new_order_id(self) -> int:
        oid = self._next_order_id
        self._next_order_id += 1
        return oid

    def _place(self, now_ms: int) -> UserEvent:
        """The background flow's next order: a LIMIT of 1 to 9 steps at 64,000.00 to
        65,999.99, either side, drawn from the account's Random, and its NEW."""
        # The draws `choice(("BUY", "SELL"))`, `randrange(6_400_000, 6_600_000)` and
        # `randrange(1, 10)` make, in that order: each takes getrandbits of its width's bit
        # length until one falls below the width. Made here without those calls and their
        # checks (3.5 us a tick against 0.8); the pinned runs (test_event_bytes) hold the
        # sequence to theirs.
        bits = self._rng.getrandbits
        side = bits(2)
        while side >= 2:
            side = bits(2)
        cents = bits(18)
        while cents >= 200_000:
            cents = bits(18)
        steps = bits(4)
        while steps >= 9:
            steps = bits(4)
        # The price's text from its cents (always 7 digits), trailing zeros stripped, and
        # the Decimal of that text: the value and exponent `Decimal(cents) / 100` gives.
        digits = str(6_400_000 + cents)
        if digits[-1] != "0":
            price_text = f"{digits[:-2]}.{digits[-2:]}"
        elif digits[-2] != "0":
            price_text = f"{digits[:-2]}.{digits[-2]}"
        else:
            price_text = digits[:-2]
        oid = self._next_order_id
        self._next_order_id = oid + 1
        stamp = self.update_ms = self._stamps.next(now_ms)
        client_id = f"web_{oid:x}"
        order = Order(
            oid,
            client_id,
            self.symbol,
            _SIDES[side],
            Decimal(price_text),
            self._background_qty[steps + 1],
            stamp,
            stamp,
        )
        order.qty_text = self._background_qty_text[steps + 1]
        order.price_text = price_text
        order.head = futures_events.order_head(order, order.qty_text, price_text, f'"{client_id}"')
        self.open_orders[oid] = self.orders[oid] = order
        notional = _s(self.contract.value(order.qty, order.price))
        return futures_events.order_update(
            order,
            stamp,
            stamp,
            "NEW",
            "0",
            "0",
            "0",
            "0",
            "0",
            0,
            "0" if side else notional,
            notional if side else "0",
            False,
            "0",
            "0",
            self.contract.margin_asset,
            self.COINM_EVENTS,
        )

    # Client orders ----------------------------------------------------------------------

    def submit(self, req: OrderRequest, now_ms: int) -> tuple[dict[str, Any], list[UserEvent]]:
        """Place a client order: its REST answer (per `newOrderRespType`) and its events.

        Raises OrderRejected with Binance's answer when the exchange refuses it.
        """
        if req.client_id is not None and any(o.client_id == req.client_id for o in self.open_orders.values()):
            raise OrderRejected(binance_errors.client_order_id_duplicated())
        signed = req.quantity if req.side == "BUY" else -req.quantity
        if req.reduce_only and (
            self.position == 0 or (self.position > 0) == (signed > 0) or req.quantity > abs(self.position)
        ):
            raise OrderRejected(binance_errors.reduce_only_rejected())
        at = self.mark_price if req.price is None else req.price
        if not req.reduce_only and req.quantity * at < self.rules.min_notional:
            raise OrderRejected(binance_errors.min_notional(_s(self.rules.min_notional)))
        crossing = req.type == "MARKET" or self._reaches(req.side, at, self.mark_price)
        if req.time_in_force == "GTX" and crossing:
            raise OrderRejected(binance_errors.gtx_rejected())
        if req.time_in_force == "FOK" and not crossing:
            raise OrderRejected(binance_errors.fok_rejected())
        oid = self._new_order_id()
        stamp = self.stamp(now_ms)
        order = Order(
            oid,
            req.client_id or _generated_client_id(oid),
            self.symbol,
            req.side,
            req.price if req.price is not None else Decimal(0),
            req.quantity,
            stamp,
            stamp,
            type=req.type,
            time_in_force=req.time_in_force,
            reduce_only=req.reduce_only,
            stp=req.stp,
            good_till_date=req.good_till_date,
            by_client=True,
        )
        self.open_orders[oid] = self.orders[oid] = order
        events = [self._order_event(order, stamp, "NEW")]
        accepted = self.order_fields(order, "new")
        if crossing:
            events += self._fill(order, now_ms, self.mark_price, maker=False)
        elif req.time_in_force == "IOC":
            events.append(self._end(order, now_ms, "EXPIRED", reason="2"))
        # ACK answers the order as accepted (a MARKET order reads NEW, executedQty 0);
        # RESULT answers its state after matching (New Order page, newOrderRespType).
        body = accepted if req.resp_type == "ACK" else self.order_fields(order, "new")
        return body, events

    def cancel(
        self, order_id: int | None, client_id: str | None, now_ms: int
    ) -> tuple[dict[str, Any], list[UserEvent]]:
        """Cancel an open order; -2011 "Unknown order sent." when it is not open."""
        order = find(self.open_orders, order_id, client_id)
        if order is None:
            raise OrderRejected(binance_errors.unknown_order_sent())
        event = self._end(order, now_ms, "CANCELED")
        return self.order_fields(order, "cancel"), [event]

    def cancel_all(self, now_ms: int) -> list[UserEvent]:
        """DELETE /fapi/v1/allOpenOrders: every open order of the symbol, background ones
        included (they are the account's orders too)."""
        return [self._end(o, now_ms, "CANCELED") for o in list(self.open_orders.values())]

    def amend(
        self,
        order_id: int | None,
        client_id: str | None,
        side: str,
        qty: Decimal,
        price: Decimal,
        now_ms: int,
    ) -> tuple[dict[str, Any], list[UserEvent]]:
        """PUT /fapi/v1/order: a new price and quantity for an open LIMIT order (the Modify
        Order page: -2013 when it is not open; the side must stay the order's). A price that
        now reaches the mark fills at once, as a new order would."""
        order = find(self.open_orders, order_id, client_id)
        if order is None:
            raise OrderRejected(binance_errors.order_does_not_exist())
        if side != order.side or order.type != "LIMIT":
            raise OrderRejected(binance_errors.invalid_param("side" if side != order.side else "type"))
        self.amendments.append(
            {
                "amendmentId": len(self.amendments) + 1,
                "symbol": self.symbol,
                "pair": self.pair,
                "orderId": order.order_id,
                "clientOrderId": order.client_id,
                "time": now_ms,
                "amendment": {
                    "price": {"before": _s(order.price), "after": _s(price)},
                    "origQty": {"before": _s(order.qty), "after": _s(qty)},
                    "count": sum(1 for a in self.amendments if a["orderId"] == order.order_id) + 1,
                },
            }
        )
        order.price, order.qty, order.head = price, qty, ""
        order.update_ms = self.stamp(now_ms)
        events = [self._order_event(order, order.update_ms, "AMENDMENT")]
        if self._reaches(order.side, price, self.mark_price):
            events += self._fill(order, now_ms, self.mark_price, maker=False)
        return self.order_fields(order, "new"), events

    def query(self, order_id: int | None, client_id: str | None) -> dict[str, Any]:
        """GET /fapi/v1/order: any order of this run; -2013 "Order does not exist." otherwise."""
        order = find(self.orders, order_id, client_id)
        if order is None:
            raise OrderRejected(binance_errors.order_does_not_exist())
        return self.order_fields(order, "query")

    @staticmethod
    def _reaches(side: str, price: Decimal, mark: Decimal) -> bool:
        return price >= mark if side == "BUY" else price <= mark

    def _cross(self, now_ms: int) -> list[UserEvent]:
        events: list[UserEvent] = []
        for order in [o for o in self.open_orders.values() if o.by_client]:
            if self._reaches(order.side, order.price, self.mark_price):
                events.extend(self._fill(order, now_ms, order.price, maker=True))
        return events

    def _end(self, order: Order, now_ms: int, status: str, reason: str = "0") -> UserEvent:
        stamp = self.stamp(now_ms)
        order.status = status
        order.update_ms = stamp
        del self.open_orders[order.order_id]
        return self._order_event(order, stamp, status, expiry_reason=reason)

    # Fills ----------------------------------------------------------------------------

    def _fill(self, order: Order, now_ms: int, price: Decimal, *, maker: bool) -> list[UserEvent]:
        # Three stamps: TRADE_LITE and the trade, ORDER_TRADE_UPDATE, ACCOUNT_UPDATE.
        trade_time = self._stamps.take(now_ms, 3)
        self.update_ms = trade_time + 2
        trade_id = self._next_trade_id
        self._next_trade_id = trade_id + 1
        qty = order.qty
        last_qty = qty - order.executed
        order.executed = qty
        order.avg_price = price
        order.status = "FILLED"
        order.update_ms = trade_time
        order_id = order.order_id
        del self.open_orders[order_id]
        if not order.by_client:
            done = self._done_background
            done.append(order_id)
            while len(done) > BACKGROUND_HISTORY:
                del self.orders[done.popleft()]
        contract = self.contract
        fee = (
            contract.value(last_qty, price) * (contract.maker_fee if maker else contract.taker_fee)
        ).quantize(_AMOUNT)
        position = self.position
        signed = last_qty if order.side == "BUY" else -last_qty
        closed = min(abs(signed), abs(position)) if position and (position > 0) != (signed > 0) else _ZERO
        entry = self.entry_price
        realized = contract.pnl(closed * (1 if position > 0 else -1), entry, price).quantize(_AMOUNT)
        # `tuple.__new__` is what Fill's own `__new__` calls, without its Python frame.
        self.fills.append(
            _new_tuple(
                Fill, (trade_id, order_id, order.side, price, last_qty, fee, realized, maker, trade_time)
            )
        )
        if position == 0 or (position > 0) == (signed > 0):
            entry = contract.entry_after(abs(position), entry, last_qty, price)
        elif abs(signed) > abs(position):
            # The fill closed the position and opened one the other way: what remains was
            # opened at this fill's price.
            entry = price
        position += signed
        if position == 0:
            entry = _ZERO
        self.position = position
        self.entry_price = entry
        # Realized PnL goes to the wallet, the commission comes out of it.
        self.wallet += realized - fee
        # A whole fill: the order's quantity is what it executed, and a maker fills at its
        # own price, whose texts the order holds already.
        if not order.head:
            self._described(order)
        # ACCOUNT_UPDATE: only two of `economics()`'s figures (the rest, a liquidation
        # price's division among them, was a fifth of the cost of a tick), with the mark
        # before this fill moves it. A cross position has no wallet of its own: "0".
        own_wallet = "0"
        if self.isolated:
            own_wallet = _s(
                isolated_wallet(
                    amount=position,
                    entry=entry,
                    leverage=self.leverage,
                    isolated=True,
                    added_margin=self.added_margin,
                    contract=contract,
                )
            )
        price_text = order.price_text if price == order.price else _s(price)
        return futures_events.fill_events(
            order,
            trade_time,
            maker,
            price_text,
            order.qty_text if last_qty == qty else _s(last_qty),
            _s(fee),
            trade_id,
            _s(realized),
            _s(self.wallet),
            _s(position),
            _s(entry),
            _s(unrealized_pnl(position, entry, self.mark_price, contract)),
            "isolated" if self.isolated else "crossed",
            own_wallet,
            contract.margin_asset,
            self.COINM_EVENTS,
        )

    def margin_call(self, now_ms: int) -> UserEvent:
        """A MARGIN_CALL for the current position, with reference §3's fields (its `p` is an
        array, where TRADE_LITE's `p` is a string). The account never nears one by itself:
        only the `unknown_event` payload fault sends it (fake_server/faults/unknown_event.py)."""
        position = {
            "s": self.symbol,
            "ps": "BOTH",
            "pa": _s(self.position),
            "mt": "CROSSED",
            "iw": "0",
            "mp": _s(self.mark_price),
            "up": "0",
            "mm": "0",
        }
        return {"e": "MARGIN_CALL", "E": self.stamp(now_ms), "cw": _s(self.wallet), "p": [position]}

    # Position economics (fake_server/exchange/position_economics.py) -------------------

    @property
    def margin_type_name(self) -> str:
        return "ISOLATED" if self.isolated else "CROSSED"

    def open_notional(self, side: str | None = None) -> Decimal:
        """The open LIMIT orders' notional (one side, or both): bidNotional, askNotional."""
        return sum(
            self.contract.value(o.qty - o.executed, o.price)
            for o in self.open_orders.values()
            if o.type == "LIMIT" and (side is None or o.side == side)
        ) or Decimal(0)

    def economics(self) -> Economics:
        return economics(
            amount=self.position,
            entry=self.entry_price,
            mark=self.mark_price,
            leverage=self.leverage,
            isolated=self.isolated,
            wallet=self.wallet,
            open_order_notional=self.open_notional(),
            contract=self.contract,
            added_margin=self.added_margin,
        )

    def max_notional(self) -> int:
        return max_notional(self.contract.brackets, self.leverage)

    def leverage_cap(self) -> dict[str, str]:
        """The size the leverage allows, as POST leverage answers it (USD-M: a notional)."""
        return {self.CAP_FIELD: str(self.max_notional())}

    def trade_row(self, f: Fill) -> dict[str, Any]:
        """One fill as GET /fapi/v1/userTrades lists it."""
        return {
            "buyer": f.side == "BUY",
            "commission": _s(f.commission),
            "commissionAsset": self.contract.margin_asset,
            "id": f.trade_id,
            "maker": f.maker,
            "orderId": f.order_id,
            "price": _s(f.price),
            "qty": _s(f.qty),
            "quoteQty": _s(f.price * f.qty),
            "realizedPnl": _s(f.realized),
            "side": f.side,
            "positionSide": "BOTH",
            "symbol": self.symbol,
            "time": f.time,
        }

    def _described(self, order: Order) -> Order:
        """`order` with the texts its events share made (futures_order.Order.head)."""
        if not order.head:
            order.qty_text, order.price_text = _s(order.qty), _s(order.price)
            order.head = futures_events.order_head(order, order.qty_text, order.price_text)
        return order

    def _order_event(self, order: Order, stamp: int, exec_type: str, expiry_reason: str = "0") -> UserEvent:
        """An ORDER_TRADE_UPDATE that is not a fill (NEW, CANCELED, EXPIRED, AMENDMENT): its
        fill's fields are zeros (`_fill` makes TRADE)."""
        # Open bid/ask notional of a LIMIT order that is (still) on the book.
        notional = (
            _s(self.contract.value(order.qty, order.price))
            if exec_type == "NEW" and order.type == "LIMIT"
            else "0"
        )
        # An order that is not done has no fill (fills are whole): its average price and
        # executed quantity are 0.
        return futures_events.order_update(
            self._described(order),
            stamp,
            stamp,
            exec_type,
            "0",
            "0",
            "0",
            "0",
            "0",
            0,
            notional if order.side == "BUY" else "0",
            notional if order.side == "SELL" else "0",
            False,
            "0",
            expiry_reason,
            self.contract.margin_asset,
            self.COINM_EVENTS,
        )

    def order_fields(self, o: Order, shape: Shape) -> dict[str, Any]:
        """An order as the REST answers show it: New Order and Cancel Order ("new",
        "cancel": with `cumQty`, no `time`) or Query Order and openOrders ("query")."""
        fields: dict[str, Any] = {
            "avgPrice": _s(o.avg_price),
            "clientOrderId": o.client_id,
            "cumQuote": _s(o.executed * o.avg_price),
            "executedQty": _s(o.executed),
            "orderId": o.order_id,
            "origQty": _s(o.qty),
            "origType": o.type,
            "price": _s(o.price),
            "reduceOnly": o.reduce_only,
            "side": o.side,
            "positionSide": "BOTH",
            "status": o.status,
            "stopPrice": "0",
            "closePosition": False,
            "symbol": o.symbol,
            "time": o.time_ms,
            "timeInForce": o.time_in_force,
            "type": o.type,
            "updateTime": o.update_ms,
            "workingType": "CONTRACT_PRICE",
            "priceProtect": False,
            "priceMatch": "NONE",
            "selfTradePreventionMode": o.stp,
            "goodTillDate": o.good_till_date,
        }
        if shape != "query":
            del fields["time"]
            fields["cumQty"] = fields["executedQty"]
        return fields

    # REST snapshots ---------------------------------------------------------------

    def _totals(self) -> dict[str, Any]:
        """The account-wide sums both account versions report (one asset, one symbol):
        margin balance = wallet + unrealized PnL; available = margin balance - initial margin."""
        e = self.economics()
        w = _s(self.wallet)
        isolated_wallet = e.isolated_wallet
        cross_wallet = self.wallet - isolated_wallet
        cross_unpnl = Decimal(0) if self.isolated else e.unrealized
        available = max(Decimal(0), cross_wallet + cross_unpnl - (Decimal(0) if self.isolated else e.initial))
        if self.isolated:
            available = max(Decimal(0), available - e.open_order_initial)
        return {
            "totalInitialMargin": _s(e.initial),
            "totalMaintMargin": _s(e.maint),
            "totalWalletBalance": w,
            "totalUnrealizedProfit": _s(e.unrealized),
            "totalMarginBalance": _s(self.wallet + e.unrealized),
            "totalPositionInitialMargin": _s(e.position_initial),
            "totalOpenOrderInitialMargin": _s(e.open_order_initial),
            "totalCrossWalletBalance": _s(cross_wallet),
            "totalCrossUnPnl": _s(cross_unpnl),
            "availableBalance": _s(available),
            "maxWithdrawAmount": _s(min(available, cross_wallet)),
        }

    def _asset(self) -> dict[str, Any]:
        """The margin asset's entry of `assets` in /fapi/v3/account (v2 adds
        `marginAvailable`; COIN-M's /dapi/v1/account has exactly these fields)."""
        e = self.economics()
        t = self._totals()
        return {
            "asset": self.contract.margin_asset,
            "walletBalance": t["totalWalletBalance"],
            "unrealizedProfit": t["totalUnrealizedProfit"],
            "marginBalance": t["totalMarginBalance"],
            "maintMargin": _s(e.maint),
            "initialMargin": _s(e.initial),
            "positionInitialMargin": _s(e.position_initial),
            "openOrderInitialMargin": _s(e.open_order_initial),
            "crossWalletBalance": t["totalCrossWalletBalance"],
            "crossUnPnl": t["totalCrossUnPnl"],
            "availableBalance": t["availableBalance"],
            "maxWithdrawAmount": t["maxWithdrawAmount"],
            "updateTime": self.update_ms,
        }

    def _position_margins(self) -> dict[str, Any]:
        """The position fields the v2 account and PM's UM account open with."""
        e = self.economics()
        return {
            "symbol": self.symbol,
            "initialMargin": _s(e.initial),
            "maintMargin": _s(e.maint),
            "unrealizedProfit": _s(e.unrealized),
            "positionInitialMargin": _s(e.position_initial),
            "openOrderInitialMargin": _s(e.open_order_initial),
            "leverage": str(self.leverage),
        }

    def has_activity(self) -> bool:
        """Whether the symbol has a position or an open order: the v3 routes list a symbol
        only then ("only symbol that has position or open orders will be returned")."""
        return self.position != 0 or any(o.symbol == self.symbol for o in self.open_orders.values())

    def account_snapshot(self) -> dict[str, Any]:
        """`GET /fapi/v2/account`, trimmed to the fields a resync reads."""
        e = self.economics()
        return {
            "feeTier": 0,
            "feeBurn": self.fee_burn,
            "canTrade": True,
            "canDeposit": True,
            "canWithdraw": True,
            "updateTime": self.update_ms,
            "multiAssetsMargin": self.multi_assets,
            "tradeGroupId": -1,
            **self._totals(),
            "assets": [{**self._asset(), "marginAvailable": True}],
            "positions": [
                {
                    **self._position_margins(),
                    "isolated": self.isolated,
                    "entryPrice": _s(self.entry_price),
                    "breakEvenPrice": _s(self.entry_price),
                    "maxNotional": str(self.max_notional()),
                    "positionSide": "BOTH",
                    "positionAmt": _s(self.position),
                    "notional": _s(e.notional),
                    "isolatedWallet": _s(e.isolated_wallet),
                    "updateTime": self.update_ms,
                    "bidNotional": _s(self.open_notional("BUY")),
                    "askNotional": _s(self.open_notional("SELL")),
                }
            ],
        }

    def account_v3_snapshot(self) -> dict[str, Any]:
        """`GET /fapi/v3/account`: the v2 sums and asset, the v3 position fields, and the
        symbol only while it has a position or an open order (Account Information V3)."""
        e = self.economics()
        positions = [
            {
                "symbol": self.symbol,
                "positionSide": "BOTH",
                "positionAmt": _s(self.position),
                "unrealizedProfit": _s(e.unrealized),
                "isolatedMargin": _s(e.isolated_margin),
                "notional": _s(e.notional),
                "isolatedWallet": _s(e.isolated_wallet),
                "initialMargin": _s(e.initial),
                "maintMargin": _s(e.maint),
                "updateTime": self.update_ms,
            }
        ]
        return {
            **self._totals(),
            "assets": [self._asset()],
            "positions": positions if self.has_activity() else [],
        }

    def balance_snapshot(self, product: str, alias: str) -> list[dict[str, Any]]:
        """The balance routes: `GET /fapi/v2/balance` and `/fapi/v3/balance` (USD-M, one
        shape), `GET /dapi/v1/balance` (COIN-M: `withdrawAvailable`, no `maxWithdrawAmount`
        nor `marginAvailable`) and `GET /papi/v1/balance` (portfolio margin: the wallet split
        by account). `alias` is the account's `accountAlias` (COIN-M events carry it as `i`)."""
        w = _s(self.wallet)
        t = self._totals()
        if product == "pm":
            return [
                {
                    "asset": self.contract.margin_asset,
                    "totalWalletBalance": w,
                    "crossMarginAsset": "0",
                    "crossMarginBorrowed": "0",
                    "crossMarginFree": "0",
                    "crossMarginInterest": "0",
                    "crossMarginLocked": "0",
                    "umWalletBalance": w,
                    "umUnrealizedPNL": t["totalUnrealizedProfit"],
                    "cmWalletBalance": "0",
                    "cmUnrealizedPNL": "0",
                    "updateTime": self.update_ms,
                    "negativeBalance": "0",
                }
            ]
        entry: dict[str, Any] = {
            "accountAlias": alias,
            "asset": self.contract.margin_asset,
            "balance": w,
            "crossWalletBalance": t["totalCrossWalletBalance"],
            "crossUnPnl": t["totalCrossUnPnl"],
            "availableBalance": t["availableBalance"],
        }
        if product == "coinm":
            entry["withdrawAvailable"] = t["maxWithdrawAmount"]
        else:
            entry.update(maxWithdrawAmount=t["maxWithdrawAmount"], marginAvailable=True)
        return [{**entry, "updateTime": self.update_ms}]

    def um_account_snapshot(self) -> dict[str, Any]:
        """`GET /papi/v1/um/account` (portfolio margin's UM account, v1: every symbol)."""
        asset = {
            k: v
            for k, v in self._asset().items()
            if k
            in (
                "asset",
                "crossWalletBalance",
                "crossUnPnl",
                "maintMargin",
                "initialMargin",
                "positionInitialMargin",
                "openOrderInitialMargin",
                "updateTime",
            )
        }
        position = {
            **self._position_margins(),
            "entryPrice": _s(self.entry_price),
            "maxNotional": str(self.max_notional()),
            "bidNotional": _s(self.open_notional("BUY")),
            "askNotional": _s(self.open_notional("SELL")),
            "positionSide": "BOTH",
            "positionAmt": _s(self.position),
            "updateTime": self.update_ms,
        }
        return {"assets": [asset], "positions": [position]}

    def bracket_rows(self) -> list[dict[str, Any]]:
        """The contract's brackets with their `cum`, the maintenance amount that makes the
        margin continuous across brackets (Binance's "auxiliary number")."""
        cap_name, floor_name = self.BRACKET_BOUNDS
        return [
            {
                "bracket": number,
                "initialLeverage": leverage,
                cap_name: cap,
                floor_name: floor,
                "maintMarginRatio": float(ratio),
                "cum": float(cum),
            }
            for number, ((leverage, floor, cap, ratio), cum) in enumerate(
                zip(self.contract.brackets, bracket_cums(self.contract.brackets), strict=True), start=1
            )
        ]

    def leverage_brackets(self) -> dict[str, Any]:
        """The symbol's entry of `GET /fapi/v1/leverageBracket` (and PM's
        `/papi/v1/um/leverageBracket`, COIN-M's `/dapi/v2/leverageBracket`)."""
        return {"symbol": self.symbol, "brackets": self.bracket_rows()}

    def all_orders_snapshot(self, query: HistoryQuery) -> list[dict[str, Any]]:
        """`GET /fapi/v1/allOrders`: open and done orders in the Query Order shape; the
        background flow's done orders reach back BACKGROUND_HISTORY orders."""
        return [self.order_fields(o, "query") for o in select(self.orders.values(), query)]

    def open_orders_snapshot(self) -> list[dict[str, Any]]:
        """`GET /fapi/v1/openOrders`."""
        return [self.order_fields(o, "query") for o in self.open_orders.values()]

    def _position_prices(self, e: Economics) -> dict[str, Any]:
        """The position and its prices, as both positionRisk versions show them."""
        return {
            "symbol": self.symbol,
            "positionAmt": _s(self.position),
            "entryPrice": _s(self.entry_price),
            "breakEvenPrice": _s(self.entry_price),
            "markPrice": _s(self.mark_price),
            "unRealizedProfit": _s(e.unrealized),
            "liquidationPrice": _s(e.liquidation),
        }

    def position_risk_snapshot(self) -> list[dict[str, Any]]:
        """`GET /fapi/v2/positionRisk` (COIN-M: `GET /dapi/v1/positionRisk`, its own field names)."""
        e = self.economics()
        return [
            {
                **self._position_prices(e),
                "leverage": str(self.leverage),
                **self.leverage_cap(),
                # "cross", not "crossed": both products' Position Information pages.
                "marginType": "isolated" if self.isolated else "cross",
                "isolatedMargin": _s(e.isolated_margin),
                "isAutoAddMargin": "false",
                "positionSide": "BOTH",
                self.NOTIONAL_FIELD: _s(e.notional),
                "isolatedWallet": _s(e.isolated_wallet),
                "updateTime": self.update_ms,
            }
        ]

    def position_risk_v3_snapshot(self) -> list[dict[str, Any]]:
        """`GET /fapi/v3/positionRisk` (Position Information V3): the v2 numbers in the v3
        fields, and the symbol only while it has a position or an open order."""
        if not self.has_activity():
            return []
        e = self.economics()
        return [
            {
                **self._position_prices(e),
                "positionSide": "BOTH",
                "isolatedMargin": _s(e.isolated_margin),
                "notional": _s(e.notional),
                "marginAsset": self.contract.margin_asset,
                "isolatedWallet": _s(e.isolated_wallet),
                "initialMargin": _s(e.initial),
                "maintMargin": _s(e.maint),
                "positionInitialMargin": _s(e.position_initial),
                "openOrderInitialMargin": _s(e.open_order_initial),
                "adl": 0,
                "bidNotional": _s(self.open_notional("BUY")),
                "askNotional": _s(self.open_notional("SELL")),
                "updateTime": self.update_ms,
            }
        ]


_ID_ALPHABET = string.ascii_letters + string.digits


def _generated_client_id(order_id: int) -> str:
    """Binance makes a 22-character id when none is sent (e.g. "z8hcUoOsqEdKMeKPSABslD").

    Drawn from the order id, not the account's Random, so client orders leave the
    background flow's sequence unchanged.
    """
    rng = random.Random(order_id)
    return "".join(rng.choice(_ID_ALPHABET) for _ in range(22))
