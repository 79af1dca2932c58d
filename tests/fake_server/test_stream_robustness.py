"""Bad input never crashes or stalls the fake: oversized, binary, malformed and fragmented
frames, bad handshakes, idle sockets, and a flood of connections.

Binance documents none of this (binance-reference.md §2 gives only the limits), so these
tests pin the fake's choices (connection.py docstring) and RFC 6455's answers: 1009 for a
message too big (§7.4.1), 1002 for a protocol error, 1007 for text that is not UTF-8 (§8.1).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from fake_server.fronts import connection
from fake_server.server import FakeBinance
from tests.fake_server._fake_helpers import WAIT, last_conn, nothing_within, ws_connect
from tests.fake_server._stream_helpers import (
    StartStreamFake,
    frame,
    is_,
    raw_upgrade,
    read_close,
    request,
)

TEXT, BINARY, CONT, PING = 0x1, 0x2, 0x0, 0x9
LIST = b'{"method":"LIST_SUBSCRIPTIONS","id":1}'


@pytest.fixture
async def loop_errors() -> AsyncIterator[list[dict[str, Any]]]:
    """Exceptions that reached the event loop's handler (an unhandled error in a callback)."""
    loop = asyncio.get_running_loop()
    errors: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    yield errors
    loop.set_exception_handler(previous)


async def answered_promptly(fake: FakeBinance) -> float:
    """Seconds a fresh client needs to connect and get a control message answered."""
    began = time.perf_counter()
    async with ws_connect(fake, "/public/ws/btcusdt@depth") as ws:
        assert await request(ws, LIST.decode()) == {"result": ["btcusdt@depth"], "id": 1}
    return time.perf_counter() - began


# One bad input at a time ------------------------------------------------------------------------


async def test_a_message_over_1_mib_is_closed_with_1009(
    start_stream: StartStreamFake, loop_errors: Any
) -> None:
    fake = await start_stream()
    async with ws_connect(fake, "/public/ws") as ws:
        conn = last_conn(fake, "/public/ws")
        await ws.send("x" * (connection.MAX_MESSAGE_SIZE + 1))
        with pytest.raises(ConnectionClosed) as caught:
            async with asyncio.timeout(WAIT):
                await ws.recv()
    assert caught.value.rcvd is not None and caught.value.rcvd.code == 1009
    closed = await fake.journal.wait_for(is_("ws_close", conn=conn), WAIT)
    assert (closed["code"], closed["initiator"], closed["how"]) == (1009, "server", "protocol_error")
    assert await answered_promptly(fake) < WAIT and loop_errors == []


async def test_a_message_of_exactly_1_mib_is_read(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    async with ws_connect(fake, "/public/ws") as ws:
        padded = LIST[:-1] + b"," + b'"pad":"' + b"x" * (connection.MAX_MESSAGE_SIZE - len(LIST) - 9) + b'"}'
        assert len(padded) == connection.MAX_MESSAGE_SIZE
        assert await request(ws, padded.decode()) == {"result": [], "id": 1}


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        pytest.param(frame(TEXT, LIST, mask=False), 1002, id="unmasked"),
        pytest.param(frame(TEXT, LIST, rsv=4), 1002, id="reserved-bit"),
        pytest.param(frame(0x3, b"x"), 1002, id="reserved-opcode"),
        pytest.param(frame(PING, b"x" * 126), 1002, id="long-control-frame"),
        pytest.param(frame(CONT, b"x"), 1002, id="stray-continuation"),
        pytest.param(frame(TEXT, b"\xff\xfe{}"), 1007, id="text-not-utf8"),
    ],
)
async def test_malformed_frames_are_closed_with_the_rfc_code(
    start_stream: StartStreamFake, loop_errors: Any, bad: bytes, code: int
) -> None:
    fake = await start_stream()
    reader, writer = await raw_upgrade(fake, "/public/ws")
    conn = last_conn(fake, "/public/ws")
    writer.write(bad)
    got, _ = await read_close(reader)
    writer.close()
    assert got == code
    closed = await fake.journal.wait_for(is_("ws_close", conn=conn), WAIT)
    assert (closed["code"], closed["initiator"]) == (code, "server")
    assert await answered_promptly(fake) < WAIT and loop_errors == []


