"""Reference client for the spot user data stream, on the WebSocket API.

Spot lost its listenKey on 2026-02-20 (``POST /api/v3/userDataStream`` answers 410 with an
nginx page, failure mode A9). User data now comes through a subscription on the WebSocket
API connection itself (binance-reference.md §1 "Spot replacement"); this client uses
``userDataStream.subscribe.signature``, which any key type may use without a logon (an
HMAC key cannot ``session.logon``: failure mode B1).

Lifecycle::

    connect /ws-api/v3 ─► subscribe.signature (fresh timestamp) ─► resync over REST ─► read
      ▲                      ▲ eventStreamTerminated: subscribe again, then resync
      └─ any close we did not ask for: backoff, then all of the above on the new connection

Everything else (backoff, pings, resync after every connection, the replacement opened on
``serverShutdown``) is the futures reference client's: only what differs is overridden.
``reference_client.py`` runs this class when ``BINANCE_HARNESS_PROFILE`` is ``spot``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clients.reference_client import KeyState, ReferenceClient, is_user_event, sign

WS_API_PATH = "/ws-api/v3"
SUBSCRIBE_METHOD = "userDataStream.subscribe.signature"
ACCOUNT_PATH = "/api/v3/account"
OPEN_ORDERS_PATH = "/api/v3/openOrders"
SUBSCRIPTION_ACTIVE = -2035  # "User Data Stream subscription already active."
#: What stands in for a listenKey in the shared connection loop: spot has none.
STREAM_LABEL = "ws-api"


def signature_payload(params: dict[str, Any]) -> str:
    """The signed text of a WebSocket API request: parameters sorted by name, as k=v&..."""
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "signature")


def is_reply(payload: Any) -> bool:
    """A WebSocket API answer ({"id","status","result"|"error"}), not a pushed event."""
    return isinstance(payload, dict) and "id" in payload and "status" in payload


def describe_reply_error(method: str, reply: dict[str, Any]) -> str:
    """One line with Binance's code and msg: they say why (-1021 stale timestamp, ...)."""
    err = reply.get("error")
    err = err if isinstance(err, dict) else {}
    return f"WS API {method} failed: status {reply.get('status')} code={err.get('code')} msg={err.get('msg')}"


def balances_summary(account: Any, orders: Any) -> str:
    balances = account.get("balances") if isinstance(account, dict) else None
    held = [b.get("asset") for b in balances or [] if isinstance(b, dict) and float(b.get("free", 0) or 0)]
    return f"balances={held} openOrders={len(orders) if isinstance(orders, list) else '?'}"


