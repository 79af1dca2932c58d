"""Faithful Python port of the bot of the forum thread "New connection with webSocket".

Source: the code posted in that thread (TypeScript, axios + the browser-style WebSocket
API). What it does, exactly like the thread's code:

- POST the listenKey with axios; on failure axios rejects with only "Request failed with
  status code 404" and the body is never looked at; the bot dies (exit 1).
- Open the user stream. The thread's URL (``wss://${listenKey}?listenKey=${listenKey}``)
  has no host; it is corrected here to ``{WS_URL}/private/ws?listenKey=<key>`` so that
  it connects.
- ``onopen`` / ``onmessage`` / ``onerror`` / ``onclose`` only log. Nothing else: no
  reconnect, no listenKey keepalive, no pings of its own, and no answer to the server's
  pings (the advisor in the thread had to tell the user to reply to pings). websockets
  would answer them at the protocol level, so the socket is opened with
  :class:`pongless.PonglessClientConnection`.

Unlike the thread, each event payload is also appended to BINANCE_HARNESS_EVENTS_FILE,
so the harness' delivery checks apply to it as well.

Run: ``python /abs/path/clients/forum_bot.py``
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import ssl
import sys
from pathlib import Path
from typing import Any, TextIO

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, WebSocketException

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clients.pongless import PonglessClientConnection
from clients.reference_client import event_line, is_user_event, unwrap


def log(*parts: Any) -> None:
    print(*parts, flush=True)  # console.log


def record(events: TextIO | None, message: str | bytes) -> None:
    """Append the event payload as one line, like the reference (not in the thread)."""
    if events is None:
        return
    try:
        payload = unwrap(json.loads(message))
    except ValueError:
        return
    if is_user_event(payload):
        events.write(event_line(payload))
        events.flush()


async def bot(events: TextIO | None) -> int:
    rest_url = os.environ["BINANCE_HARNESS_REST_URL"].rstrip("/")
    ws_url = os.environ["BINANCE_HARNESS_WS_URL"].rstrip("/")
    api_key = os.environ.get("BINANCE_HARNESS_API_KEY", "")

    tls = ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE") or None)
    # No timeouts, as the Node original has none (axios' `timeout` and ws' `handshakeTimeout`
    # are unset by default): a 10 s limit would be 10 ms of wall time at a time factor of
    # 1000, shorter than a loaded machine's round trip, and would make its verdicts random.
    async with httpx.AsyncClient(timeout=None, verify=tls, trust_env=False) as http:
        try:
            response = await http.post(f"{rest_url}/fapi/v1/listenKey", headers={"X-MBX-APIKEY": api_key})
        except httpx.HTTPError as exc:
            print(f"Error: {exc}", file=sys.stderr, flush=True)
            return 1
    if not response.is_success:
        # What axios shows: the status, and not one byte of Binance's explanation.
        print(
            f"Request failed with status code {response.status_code}",
            file=sys.stderr,
            flush=True,
        )
        return 1
    listen_key = response.json()["listenKey"]

    url = f"{ws_url}/private/ws?listenKey={listen_key}"
    try:
        async with connect(
            url,
            ping_interval=None,  # no heartbeat of its own,
            open_timeout=None,
            create_connection=PonglessClientConnection,  # no pong to the server's pings
            proxy=None,
        ) as ws:
            log("WebSocket connection opened.")
            try:
                async for message in ws:
                    log("Message received:", message)
                    record(events, message)
            except ConnectionClosed:
                pass
        log("Connection WebSocket close:", ws.close_code, ws.close_reason)
    except (OSError, TimeoutError, WebSocketException) as exc:
        print("WebSocket connection error:", exc, file=sys.stderr, flush=True)
        log("Connection WebSocket close:", 1006, "")
    return 0


async def run_until_signalled(events: TextIO | None) -> int:
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(bot(events))
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, task.cancel)
    try:
        return await task
    except asyncio.CancelledError:
        return 0


def main() -> int:
    events_file = os.environ.get("BINANCE_HARNESS_EVENTS_FILE") or None
    if not events_file:
        return asyncio.run(run_until_signalled(None))
    with open(events_file, "a", encoding="utf-8") as events:
        return asyncio.run(run_until_signalled(events))


if __name__ == "__main__":
    sys.exit(main())
