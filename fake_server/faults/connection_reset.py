"""`connection_reset`: the request is answered with a TCP reset.

WireMock's and Mountebank's `CONNECTION_RESET_BY_PEER`. `abort_tcp` with `mode: rst` resets open
WebSocket connections; this one resets the connection of a REST call, or of an upgrade request,
in place of its answer. Clients see ECONNRESET / "Connection reset by peer": on Binance REST
calls in ccxt (ccxt/ccxt#17241), on the futures keepalive PUT (sieblyio/binance#205), and in
python-binance's keepalive task, where it went unretrieved (sammchardy/python-binance#955).
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import BreaksAnswers


@register
@dataclass(frozen=True)
class ConnectionReset(
    BreaksAnswers,
    name="connection_reset",
    layer="http",
    mirrors="WireMock fault `CONNECTION_RESET_BY_PEER`; Mountebank fault `CONNECTION_RESET_BY_PEER`",
):
    """Read the request, then close TCP with SO_LINGER 0, so the kernel sends RST.

    On the wire: no byte of answer, then a reset; the client's read fails with ECONNRESET
    rather than ending cleanly. The call is not carried out.
    """

    breaks = "reset"
