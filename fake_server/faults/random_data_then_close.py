"""`random_data_then_close`: bytes that are not HTTP instead of an answer, then a close.

WireMock's and Mountebank's `RANDOM_DATA_THEN_CLOSE`: a middlebox or a confused peer answering
with something that is not HTTP. A client's HTTP parser fails on the first line ("illegal
status line", "Not a WebSocket handshake response": glitch100/BinanceDotNet#147 on Binance's
streams), and the call must be retried like any other network error.
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import BreaksAnswers


@register
@dataclass(frozen=True)
class RandomDataThenClose(
    BreaksAnswers,
    name="random_data_then_close",
    layer="http",
    mirrors="WireMock fault `RANDOM_DATA_THEN_CLOSE`; Mountebank fault `RANDOM_DATA_THEN_CLOSE`",
):
    """Write 32 bytes that are neither HTTP nor UTF-8, then close TCP (FIN).

    On the wire: `GARBAGE` of fake_server/fronts/wire_breaks.py (fixed, so a run's bytes can be
    compared), then FIN; no status line ever comes. The call is not carried out.
    """

    breaks = "random_data"
