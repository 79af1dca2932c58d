"""Push rate to one fast client: the fake, websockets' `send()`, and a raw asyncio push.

All three send the same messages (account events the fake's own Account made, as JSON
text frames) to the same raw-socket reader in another process; the rate is the number of
messages over the time from the first write to the reader's last frame.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import NamedTuple

import orjson
from websockets.asyncio.server import ServerConnection, serve

from bench.peer import Peer
from fake_server.clock import Clock
from fake_server.exchange.account import Account
from fake_server.exchange.settings import EventFlow, Settings
from fake_server.exchange.user_events import UserEvent
from fake_server.fronts.frames import text_frame
from fake_server.journal import Journal
from fake_server.server import FakeBinance

HOST = "127.0.0.1"
#: How long the pusher works before it lets the loop run timers (fault steps) again.
SLICE = 0.001
#: Ticks the full-speed push makes and publishes as one batch (32 events). The fake pushes
#: that fast only in a burst (the `burst_events` fault: at least 300 events, by default,
#: made and published in one call; its activity timer makes at most 100 ticks a second), so
#: the push is measured as bursts, smaller ones than the fault's.
PUSH_BURST = 8


def messages(n: int) -> list[bytes]:
    """`n` account events as the fake would serialise them."""
    account = Account("BTCUSDT", random.Random(1))
    out: list[bytes] = []
    now = 1_700_000_000_000
    while len(out) < n:
        out += [orjson.dumps(e) for e in account.tick(now) if e["e"] != "TRADE_LITE"]
        now += 1
    return out[:n]


class Push(NamedTuple):
    """One push measurement: messages per second from the start of the push to the reader's
    last frame, and the serving thread's CPU time per message over the same span (us).

    On a shared machine the rates swing with whatever else runs, and a busy core slows one
    server more than another; the CPU each spends per message moves far less, so comparing
    those is the steadier figure (it leaves out what the kernel and the reader add)."""

    rate: float
    cpu_us: float


async def _measure(port: int, path: str, n: int, push: Callable[[], Awaitable[object]]) -> Push:
    """The push from the start of `push` to the reader's `n`th frame."""
    reader = Peer("read", HOST, port, path, n)
    await reader.start()
    try:
        await asyncio.sleep(0.05)  # let the server finish its side of the handshake
        start, cpu = time.monotonic(), time.thread_time()
        await push()
        result = await reader.result()
        cpu = time.thread_time() - cpu
    finally:
        reader.kill()
    return Push(n / (float(result["last"]) - start), cpu / n * 1e6)


# The fake --------------------------------------------------------------------------------


class FakeRig:
    """A fake with a user stream open to the reader, pushing account activity on demand."""

    def __init__(self) -> None:
        self.dir = tempfile.TemporaryDirectory(prefix="bench-")
        self.clock = Clock()
        self.journal = Journal(self.clock, Path(self.dir.name) / "journal.jsonl")
        self.fake = FakeBinance(Settings(events=EventFlow(rate=0)), self.clock, self.journal)
        self.key = ""

    async def __aenter__(self) -> FakeRig:
        await self.fake.start()
        _, body = self.fake.rest_create_listen_key(self.fake.settings.credentials.api_key)
        assert isinstance(body, dict)
        self.key = body["listenKey"]
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.fake.stop()
        self.journal.close()
        self.dir.cleanup()

    @property
    def port(self) -> int:
        return self.fake.ws.port

    @property
    def user_path(self) -> str:
        return f"/private/ws/{self.key}"

    def activity(self, ticks: int) -> list[UserEvent]:
        """`ticks` units of account activity made now, in order."""
        now_ms = self.clock.epoch_ms()
        tick = self.fake.account.tick
        events = tick(now_ms)
        for _ in range(ticks - 1):
            events += tick(now_ms)
        return events

    def tick(self, ticks: int = 1) -> int:
        """`ticks` units of account activity, published as one batch; how many events
        reached a connection.

        The reader is the one connection on the listen key and takes every kind of event,
        so a batch that reached it delivered all its events (counting them in the journal
        cost about a microsecond an event, charged to the fake)."""
        events = self.activity(ticks)
        return len(events) if self.fake.publish(events) else 0

    async def push(self, n: int, ticks: int = PUSH_BURST) -> None:
        """At least `n` delivered events as fast as the fake can, `ticks` ticks a publish."""
        await _drive(n, lambda: self.tick(ticks))

    async def paced(self, rate: float, seconds: float) -> int:
        """Push `rate` events per second for `seconds`, in slices; the events delivered."""
        sent = 0
        start = time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            due = int(rate * elapsed)
            until = time.perf_counter() + SLICE
            while sent < due and time.perf_counter() < until:
                sent += self.tick()
            await asyncio.sleep(0 if sent < due else 0.001)
        return sent

    async def push_made(self, batches: list[list[UserEvent]], n: int) -> None:
        """`push` of events made beforehand (`batches`, published again in turn): the push
        path alone (publish, framing, journal, writes), without the account's cost."""
        made = itertools.cycle(batches)
        publish = self.fake.publish

        def step() -> int:
            batch = next(made)
            return len(batch) if publish(batch) else 0

        await _drive(n, step)


