"""The transport faults (Toxiproxy's toxics) over real sockets: a raw client sees exactly the
bytes, the delays and the closes each promises.

Delays are asserted as lower bounds only (a loaded machine makes everything later, never
earlier); every wait is on a condition with a timeout.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from fake_server.faults.bandwidth import Bandwidth
from fake_server.faults.latency import Latency
from fake_server.faults.limit_data import LimitData
from fake_server.faults.refuse_connections import RefuseConnections
from fake_server.faults.slicer import Slicer
from fake_server.faults.slow_close import SlowClose
from fake_server.faults.timeout import Timeout
from fake_server.fronts.connection import WsConnection
from fake_server.fronts.frames import text_frame
from fake_server.server import FakeBinance
from tests.fake_server._fake_helpers import WAIT
from tests.fake_server._stream_helpers import (
    StartStreamFake,
    frame,
    is_,
    raw_connection,
    raw_upgrade,
    read_exactly,
    read_to_end,
)

PATH = "/public/ws/a@depth"
PING, CLOSE = 0x9, 0x8
#: Room for clock granularity between the fake's timer and the test's clock.
EPS = 0.005


async def _open(fake: FakeBinance) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, WsConnection]:
    return await raw_connection(fake, PATH)


async def test_latency_holds_each_write_back_and_keeps_the_order(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    reader, writer, conn = await _open(fake)
    assert Latency(latency=0.3, jitter=0.1).apply(fake) == [conn.id]
    frames = [text_frame(f'{{"n":{n}}}'.encode()) for n in range(5)]
    sent = time.monotonic()
    for n in range(5):
        conn.send_json({"n": n})
        await asyncio.sleep(0)  # separate writes, each with its own draw of jitter
    first = await read_exactly(reader, len(frames[0]))
    waited = time.monotonic() - sent
    rest = await read_exactly(reader, sum(len(f) for f in frames[1:]))
    assert first + rest == b"".join(frames)  # the same bytes, in order
    assert waited >= 0.3 - 0.1 - EPS
    writer.close()


async def test_upstream_latency_delays_what_the_fake_reads(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    _, writer, conn = await _open(fake)
    Latency(latency=0.25, direction="upstream").apply(fake)
    sent = fake.clock.now()
    writer.write(frame(PING, b"late"))
    ping = await fake.journal.wait_for(is_("ws_frame", conn=conn.id, dir="in", op="ping"), WAIT)
    assert ping["t"] - sent >= 0.25 - EPS
    writer.close()


async def test_bandwidth_spreads_a_write_over_its_rate(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    reader, writer, conn = await _open(fake)
    Bandwidth(rate=2.0).apply(fake)  # 2,000 bytes a second
    payload = b'"' + b"x" * 598 + b'"'
    expected = text_frame(payload)
    sent = time.monotonic()
    conn.send_bytes(payload)
    got = await read_exactly(reader, len(expected))
    assert got == expected
    assert time.monotonic() - sent >= len(expected) / 2000 - EPS
    writer.close()


async def test_what_a_bandwidth_limit_holds_goes_out_when_the_limit_ends(
    start_stream: StartStreamFake,
) -> None:
    fake = await start_stream()
    reader, writer, conn = await _open(fake)
    Bandwidth(rate=0.1, lasting=0.3).apply(fake)  # 100 bytes a second, for 0.3 s
    payload = b'"' + b"x" * 998 + b'"'
    expected = text_frame(payload)
    sent = time.monotonic()
    conn.send_bytes(payload)  # 10 s of the rate: the limit ends long before
    got = await asyncio.wait_for(read_exactly(reader, len(expected)), 5.0)
    assert got == expected
    assert time.monotonic() - sent >= 0.3 - EPS
    writer.close()


async def test_slicer_cuts_a_frame_into_pieces_with_gaps(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    reader, writer, conn = await _open(fake)
    Slicer(average_size=4, size_variation=0, delay=0.05).apply(fake)
    expected = text_frame(b'{"sliced":true}')  # 17 bytes: 5 pieces, 4 gaps
    sent = time.monotonic()
    conn.send_json({"sliced": True})
    first = await read_exactly(reader, 4)
    early = time.monotonic()
    rest = await read_exactly(reader, len(expected) - 4)
    assert first + rest == expected
    assert first == expected[:4]  # the first piece came alone: the frame's header, cut
    assert time.monotonic() - sent >= 4 * 0.05 - EPS
    assert time.monotonic() - early >= 3 * 0.05 - EPS
    writer.close()


async def test_what_a_slicer_holds_goes_out_when_it_ends(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    reader, writer, conn = await _open(fake)
    Slicer(average_size=1, size_variation=0, delay=0.5, lasting=0.3).apply(fake)
    payload = b'"' + b"x" * 98 + b'"'
    expected = text_frame(payload)  # 102 pieces 0.5 s apart: 50 s had the slicer lasted
    sent = time.monotonic()
    conn.send_bytes(payload)
    got = await asyncio.wait_for(read_exactly(reader, len(expected)), 5.0)
    assert got == expected
    assert time.monotonic() - sent >= 0.3 - EPS  # spread while it lasted, then flushed
    writer.close()


async def test_limit_data_closes_after_exactly_that_many_bytes(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    reader, writer, conn = await _open(fake)
    assert LimitData(bytes=10).apply(fake) == [conn.id]
    expected = text_frame(b'{"cut":"in the middle"}')
    conn.send_json({"cut": "in the middle"})
    data, _ = await read_to_end(reader)
    assert data == expected[:10]  # a frame cut short, then EOF with no close frame
    closed = await fake.journal.wait_for(is_("ws_close", conn=conn.id), WAIT)
    assert (closed["code"], closed["how"], closed["initiator"]) == (1006, "abort_fin", "server")
    writer.close()


async def test_slow_close_holds_the_tcp_close(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    reader, writer, conn = await _open(fake)
    SlowClose(delay=0.4).apply(fake)
    conn.close(1000, "bye")
    close_frame = await read_exactly(reader, 2 + 2 + 3)
    assert close_frame[0] & 0x0F == CLOSE and close_frame[4:] == b"bye"
    answered = time.monotonic()
    writer.write(frame(CLOSE, (1000).to_bytes(2, "big")))
    rest, _ = await read_to_end(reader)
    assert rest == b""
    assert time.monotonic() - answered >= 0.4 - EPS  # the FIN came late
    writer.close()


async def test_timeout_stops_an_open_connection_then_closes_it(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    reader, writer, conn = await _open(fake)
    fired = time.monotonic()
    Timeout(timeout=0.3, scope="open").apply(fake)
    conn.send_json({"never": "sent"})
    writer.write(frame(PING, b"unanswered"))
    data, _ = await read_to_end(reader)
    assert data == b""  # no push, no pong, no close frame: only the FIN
    assert time.monotonic() - fired >= 0.3 - EPS
    assert list(fake.journal.of("ws_frame", conn=conn.id, dir="out", op="pong")) == []
    writer.close()


async def test_timeout_accepts_new_connections_and_never_answers(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    Timeout(timeout=0.3, scope="new", times=1).apply(fake)
    reader, writer = await asyncio.open_connection(fake.settings.host, fake.ws.port)
    accepted = time.monotonic()
    writer.write(b"GET /public/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
    data, _ = await read_to_end(reader)
    assert data == b""  # the TCP connect worked; the upgrade got no answer at all
    assert time.monotonic() - accepted >= 0.3 - EPS
    writer.close()
    swallowed = next(fake.journal.of("ws_invalid"))
    assert swallowed["why"] == "fault"
    _, writer2 = await raw_upgrade(fake, PATH)  # `times: 1` is spent: the next one is answered
    writer2.close()


async def test_refuse_connections_closes_the_port_for_a_while(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    reader, writer, conn = await _open(fake)
    fired = fake.clock.now()
    RefuseConnections(lasting=0.4).apply(fake)
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(fake.settings.host, fake.ws.port)
    assert conn.send_json({"still": "open"})  # open connections live on
    expected = text_frame(b'{"still":"open"}')
    assert await read_exactly(reader, len(expected)) == expected
    async with asyncio.timeout(WAIT):
        while True:
            try:
                _, again = await raw_upgrade(fake, PATH)
                break
            except ConnectionRefusedError:
                await asyncio.sleep(0.02)  # poll the port until it listens again
    assert fake.clock.now() - fired >= 0.4 - EPS
    again.close()
    writer.close()


@pytest.mark.parametrize(
    ("fault", "params", "words"),
    [
        (Latency, {"latency": 0.1, "jitter": 0.2}, "jitter: at most latency"),
        (Slicer, {"average_size": 4, "size_variation": 4}, "size_variation: less than average_size"),
        (LimitData, {"bytes": 0}, "bytes"),
        (Bandwidth, {"rate": 0}, "rate"),
        (Timeout, {"timeout": 0}, "timeout"),
    ],
)
def test_values_the_wire_cannot_carry_are_refused(fault: type, params: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        fault(**params)