async def test_binary_is_counted_and_unanswered(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    async with ws_connect(fake, "/public/ws") as ws:
        conn = last_conn(fake, "/public/ws")
        await ws.send(LIST)  # bytes: a binary frame
        assert await nothing_within(ws, 0.1)
        assert await request(ws, LIST.decode()) == {"result": [], "id": 1}
    (binary,) = fake.journal.of("ws_frame", conn=conn, op="binary")
    assert binary["data"] == LIST.hex()
    closed = await fake.journal.wait_for(is_("ws_close", conn=conn), WAIT)
    assert closed["initiator"] == "client"


async def test_a_fragmented_control_message_is_one_message(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    _, writer = await raw_upgrade(fake, "/public/ws/a@depth")
    conn = last_conn(fake, "/public/ws/a@depth")
    writer.write(frame(TEXT, LIST[:10], fin=False) + frame(PING, b"mid") + frame(CONT, LIST[10:]))
    reply = await fake.journal.wait_for(is_("ws_frame", conn=conn, dir="out", op="text"), WAIT)
    assert reply["data"] == '{"result":["a@depth"],"id":1}'
    writer.close()
    texts = list(fake.journal.of("ws_frame", conn=conn, dir="in", op="text"))
    assert [t["data"] for t in texts] == [LIST.decode()]
    assert fake.ws.connections[conn].rate.count == 2  # the ping and the one text message


async def test_garbage_instead_of_http_is_dropped_and_journaled(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    reader, writer = await asyncio.open_connection(fake.settings.host, fake.ws.port)
    writer.write(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64 + b"\r\n\r\n")
    async with asyncio.timeout(WAIT):
        assert await reader.read() == b""  # closed with no answer
    writer.close()
    invalid = await fake.journal.wait_for(is_("ws_invalid", why="bad_request"), WAIT)
    assert invalid["peer"].startswith("127.0.0.1:")
    assert list(fake.journal.of("ws_open", "ws_reject")) == []


async def test_an_upgrade_without_a_key_is_400(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    reader, writer = await asyncio.open_connection(fake.settings.host, fake.ws.port)
    writer.write(b"GET /public/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
    async with asyncio.timeout(WAIT):
        answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 400")
    (rejected,) = fake.journal.of("ws_reject")
    assert (rejected["status"], rejected["why"]) == (400, "bad_handshake")
    assert list(fake.journal.of("ws_open")) == []


async def test_a_socket_that_never_sends_a_request_is_closed(
    start_stream: StartStreamFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connection, "HANDSHAKE_TIMEOUT", 0.2)
    fake = await start_stream()
    reader, writer = await asyncio.open_connection(fake.settings.host, fake.ws.port)
    writer.write(b"GET /public/ws HTTP/1.1\r\n")  # and never the rest
    async with asyncio.timeout(WAIT):
        assert await reader.read() == b""
    writer.close()
    invalid = next(fake.journal.of("ws_invalid"))
    assert invalid["why"] == "handshake_timeout" and invalid["t"] >= 0.2 - 1e-5


# A flood ------------------------------------------------------------------------------------------


async def _invalid_json(ws: ClientConnection) -> int | None:
    await ws.send("{oops")
    return await _close_code(ws)


async def _ping_storm(ws: ClientConnection) -> int | None:
    for i in range(12):
        with contextlib.suppress(ConnectionClosed):
            await ws.ping(str(i).encode())
    return await _close_code(ws)


async def _oversized(ws: ClientConnection) -> int | None:
    with contextlib.suppress(ConnectionClosed):
        await ws.send("y" * (connection.MAX_MESSAGE_SIZE + 1))
    return await _close_code(ws)


async def _close_code(ws: ClientConnection) -> int | None:
    with contextlib.suppress(ConnectionClosed):
        async with asyncio.timeout(WAIT):
            while True:
                await ws.recv()
    return ws.close_code


async def _raw_malformed(fake: FakeBinance) -> int | None:
    reader, writer = await raw_upgrade(fake, "/public/ws")
    writer.write(frame(TEXT, b"{}", mask=False))
    code, _ = await read_close(reader)
    writer.close()
    return code


async def _raw_garbage(fake: FakeBinance) -> bytes:
    reader, writer = await asyncio.open_connection(fake.settings.host, fake.ws.port)
    writer.write(b"\x00\xff" * 512 + b"\r\n\r\n")
    async with asyncio.timeout(WAIT):
        rest = await reader.read()
    writer.close()
    return rest


async def test_a_flood_of_connections_and_bad_frames_leaves_the_fake_responsive(
    start_stream: StartStreamFake, loop_errors: Any
) -> None:
    fake = await start_stream()
    n = 500
    async with contextlib.AsyncExitStack() as stack:
        began = time.perf_counter()
        conns = await asyncio.gather(
            *(stack.enter_async_context(ws_connect(fake, "/public/ws", open_timeout=30)) for _ in range(n))
        )
        opened_in = time.perf_counter() - began
        assert len(list(fake.journal.of("ws_open"))) == n

        began = time.perf_counter()
        during = asyncio.ensure_future(answered_promptly(fake))  # a fresh client in the middle of it
        results = await asyncio.gather(
            *(_invalid_json(ws) for ws in conns[:200]),
            *(_ping_storm(ws) for ws in conns[200:300]),
            *(_oversized(ws) for ws in conns[300:340]),
            *(_raw_malformed(fake) for _ in range(50)),
            *(_raw_garbage(fake) for _ in range(50)),
        )
        flooded_in = time.perf_counter() - began
        latency_during = await during
        latency = await answered_promptly(fake)
        # The 160 connections left idle through the flood still answer.
        idle = await asyncio.gather(*(request(ws, LIST.decode()) for ws in conns[340:]))

    assert results[:200] == [1008] * 200
    assert results[200:300] == [1008] * 100
    assert results[300:340] == [1009] * 40
    assert results[340:390] == [1002] * 50
    assert results[390:] == [b""] * 50
    assert idle == [{"result": [], "id": 1}] * 160
    hows = [e["how"] for e in fake.journal.of("ws_close") if e["initiator"] == "server"]
    assert (hows.count("invalid_json"), hows.count("too_many_messages"), hows.count("protocol_error")) == (
        200,
        100,
        90,
    )
    assert len(list(fake.journal.of("ws_invalid"))) == 50
    # Bounds that mean "not stalled", not performance goals (the figures are printed below).
    assert latency_during < 10.0, f"a fresh client waited {latency_during:.3f} s during the flood"
    assert latency < 5.0, f"a fresh client waited {latency:.3f} s after the flood"
    assert loop_errors == []
    print(
        f"\n{n} concurrent handshakes in {opened_in:.3f} s; flood of 440 bad clients handled in "
        f"{flooded_in:.3f} s; a fresh client was answered in {latency_during * 1000:.1f} ms during the "
        f"flood and in {latency * 1000:.1f} ms after it"
    )
