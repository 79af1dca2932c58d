"""`service_unavailable`: the four HTTP 503 answers the USD-M docs list (General Info)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fake_server.exchange import binance_errors
from fake_server.exchange.rest_call import Call
from fake_server.exchange.rest_routes import ORDER_ROUTES
from fake_server.faults import register
from fake_server.faults.common import Budgeted, replaced, route_param, split_route
from fake_server.faults.target import FaultTarget
from fake_server.schema import param

Variant503 = Literal["unknown", "unavailable", "internal", "throttled"]

#: (code, msg, counts toward the weight limit) of each USD-M 503 variant (General Info).
#: The docs give only the messages. Codes are our choice: -1000 (UNKNOWN) for A, -1001
#: (whose documented text C is) for B and C, -1008 as documented for D. "Not counted" is
#: documented for B and D; A "may or may not" count: the fake counts it, and C.
VARIANTS_503: dict[str, tuple[int, str, bool]] = {
    "unknown": (-1000, binance_errors.UNKNOWN_503_MSG, True),
    "unavailable": (-1001, binance_errors.UNAVAILABLE_503_MSG, False),
    "internal": (-1001, binance_errors.INTERNAL_MSG, True),
    "throttled": (-1008, binance_errors.THROTTLED_MSG, False),
}


def _reduces_exposure(call: Call) -> bool:
    """-1008 spares reduce-only and close-position orders (USD-M General Info, 503 D)."""
    q = call.query
    return (
        q.get("reduceOnly") == "true"
        or q.get("closePosition") == "true"
        or (q.get("positionSide"), q.get("side")) in (("LONG", "SELL"), ("SHORT", "BUY"))
    )


@register
@dataclass(frozen=True)
class ServiceUnavailable(Budgeted, name="service_unavailable", layer="http"):
    """HTTP 503, one of the four USD-M variants.

    - `unknown` (A) "Unknown error, please check your request or try again later.": the
      execution status is unknown; with `executed: true` the request was carried out.
    - `unavailable` (B) "Service Unavailable." and `internal` (C) "Internal error; ...":
      certain failures.
    - `throttled` (D) -1008: only on POST order routes, and reduce-only or close-position
      orders pass through untouched.
    """

    variant: Variant503 = param(
        "unknown", doc="which of the four 503s: unknown, unavailable, internal, throttled"
    )
    route: str = route_param("POST /fapi/v1/order")
    executed: bool = param(False, doc="the request was carried out anyway (the unknown variant only)")

    def check(self) -> None:
        if self.variant not in VARIANTS_503:
            raise ValueError(f"variant must be one of {', '.join(VARIANTS_503)}, not {self.variant!r}")
        if self.executed and self.variant != "unknown":
            raise ValueError(f"the {self.variant!r} 503 is a certain failure: executed must be false")
        method, path = split_route(self.route)
        if self.variant == "throttled" and (method != "POST" or path not in ORDER_ROUTES):
            raise ValueError(
                f"-1008 happens only on POST {', '.join(sorted(ORDER_ROUTES))}, not {self.route!r}"
            )

    def apply(self, fake: FaultTarget) -> list[int]:
        code, msg, counted = VARIANTS_503[self.variant]
        answer = replaced(503, binance_errors.error(code, msg), executed=self.executed, counts_weight=counted)
        applies = (lambda call: not _reduces_exposure(call)) if self.variant == "throttled" else None
        return self.rest_rule(fake, self.route, answer=answer, applies=applies)
