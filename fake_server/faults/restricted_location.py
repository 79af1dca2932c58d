"""`restricted_location`: HTTP 451 with Binance's restricted-location JSON (failure mode G1)."""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.exchange import binance_errors
from fake_server.faults import register
from fake_server.faults.common import Budgeted, replaced, route_param
from fake_server.faults.target import FaultTarget


@register
@dataclass(frozen=True)
class RestrictedLocation(Budgeted, name="restricted_location", layer="http", final=True):
    """HTTP 451 with Binance's restricted-location JSON (code 0), on `route`.

    The block sits in front of the API (the caller's country, not the call, decides), so
    the answer carries no X-MBX-USED-WEIGHT-1M and counts no weight: our choice, the
    sources show only the body (obs ccxt#16044, jptsantossilva/BEC#22).
    """

    route: str = route_param("*")

    def apply(self, fake: FaultTarget) -> list[int]:
        answer = replaced(
            451, binance_errors.RESTRICTED_LOCATION_BODY, binance_headers=False, counts_weight=False
        )
        return self.rest_rule(fake, self.route, answer=answer)