async def _drive(n: int, step: Callable[[], int]) -> None:
    """Call `step` (it publishes, and says how many events it delivered) until `n` events
    are delivered, yielding to the loop every `SLICE`."""
    sent = 0
    while sent < n:
        until = time.perf_counter() + SLICE
        while sent < n and time.perf_counter() < until:
            sent += step()
        await asyncio.sleep(0)


async def fake_rate(n: int, idle: int = 0, ticks: int = PUSH_BURST) -> Push:
    """The fake's push, `ticks` ticks of its account a publish, with `idle` idle connections."""
    async with FakeRig() as rig:
        crowd = Peer("idle", HOST, rig.port, "/public/ws", idle) if idle else None
        try:
            if crowd is not None:
                await crowd.start()
            return await _measure(rig.port, rig.user_path, n, lambda: rig.push(n, ticks))
        finally:
            if crowd is not None:
                crowd.kill()


async def fake_made_rate(n: int) -> Push:
    """The fake's push of account events made before the measurement (`FakeRig.push_made`)."""
    async with FakeRig() as rig:
        batches = [rig.activity(PUSH_BURST) for _ in range(500)]
        return await _measure(rig.port, rig.user_path, n, lambda: rig.push_made(batches, n))


# websockets' send() -------------------------------------------------------------------------


async def websockets_rate(n: int) -> Push:
    payloads = messages(n)
    go = asyncio.Event()
    done = asyncio.Event()

    async def handler(ws: ServerConnection) -> None:
        await go.wait()
        for p in payloads:
            await ws.send(p, text=True)
        done.set()
        await ws.wait_closed()

    async with serve(handler, HOST, 0, compression=None) as server:
        port = server.sockets[0].getsockname()[1]

        async def push() -> None:
            go.set()
            await done.wait()

        return await _measure(port, "/", n, push)


# A raw asyncio push: the ceiling for one transport.write per message -----------------------

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class RawPush(asyncio.Protocol):
    """Answers the upgrade by hand, then writes pre-framed messages one write each."""

    def __init__(self, ready: asyncio.Future[RawPush]) -> None:
        self.ready = ready
        self.transport: asyncio.Transport | None = None
        self.head = b""
        self.writable = asyncio.Event()
        self.writable.set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.ready.done():
            return
        self.head += data
        if b"\r\n\r\n" not in self.head:
            return
        key = next(
            line.split(b":", 1)[1].strip()
            for line in self.head.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key:")
        )
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
        assert self.transport is not None
        self.transport.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        self.ready.set_result(self)

    def pause_writing(self) -> None:
        self.writable.clear()

    def resume_writing(self) -> None:
        self.writable.set()


async def raw_rate(n: int) -> Push:
    frames = [text_frame(p) for p in messages(n)]
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[RawPush] = loop.create_future()
    server = await loop.create_server(lambda: RawPush(ready), HOST, 0)
    port = server.sockets[0].getsockname()[1]

    async def push() -> None:
        conn = await ready
        assert conn.transport is not None
        write = conn.transport.write
        for i, f in enumerate(frames):
            write(f)
            if i % 256 == 0:
                await conn.writable.wait()

    try:
        return await _measure(port, "/", n, push)
    finally:
        server.close()
