"""The wire faults (WireMock's and Mountebank's) over real sockets: a raw client sees exactly the
bytes, the close and the timing each promises, on a REST call and on a WebSocket upgrade.

Delays are asserted as lower bounds only (a loaded machine makes everything later, never
earlier); every wait is on a condition with a timeout.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from fake_server.faults import load_all
from fake_server.faults.chunked_dribble import ChunkedDribble
from fake_server.faults.common import BreaksAnswers
from fake_server.faults.connection_reset import ConnectionReset
from fake_server.faults.empty_response import EmptyResponse
from fake_server.faults.malformed_chunk import MalformedChunk
from fake_server.faults.random_data_then_close import RandomDataThenClose
from fake_server.fronts.wire_breaks import GARBAGE, MALFORMED_HEAD
from fake_server.server import FakeBinance
from tests.fake_server._fake_helpers import WAIT, StartFake, new_listen_key, rest
from tests.fake_server._stream_helpers import raw_upgrade

EPS = 0.005
KEEPALIVE = "PUT /fapi/v1/listenKey"

#: Each wire fault, and what a raw client reads before the end of the stream (None: a reset).
BREAKS: list[tuple[type[BreaksAnswers], bytes | None]] = [
    (EmptyResponse, b""),
    (MalformedChunk, MALFORMED_HEAD + GARBAGE),
    (RandomDataThenClose, GARBAGE),
    (ConnectionReset, None),
]


async def _exchange(host: str, port: int, request: bytes) -> tuple[bytes, bool]:
    """Send `request` on a fresh TCP connection; everything read until the end, and whether
    the end was a reset (ECONNRESET) rather than a FIN."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(request)
    data = b""
    try:
        async with asyncio.timeout(WAIT):
            while chunk := await reader.read(65536):
                data += chunk
    except ConnectionResetError:
        return data, True
    finally:
        writer.close()
    return data, False


def _keepalive_request(fake: FakeBinance) -> bytes:
    key = fake.settings.credentials.api_key
    return (
        f"PUT /fapi/v1/listenKey HTTP/1.1\r\nHost: x\r\nX-MBX-APIKEY: {key}\r\nContent-Length: 0\r\n\r\n"
    ).encode()


def _upgrade_request(path: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


@pytest.mark.parametrize(("fault", "wire"), BREAKS, ids=[f.name for f, _ in BREAKS])
async def test_a_broken_rest_answer_is_exactly_those_bytes_then_the_close(
    start_fake: StartFake, fault: type[BreaksAnswers], wire: bytes | None
) -> None:
    fake = await start_fake()
    await new_listen_key(fake)
    assert load_all()[fault.name] is fault and fault.layer == "http" and fault.mirrors
    assert fault(times=1).apply(fake) == []
    data, reset = await _exchange(fake.settings.host, fake.rest.port, _keepalive_request(fake))
    if wire is None:
        assert (data, reset) == (b"", True)
    else:
        assert (data, reset) == (wire, False)
    broken = next(fake.journal.of("rest", method="PUT"))
    assert (broken["status"], broken["body"], broken["fault"], broken["broken"]) == (
        0,
        "",
        True,
        fault.breaks,
    )
    assert not list(fake.journal.of("listen_key", action="extended"))  # not carried out
    async with rest(fake) as client:  # `times: 1` is spent: the next call is answered
        assert (await client.put("/fapi/v1/listenKey")).status_code == 200


@pytest.mark.parametrize(("fault", "wire"), BREAKS, ids=[f.name for f, _ in BREAKS])
async def test_a_broken_upgrade_answer_is_the_same_bytes(
    start_fake: StartFake, fault: type[BreaksAnswers], wire: bytes | None
) -> None:
    fake = await start_fake()
    fault(front="websocket", times=1).apply(fake)
    data, reset = await _exchange(fake.settings.host, fake.ws.port, _upgrade_request("/public/ws/a@depth"))
    assert (data, reset) == ((b"", True) if wire is None else (wire, False))
    held = next(fake.journal.of("ws_invalid"))
    assert (held["why"], held["fault"], held["path"]) == ("fault", fault.name, "/public/ws/a@depth")
    assert not list(fake.journal.of("rest"))  # the REST front was not touched
    _, writer = await raw_upgrade(fake, "/public/ws/a@depth")  # `times: 1` is spent: a 101
    writer.close()


async def test_a_route_the_rule_does_not_name_is_answered_as_usual(start_fake: StartFake) -> None:
    fake = await start_fake()
    EmptyResponse(route=KEEPALIVE).apply(fake)
    async with rest(fake) as client:
        assert (await client.get("/fapi/v1/ping")).status_code == 200
    assert next(fake.journal.of("rest"))["status"] == 200


async def test_chunked_dribble_sends_the_head_at_once_and_the_body_over_its_duration(
    start_fake: StartFake,
) -> None:
    fake = await start_fake()
    ChunkedDribble(route="GET /fapi/v1/time", chunks=3, duration=0.6, times=1).apply(fake)
    reader, writer = await asyncio.open_connection(fake.settings.host, fake.rest.port)
    writer.write(b"GET /fapi/v1/time HTTP/1.1\r\nHost: x\r\n\r\n")
    async with asyncio.timeout(WAIT):
        head = await reader.readuntil(b"\r\n\r\n")
        headed = time.monotonic()
        length = int(next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length:"))[15:])
        body, arrivals = b"", []
        while len(body) < length:
            body += await reader.read(length - len(body))
            arrivals.append(time.monotonic())
    writer.close()
    assert head.startswith(b"HTTP/1.1 200")
    entry = next(fake.journal.of("rest"))
    assert body.decode() == entry["body"] and entry["dribbled"] == 0.6  # the route's own answer
    assert arrivals[0] - headed >= 0.6 / 3 - EPS  # the first piece waited one gap
    assert arrivals[-1] - headed >= 0.6 - EPS  # the last byte came the whole duration later
    assert len(arrivals) >= 2  # in pieces, not in one write


def test_chunked_dribble_refuses_what_cannot_be_dribbled() -> None:
    with pytest.raises(ValueError, match="chunks"):
        ChunkedDribble(chunks=0)
    with pytest.raises(ValueError, match="duration"):
        ChunkedDribble(duration=0)
