"""Adapter: ccxt (Python, ``ccxt.pro``), pinned in requirements.lock, under the harness.

The USD-M futures user data stream through ccxt's unified streaming API, as its manual
shows: ``exchange = ccxt.pro.binanceusdm({...})`` and a real-time tick loop
``while True: try: orders = await exchange.watch_orders() except Exception as e:
print(e)``, where the next ``watch_orders()`` after an error is what reconnects ("Upon a
critical exception, a disconnect or a connection timeout/failure, the next iteration of the
tick function will call the watch method that will trigger a reconnection"). ccxt creates
the listenKey itself (``authenticate``, ccxt/pro/binance.py:2725-2818) and keeps it alive
(``keep_alive_listen_key``, :2820-2917). Runs in its own virtualenv
(adapters/python-ccxt/.venv, made by adapters/install.py), never in the harness's.

POINTED AT THE FAKE BY ccxt's OWN CONFIGURATION, no patch:

- ``urls['api']``: ccxt's table of base URLs, which the manual tells users to override (it
  is what ``set_sandbox_mode`` swaps). Every entry is rewritten to the fake: a REST base
  ``https://fapi.binance.com/fapi/v1`` becomes ``{BINANCE_HARNESS_REST_URL}/fapi/v1``, a
  WebSocket base ``wss://fstream.binance.com/ws`` becomes ``{BINANCE_HARNESS_WS_URL}/ws``,
  so nothing can leave loopback. ccxt turns the ``linear`` WebSocket base into
  ``.../private/ws?listenKey=<key>`` (``get_ws_url`` and ``get_private_ws_url``,
  ccxt/pro/binance.py:254-286).
Everything ccxt asks on its way goes to the fake: ``load_markets()`` (which ``watch_orders()``
calls first, pro/binance.py:3928-3929) reads the spot wallet's coins and margin pairs
(``GET /sapi/v1/capital/config/getall``, ``/sapi/v1/margin/allPairs``,
async_support/binance.py:3157-3177) before ``GET /fapi/v1/exchangeInfo``, and the first
``watch_orders()`` loads a positions snapshot (``GET /fapi/v1/leverageBracket``,
``/fapi/v3/positionRisk``; option ``watchPositions.fetchPositionsSnapshot``, on by default).

Timers: scenarios shorten time, and the contract says by how much. ccxt's documented
streaming options are set from it, as a user tuning them would: ``streaming['keepAlive']``
(ping period, binance's default 180 s, pro/binance.py:132-134) from
BINANCE_HARNESS_CLIENT_PING_INTERVAL, and ``streaming['maxPingPongMisses']`` (default 2,
async_support/base/exchange.py:61-64) so that a pong missing for the contract's interval
plus timeout ends the connection (ccxt/async_support/base/ws/client.py:419-431); the
exchange option ``listenKeyRefreshRate`` (default 20 min, pro/binance.py:199) from
BINANCE_HARNESS_KEEPALIVE_INTERVAL. Everything else is ccxt's default.

What it reports: the raw event (as Binance sent it, ``e`` and ``E`` included) of every
account event that ccxt hands to one of its own handlers on this connection, by extending
the two handlers in a subclass (calling them first, then recording): ``handle_order_update``
(ORDER_TRADE_UPDATE, what ``watch_orders()`` returns, parsed into unified orders whose
``info`` is only the inner ``o`` object, without ``E``) and ``handle_acount_update``
(ACCOUNT_UPDATE, which feeds the balance and positions caches that ``watch_orders()``
arms on the same connection, pro/binance.py:3991-3992). Events ccxt has no handler for
(``handle_message``'s table, pro/binance.py:5219-5260: TRADE_LITE, listenKeyExpired) are
not reported: ccxt drops them. ccxt's exceptions are printed by the loop (their text
carries Binance's code and msg); BINANCE_ADAPTER_TRACE=1 sets ccxt's ``verbose``.

Run: adapters/python-ccxt/.venv/bin/python adapters/python-ccxt/adapter.py
"""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

import ccxt.pro

sys.path.append(str(Path(__file__).resolve().parents[1]))  # adapters/client_contract.py
from client_contract import Events, env, log_to_stdout, seconds, serve

log = logging.getLogger("adapter")

#: ``scheme://host[:port]`` at the start of one of ccxt's base URLs.
ORIGIN = re.compile(r"^[a-z]+://[^/]+")


def pointed_at(urls: Any, rest_url: str, ws_url: str) -> Any:
    """ccxt's ``urls['api']`` table with every base moved to the fake (same paths)."""
    if isinstance(urls, dict):
        return {key: pointed_at(value, rest_url, ws_url) for key, value in urls.items()}
    if isinstance(urls, str):
        return ORIGIN.sub(ws_url if urls.startswith(("ws://", "wss://")) else rest_url, urls)
    return urls


def reported(message: Any) -> bool:
    return isinstance(message, dict) and "e" in message


class RecordingBinanceusdm(ccxt.pro.binanceusdm):  # type: ignore[misc,name-defined]
    """ccxt's binanceusdm, unchanged, telling the harness which raw events its handlers took."""

    events: Events = Events(None)

    def handle_order_update(self, client: Any, message: Any) -> Any:
        result = super().handle_order_update(client, message)
        if reported(message):
            self.events.record(message)
        return result

    def handle_acount_update(self, client: Any, message: Any) -> Any:  # ccxt's spelling
        result = super().handle_acount_update(client, message)
        if reported(message):
            self.events.record(message)
        return result


def make_exchange(events: Events) -> Any:
    rest_url = env("BINANCE_HARNESS_REST_URL")
    ws_url = env("BINANCE_HARNESS_WS_URL")
    defaults = ccxt.pro.binanceusdm().describe()  # type: ignore[attr-defined]
    options: dict[str, Any] = {}
    streaming: dict[str, Any] = {}
    keepalive = seconds("BINANCE_HARNESS_KEEPALIVE_INTERVAL")
    if keepalive:
        options["listenKeyRefreshRate"] = round(keepalive * 1000)
    interval = seconds("BINANCE_HARNESS_CLIENT_PING_INTERVAL")
    if interval:
        streaming["keepAlive"] = round(interval * 1000)
        timeout = seconds("BINANCE_HARNESS_CLIENT_PING_TIMEOUT")
        if timeout:
            streaming["maxPingPongMisses"] = (interval + timeout) / interval
    exchange = RecordingBinanceusdm(
        {
            "apiKey": os.environ.get("BINANCE_HARNESS_API_KEY"),
            "secret": os.environ.get("BINANCE_HARNESS_API_SECRET"),
            "urls": {"api": pointed_at(defaults["urls"]["api"], rest_url, ws_url)},
            "options": options,
            "streaming": streaming,
            "verbose": os.environ.get("BINANCE_ADAPTER_TRACE") == "1",
        }
    )
    exchange.events = events
    return exchange


async def watch(events: Events) -> None:
    exchange = make_exchange(events)
    try:
        while True:  # the manual's real-time tick loop
            try:
                orders = await exchange.watch_orders()
                for order in orders[-1:]:
                    log.info("order: %s %s %s", order["id"], order["status"], order["symbol"])
            except Exception as e:
                log.error("%s: %s", type(e).__name__, e)
    finally:
        await exchange.close()


def main() -> int:
    log_to_stdout()
    return serve(watch)


if __name__ == "__main__":
    sys.exit(main())
