"""`waf_block`: HTTP 403 from the WAF in front of Binance (failure modes G1, G4)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from fake_server.exchange import binance_errors
from fake_server.faults import register
from fake_server.faults.common import Budgeted, replaced, route_param
from fake_server.faults.target import FaultTarget


@register
@dataclass(frozen=True)
class WafBlock(Budgeted, name="waf_block", layer="http"):
    """HTTP 403 from the WAF: CloudFront's HTML "Request blocked." page, no Binance header.

    Body as observed (UBWA#344, 2023; the older short form in tellor-io/telliot#69), with a
    Request ID made from the scenario time so a run can be reproduced.
    """

    route: str = route_param("*")

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
        answer = replaced(403, body, headers=headers, binance_headers=False, counts_weight=False)
        return self.rest_rule(fake, self.route, answer=answer)
