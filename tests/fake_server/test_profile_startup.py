"""A client that starts up like python-binance, ccxt or the official SDKs (exchangeInfo, time,
ping, then its user stream on its own route) finds every route it needs, on every profile."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect

from fake_server.clock import Clock
from fake_server.exchange.settings import EventFlow, Settings
from fake_server.exchange.ws_api import sign_hmac
from fake_server.faults.server_shutdown import ServerShutdown
from fake_server.faults.terminate_event_stream import TerminateEventStream
from fake_server.journal import Journal
from fake_server.server import FakeBinance

WAIT = 5.0


@contextlib.asynccontextmanager
async def fake(profile: str) -> AsyncIterator[FakeBinance]:
    clock = Clock()
    async with FakeBinance(Settings(profile=profile, events=EventFlow(rate=20)), clock, Journal(clock)) as f:
        yield f


async def first_event(url: str, *, subscribe: dict[str, Any] | None = None) -> dict[str, Any]:
    async with connect(url, open_timeout=WAIT) as ws:
        if subscribe is not None:
            await ws.send(orjson.dumps(subscribe).decode())
        while True:
            async with asyncio.timeout(WAIT):
                message = orjson.loads(await ws.recv(decode=False))
            if "result" in message or "status" in message:
                assert message.get("status", 200) == 200, message
                continue
            return dict(message)


async def rest_startup(client: httpx.AsyncClient, prefix: str, version: str) -> None:
    for path in ("exchangeInfo", "time", "ping"):
        r = await client.get(f"{prefix}/{version}/{path}")
        assert r.status_code == 200, (path, r.text)


FUTURES = [
    (
        "usdm",
        "/fapi",
        "/fapi/v1/listenKey",
        ["/private/ws/{key}", "/private/ws?listenKey={key}", "/private/stream?listenKey={key}"],
    ),
    ("coinm", "/dapi", "/dapi/v1/listenKey", ["/ws/{key}", "/stream?streams={key}"]),
    ("pm", "/papi", "/papi/v1/listenKey", ["/pm/ws/{key}"]),
]


@pytest.mark.parametrize(("profile", "prefix", "lk_path", "routes"), FUTURES)
async def test_futures_startup_finds_every_route(
    profile: str, prefix: str, lk_path: str, routes: list[str]
) -> None:
    async with fake(profile) as f:
        headers = {"X-MBX-APIKEY": f.settings.credentials.api_key}
        async with httpx.AsyncClient(base_url=f.rest_url, headers=headers, timeout=WAIT) as client:
            if profile != "pm":  # PM has no exchangeInfo of its own: clients read the futures one
                await rest_startup(client, prefix, "v1")
            else:
                assert (await client.get("/papi/v1/ping")).status_code == 200
            r = await client.post(lk_path)
            assert r.status_code == 200, r.text
            key = r.json()["listenKey"]
            assert (await client.put(lk_path)).status_code == 200
        for route in routes:
            event = await first_event(f.ws_url + route.format(key=key))
            payload = event.get("data", event)
            expected = {"ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE"} | (
                {"TRADE_LITE"} if profile == "usdm" else set()
            )
            assert payload["e"] in expected, (route, event)
            if profile == "coinm":
                assert "i" in payload  # COIN-M adds the account alias
            if profile == "pm":
                assert payload["fs"] == "UM"


async def test_spot_startup_subscribes_on_the_websocket_api() -> None:
    async with fake("spot") as f:
        headers = {"X-MBX-APIKEY": f.settings.credentials.api_key}
        async with httpx.AsyncClient(base_url=f.rest_url, headers=headers, timeout=WAIT) as client:
            await rest_startup(client, "/api", "v3")
            gone = await client.post("/api/v3/userDataStream")
            assert gone.status_code == 410 and "text/html" in gone.headers["content-type"]
        creds = f.settings.credentials
        params: dict[str, Any] = {"apiKey": creds.api_key, "timestamp": int(time.time() * 1000)}
        params["signature"] = sign_hmac(params, creds.api_secret)
        request = {"id": "s1", "method": "userDataStream.subscribe.signature", "params": params}
        event = await first_event(f.ws_url + "/ws-api/v3", subscribe=request)
        assert event["subscriptionId"] == 0
        assert event["event"]["e"] in ("executionReport", "outboundAccountPosition")


async def test_usdm_listen_key_subscribed_on_private_stream_gets_user_data() -> None:
    """Some SDKs open /private/stream bare and SUBSCRIBE their listenKey as a stream name."""
    async with fake("usdm") as f:
        headers = {"X-MBX-APIKEY": f.settings.credentials.api_key}
        async with httpx.AsyncClient(base_url=f.rest_url, headers=headers, timeout=WAIT) as client:
            key = (await client.post("/fapi/v1/listenKey")).json()["listenKey"]
        subscribe = {"method": "SUBSCRIBE", "params": [key], "id": 1}
        event = await first_event(f.ws_url + "/private/stream", subscribe=subscribe)
        assert event["stream"] == key and event["data"]["e"] in ("ORDER_TRADE_UPDATE", "TRADE_LITE")


@pytest.mark.parametrize(
    "request_id",
    [
        # binance-sdk-derivatives-trading-usds-futures 18.1.0 / binance-common 4.7.0:
        # stream_messages() sends str(uuid.uuid4()) (websocket.py:1263-1267, utils.py:252-255).
        "0b7cb9a2-3f4e-4d5c-8a9b-1c2d3e4f5a6b",
        # @binance/derivatives-trading-usds-futures 38.1.1 / @binance/common 2.4.9:
        # sendSubscriptionPayload() sends randomBytes(16) in hex (dist/index.js:139-141, 1655-1662).
        "9f86d081884c7d659a2feaa0c55ad015",
    ],
)
async def test_official_sdks_subscribe_their_listen_key_with_a_string_id(request_id: str) -> None:
    """The official USD-M SDKs open /private/stream bare, SUBSCRIBE the listenKey with a
    string id and wait for the answer with that id: it must come, echoed as a string."""
    async with fake("usdm") as f:
        headers = {"X-MBX-APIKEY": f.settings.credentials.api_key}
        async with httpx.AsyncClient(base_url=f.rest_url, headers=headers, timeout=WAIT) as client:
            key = (await client.post("/fapi/v1/listenKey")).json()["listenKey"]
        async with connect(f.ws_url + "/private/stream", open_timeout=WAIT) as ws:
            await ws.send(orjson.dumps({"method": "SUBSCRIBE", "params": [key], "id": request_id}).decode())
            async with asyncio.timeout(WAIT):
                assert orjson.loads(await ws.recv(decode=False)) == {"result": None, "id": request_id}
                while "stream" not in (event := orjson.loads(await ws.recv(decode=False))):
                    pass
        assert event["stream"] == key
        answered = next(f.journal.of("ws_frame", dir="out", op="text"))
        assert (answered["method"], answered["id"], answered["params"], answered["error"]) == (
            "SUBSCRIBE",
            request_id,
            [key],
            None,
        )


async def test_a_refused_subscribe_is_journaled_with_what_was_refused() -> None:
    """The journal entry of the answer alone says which SUBSCRIBE, with which id, got which
    code: what a verdict quotes ("your SUBSCRIBE id "x_1" was answered with code 2")."""
    async with fake("usdm") as f:
        async with connect(f.ws_url + "/private/stream", open_timeout=WAIT) as ws:
            await ws.send(orjson.dumps({"method": "SUBSCRIBE", "params": ["k1"], "id": "x_1"}).decode())
            async with asyncio.timeout(WAIT):
                reply = orjson.loads(await ws.recv(decode=False))
        assert reply["error"]["code"] == 2
        answered = next(f.journal.of("ws_frame", dir="out", op="text"))
        assert {k: answered[k] for k in ("method", "id", "params", "error")} == {
            "method": "SUBSCRIBE",
            "id": "x_1",
            "params": ["k1"],
            "error": 2,
        }
        assert orjson.loads(answered["data"]) == reply


async def test_usdm_listen_key_in_streams_on_private_stream_gets_user_data() -> None:
    """Binance's Node SDK reconnects to /private/stream?streams=<key> without a new SUBSCRIBE."""
    async with fake("usdm") as f:
        headers = {"X-MBX-APIKEY": f.settings.credentials.api_key}
        async with httpx.AsyncClient(base_url=f.rest_url, headers=headers, timeout=WAIT) as client:
            key = (await client.post("/fapi/v1/listenKey")).json()["listenKey"]
        event = await first_event(f"{f.ws_url}/private/stream?streams={key}/btcusdt@aggTrade")
        assert event["stream"] == key and event["data"]["e"] in ("ORDER_TRADE_UPDATE", "TRADE_LITE")
        opened = next(f.journal.of("ws_open"))
        assert opened["listen_keys"] == [key] and opened["streams"] == [key, "btcusdt@aggTrade"]
        assert [e["via"] for e in f.journal.of("user_stream")] == ["url"]


