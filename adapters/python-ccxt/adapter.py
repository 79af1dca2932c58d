"""Adapter: ccxt (Python, ``ccxt.pro``), pinned in requirements.lock, under the harness.

The USD-M futures user data stream through ccxt's unified streaming API, as its manual
shows: ``exchange = ccxt.pro.binanceusdm({...})`` and a real-time tick loop
``while True: try: orders = await exchange.watch_orders() except Exception as e:
print(e)``, where the next ``watch_orders()`` after an error is what reconnects ("Upon a
critical exception, a disconnect or a connection timeout/failure, the next iteration of the
tick function will call the watch method that will trigger a reconnection"). ccxt creates
the listenKey itself (``authenticate``, ccxt/pro/binance.py:2812-2906) and keeps it alive
(``keep_alive_listen_key``, :2908-3006). Runs in its own virtualenv
(adapters/python-ccxt/.venv, made by adapters/install.py), never in the harness's.

POINTED AT THE FAKE BY ccxt's OWN CONFIGURATION, no patch:

- ``urls['api']``: ccxt's table of base URLs, which the manual tells users to override (it
  is what ``set_sandbox_mode`` swaps). Every entry is rewritten to the fake: a REST base
  ``https://fapi.binance.com/fapi/v1`` becomes ``{BINANCE_HARNESS_REST_URL}/fapi/v1``, a
  WebSocket base ``wss://fstream.binance.com/ws`` becomes ``{BINANCE_HARNESS_WS_URL}/ws``,
  so nothing can leave loopback. ccxt turns the ``linear`` WebSocket base into
  ``.../private/ws?listenKey=<key>`` (``get_ws_url`` and ``get_private_ws_url``,
  ccxt/pro/binance.py:257-292).
- ``options['fetchCurrencies'] = False``: with API keys, ``load_markets()`` (which
  ``watch_orders()`` calls first, pro/binance.py:4017-4018) first asks the SPOT wallet API
  ``GET /sapi/v1/capital/config/getall`` (ccxt/async_support/binance.py:3166-3182), a host a
  USD-M server does not serve: the fake answers 404 and every ``watch_orders()`` would fail
  there. The option is ccxt's own switch for that call (users of futures set it for the
  same reason); the markets still come from ``GET /fapi/v1/exchangeInfo``.

Timers: scenarios shorten time, and the contract says by how much. ccxt's documented
streaming options are set from it, as a user tuning them would: ``streaming['keepAlive']``
(ping period, binance's default 180 s, pro/binance.py:133-135) from
BINANCE_HARNESS_CLIENT_PING_INTERVAL, and ``streaming['maxPingPongMisses']`` (default 2,
async_support/base/exchange.py:61-64) so that a pong missing for the contract's interval
plus timeout ends the connection (ccxt/async_support/base/ws/client.py:424-436); the
exchange option ``listenKeyRefreshRate`` (default 20 min, pro/binance.py:200) from
BINANCE_HARNESS_KEEPALIVE_INTERVAL. Everything else is ccxt's default.

What it reports: the raw event (as Binance sent it, ``e`` and ``E`` included) of every
account event that ccxt hands to one of its own handlers on this connection, by extending
the two handlers in a subclass (calling them first, then recording): ``handle_order_update``
(ORDER_TRADE_UPDATE, what ``watch_orders()`` returns, parsed into unified orders whose
``info`` is only the inner ``o`` object, without ``E``) and ``handle_acount_update``
(ACCOUNT_UPDATE, which feeds the balance and positions caches that ``watch_orders()``
arms on the same connection, pro/binance.py:4079-4080). Events ccxt has no handler for
(``handle_message``'s table, pro/binance.py:5297-5380: TRADE_LITE, listenKeyExpired) are
not reported: ccxt drops them. ccxt's exceptions are printed by the loop (their text
carries Binance's code and msg); BINANCE_ADAPTER_TRACE=1 sets ccxt's ``verbose``.

Run: adapters/python-ccxt/.venv/bin/python adapters/python-ccxt/adapter.py
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import time
from typing import Any, TextIO

import ccxt.pro

#: ``scheme://host[:port]`` at the start of one of ccxt's base URLs.
ORIGIN = re.compile(r"^[a-z]+://[^/]+")


def env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        sys.exit(f"adapter: {name} is not set (see docs/client-contract.md)")
    return value.rstrip("/")


def seconds(name: str) -> float | None:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return None
    return value if value > 0 else None


def say(*parts: Any) -> None:
    stamp = time.strftime("%H:%M:%S", time.localtime()) + f".{int(time.time() * 1000) % 1000:03d}"
    print(stamp, *parts, flush=True)


def pointed_at(urls: Any, rest_url: str, ws_url: str) -> Any:
    """ccxt's ``urls['api']`` table with every base moved to the fake (same paths)."""
    if isinstance(urls, dict):
        return {key: pointed_at(value, rest_url, ws_url) for key, value in urls.items()}
    if isinstance(urls, str):
        return ORIGIN.sub(ws_url if urls.startswith(("ws://", "wss://")) else rest_url, urls)
    return urls


class Recorder:
    """Appends each reported event to BINANCE_HARNESS_EVENTS_FILE, one JSON line."""

    def __init__(self, events: TextIO | None) -> None:
        self.events = events

    def __call__(self, message: Any) -> None:
        if self.events is not None and isinstance(message, dict) and "e" in message:
            self.events.write(json.dumps(message, separators=(",", ":")) + "\n")
            self.events.flush()


class RecordingBinanceusdm(ccxt.pro.binanceusdm):  # type: ignore[misc,name-defined]
    """ccxt's binanceusdm, unchanged, telling the harness which raw events its handlers took."""

    recorder: Recorder = Recorder(None)

    def handle_order_update(self, client: Any, message: Any) -> Any:
        result = super().handle_order_update(client, message)
        self.recorder(message)
        return result

    def handle_acount_update(self, client: Any, message: Any) -> Any:  # ccxt's spelling
        result = super().handle_acount_update(client, message)
        self.recorder(message)
        return result


def make_exchange(recorder: Recorder) -> Any:
    rest_url = env("BINANCE_HARNESS_REST_URL")
    ws_url = env("BINANCE_HARNESS_WS_URL")
    defaults = ccxt.pro.binanceusdm().describe()  # type: ignore[attr-defined]
    options: dict[str, Any] = {"fetchCurrencies": False}
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
    exchange.recorder = recorder
    return exchange


async def watch(recorder: Recorder) -> None:
    exchange = make_exchange(recorder)
    try:
        while True:  # the manual's real-time tick loop
            try:
                orders = await exchange.watch_orders()
                for order in orders[-1:]:
                    say("order:", order["id"], order["status"], order["symbol"])
            except Exception as e:
                say(f"{type(e).__name__}: {e}")
    finally:
        await exchange.close()


async def run_until_signalled(recorder: Recorder) -> None:
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(watch(recorder))
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        say("adapter: signalled, exiting")


def main() -> int:
    events_file = os.environ.get("BINANCE_HARNESS_EVENTS_FILE") or None
    if events_file is None:
        asyncio.run(run_until_signalled(Recorder(None)))
    else:
        with open(events_file, "a", encoding="utf-8") as events:
            asyncio.run(run_until_signalled(Recorder(events)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
