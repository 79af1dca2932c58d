"""HTTP-layer faults: a REST route answers with a chosen status, body and headers.

This is how a scenario reproduces the forum thread's "404" (whose body explained the
problem), 429/418 with Retry-After, 5xx, 451 and HTML error pages (failure modes A4, A5,
G3, G4). The body is sent verbatim: a mapping is JSON-encoded, a string is sent as is,
with a Content-Type guessed from it unless `headers` sets one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import orjson

from fake_server.faults import Fault, register
from fake_server.rest import HttpRule

if TYPE_CHECKING:
    from fake_server.server import FakeBinance


@register
@dataclass(frozen=True)
class HttpError(Fault):
    """`route` is "METHOD /path" or "/path" (any method).

    The rule holds for `times` matching calls or `lasting` seconds; with neither, until the
    run ends.
    """

    name = "http_error"
    layer = "http"
    route: str = "POST /fapi/v1/listenKey"
    status: int = 500
    body: str | dict[str, object] = ""
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = None
    lasting: float | None = None

    def apply(self, server: FakeBinance) -> list[int]:
        method, _, path = self.route.strip().rpartition(" ")
        body = self.body if isinstance(self.body, str) else orjson.dumps(self.body).decode()
        until = None if self.lasting is None else server.clock.now() + self.lasting
        server.rest.rules.append(
            HttpRule(self.times, until, method.upper() or "*", path, self.status, body, dict(self.headers))
        )
        return []
