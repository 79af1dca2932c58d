"""Small helpers shared by the socket tests of the fake (REST calls, signing, receiving)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus
from websockets.http11 import Response

from fake_server.server import FakeBinance

#: 2027-01-15T08:00:00Z, a whole minute (1_800_000_000_000 / 60_000 is an integer).
EPOCH_MS = 1_800_000_000_000

#: Quiet defaults: nothing times out during a test unless the test shortens that timer.
QUIET_TIMERS: dict[str, float] = {
    "listen_key_ttl": 60.0,
    "ping_interval": 30.0,
    "pong_timeout": 30.0,
    "connection_life": 60.0,
}

StartFake = Callable[..., Awaitable[FakeBinance]]

#: Generous: only a broken fake waits this long (absence checks use their own short windows).
WAIT = 3.0


def rest(fake: FakeBinance, *, api_key: str | None = "valid") -> httpx.AsyncClient:
    """An httpx client for the fake's REST front; api_key "valid" means the accepted key."""
    headers = {}
    if api_key == "valid":
        headers["X-MBX-APIKEY"] = fake.settings.credentials.api_key
    elif api_key is not None:
        headers["X-MBX-APIKEY"] = api_key
    return httpx.AsyncClient(base_url=fake.rest_url, headers=headers, timeout=WAIT)


async def new_listen_key(fake: FakeBinance) -> str:
    async with rest(fake) as client:
        r = await client.post("/fapi/v1/listenKey")
    assert r.status_code == 200, r.text
    key: str = r.json()["listenKey"]
    return key


def signed_query(fake: FakeBinance, secret: str | None = None, **params: Any) -> str:
    """A query string signed the Binance way: HMAC-SHA256 of the query, hex, appended last."""
    query = urlencode(params)
    key = (secret or fake.settings.credentials.api_secret).encode()
    signature = hmac.new(key, query.encode(), hashlib.sha256).hexdigest()
    return f"{query}&signature={signature}"


async def recv_json(ws: ClientConnection, timeout: float = WAIT) -> Any:
    async with asyncio.timeout(timeout):
        return orjson.loads(await ws.recv())


async def recv_until(
    ws: ClientConnection, predicate: Callable[[Any], bool], timeout: float = WAIT
) -> list[Any]:
    """Messages received up to and including the first one matching `predicate`."""
    seen = []
    async with asyncio.timeout(timeout):
        while True:
            msg = orjson.loads(await ws.recv())
            seen.append(msg)
            if predicate(msg):
                return seen


async def nothing_within(ws: ClientConnection, window: float) -> bool:
    """True when no message arrives within `window` seconds (an absence check)."""
    try:
        async with asyncio.timeout(window):
            await ws.recv()
    except TimeoutError:
        return True
    return False


def ws_connect(fake: FakeBinance, path: str, **kwargs: Any) -> Any:
    """websockets' client on the fake's WS front; no client pings unless asked for."""
    options: dict[str, Any] = {"ping_interval": None, "open_timeout": WAIT, "close_timeout": 0.5}
    return connect(fake.ws_url + path, **{**options, **kwargs})


@contextlib.asynccontextmanager
async def user_stream(fake: FakeBinance) -> AsyncIterator[tuple[ClientConnection, int]]:
    """A user-data connection on a new listenKey: the socket and the fake's id for it."""
    path = f"/private/ws/{await new_listen_key(fake)}"
    async with ws_connect(fake, path) as ws:
        yield ws, last_conn(fake, path)


async def connect_and_close(fake: FakeBinance, path: str, times: int = 1) -> None:
    """Open and close `times` connections on `path`: handshakes the fake counts as attempts."""
    for _ in range(times):
        async with ws_connect(fake, path):
            pass


async def refused_handshake(fake: FakeBinance, path: str) -> Response:
    """The HTTP answer to a handshake on `path` that the fake must refuse (the test fails if it
    accepts)."""
    with pytest.raises(InvalidStatus) as caught:
        async with ws_connect(fake, path):
            pass
    return caught.value.response


def last_conn(fake: FakeBinance, path: str) -> int:
    """The id of the latest connection opened on `path` (journaled before the 101 is sent)."""
    opened = [e for e in fake.journal.of("ws_open") if e["path"] == path]
    assert opened, f"no ws_open for {path}"
    conn: int = opened[-1]["conn"]
    return conn


def tick(fake: FakeBinance) -> list[dict[str, Any]]:
    """One unit of account activity now (for tests with the ticker off), published."""
    events = fake.account.tick(fake.clock.epoch_ms())
    fake.publish(events)
    return events
