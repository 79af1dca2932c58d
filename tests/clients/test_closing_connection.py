"""The reference client gives up on a server's close that never completes (unfinished-close).

websockets' own client connection computes a close deadline when the server's close frame
arrives but never enforces it while only ``recv()`` waits: against a server that sends a
close frame and then holds TCP open, the stock connection waits for ever and the reference
client would never reconnect. Both are played here against the fake's `unfinished_close`.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosedOK

from clients.reference_client import ClosingClientConnection
from fake_server.faults.unfinished_close import UnfinishedClose
from tests.fake_server._fake_helpers import WAIT
from tests.fake_server._stream_helpers import stream_fakes

PATH = "/public/ws/a@depth"
CLOSE_TIMEOUT = 0.3


async def _unfinished(cls: type[ClientConnection], wait: float) -> float:
    """Seconds until `recv()` raised after an unfinished close, at most `wait`."""
    async with stream_fakes() as start:
        fake = await start()
        url = f"ws://{fake.settings.host}:{fake.ws.port}{PATH}"
        async with connect(url, close_timeout=CLOSE_TIMEOUT, ping_interval=None, create_connection=cls) as ws:
            UnfinishedClose(code=1001).apply(fake)
            started = time.monotonic()
            with pytest.raises(ConnectionClosedOK):
                async with asyncio.timeout(wait):
                    await ws.recv()
            return time.monotonic() - started


async def test_the_reference_connection_drops_the_socket_at_the_close_timeout() -> None:
    waited = await _unfinished(ClosingClientConnection, WAIT)
    assert waited >= CLOSE_TIMEOUT - 0.005


async def test_the_stock_connection_waits_past_it() -> None:
    with pytest.raises(TimeoutError):
        await _unfinished(ClientConnection, CLOSE_TIMEOUT * 4)
