"""Reading the common parameters of the USD-M routes: symbol, pair, limit, times (pure).

Each reader raises `OrderRejected` carrying Binance's answer, the way orders.py does, so a
handler reads its parameters top to bottom and answers the first refusal:
- a mandatory parameter missing or empty: -1102 "Mandatory parameter '...' was not sent...";
- a symbol (or pair) the exchange does not list: -1121 "Invalid symbol.";
- a LONG that is not digits: -1100 with Binance's legal range; a value out of its range
  (a `limit` above the page's maximum, an unknown `period`): -1130 "Data sent for
  parameter '...' is not valid." (the pages do not say which code; docs/fidelity.md).
"""

from __future__ import annotations

from collections.abc import Collection

from fake_server.exchange import binance_errors
from fake_server.exchange.orders import OrderRejected, check_symbol
from fake_server.exchange.param_formats import long_value


def required(params: dict[str, str], name: str) -> str:
    value = params.get(name, "")
    if not value:
        raise OrderRejected(binance_errors.mandatory_parameter(name))
    return value


def symbol(
    params: dict[str, str], listed: str, *, name: str = "symbol", mandatory: bool = True
) -> str | None:
    """The `symbol` (or `pair`) sent, checked against the one the exchange lists."""
    if not params.get(name):
        if mandatory:
            raise OrderRejected(binance_errors.mandatory_parameter(name))
        return None
    if params[name] != listed:
        raise OrderRejected(binance_errors.invalid_symbol())
    return listed


def symbol_or_pair(params: dict[str, str], symbol: str, pair: str) -> None:
    """COIN-M's "Either symbol or pair must be sent" (All Orders, Account Trade List): the
    one sent must be listed (-1121); neither is -1102, naming both."""
    if params.get("symbol"):
        check_symbol(params, symbol)
    elif params.get("pair"):
        if params["pair"] != pair:
            raise OrderRejected(binance_errors.invalid_symbol())
    else:
        raise OrderRejected(binance_errors.either_param("symbol", "pair"))


def number(params: dict[str, str], name: str) -> int | None:
    raw = params.get(name, "")
    if not raw:
        return None
    value = long_value(raw)
    if value is None:
        raise OrderRejected(binance_errors.malformed_param(name))
    return value


def limit(params: dict[str, str], default: int, maximum: int, allowed: Collection[int] = ()) -> int:
    value = number(params, "limit")
    if value is None:
        return default
    if value < 1 or value > maximum or (allowed and value not in allowed):
        raise OrderRejected(binance_errors.invalid_param("limit"))
    return value


def choice(
    params: dict[str, str], name: str, allowed: Collection[str], *, mandatory: bool = True
) -> str | None:
    value = params.get(name, "")
    if not value:
        if mandatory:
            raise OrderRejected(binance_errors.mandatory_parameter(name))
        return None
    if value not in allowed:
        raise OrderRejected(binance_errors.invalid_param(name))
    return value
