"""USD-M trading routes beyond one order: settings (leverage, margin type, position mode,
Multi-Assets mode), batches, cancel-all, modify, test orders, and the account's trades (pure).

Each handler reads its parameters (rest_params.py), changes the fake account and returns
Binance's answer and the user-data events the change makes (published by the caller, like
POST /fapi/v1/order). The refusals are the USD-M error page's: -4028 leverage, -4046/-4047/
-4048 margin type, -4059/-4067/-4068 position mode, -4167/-4168/-4171 Multi-Assets mode. The
fake's account has one symbol in one-way mode; what it does not model (hedge-mode positions,
the countdown firing) is listed in docs/fidelity.md "Trading routes".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from fake_server.exchange import binance_errors, rest_params
from fake_server.exchange.account import Account
from fake_server.exchange.order_history import find
from fake_server.exchange.orders import OrderRejected, check_symbol, parse_new_order, parse_order_ref
from fake_server.exchange.param_formats import decimal_value
from fake_server.exchange.position_economics import max_leverage
from fake_server.exchange.rest_call import Call, RestAnswer
from fake_server.exchange.user_events import UserEvent

SUCCESS = {"code": 200, "msg": "success"}
#: At most 5 orders in a batch (Place/Modify Multiple Orders); 10 ids to cancel.
MAX_BATCH = 5
MAX_CANCEL_BATCH = 10


class TradeBackend(Protocol):
    @property
    def futures_account(self) -> Account: ...
    def now_ms(self) -> int: ...
    def publish(self, events: list[UserEvent]) -> list[int]: ...


def _flag(params: dict[str, str], name: str) -> bool:
    value = rest_params.required(params, name)
    if value not in ("true", "false"):
        raise OrderRejected(binance_errors.invalid_param(name))
    return value == "true"


def _json_list(params: dict[str, str], name: str) -> list[Any] | None:
    raw = params.get(name, "")
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        raise OrderRejected(binance_errors.invalid_param(name)) from None
    if not isinstance(value, list):
        raise OrderRejected(binance_errors.invalid_param(name))
    return value


class Trading:
    def __init__(self, backend: TradeBackend) -> None:
        self.b = backend

    @property
    def account(self) -> Account:
        return self.b.futures_account

    def _has_position(self) -> bool:
        return self.account.position != 0

    def _has_open_orders(self) -> bool:
        return bool(self.account.open_orders)

    # Settings -------------------------------------------------------------------------

    def leverage(self, call: Call) -> RestAnswer:
        check_symbol(call.query, self.account.symbol)
        raw = rest_params.required(call.query, "leverage")
        if not raw.isdigit() or not 1 <= int(raw) <= max_leverage(self.account.contract.brackets):
            return binance_errors.leverage_not_valid(raw)
        self.account.leverage = int(raw)
        return 200, {
            "leverage": self.account.leverage,
            **self.account.leverage_cap(),
            "symbol": self.account.symbol,
        }

    def margin_type(self, call: Call) -> RestAnswer:
        check_symbol(call.query, self.account.symbol)
        wanted = rest_params.choice(call.query, "marginType", ("ISOLATED", "CROSSED"))
        if wanted == self.account.margin_type_name:
            return binance_errors.no_need_to_change_margin_type()
        if wanted == "ISOLATED" and self.account.multi_assets:
            return binance_errors.isolated_under_multi_assets()
        if self._has_open_orders():
            return binance_errors.margin_type_open_orders()
        if self._has_position():
            return binance_errors.margin_type_position()
        self.account.isolated = wanted == "ISOLATED"
        return 200, SUCCESS

    def position_mode(self, call: Call) -> RestAnswer:
        wanted = _flag(call.query, "dualSidePosition")
        if wanted == self.account.dual_side:
            return binance_errors.no_need_to_change_position_side()
        if self._has_position():
            return binance_errors.position_side_position()
        if self._has_open_orders():
            return binance_errors.position_side_open_orders()
        self.account.dual_side = wanted
        return 200, SUCCESS

    def multi_assets_mode(self, call: Call) -> RestAnswer:
        wanted = _flag(call.query, "multiAssetsMargin")
        if wanted == self.account.multi_assets:
            return binance_errors.no_need_to_change_multi_assets()
        if wanted and self.account.isolated:
            return binance_errors.multi_assets_with_isolated()
        self.account.multi_assets = wanted
        return 200, SUCCESS

    def position_margin(self, call: Call) -> RestAnswer:
        """POST positionMargin: only an isolated position has a margin to change."""
        check_symbol(call.query, self.account.symbol)
        amount = decimal_value(rest_params.required(call.query, "amount"))
        if amount is None or amount <= 0:
            raise OrderRejected(binance_errors.mandatory_parameter("amount"))
        kind = rest_params.choice(call.query, "type", ("1", "2"))
        if not self.account.isolated or not self._has_position():
            return binance_errors.margin_not_isolated()
        signed = amount if kind == "1" else -amount
        if self.account.added_margin + signed < 0 or signed > self.account.wallet:
            return binance_errors.margin_not_isolated()
        self.account.added_margin += signed
        self.account.margin_history.append(
            {
                "symbol": self.account.symbol,
                "type": int(kind or 1),
                "deltaType": "USER_ADJUST",
                "amount": format(amount, "f"),
                "asset": self.account.contract.margin_asset,
                "time": self.b.now_ms(),
                "positionSide": "BOTH",
            }
        )
        return 200, {
            "amount": float(amount),
            "code": 200,
            "msg": "Successfully modify position margin.",
            "type": int(kind or 1),
        }

    def position_margin_history(self, call: Call) -> RestAnswer:
        check_symbol(call.query, self.account.symbol)
        limit = rest_params.limit(call.query, 500, 500)
        return 200, self.account.margin_history[-limit:]

    # Orders -----------------------------------------------------------------------------

    def place(self, params: dict[str, str]) -> tuple[dict[str, Any], list[UserEvent]]:
        """One order as POST /fapi/v1/order places it; -4061 for every order in hedge mode
        (the fake has no hedge-mode positions: docs/fidelity.md)."""
        account = self.account
        request = parse_new_order(params, account.symbol, account.rules)
        if account.dual_side:
            raise OrderRejected(binance_errors.position_side_not_match())
        return account.submit(request, self.b.now_ms())

    def test_order(self, call: Call) -> RestAnswer:
        """POST order/test: checked like a new order, placed nowhere; {} when it would be."""
        parse_new_order(call.query, self.account.symbol, self.account.rules)
        if self.account.dual_side:
            return binance_errors.position_side_not_match()
        return 200, {}

    def batch_place(self, call: Call) -> RestAnswer:
        return self._batch(call, self.place)

    def _batch(
        self, call: Call, one: Callable[[dict[str, str]], tuple[dict[str, Any], list[UserEvent]]]
    ) -> RestAnswer:
        """Place or modify Multiple Orders: at most 5, each answered in its place by its
        order or its own error; their events are published together."""
        orders = _json_list(call.query, "batchOrders")
        if not orders:
            raise OrderRejected(binance_errors.mandatory_parameter("batchOrders"))
        if len(orders) > MAX_BATCH:
            raise OrderRejected(binance_errors.invalid_param("batchOrders"))
        answers: list[Any] = []
        events: list[UserEvent] = []
        for entry in orders:
            try:
                body, made = one({str(k): str(v) for k, v in dict(entry).items()})
            except OrderRejected as rejected:
                answers.append(rejected.answer[1])
            except (TypeError, ValueError):
                answers.append(binance_errors.invalid_param("batchOrders")[1])
            else:
                answers.append(body)
                events += made
        self.b.publish(events)
        return 200, answers

    def modify(self, params: dict[str, str]) -> tuple[dict[str, Any], list[UserEvent]]:
        account = self.account
        order_id, client_id = parse_order_ref(params, account.symbol)
        side = rest_params.choice(params, "side", ("BUY", "SELL"))
        qty = decimal_value(rest_params.required(params, "quantity"))
        price = decimal_value(rest_params.required(params, "price"))
        if qty is None or qty <= 0:
            raise OrderRejected(binance_errors.mandatory_parameter("quantity"))
        if price is None or price <= 0:
            raise OrderRejected(binance_errors.mandatory_parameter("price"))
        return account.amend(order_id, client_id, side or "", qty, price, self.b.now_ms())

    def modify_order(self, call: Call) -> RestAnswer:
        body, events = self.modify(call.query)
        self.b.publish(events)
        return 200, body

    def batch_modify(self, call: Call) -> RestAnswer:
        return self._batch(call, self.modify)

    def batch_cancel(self, call: Call) -> RestAnswer:
        check_symbol(call.query, self.account.symbol)
        ids = _json_list(call.query, "orderIdList")
        client_ids = _json_list(call.query, "origClientOrderIdList")
        if not ids and not client_ids:
            raise OrderRejected(binance_errors.either_param("orderIdList", "origClientOrderIdList"))
        refs: list[tuple[int | None, str | None]] = [(int(i), None) for i in ids or []]
        refs += [(None, str(c)) for c in client_ids or []]
        if len(refs) > MAX_CANCEL_BATCH:
            raise OrderRejected(binance_errors.invalid_param("orderIdList"))
        answers: list[Any] = []
        for order_id, client_id in refs:
            try:
                body, events = self.account.cancel(order_id, client_id, self.b.now_ms())
            except OrderRejected as rejected:
                answers.append(rejected.answer[1])
            else:
                self.b.publish(events)
                answers.append(body)
        return 200, answers

    def cancel_all(self, call: Call) -> RestAnswer:
        check_symbol(call.query, self.account.symbol)
        self.b.publish(self.account.cancel_all(self.b.now_ms()))
        return 200, {"code": 200, "msg": "The operation of cancel all open order is done."}

    def countdown_cancel_all(self, call: Call) -> RestAnswer:
        check_symbol(call.query, self.account.symbol)
        countdown = rest_params.number(call.query, "countdownTime")
        if countdown is None:
            raise OrderRejected(binance_errors.mandatory_parameter("countdownTime"))
        self.account.countdown_ms = countdown
        return 200, {"symbol": self.account.symbol, "countdownTime": str(countdown)}

    def open_order(self, call: Call) -> RestAnswer:
        """GET openOrder: an open order; a filled or cancelled one is -2013 (its page)."""
        order_id, client_id = parse_order_ref(call.query, self.account.symbol)
        order = find(self.account.open_orders, order_id, client_id)
        if order is None:
            return binance_errors.order_does_not_exist()
        return 200, self.account.order_fields(order, "query")

    def order_amendments(self, call: Call) -> RestAnswer:
        check_symbol(call.query, self.account.symbol)
        order_id = rest_params.number(call.query, "orderId")
        client_id = call.query.get("origClientOrderId") or None
        limit = rest_params.limit(call.query, 50, 100)
        rows = [
            a
            for a in self.account.amendments
            if (order_id is None or a["orderId"] == order_id)
            and (client_id is None or a["clientOrderId"] == client_id)
        ]
        return 200, rows[-limit:]

    def _check_market(self, params: dict[str, str]) -> None:
        """The market a listing names: USD-M's `symbol` (COIN-M: `symbol` or `pair`)."""
        check_symbol(params, self.account.symbol)

    def user_trades(self, call: Call) -> RestAnswer:
        self._check_market(call.query)
        limit = rest_params.limit(call.query, 500, 1000)
        order_id = rest_params.number(call.query, "orderId")
        from_id = rest_params.number(call.query, "fromId")
        start = rest_params.number(call.query, "startTime")
        end = rest_params.number(call.query, "endTime")
        fills = [
            f
            for f in self.account.fills
            if (order_id is None or f.order_id == order_id)
            and (from_id is None or f.trade_id >= from_id)
            and (start is None or f.time >= start)
            and (end is None or f.time <= end)
        ]
        fills = fills[:limit] if from_id is not None or start is not None else fills[-limit:]
        return 200, [self.account.trade_row(f) for f in fills]

    def force_orders(self, call: Call) -> RestAnswer:
        """The account's liquidation orders: the fake never liquidates, so none."""
        rest_params.symbol(call.query, self.account.symbol, mandatory=False)
        rest_params.choice(call.query, "autoCloseType", ("LIQUIDATION", "ADL"), mandatory=False)
        return 200, []

    def adl_quantile(self, call: Call) -> RestAnswer:
        """Only symbols with a position; one-way mode reports LONG, SHORT and BOTH."""
        rest_params.symbol(call.query, self.account.symbol, mandatory=False)
        if not self._has_position():
            return 200, []
        profit = self.account.economics().unrealized > 0
        quantile = {"LONG": 0, "SHORT": 0, "BOTH": 2 if profit else 1}
        return 200, [{"symbol": self.account.symbol, "adlQuantile": quantile}]
