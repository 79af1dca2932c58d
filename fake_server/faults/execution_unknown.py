"""`execution_unknown`: a Binance-side failure whose outcome the client cannot know."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fake_server.exchange import binance_errors
from fake_server.faults import register
from fake_server.faults.common import Budgeted, http_status, replaced, route_param
from fake_server.faults.target import FaultTarget
from fake_server.schema import param

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
class ExecutionUnknown(Budgeted, name="execution_unknown", layer="http"):
    """A Binance-side failure whose outcome the client cannot know: -1000, -1001 or -1007.

    With `executed: true` the request took effect (an order was placed, and its events
    flow) although the answer is the error; with false, nothing happened. A careful client
    queries the order (or watches the user stream) before it sends the order again.
    `status` overrides the code's default HTTP status.
    """

    code: Literal[-1000, -1001, -1007] = param(-1007, doc="Binance's error code: -1000, -1001 or -1007")
    route: str = route_param("POST /fapi/v1/order")
    executed: bool = param(False, doc="the request took effect although the answer is the error")
    status: int | None = http_status(None)

    def check(self) -> None:
        if self.code not in EXECUTION_UNKNOWN:
            raise ValueError(f"code must be one of {', '.join(map(str, EXECUTION_UNKNOWN))}, not {self.code}")

    def apply(self, fake: FaultTarget) -> list[int]:
        status, msg = EXECUTION_UNKNOWN[self.code]
        answer = replaced(self.status or status, binance_errors.error(self.code, msg), executed=self.executed)
        return self.rest_rule(fake, self.route, answer=answer)
