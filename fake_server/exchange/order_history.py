"""Which orders a history query finds (pure): one order by id (`GET /fapi/v1/order`,
`GET /api/v3/order`), or a page of them for `allOrders`: USD-M `GET /fapi/v1/allOrders`, COIN-M
`GET /dapi/v1/allOrders` and spot `GET /api/v3/allOrders` page through history the same way.

The rules, from the USD-M "All Orders" page (the spot and COIN-M pages say the same):
- `symbol` is mandatory (-1102, or -1121 for a symbol the exchange does not list); on
  COIN-M, `symbol` or `pair` ("Either `symbol` or `pair` must be sent");
- with `orderId`, the orders whose id is `>=` it, oldest first; without, the most recent
  ones; either way at most `limit` (default 500, max 1000), in ascending id order;
- `startTime` / `endTime` keep orders created in that window (inclusive).

Choices where the pages are silent: a `limit` above 1000 or below 1, and a non-numeric
`orderId`, `startTime`, `endTime` or `limit`, answer -1130 "Data sent for parameter '...' is
not valid." (Binance's code for a parameter value it refuses). The 7-day window and the
90-day retention are not enforced: a run lasts minutes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from fake_server.exchange import binance_errors, rest_params
from fake_server.exchange.orders import OrderRejected, check_symbol
from fake_server.exchange.param_formats import long_value

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000


class Dated(Protocol):
    """What the queries read of an order: its ids and its creation time (epoch ms)."""

    @property
    def order_id(self) -> int: ...

    @property
    def client_id(self) -> str: ...

    @property
    def time_ms(self) -> int: ...


@dataclass(frozen=True)
class HistoryQuery:
    order_id: int | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    limit: int = DEFAULT_LIMIT


def _number(params: dict[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    value = long_value(raw)
    if value is None:
        raise OrderRejected(binance_errors.invalid_param(name))
    return value


def parse_history_query(params: dict[str, str], symbol: str, pair: str | None = None) -> HistoryQuery:
    """The query an allOrders call asks for, or OrderRejected with Binance's answer. With a
    `pair` (COIN-M), the symbol or the pair must be sent."""
    if pair is None:
        check_symbol(params, symbol)
    else:
        rest_params.symbol_or_pair(params, symbol, pair)
    limit = _number(params, "limit")
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise OrderRejected(binance_errors.invalid_param("limit"))
    return HistoryQuery(
        order_id=_number(params, "orderId"),
        start_ms=_number(params, "startTime"),
        end_ms=_number(params, "endTime"),
        limit=DEFAULT_LIMIT if limit is None else limit,
    )


HeldOrder = TypeVar("HeldOrder", bound=Dated)


def find(orders: dict[int, HeldOrder], order_id: int | None, client_id: str | None) -> HeldOrder | None:
    """The order `orderId` / `origClientOrderId` name. Both sent: `orderId` finds the order
    and `origClientOrderId` must match it; only a client id: the latest order with it."""
    if order_id is not None:
        order = orders.get(order_id)
        if order is not None and client_id is not None and order.client_id != client_id:
            return None
        return order
    matches = [o for o in orders.values() if o.client_id == client_id]
    return max(matches, key=lambda o: o.order_id) if matches else None


def select(orders: Iterable[HeldOrder], query: HistoryQuery) -> list[HeldOrder]:
    """The orders `query` returns, in ascending id order."""
    chosen = sorted(
        (
            o
            for o in orders
            if (query.order_id is None or o.order_id >= query.order_id)
            and (query.start_ms is None or o.time_ms >= query.start_ms)
            and (query.end_ms is None or o.time_ms <= query.end_ms)
        ),
        key=lambda o: o.order_id,
    )
    return chosen[: query.limit] if query.order_id is not None else chosen[-query.limit :]
