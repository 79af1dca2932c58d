"""`empty_response`: the answer never comes; the server closes the connection with no byte.

WireMock's `EMPTY_RESPONSE`. What clients report when it happens: Python's http.client (under
requests) raises "Remote end closed connection without response" (sammchardy/python-binance#199,
#1480; binance/binance-futures-connector-python#149), aiohttp raises `ServerDisconnectedError`,
which on a Binance USD-M stream connect stopped pybotters' reconnect loop (pybotters/pybotters#231).
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import BreaksAnswers


@register
@dataclass(frozen=True)
class EmptyResponse(
    BreaksAnswers, name="empty_response", layer="http", mirrors="WireMock fault `EMPTY_RESPONSE`"
):
    """Read the request, then close TCP (FIN) with nothing written: no status line, no byte.

    A client reading the answer gets end of stream where the status line should be. On a
    keep-alive REST connection this is also what a server closing an idle connection just as
    the request arrives looks like, so a client must retry the call, not give up on it.
    """

    breaks = "empty"
