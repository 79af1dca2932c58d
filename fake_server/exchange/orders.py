"""New-order parameters of USD-M `POST /fapi/v1/order`, checked the way Binance checks them (pure).

Sources: the USD-M "New Order (TRADE)" page (mandatory parameters per type, the
`newClientOrderId` pattern, `newOrderRespType` ACK/RESULT), the USD-M error-code page for
the codes and messages (binance_errors.py), and the symbol filters the fake's exchangeInfo
publishes (`SymbolRules` must match them; a test checks it).

What the fake supports: LIMIT (GTC, IOC, FOK, GTX, GTD) and MARKET, one-way mode
(`positionSide` BOTH), `reduceOnly`. Conditional types (STOP, TAKE_PROFIT, ...) answer
-4120: since the Algo Order API they are not placed on this endpoint. Parameters the fake
does not read (priceMatch, closePosition, workingType, ...) are ignored, not refused.
Binance does not publish the order in which it checks parameters; ours is: symbol, side,
type, positionSide, newClientOrderId, newOrderRespType, selfTradePreventionMode,
reduceOnly, quantity, then timeInForce and price.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from fake_server.exchange import binance_errors
from fake_server.exchange.binance_errors import ErrorAnswer
from fake_server.exchange.param_formats import decimal_value, long_value

SIDES = frozenset({"BUY", "SELL"})
SUPPORTED_TYPES = frozenset({"LIMIT", "MARKET"})
#: Valid on Binance, but placed through the Algo Order API now (-4120).
ALGO_TYPES = frozenset({"STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"})
TIME_IN_FORCE = frozenset({"GTC", "IOC", "FOK", "GTX", "GTD"})
RESP_TYPES = frozenset({"ACK", "RESULT"})
STP_MODES = frozenset({"NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"})
#: The pattern the New Order page gives for newClientOrderId.
CLIENT_ID = re.compile(r"[\.A-Z\:/a-z0-9_-]{1,36}")


class OrderRejected(Exception):
    """An order request Binance refuses: carries the (status, body) answer."""

    def __init__(self, answer: ErrorAnswer) -> None:
        super().__init__(answer[1]["msg"])
        self.answer = answer


@dataclass(frozen=True)
class SymbolRules:
    """The symbol's filters in the fake's exchangeInfo (PRICE_FILTER, LOT_SIZE, ...); the
    defaults are BTCUSDT's (COIN-M's: fake_server/exchange/contract.py)."""

    tick_size: Decimal = Decimal("0.10")
    min_price: Decimal = Decimal("0.10")
    max_price: Decimal = Decimal("4529764")
    step_size: Decimal = Decimal("0.001")
    min_qty: Decimal = Decimal("0.001")
    max_qty: Decimal = Decimal("1000")
    market_max_qty: Decimal = Decimal("120")
    min_notional: Decimal = Decimal("100")
    #: exchangeInfo's `timeInForce` (COIN-M lists no GTD).
    time_in_force: frozenset[str] = TIME_IN_FORCE


RULES = SymbolRules()


@dataclass(frozen=True)
class OrderRequest:
    side: str
    type: str
    quantity: Decimal
    price: Decimal | None = None
    time_in_force: str = "GTC"
    client_id: str | None = None
    reduce_only: bool = False
    resp_type: str = "ACK"
    #: The New Order page gives EXPIRE_MAKER as the default.
    stp: str = "EXPIRE_MAKER"
    good_till_date: int = 0


def _decimal(params: dict[str, str], name: str) -> Decimal:
    raw = params.get(name, "")
    if not raw:
        raise OrderRejected(binance_errors.mandatory_parameter(name))
    value = decimal_value(raw)
    if value is None:
        raise OrderRejected(binance_errors.mandatory_parameter(name))  # "... or malformed."
    return value


def _choice(
    params: dict[str, str], name: str, allowed: frozenset[str], bad: ErrorAnswer, default: str
) -> str:
    value = params.get(name)
    if value is None or value == "":
        return default
    if value not in allowed:
        raise OrderRejected(bad)
    return value


def check_symbol(params: dict[str, str], symbol: str) -> None:
    if not params.get("symbol"):
        raise OrderRejected(binance_errors.mandatory_parameter("symbol"))
    if params["symbol"] != symbol:
        raise OrderRejected(binance_errors.invalid_symbol())


def parse_new_order(params: dict[str, str], symbol: str, rules: SymbolRules = RULES) -> OrderRequest:
    """The order a `POST /fapi/v1/order` asks for, or OrderRejected with Binance's answer."""
    check_symbol(params, symbol)
    side = params.get("side", "")
    if not side:
        raise OrderRejected(binance_errors.mandatory_parameter("side"))
    if side not in SIDES:
        raise OrderRejected(binance_errors.invalid_side())
    kind = params.get("type", "")
    if not kind:
        raise OrderRejected(binance_errors.mandatory_parameter("type"))
    if kind in ALGO_TYPES:
        raise OrderRejected(binance_errors.algo_order_type())
    if kind not in SUPPORTED_TYPES:
        raise OrderRejected(binance_errors.invalid_order_type())
    position_side = params.get("positionSide", "BOTH")
    if position_side in ("LONG", "SHORT"):
        raise OrderRejected(binance_errors.position_side_not_match())  # the fake is in one-way mode
    if position_side != "BOTH":
        raise OrderRejected(binance_errors.invalid_position_side())
    client_id = params.get("newClientOrderId") or None
    if client_id is not None and not CLIENT_ID.fullmatch(client_id):
        raise OrderRejected(binance_errors.client_order_id_invalid())
    resp_type = _choice(params, "newOrderRespType", RESP_TYPES, binance_errors.invalid_resp_type(), "ACK")
    stp = _choice(
        params, "selfTradePreventionMode", STP_MODES, binance_errors.invalid_stp_mode(), "EXPIRE_MAKER"
    )
    reduce_only = params.get("reduceOnly", "false")
    if reduce_only not in ("true", "false"):
        raise OrderRejected(binance_errors.invalid_param("reduceOnly"))
    qty = _decimal(params, "quantity")
    if qty <= 0:
        raise OrderRejected(binance_errors.qty_less_than_zero())
    if qty % rules.step_size:
        raise OrderRejected(binance_errors.bad_precision())
    if qty < rules.min_qty:
        raise OrderRejected(binance_errors.qty_under_min())
    if qty > (rules.max_qty if kind == "LIMIT" else rules.market_max_qty):
        raise OrderRejected(binance_errors.qty_over_max())
    base = OrderRequest(
        side=side,
        type=kind,
        quantity=qty,
        client_id=client_id,
        reduce_only=reduce_only == "true",
        resp_type=resp_type,
        stp=stp,
    )
    if kind == "MARKET":
        # A price on a MARKET order is refused; a timeInForce is ignored (our choice: the
        # docs list neither as allowed, and clients do send GTC with market orders).
        if params.get("price"):
            raise OrderRejected(binance_errors.param_not_required("price"))
        return base
    tif = params.get("timeInForce", "")
    if not tif:
        raise OrderRejected(binance_errors.mandatory_parameter("timeInForce"))
    if tif not in rules.time_in_force:
        raise OrderRejected(binance_errors.invalid_time_in_force())
    gtd = 0
    if tif == "GTD":
        raw = params.get("goodTillDate", "")
        if not raw:
            raise OrderRejected(binance_errors.mandatory_parameter("goodTillDate"))
        date = long_value(raw)
        if date is None:
            raise OrderRejected(binance_errors.malformed_param("goodTillDate"))
        gtd = date // 1000 * 1000  # "only retains second-level precision"
    price = _decimal(params, "price")
    if price <= 0:
        raise OrderRejected(binance_errors.price_less_than_zero())
    if price < rules.min_price:
        raise OrderRejected(binance_errors.price_under_min())
    if price > rules.max_price:
        raise OrderRejected(binance_errors.price_over_max())
    if price % rules.tick_size:
        raise OrderRejected(binance_errors.price_tick())
    return replace(base, price=price, time_in_force=tif, good_till_date=gtd)


def parse_order_ref(params: dict[str, str], symbol: str) -> tuple[int | None, str | None]:
    """`orderId` / `origClientOrderId` of GET and DELETE /fapi/v1/order (one must be sent)."""
    check_symbol(params, symbol)
    raw_id = params.get("orderId") or None
    client_id = params.get("origClientOrderId") or None
    if raw_id is None and client_id is None:
        raise OrderRejected(binance_errors.either_param("orderId", "origClientOrderId"))
    if raw_id is None:
        return None, client_id
    order_id = long_value(raw_id)
    if order_id is None:
        raise OrderRejected(binance_errors.malformed_param("orderId"))
    return order_id, client_id
