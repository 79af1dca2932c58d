"""Adapter: python-binance (sammchardy), pinned in requirements.lock, under the harness.

The USD-M futures user data stream through the SDK's socket manager, as its README shows:
``AsyncClient`` + ``BinanceSocketManager(client)`` + ``async with bm.futures_user_socket()
as stream: await stream.recv()``. Runs in its own virtualenv (adapters/python-binance/.venv,
made by adapters/install.py), never in the harness's.

PATCHED URLS (python-binance has no option for a base URL; each patch replaces one
attribute that the SDK builds its URLs from, and nothing else):

- REST: ``client.FUTURES_URL`` (instance attribute set in ``BaseClient.__init__``,
  binance/base_client.py:205, read by ``_create_futures_api_uri``, base_client.py:303-313)
  is set to ``{BINANCE_HARNESS_REST_URL}/fapi``.
- WebSocket: ``bm.FSTREAM_URL`` (instance attribute set in ``BinanceSocketManager.__init__``,
  binance/ws/streams.py:60, read by ``futures_user_socket``, streams.py:996-1002) is set to
  ``{BINANCE_HARNESS_WS_URL}/``; the SDK appends ``private/`` + ``ws`` + ``?listenKey=<key>``.

NOT ``AsyncClient.create()``, which the README uses: it first calls the SPOT REST API
(``ping()`` and ``get_server_time()``, binance/async_client.py:106-111, /api/v3/ping and
/api/v3/time), which a USD-M server (the fake's ``usdm`` profile) does not serve, so
``create()`` raises there. The adapter calls the constructor, i.e. everything ``create()``
does except those two calls (a futures user stream uses neither).

Timers: scenarios shorten time, and the contract says by how much. The SDK's own option for
the listenKey keep-alive, ``BinanceSocketManager(client, user_timeout=...)`` (default 5 min,
binance/ws/constants.py:3), is set from BINANCE_HARNESS_KEEPALIVE_INTERVAL when given, as a
user tuning it would. Its heartbeat has no option (websockets' own ping every 20 s, 20 s
timeout) and keeps its real period. Everything else is the SDK's default: its reconnect
(ReconnectingWebsocket, at most 5 tries, 1-2 s then growing waits, on the SAME listenKey), no
listenKeyExpired handling. The adapter reports each user-data event it receives (as received) to
BINANCE_HARNESS_EVENTS_FILE, and logs what the SDK reports: its logging (the ``binance``
loggers at DEBUG, as ``verbose=True`` would) and its ``{"e": "error", ...}`` messages.

Run: adapters/python-binance/.venv/bin/python adapters/python-binance/adapter.py
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from binance import AsyncClient, BinanceSocketManager

sys.path.append(str(Path(__file__).resolve().parents[1]))  # adapters/client_contract.py
from client_contract import Events, env, log_to_stdout, serve

log = logging.getLogger("adapter")


def is_user_event(message: Any) -> bool:
    """An account event: the SDK's own error messages and listenKeyExpired are not."""
    return isinstance(message, dict) and "e" in message and message["e"] not in ("error", "listenKeyExpired")


async def stream_user_data(events: Events) -> None:
    rest_url = env("BINANCE_HARNESS_REST_URL")
    ws_url = env("BINANCE_HARNESS_WS_URL")
    client = AsyncClient(
        os.environ.get("BINANCE_HARNESS_API_KEY"),
        os.environ.get("BINANCE_HARNESS_API_SECRET"),
    )
    client.FUTURES_URL = f"{rest_url}/fapi"  # PATCH (REST): see the module docstring
    try:
        keepalive = os.environ.get("BINANCE_HARNESS_KEEPALIVE_INTERVAL")
        bm = BinanceSocketManager(client, **({"user_timeout": float(keepalive)} if keepalive else {}))
        bm.FSTREAM_URL = f"{ws_url}/"  # PATCH (WebSocket): see the module docstring
        async with bm.futures_user_socket() as stream:
            log.info("futures user socket open")
            while True:
                message = await stream.recv()
                if isinstance(message, dict) and message.get("e") == "error":
                    log.error("SDK reported: %s", message)
                    continue
                print("message:", json.dumps(message, separators=(",", ":")), flush=True)
                if is_user_event(message):
                    events.record(message)
    finally:
        await client.close_connection()


def main() -> int:
    log_to_stdout()
    logging.getLogger("binance").setLevel(logging.DEBUG)
    return serve(stream_user_data)


if __name__ == "__main__":
    sys.exit(main())