async def spot_subscribed(f: FakeBinance) -> Any:
    creds = f.settings.credentials
    params: dict[str, Any] = {"apiKey": creds.api_key, "timestamp": int(time.time() * 1000)}
    params["signature"] = sign_hmac(params, creds.api_secret)
    ws = await connect(f.ws_url + "/ws-api/v3", open_timeout=WAIT)
    await ws.send(
        orjson.dumps({"id": 1, "method": "userDataStream.subscribe.signature", "params": params}).decode()
    )
    async with asyncio.timeout(WAIT):
        while "result" not in (answer := orjson.loads(await ws.recv(decode=False))):
            pass
    assert answer["status"] == 200
    return ws


async def next_message(ws: Any, wanted: str) -> dict[str, Any]:
    async with asyncio.timeout(WAIT):
        while True:
            message = orjson.loads(await ws.recv(decode=False))
            if message.get("event", {}).get("e") == wanted:
                return dict(message)


async def test_spot_terminate_event_stream_fault_and_server_shutdown_shape() -> None:
    async with fake("spot") as f:
        ws = await spot_subscribed(f)
        async with ws:
            TerminateEventStream().apply(f)
            ended = await next_message(ws, "eventStreamTerminated")
            assert ended["subscriptionId"] == 0
            ServerShutdown(grace=5.0).apply(f)
            notice = await next_message(ws, "serverShutdown")
            assert set(notice) == {"event"}  # the WebSocket API shape: no stream, no subscriptionId


async def test_spot_web_socket_api_is_ready_when_its_subscription_is_answered() -> None:
    """The `user_stream` entry (trigger `user_stream_ready`) comes with the subscription's
    answer, not with the handshake: the WebSocket API carries no user data before it."""
    async with fake("spot") as f:
        ws = await spot_subscribed(f)
        async with ws:
            opened = next(f.journal.of("ws_open"))
            ready = [e for e in f.journal.of("user_stream") if e["conn"] == opened["conn"]]
            answered = [e for e in f.journal.of("ws_frame") if e.get("status") == 200]
            assert [(e["via"], e["keys"]) for e in ready] == [("ws_api", [])]
            assert ready[0]["t"] >= answered[0]["t"] > opened["t"]
