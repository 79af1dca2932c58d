"""One REST call and one served route, as the exchange's handlers see them (pure data).

Apart from fake_server/exchange/rest_routes.py so the modules that hold groups of routes
(market data, trading, account, unmodelled) can build `RestRoute`s without importing the
table that gathers them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: What a handler answers: (HTTP status, JSON-able body).
RestAnswer = tuple[int, Any]
Handler = Callable[["Call"], RestAnswer]


@dataclass
class Call:
    """One REST request, reduced to what handlers need."""

    method: str
    path: str
    #: Parameters of the query string and of a form body (the query string wins).
    query: dict[str, str]
    #: The query string as sent (percent-encoding kept): what the client signed.
    raw_query: str
    api_key: str | None
    peer: str
    #: The x-www-form-urlencoded body as sent ("" for none or another content type).
    raw_body: str = ""


@dataclass(frozen=True)
class RestRoute:
    """A served REST route: its request weight (fixed, or from the call) and its handler."""

    weight: int | Callable[[Call], int]
    handler: Handler
    #: Order placement: a success carries X-MBX-ORDER-COUNT-10S/-1M.
    places_orders: bool = False

    def weight_of(self, call: Call) -> int:
        return self.weight(call) if callable(self.weight) else self.weight
