"""Adapter: Binance's official modular SDK for USD-M futures, in Python, under the harness.

PyPI ``binance-sdk-derivatives-trading-usds-futures`` (on ``binance-common``), pinned in
requirements.lock. The user data stream the way the SDK lays it out (its README's "Websocket
Streams" section, and the Node twin's README "Subscribe to User Data Streams": first create
a listenKey over REST, then subscribe it on the streams client):

- ``client.rest_api.start_user_data_stream()`` (``POST /fapi/v1/listenKey``);
- ``connection = await client.websocket_streams.create_connection()``, then
  ``stream = await connection.user_data(listen_key)`` and ``stream.on("message", ...)``;
- ``client.rest_api.keepalive_user_data_stream()`` (``PUT /fapi/v1/listenKey``) on a timer:
  the SDK keeps no listenKey alive by itself, its docstring says "It's recommended to send a
  ping about every 60 minutes" (rest_api/rest_api.py:3647-3671), so every user of it writes
  this loop. Its period is BINANCE_HARNESS_KEEPALIVE_INTERVAL (the contract's TTL/2).

Nothing else: a failed keepalive or a ``listenKeyExpired`` event is logged, as the README's
examples log errors; a new key is not fetched (the SDK has no such logic, and the README
shows none). Runs in its own virtualenv (adapters/python-binance-official/.venv, made by
adapters/install.py), never in the harness's.

POINTED AT THE FAKE BY THE SDK's OWN CONFIGURATION, no patch:

- REST: ``ConfigurationRestAPI(base_path=BINANCE_HARNESS_REST_URL)``, the README's option
  for the testnet ("Update the ``base_path`` in your configuration"); the SDK keeps it
  (derivatives_trading_usds_futures.py:48-59).
- WebSocket: ``ConfigurationWebSocketStreams(stream_url=BINANCE_HARNESS_WS_URL)``, the
  README's option for the testnet. The SDK appends ``/stream``
  (binance_common/websocket.py:1428-1431) and opens one connection per URL path it knows,
  ``/market/stream``, ``/public/stream`` and ``/private/stream`` (websocket.py:178-212,
  :243-244; websocket_streams/websocket_streams.py:52-57); ``user_data(key)`` sends
  ``{"method":"SUBSCRIBE","params":[key],"id":<uuid>}`` on the private one
  (websocket_streams.py:132-146, websocket.py:1527-1576, ids from :1243-1269).
- TLS: aiohttp and requests; the harness sets SSL_CERT_FILE and REQUESTS_CA_BUNDLE.

Timers: the SDK has no heartbeat of its own (it answers the server's pings,
websocket.py:419-422) and no option for one; its reconnect options (``reconnect_delay``,
``reconnect_attempts``) keep their defaults. What it reports: each user-data event handed to
the stream's callback, as the SDK's model serialises it back (``to_dict()``, Binance's field
names) with the ``e`` the model drops put back from the model's class (see ``event_type``);
an event type the SDK does not know arrives as the raw dict (binance_common/utils.py:
1092-1136), and is reported as it is. Appended to BINANCE_HARNESS_EVENTS_FILE. The SDK's own
logging (INFO, as the README's examples set it) goes to stdout with timestamps.

Run: adapters/python-binance-official/.venv/bin/python adapters/python-binance-official/adapter.py
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

from binance_common.configuration import ConfigurationRestAPI, ConfigurationWebSocketStreams
from binance_sdk_derivatives_trading_usds_futures.derivatives_trading_usds_futures import (
    DerivativesTradingUsdsFutures,
)

sys.path.append(str(Path(__file__).resolve().parents[1]))  # adapters/client_contract.py
from client_contract import Events, env, log_to_stdout, seconds, serve

log = logging.getLogger("adapter")


def event_type(model: Any) -> str:
    """Binance's ``e`` of the event an SDK model was parsed from.

    The SDK picks the model class whose name matches ``e`` once underscores are dropped and
    case is ignored (``normalize_event_name``, binance_common/utils.py:1048-1058, used by
    ``resolve_model_from_event``, :1061-1090), and the models have no ``e`` field, so
    ``to_dict()`` drops it. This is that mapping read backwards, for the names of the SDK's
    user data events (``UserDataStreamEventsResponse.one_of_schemas``): Binance writes them
    in upper snake case, except ``listenKeyExpired``.
    """
    name = type(model).__name__
    if name == "ListenKeyExpired":
        return "listenKeyExpired"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()


def as_received(data: Any) -> Any:
    """The event as Binance sent it, from what the SDK hands to the callback."""
    event = getattr(data, "actual_instance", data)
    if isinstance(event, dict):  # an event type the SDK does not know: the raw payload
        return event
    return {"e": event_type(event), **event.to_dict()}


class Handler:
    """The stream's "message" callback: log the event, report it, say what the SDK does not."""

    def __init__(self, events: Events) -> None:
        self.events = events

    def __call__(self, data: Any) -> None:
        event = as_received(data)
        line = json.dumps(event, separators=(",", ":"), default=str)
        print("message:", line, flush=True)
        if not isinstance(event, dict) or "e" not in event:
            return
        if event["e"] == "listenKeyExpired":
            log.warning("listenKeyExpired: the SDK does nothing about it, nor does the README")
            return
        self.events.record(event)


async def keep_alive(client: DerivativesTradingUsdsFutures, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            client.rest_api.keepalive_user_data_stream()
            log.info("keepalive_user_data_stream(): ok")
        except Exception as e:
            log.error("keepalive_user_data_stream() failed: %s: %s", type(e).__name__, e)


async def stream_user_data(events: Events) -> None:
    client = DerivativesTradingUsdsFutures(
        config_rest_api=ConfigurationRestAPI(
            api_key=os.environ.get("BINANCE_HARNESS_API_KEY", ""),
            api_secret=os.environ.get("BINANCE_HARNESS_API_SECRET", ""),
            base_path=env("BINANCE_HARNESS_REST_URL"),
        ),
        config_ws_streams=ConfigurationWebSocketStreams(stream_url=env("BINANCE_HARNESS_WS_URL")),
    )
    listen_key = client.rest_api.start_user_data_stream().data().listen_key
    log.info("start_user_data_stream(): listenKey %s", listen_key)
    # The key's clock starts with the POST, so the keepalive timer does too (started after
    # the SDK's connections and its 0.5 s SUBSCRIBE delay, it came too late for the TTL).
    keeper = asyncio.create_task(keep_alive(client, seconds("BINANCE_HARNESS_KEEPALIVE_INTERVAL") or 1800.0))
    connection = None
    try:
        connection = await client.websocket_streams.create_connection()
        stream = await connection.user_data(listen_key)
        stream.on("message", Handler(events))
        await keeper
    finally:
        keeper.cancel()
        if connection is not None:
            await connection.close_connection(close_session=True)


def main() -> int:
    log_to_stdout()
    return serve(stream_user_data)


if __name__ == "__main__":
    sys.exit(main())
