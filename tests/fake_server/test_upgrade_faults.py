"""The upgrade faults over real sockets: an upgrade never answered (`hang_upgrade`), answered
late (`slow_upgrade`) or answered 101 with a wrong accept key (`bad_accept`), as a raw client
and websockets' own client see them, and the `ws_unopened` entry that says when a client gave
up on a held handshake (also for `timeout`'s swallowed connections).

Delays are asserted as lower bounds only; absences are checked over a short bounded window.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from typing import Any

import pytest
from websockets.exceptions import InvalidHandshake
from websockets.utils import accept_key

from fake_server.faults.bad_accept import BadAccept
from fake_server.faults.hang_upgrade import HangUpgrade
from fake_server.faults.slow_upgrade import SlowUpgrade
from fake_server.faults.timeout import Timeout
from fake_server.server import FakeBinance
from tests.fake_server._fake_helpers import WAIT, StartFake, ws_connect
from tests.fake_server._stream_helpers import frame, is_

PATH = "/public/ws/a@depth"
KEY = "dGhlIHNhbXBsZSBub25jZQ=="
PING, PONG = 0x9, 0xA
EPS = 0.005
#: How long an absence is watched for.
QUIET = 0.3


async def _upgrade(fake: FakeBinance) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, float]:
    """A raw upgrade request on `PATH`; the reader, the writer and when the request went."""
    reader, writer = await asyncio.open_connection(fake.settings.host, fake.ws.port)
    writer.write(
        (
            f"GET {PATH} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    return reader, writer, time.monotonic()


async def _silent(reader: asyncio.StreamReader, window: float = QUIET) -> bool:
    """True when nothing arrives (and the stream does not end) within `window`."""
    try:
        async with asyncio.timeout(window):
            await reader.read(1)
    except TimeoutError:
        return True
    return False


async def _unopened(fake: FakeBinance) -> dict[str, Any]:
    entry: dict[str, Any] = await fake.journal.wait_for(is_("ws_unopened"), WAIT)
    return entry


async def test_hang_upgrade_reads_the_request_and_never_answers(start_fake: StartFake) -> None:
    fake = await start_fake()
    assert HangUpgrade(times=1).apply(fake) == []
    reader, writer, _ = await _upgrade(fake)
    assert await _silent(reader)  # no byte, and TCP still up
    held = await fake.journal.wait_for(is_("ws_invalid"), WAIT)
    assert (held["why"], held["fault"], held["path"]) == ("fault", "hang_upgrade", PATH)
    writer.close()  # the client gives up
    gave_up = await _unopened(fake)
    assert (gave_up["fault"], gave_up["initiator"], gave_up["how"]) == ("hang_upgrade", "client", "eof")
    assert gave_up["waited"] >= QUIET / 2  # from the fake's accept, which may trail the connect
    assert not list(fake.journal.of("ws_open"))


async def test_hang_upgrade_with_hold_closes_tcp_after_it(start_fake: StartFake) -> None:
    fake = await start_fake()
    HangUpgrade(hold=0.3).apply(fake)
    reader, writer, sent = await _upgrade(fake)
    async with asyncio.timeout(WAIT):
        data = await reader.read()
    assert data == b""  # only the FIN
    assert time.monotonic() - sent >= 0.3 - EPS
    closed = await _unopened(fake)
    assert (closed["initiator"], closed["how"]) == ("server", "fault")
    writer.close()


async def test_websockets_open_timeout_gives_up_on_a_hung_upgrade(start_fake: StartFake) -> None:
    """What a client with a handshake timeout does, as the journal records it: its TCP close
    of the attempt, `open_timeout` after the connect."""
    fake = await start_fake()
    HangUpgrade(times=1).apply(fake)
    with pytest.raises(TimeoutError):
        async with ws_connect(fake, PATH, open_timeout=0.4):
            pass
    gave_up = await _unopened(fake)
    # The client's timer starts before its connect, the fake's count at the accept: `waited`
    # is the timeout less the connect's own time (a few ms; far less than half of it).
    assert gave_up["initiator"] == "client" and gave_up["waited"] >= 0.4 / 2
    async with ws_connect(fake, PATH):  # the next one is answered
        pass


async def test_slow_upgrade_answers_101_after_the_delay_then_works(start_fake: StartFake) -> None:
    fake = await start_fake()
    SlowUpgrade(delay=0.3, times=1).apply(fake)
    reader, writer, sent = await _upgrade(fake)
    async with asyncio.timeout(WAIT):
        head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101")
    assert time.monotonic() - sent >= 0.3 - EPS
    assert f"Sec-WebSocket-Accept: {accept_key(KEY)}".encode() in head
    opened = next(fake.journal.of("ws_open"))
    assert opened["delayed"] == 0.3
    writer.write(frame(PING, b"hi"))  # a normal connection from then on
    async with asyncio.timeout(WAIT):
        pong = await reader.readexactly(4)
    assert pong == bytes([0x80 | PONG, 2]) + b"hi"
    writer.close()


async def test_slow_upgrade_left_early_is_never_answered(start_fake: StartFake) -> None:
    fake = await start_fake()
    SlowUpgrade(delay=0.4, times=1).apply(fake)
    _, writer, _ = await _upgrade(fake)
    rule = fake.ws.upgrade_rules[0]
    async with asyncio.timeout(WAIT):
        while rule.remaining:  # poll until the fake has read the request and held it
            await asyncio.sleep(0.01)
    writer.close()
    gave_up = await _unopened(fake)
    assert (gave_up["fault"], gave_up["initiator"]) == ("slow_upgrade", "client")
    assert gave_up["waited"] < 0.4
    with pytest.raises(TimeoutError):  # the delayed answer was dropped with the connection
        await fake.journal.wait_for(is_("ws_open"), 0.4 + QUIET)


async def test_bad_accept_sends_a_101_with_the_wrong_key_and_nothing_more(start_fake: StartFake) -> None:
    fake = await start_fake()
    BadAccept(times=1).apply(fake)
    reader, writer, _ = await _upgrade(fake)
    async with asyncio.timeout(WAIT):
        head = await reader.readuntil(b"\r\n\r\n")
    right = accept_key(KEY)
    wrong = base64.b64encode(hashlib.sha1(right.encode()).digest()).decode()
    assert head.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
    assert f"Sec-WebSocket-Accept: {wrong}\r\n".encode() in head and right.encode() not in head
    writer.write(frame(PING, b"hi"))
    assert await _silent(reader)  # no pong: the fake never opened the connection
    refused = next(fake.journal.of("ws_reject"))
    assert (refused["status"], refused["why"], refused["accept"]) == (101, "fault", wrong)
    writer.close()
    gave_up = await _unopened(fake)
    assert (gave_up["fault"], gave_up["initiator"]) == ("bad_accept", "client")


async def test_a_client_that_checks_the_accept_key_refuses_the_bad_101(start_fake: StartFake) -> None:
    fake = await start_fake()
    BadAccept(times=1).apply(fake)
    with pytest.raises(InvalidHandshake, match="Sec-WebSocket-Accept"):
        async with ws_connect(fake, PATH):
            pass
    gave_up = await _unopened(fake)
    assert gave_up["initiator"] == "client" and gave_up["waited"] < WAIT
    async with ws_connect(fake, PATH):  # `times: 1` is spent
        pass


async def test_timeout_journals_who_ended_a_swallowed_connection(start_fake: StartFake) -> None:
    fake = await start_fake()
    Timeout(scope="new", times=1).apply(fake)
    _, writer, _ = await _upgrade(fake)
    await fake.journal.wait_for(is_("ws_invalid", why="fault"), WAIT)
    writer.close()
    gave_up = await _unopened(fake)
    assert (gave_up["fault"], gave_up["initiator"], gave_up["how"]) == ("timeout", "client", "eof")
    Timeout(scope="new", timeout=0.2, times=1).apply(fake)
    reader, writer, _ = await _upgrade(fake)
    async with asyncio.timeout(WAIT):
        assert await reader.read() == b""
    closed = await fake.journal.wait_for(
        lambda e: e["kind"] == "ws_unopened" and e["initiator"] == "server", WAIT
    )
    assert (closed["how"], closed["waited"] >= 0.2 - EPS) == ("fault", True)
    writer.close()


@pytest.mark.parametrize("fault", [HangUpgrade, BadAccept])
def test_a_hold_must_be_positive(fault: type[HangUpgrade | BadAccept]) -> None:
    with pytest.raises(ValueError, match="hold"):
        fault(hold=0)


async def test_clearing_the_faults_drops_the_upgrade_rules(start_fake: StartFake) -> None:
    fake = await start_fake()
    HangUpgrade().apply(fake)
    SlowUpgrade(delay=5).apply(fake)
    assert fake.clear_faults() == 2
    async with ws_connect(fake, PATH):  # answered at once again
        pass
    assert not list(fake.journal.of("ws_invalid"))
