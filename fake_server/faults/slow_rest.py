"""`slow_rest`: REST answers on chosen routes come late (a slow backend, a congested path).

Clients meet it as timeouts: ccxt's RequestTimeout on the futures keepalive PUT after hours
of running (ccxt/ccxt#15396), keepalive PUTs failing on an idle HTTP connection (c9s/bbgo#262),
users asking python-binance for a longer user-stream timeout while the service was slow
(sammchardy/python-binance#301). Binance documents no latency; this is a fault a scenario
asks for. It acts at the REST-call interception point (faults/target.py): the front holds
each matching call `delay` seconds, then carries it out and answers it as usual, so a
client that gave up waiting may still have had its request carried out. It is WireMock's
per-stub fixed delay and Mountebank's `wait` behavior; `slow_upgrade` is its WebSocket twin and
`chunked_dribble` slows the body instead of the whole answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import Budgeted, route_param
from fake_server.faults.target import FaultTarget
from fake_server.schema import param


@register
@dataclass(frozen=True)
class SlowRest(
    Budgeted,
    name="slow_rest",
    layer="http",
    mirrors="WireMock `fixedDelayMilliseconds` (a stub's fixed delay); Mountebank behavior `wait`",
):
    """Hold each matching REST call `delay` seconds, then carry it out and answer it.

    For `times` calls or `lasting` seconds, whichever ends first; with neither, until the run
    ends. The `rest` journal entry, written when the answer goes out, carries `delayed`.
    """

    route: str = route_param("PUT /fapi/v1/listenKey")
    delay: float = param(
        2.0, doc="seconds each matching call waits before it is carried out and answered", gt=0
    )

    def holds_for(self) -> float:
        """A call it took just before it stops is still held its whole delay."""
        return self.delay

    def apply(self, fake: FaultTarget) -> list[int]:
        return self.rest_rule(fake, self.route, delay=self.delay)
