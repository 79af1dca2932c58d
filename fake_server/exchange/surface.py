"""A product's REST surface beyond its profile's roles: the routes of Binance's Postman
collection for that product (fake_server/exchange/usdm_surface.py, coinm_surface.py), each
with its weight and security type, and what their handlers share (pure).

`NONE` routes need nothing, `MARKET_DATA` routes the API key, `SIGNED` ones (TRADE,
USER_DATA) the key, timestamp and signature; rest_routes.py wraps the handlers accordingly
and turns an `OrderRejected` into its answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from fake_server.exchange.account import Account
from fake_server.exchange.account_routes import AccountReads
from fake_server.exchange.rest_call import Call, Handler
from fake_server.exchange.tape import Tape
from fake_server.exchange.user_events import UserEvent

Security = Literal["NONE", "MARKET_DATA", "SIGNED"]


@dataclass(frozen=True)
class SurfaceRoute:
    method: str
    path: str
    weight: int | Callable[[Call], int]
    security: Security
    handler: Handler
    places_orders: bool = False


class SurfaceBackend:
    """What the route groups need: the account, the tape, the time, publishing events."""

    def __init__(
        self,
        account: Callable[[], Account],
        now_ms: Callable[[], int],
        publish: Callable[[list[UserEvent]], list[int]],
    ) -> None:
        self._account = account
        self._now = now_ms
        self._publish = publish
        self._started = now_ms()

    @cached_property
    def tape(self) -> Tape:
        """The market's trades, from the fake's start, in the account's contract."""
        return Tape(self._started, self._account().contract)

    @property
    def futures_account(self) -> Account:
        return self._account()

    def now_ms(self) -> int:
        return self._now()

    def publish(self, events: list[UserEvent]) -> list[int]:
        return self._publish(events)


def download_routes(reads: AccountReads, prefix: str, id_weight: int) -> list[SurfaceRoute]:
    """The asynchronous history downloads of both futures products (income, order, trade):
    1000 to ask for an id (their pages), `id_weight` to read one back."""
    kinds = ("income", "order", "trade")
    return [
        *(
            SurfaceRoute("GET", f"{prefix}/{kind}/asyn", 1000, "SIGNED", reads.start_download)
            for kind in kinds
        ),
        *(
            SurfaceRoute("GET", f"{prefix}/{kind}/asyn/id", id_weight, "SIGNED", reads.download)
            for kind in kinds
        ),
    ]