class SpotReferenceClient(ReferenceClient):
    """The reference client's recovery, on a WebSocket API subscription instead of a key."""

    #: A signed request is sent the moment it is signed, so a tight window costs nothing
    #: and bounds how long a captured or cached request stays usable (Binance: <= 5000
    #: recommended). A request re-sent after an outage longer than this gets -1021.
    recv_window_ms = 1000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ids = itertools.count(1)
        #: Answers awaited while the connection's reader runs (re-subscribing), by id.
        self._replies: dict[Any, asyncio.Future[dict[str, Any]]] = {}

    # ------------------------------------------------- no listenKey on spot

    async def create_listen_key(self) -> str:
        return STREAM_LABEL  # the subscription lives as long as its connection: no key

    async def keepalive_loop(self) -> None:
        await asyncio.Event().wait()  # "No keepalive" (reference §1): nothing to extend

    async def check_listen_key(self) -> KeyState:
        return KeyState.ALIVE  # nothing to renew before a reconnect

    def ws_url_for(self, key: str) -> str:
        return self.config.ws_url + WS_API_PATH

    # ---------------------------------------------------- policies (overridable)

    def subscribe_request(self) -> dict[str, Any]:
        """A newly signed request, timestamp now. Never an old one: after any outage its
        timestamp is out of recvWindow (-1021) and the stream stays silent (failure mode B3)."""
        params: dict[str, Any] = {
            "apiKey": self.config.api_key,
            "recvWindow": self.recv_window_ms,
            "timestamp": int(time.time() * 1000),
        }
        params["signature"] = sign(signature_payload(params), self.config.api_secret)
        return {"id": next(self._ids), "method": SUBSCRIBE_METHOD, "params": params}

    async def on_stream_terminated(self, event: dict[str, Any]) -> None:
        """eventStreamTerminated: the socket is fine but carries nothing any more. Subscribe
        again on it, then resync what was missed (failure mode B2)."""
        self.log(f"eventStreamTerminated E={event.get('E')}: subscribing again")
        if self._ws is not None:
            self.spawn(self.resubscribe(self._ws))

    async def resync(self) -> None:
        account = await self.rest_retrying("GET", ACCOUNT_PATH, signed=True)
        orders = await self.rest_retrying("GET", OPEN_ORDERS_PATH, signed=True)
        self.log(f"resync: {balances_summary(account, orders)}")

    # ------------------------------------------------------------- subscribing

    async def prepare_connection(self, ws: ClientConnection) -> None:
        """Subscribe before the connection is read: its first answer is ours."""
        await self.subscribe(ws, reader_running=False)

    async def resubscribe(self, ws: ClientConnection) -> None:
        try:
            await self.subscribe(ws, reader_running=True)
        except ConnectionClosed:
            return  # the reconnect subscribes on the new connection
        except TimeoutError:
            self.warn("no answer to the subscription: closing the connection to start over")
            await ws.close(1000, "no answer")
            return
        await self.resync()

    async def subscribe(self, ws: ClientConnection, *, reader_running: bool) -> None:
        """Subscribe on ``ws``, each attempt newly signed, backing off until it is active."""
        backoff = self.new_backoff()
        while True:
            reply = await self.call(ws, self.subscribe_request(), reader_running=reader_running)
            error = reply.get("error") if isinstance(reply.get("error"), dict) else None
            if reply.get("status") == 200 or (error and error.get("code") == SUBSCRIPTION_ACTIVE):
                self.log(f"subscribed: {reply.get('result')}")
                return
            self.warn(describe_reply_error(SUBSCRIBE_METHOD, reply))
            await asyncio.sleep(backoff.next_delay())

    async def call(
        self, ws: ClientConnection, request: dict[str, Any], *, reader_running: bool
    ) -> dict[str, Any]:
        """Send a request and return its answer. Before the reader runs we read the socket
        ourselves (handing anything else to ``handle_frame``); after, the reader hands the
        answer over through a future."""
        rid = request["id"]
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        if reader_running:
            self._replies[rid] = future
        try:
            async with asyncio.timeout(self.answer_timeout()):
                await ws.send(json.dumps(request))
                if reader_running:
                    return await future
                while True:
                    message = await ws.recv()
                    payload = _json(message)
                    if is_reply(payload) and payload["id"] == rid:
                        return dict(payload)
                    await self.handle_frame(message)
        finally:
            self._replies.pop(rid, None)

    # ------------------------------------------------------------------ frames

    async def handle_frame(self, message: str | bytes) -> None:
        """Events come as {"subscriptionId", "event"}; answers as {"id", "status", ...}."""
        payload = _json(message)
        if is_reply(payload):
            future = self._replies.get(payload["id"])
            if future is not None and not future.done():
                future.set_result(dict(payload))
            else:
                self.log(f"answer: {str(payload)[:200]}")
            return
        event = payload.get("event") if isinstance(payload, dict) else None
        if not isinstance(event, dict):
            await super().handle_frame(message)  # unparsable or another shape: logged there
        elif event.get("e") == "eventStreamTerminated":
            await self.on_stream_terminated(event)
        elif event.get("e") == "serverShutdown":
            await self.on_server_shutdown(event)
        elif is_user_event(event):
            self.deliver(event)
        else:
            self.log(f"ignoring event: {str(event)[:200]}")


def _json(message: str | bytes) -> Any:
    try:
        return json.loads(message)
    except ValueError:
        return None


if __name__ == "__main__":
    sys.exit(SpotReferenceClient.main())
