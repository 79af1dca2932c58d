"""HTTP-layer faults: a REST route answers with a chosen status, body and headers.

`http_error` is the general one: the forum thread's "404" (whose body explained the
problem), 429/418 with Retry-After, HTML error pages (failure modes A4, A5, G3, G4). The
body is sent verbatim: a mapping is JSON-encoded, a string is sent as is, with a
Content-Type guessed from it unless `headers` sets one.

The others are the answers binance-reference.md §4 lists, with their exact bodies, so a
scenario names the situation instead of pasting a body:
- `restricted_location`: 451 with the restricted-location JSON (G1);
- `waf_block`: 403 with CloudFront's "Request blocked." page (G1, G4);
- `service_unavailable`: the four USD-M 503 variants (A unknown, B unavailable, C internal,
  D -1008 throttled);
- `execution_unknown`: a 5xx/408 -1000, -1001 or -1007 whose request may have been carried
  out (`executed`), so a client must check before it retries an order.

Every rule holds for `times` matching calls or `lasting` seconds; with neither, until the
run ends. A route is "METHOD /path", "/path" (any method) or "*" (every path).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import orjson

from fake_server.exchange import binance_errors
from fake_server.exchange.rest_routes import ORDER_ROUTES, Call
from fake_server.faults import Fault, register
from fake_server.interception import RestOverride

if TYPE_CHECKING:
    from collections.abc import Callable

    from fake_server.faults.target import FaultTarget


def _route(route: str) -> tuple[str, str]:
    method, _, path = route.strip().rpartition(" ")
    return method.upper() or "*", path


def _install(
    fake: FaultTarget,
    route: str,
    status: int,
    body: str | dict[str, object],
    times: int | None,
    lasting: float | None,
    *,
    headers: dict[str, str] | None = None,
    executed: bool = False,
    binance_headers: bool = True,
    counts_weight: bool = True,
    applies: Callable[[Call], bool] | None = None,
) -> list[int]:
    method, path = _route(route)
    text = body if isinstance(body, str) else orjson.dumps(body).decode()
    until = None if lasting is None else fake.clock.now() + lasting
    fake.intercept_rest(
        RestOverride(
            times,
            until,
            method,
            path,
            status,
            text,
            dict(headers or {}),
            executed=executed,
            binance_headers=binance_headers,
            counts_weight=counts_weight,
            applies=applies,
        )
    )
    return []


@register
@dataclass(frozen=True)
class HttpError(Fault):
    """`route` answers `status`, `body` and `headers`.

    With `executed`, the request is carried out anyway and only its answer is replaced.
    """

    name = "http_error"
    layer = "http"
    route: str = "POST /fapi/v1/listenKey"
    status: int = 500
    body: str | dict[str, object] = ""
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = None
    lasting: float | None = None
    executed: bool = False

    def apply(self, fake: FaultTarget) -> list[int]:
        return _install(
            fake,
            self.route,
            self.status,
            self.body,
            self.times,
            self.lasting,
            headers=self.headers,
            executed=self.executed,
        )


@register
@dataclass(frozen=True)
class RestrictedLocation(Fault):
    """HTTP 451 with Binance's restricted-location JSON (code 0), on `route`.

    The block sits in front of the API (the caller's country, not the call, decides), so
    the answer carries no X-MBX-USED-WEIGHT-1M and counts no weight: our choice, the
    sources show only the body (obs ccxt#16044, jptsantossilva/BEC#22).
    """

    name = "restricted_location"
    layer = "http"
    route: str = "*"
    times: int | None = None
    lasting: float | None = None

    def apply(self, fake: FaultTarget) -> list[int]:
        return _install(
            fake,
            self.route,
            451,
            binance_errors.RESTRICTED_LOCATION_BODY,
            self.times,
            self.lasting,
            binance_headers=False,
            counts_weight=False,
        )


@register
@dataclass(frozen=True)
class WafBlock(Fault):
    """HTTP 403 from the WAF: CloudFront's HTML "Request blocked." page, no Binance header.

    Body as observed (UBWA#344, 2023; the older short form in tellor-io/telliot#69), with a
    Request ID made from the scenario time so a run can be reproduced.
    """

    name = "waf_block"
    layer = "http"
    route: str = "*"
    times: int | None = None
    lasting: float | None = None

    def apply(self, fake: FaultTarget) -> list[int]:
        digest = hashlib.sha256(f"waf-{fake.clock.now():.6f}".encode()).digest()
        request_id = base64.urlsafe_b64encode(digest + digest[:8]).decode()
        headers = {
            "Content-Type": "text/html",
            "Server": "CloudFront",
            "X-Cache": "Error from cloudfront",
            "X-Amz-Cf-Id": request_id,
        }
        body = binance_errors.WAF_BLOCK_HTML.format(request_id=request_id)
        return _install(
            fake,
            self.route,
            403,
            body,
            self.times,
            self.lasting,
            headers=headers,
            binance_headers=False,
            counts_weight=False,
        )


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
class ServiceUnavailable(Fault):
    """HTTP 503, one of the four USD-M variants.

    - `unknown` (A) "Unknown error, please check your request or try again later.": the
      execution status is unknown; with `executed: true` the request was carried out.
    - `unavailable` (B) "Service Unavailable." and `internal` (C) "Internal error; ...":
      certain failures.
    - `throttled` (D) -1008: only on POST order routes, and reduce-only or close-position
      orders pass through untouched.
    """

    name = "service_unavailable"
    layer = "http"
    variant: Variant503 = "unknown"
    route: str = "POST /fapi/v1/order"
    executed: bool = False
    times: int | None = None
    lasting: float | None = None

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS_503:
            raise ValueError(f"variant must be one of {', '.join(VARIANTS_503)}, not {self.variant!r}")
        if self.executed and self.variant != "unknown":
            raise ValueError(f"the {self.variant!r} 503 is a certain failure: executed must be false")
        method, path = _route(self.route)
        if self.variant == "throttled" and (method != "POST" or path not in ORDER_ROUTES):
            raise ValueError(
                f"-1008 happens only on POST {', '.join(sorted(ORDER_ROUTES))}, not {self.route!r}"
            )

    def apply(self, fake: FaultTarget) -> list[int]:
        code, msg, counted = VARIANTS_503[self.variant]
        return _install(
            fake,
            self.route,
            503,
            binance_errors.error(code, msg),
            self.times,
            self.lasting,
            executed=self.executed,
            counts_weight=counted,
            applies=(lambda call: not _reduces_exposure(call)) if self.variant == "throttled" else None,
        )


#: Default HTTP status of each code. -1007 is the futures 408 "timeout waiting for the
#: backend" (General Info; also seen as 408 on demo-fapi order calls in 2026); -1000 and
#: -1001 get a plain 500 (reference §4 5XX row: execution status unknown).
EXECUTION_UNKNOWN: dict[int, tuple[int, str]] = {
    -1000: (500, binance_errors.UNKNOWN_MSG),
    -1001: (500, binance_errors.INTERNAL_MSG),
    -1007: (408, binance_errors.TIMEOUT_MSG),
}


@register
@dataclass(frozen=True)
class ExecutionUnknown(Fault):
    """A Binance-side failure whose outcome the client cannot know: -1000, -1001 or -1007.

    With `executed: true` the request took effect (an order was placed, and its events
    flow) although the answer is the error; with false, nothing happened. A careful client
    queries the order (or watches the user stream) before it sends the order again.
    `status` overrides the code's default HTTP status.
    """

    name = "execution_unknown"
    layer = "http"
    code: Literal[-1000, -1001, -1007] = -1007
    route: str = "POST /fapi/v1/order"
    executed: bool = False
    status: int | None = None
    times: int | None = None
    lasting: float | None = None

    def __post_init__(self) -> None:
        if self.code not in EXECUTION_UNKNOWN:
            raise ValueError(f"code must be one of {', '.join(map(str, EXECUTION_UNKNOWN))}, not {self.code}")

    def apply(self, fake: FaultTarget) -> list[int]:
        status, msg = EXECUTION_UNKNOWN[self.code]
        return _install(
            fake,
            self.route,
            self.status or status,
            binance_errors.error(self.code, msg),
            self.times,
            self.lasting,
            executed=self.executed,
        )
