"""`http_error`: a REST route answers with a chosen status, body and headers.

The general one: the forum thread's "404" (whose body explained the problem), 429/418 with
Retry-After, HTML error pages (failure modes A4, A5, G3, G4). The body is sent verbatim: a
mapping is JSON-encoded, a string is sent as is, with a Content-Type guessed from it unless
`headers` sets one.
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import Budgeted, header_map, http_status, replaced, route_param
from fake_server.faults.target import FaultTarget
from fake_server.schema import param


@register
@dataclass(frozen=True)
class HttpError(Budgeted, name="http_error", layer="http"):
    """`route` answers `status`, `body` and `headers`.

    With `executed`, the request is carried out anyway and only its answer is replaced.
    """

    route: str = route_param("POST /fapi/v1/listenKey")
    status: int = http_status(500)
    body: str | dict[str, object] = param("", doc="the body: a mapping is sent as JSON, a string as is")
    headers: dict[str, str] = header_map()
    executed: bool = param(False, doc="carry the request out anyway; only its answer is replaced")

    def apply(self, fake: FaultTarget) -> list[int]:
        answer = replaced(self.status, self.body, headers=self.headers, executed=self.executed)
        return self.rest_rule(fake, self.route, answer=answer)
