"""Helpers for the stream tests: a fake with market data and limits, and raw-socket clients."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection

from fake_server.clock import Clock
from fake_server.exchange.settings import EventFlow, Settings, Timers
from fake_server.exchange.settings import StreamLimits as Limits
from fake_server.fronts.connection import WsConnection
from fake_server.journal import Journal
from fake_server.server import FakeBinance
from tests.fake_server._fake_helpers import EPOCH_MS, QUIET_TIMERS, WAIT, last_conn

StartStreamFake = Callable[..., Awaitable[FakeBinance]]


@contextlib.asynccontextmanager
async def stream_fakes() -> AsyncIterator[StartStreamFake]:
    """`await start(market_rate=.., limits=Limits(..), rate=0, **timers)`, stopped at exit."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(
            *, market_rate: float = 0.0, limits: Limits | None = None, rate: float = 0.0, **timers: Any
        ) -> FakeBinance:
            clock = Clock(epoch_ms=EPOCH_MS)
            settings = Settings(
                timers=Timers(**{**QUIET_TIMERS, **timers}),
                events=EventFlow(rate=rate, market_rate=market_rate),
                limits=limits or Limits(),
            )
            return await stack.enter_async_context(FakeBinance(settings, clock, Journal(clock)))

        yield start


async def request(ws: ClientConnection, message: object, timeout: float = WAIT) -> Any:
    """Send a control message and return the next message (its answer)."""
    await ws.send(message if isinstance(message, str | bytes) else orjson.dumps(message).decode())
    async with asyncio.timeout(timeout):
        return orjson.loads(await ws.recv())


def is_(kind: str, **match: Any) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e["kind"] == kind and all(e.get(k) == v for k, v in match.items())


async def server_ping_after(fake: FakeBinance, conn: int, t: float) -> dict[str, Any]:
    """The fake's first ping on `conn` journaled after `t`, waited for on the fake's own clock:
    proof its heartbeat still runs at that point, whatever else stopped."""
    ping = is_("ws_frame", conn=conn, dir="out", op="ping")
    return await fake.journal.wait_for(lambda e: ping(e) and e["t"] > t, WAIT)


async def raw_upgrade(fake: FakeBinance, path: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A hand-made WebSocket handshake over a plain TCP socket, for sending malformed frames."""
    host, port = fake.settings.host, fake.ws.port
    reader, writer = await asyncio.open_connection(host, port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    async with asyncio.timeout(WAIT):
        head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    return reader, writer


async def raw_connection(
    fake: FakeBinance, path: str
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, WsConnection]:
    """`raw_upgrade`, and the fake's side of that connection (for a fault to act on)."""
    reader, writer = await raw_upgrade(fake, path)
    return reader, writer, fake.ws.connections[last_conn(fake, path)]


async def read_exactly(reader: asyncio.StreamReader, n: int) -> bytes:
    async with asyncio.timeout(WAIT):
        return await reader.readexactly(n)


async def read_to_end(reader: asyncio.StreamReader) -> tuple[bytes, list[float]]:
    """Everything up to EOF, and when each read returned."""
    data, times = b"", []
    async with asyncio.timeout(WAIT):
        while chunk := await reader.read(65536):
            data += chunk
            times.append(time.monotonic())
    return data, times


async def server_frame(reader: asyncio.StreamReader) -> tuple[bytes, float]:
    """The next whole frame the fake wrote (header included, unmasked), and when it was read."""
    async with asyncio.timeout(WAIT):
        head = await reader.readexactly(2)
        extended = {126: 2, 127: 8}.get(head[1] & 0x7F, 0)
        length = await reader.readexactly(extended)
        size = int.from_bytes(length, "big") if extended else head[1] & 0x7F
        whole = head + length + await reader.readexactly(size)
    return whole, time.monotonic()


def frame(opcode: int, payload: bytes, *, fin: bool = True, mask: bool = True, rsv: int = 0) -> bytes:
    """One client frame, built by hand (masked with a zero key unless `mask` is False)."""
    first = (0x80 if fin else 0) | (rsv << 4) | opcode
    n = len(payload)
    mask_bit = 0x80 if mask else 0
    if n < 126:
        head = bytes([first, mask_bit | n])
    elif n < 2**16:
        head = bytes([first, mask_bit | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([first, mask_bit | 127]) + n.to_bytes(8, "big")
    return head + (b"\0\0\0\0" if mask else b"") + payload


async def read_close(reader: asyncio.StreamReader) -> tuple[int | None, bytes]:
    """Read server frames up to a close frame (its code) or the end of the stream (None)."""
    data = b""
    async with asyncio.timeout(WAIT):
        while True:
            code = _close_code(data)
            if code is not None:
                return code, data
            try:
                chunk = await reader.read(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                return None, data
            data += chunk


def _close_code(data: bytes) -> int | None:
    i = 0
    while i + 2 <= len(data):
        opcode, n = data[i] & 0x0F, data[i + 1] & 0x7F
        i += 2
        if n == 126:
            n, i = int.from_bytes(data[i : i + 2], "big"), i + 2
        elif n == 127:
            n, i = int.from_bytes(data[i : i + 8], "big"), i + 8
        if i + n > len(data):
            return None
        payload = data[i : i + n]
        i += n
        if opcode == 0x8 and len(payload) >= 2:
            return int.from_bytes(payload[:2], "big")
    return None
