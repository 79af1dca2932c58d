"""The frame faults (Autobahn's case families, played by the server) over real sockets: a raw
client reads exactly the bytes each fault promises, in the order promised, and the journal
records what went out.

Every wait is on a condition with a timeout; delays are asserted as lower bounds only (a
loaded machine makes everything later, never earlier).
"""

from __future__ import annotations

import asyncio

import orjson
import pytest

from fake_server.faults import load_all
from fake_server.faults.close import Close
from fake_server.faults.close_then_reset import CloseThenReset
from fake_server.faults.fragment_messages import FragmentMessages
from fake_server.faults.invalid_utf8 import InvalidUtf8
from fake_server.faults.oversized_event import OversizedEvent
from fake_server.faults.ping_then_close import PingThenClose
from fake_server.faults.reserved_frame import ReservedFrame
from fake_server.faults.unfinished_close import UnfinishedClose
from fake_server.faults.unsolicited_pong import UnsolicitedPong
from fake_server.fronts import connection
from fake_server.fronts.connection import WsConnection
from fake_server.fronts.frames import text_frame
from fake_server.server import FakeBinance
from tests.fake_server._fake_helpers import WAIT, new_listen_key
from tests.fake_server._stream_helpers import (
    StartStreamFake,
    frame,
    is_,
    raw_connection,
    read_exactly,
    read_to_end,
    server_frame,
)

PATH = "/public/ws/a@depth"
CLOSE, PONG = 0x8, 0xA
#: Room for clock granularity between the fake's timer and the test's clock.
EPS = 0.005
#: How long an absence is watched for: what the fake never sends does not come in this time.
QUIET = 0.5

Raw = tuple[asyncio.StreamReader, asyncio.StreamWriter, WsConnection]


async def _user_data(fake: FakeBinance) -> Raw:
    return await raw_connection(fake, f"/private/ws/{await new_listen_key(fake)}")


def _close_payload(code: int, reason: bytes = b"") -> bytes:
    return code.to_bytes(2, "big") + reason


async def _nothing_comes(reader: asyncio.StreamReader) -> None:
    """Neither a byte nor EOF for `QUIET` seconds."""
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(QUIET):
            await reader.read(1)


def test_the_frame_faults_are_registered_at_their_layer() -> None:
    registered = load_all()
    for cls in (
        UnfinishedClose,
        CloseThenReset,
        PingThenClose,
        FragmentMessages,
        UnsolicitedPong,
        ReservedFrame,
        OversizedEvent,
    ):
        assert registered[cls.name] is cls and cls.layer == "websocket" and cls.mirrors.startswith("Autobahn")
    assert registered["invalid_utf8"] is InvalidUtf8 and InvalidUtf8.layer == "payload"


# close: the codes and payloads RFC 6455 forbids, sent because a scenario asked ------------------


@pytest.mark.parametrize("code", [1004, 1005, 1006, 1015, 999, 5000, 0, 65535])
async def test_close_writes_a_forbidden_code_as_asked(start_stream: StartStreamFake, code: int) -> None:
    fake = await start_stream()
    reader, writer, conn = await raw_connection(fake, PATH)
    assert Close(raw_code=code, reason="bye").apply(fake) == [conn.id]
    expected = b"\x88\x05" + _close_payload(code, b"bye")
    assert await read_exactly(reader, len(expected)) == expected
    writer.write(frame(CLOSE, _close_payload(1002)))  # a conforming client fails it: 1002
    rest, _ = await read_to_end(reader)
    assert rest == b""  # the client's frame completes the handshake: no second close frame, a FIN
    sent = next(fake.journal.of("ws_frame", conn=conn.id, dir="out", op="close"))
    assert (sent["code"], sent["reason"], sent["data"]) == (code, "bye", expected[2:].hex())
    answer = await fake.journal.wait_for(is_("ws_frame", conn=conn.id, dir="in", op="close"), WAIT)
    assert answer["code"] == 1002
    closed = await fake.journal.wait_for(is_("ws_close", conn=conn.id), WAIT)
    assert (closed["code"], closed["initiator"], closed["how"]) == (code, "server", "fault")
    writer.close()


@pytest.mark.parametrize(
    ("payload_hex", "head", "code"),
    [
        ("03", b"\x88\x01", None),  # a code cut in half
        ("", b"\x88\x00", None),  # no payload: allowed, "no status" (1005) to the client
        ("03e8" + "61" * 124, b"\x88\x7e\x00\x7e", 1000),  # 126 bytes: over the 125 of a control frame
    ],
)
async def test_close_writes_a_hand_made_payload(
    start_stream: StartStreamFake, payload_hex: str, head: bytes, code: int | None
) -> None:
    fake = await start_stream()
    reader, writer, conn = await raw_connection(fake, PATH)
    Close(payload_hex=payload_hex).apply(fake)
    expected = head + bytes.fromhex(payload_hex)
    assert await read_exactly(reader, len(expected)) == expected
    sent = next(fake.journal.of("ws_frame", conn=conn.id, dir="out", op="close"))
    assert (sent["code"], sent["data"]) == (code, payload_hex)
    writer.close()


async def test_close_still_checks_the_code_unless_told(start_stream: StartStreamFake) -> None:
    with pytest.raises(ValueError, match="1005 is not a close code a server may send"):
        Close(code=1005)
    with pytest.raises(ValueError, match="raw_code and payload_hex"):
        Close(raw_code=1005, payload_hex="03ed")
    with pytest.raises(ValueError, match="at most 1024 bytes"):
        Close(payload_hex="00" * 1025)
    fake = await start_stream()
    reader, writer, _ = await raw_connection(fake, PATH)
    Close(code=1000, reason="ok").apply(fake)  # the checked path: websockets builds the frame
    assert await read_exactly(reader, 6) == b"\x88\x04\x03\xe8ok"
    writer.close()


# Closing handshakes that do not complete ------------------------------------------------------


async def test_unfinished_close_reads_no_answer_and_keeps_tcp_open(
    start_stream: StartStreamFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connection, "CLOSE_TIMEOUT", 0.1)  # a completed close would reset by now
    fake = await start_stream()
    reader, writer, conn = await raw_connection(fake, PATH)
    UnfinishedClose(code=1001, reason="away").apply(fake)
    expected = b"\x88\x06" + _close_payload(1001, b"away")
    assert await read_exactly(reader, len(expected)) == expected
    writer.write(frame(CLOSE, _close_payload(1001)))
    assert not conn.send_json({"after": "the close"})
    await _nothing_comes(reader)  # no byte, no FIN, no reset: the handshake hangs
    assert list(fake.journal.of("ws_frame", conn=conn.id, dir="in", op="close")) == []  # never read
    assert list(fake.journal.of("ws_close", conn=conn.id)) == []
    writer.close()  # the client gives up and drops TCP itself
    closed = await fake.journal.wait_for(is_("ws_close", conn=conn.id), WAIT)
    assert (closed["code"], closed["initiator"], closed["how"]) == (1001, "server", "fault")


async def test_unfinished_close_with_hold_sends_its_fin_late(
    start_stream: StartStreamFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connection, "CLOSE_TIMEOUT", 0.1)
    fake = await start_stream()
    reader, writer, _ = await raw_connection(fake, PATH)
    UnfinishedClose(code=1000, hold=0.6).apply(fake)
    sent = asyncio.get_running_loop().time()
    assert await read_exactly(reader, 4) == b"\x88\x02\x03\xe8"
    rest, _ = await read_to_end(reader)  # a reset would raise here: a FIN ends it
    assert rest == b""
    assert asyncio.get_running_loop().time() - sent >= 0.6 - EPS
    writer.close()


async def test_close_then_reset_resets_tcp_right_behind_the_frame(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    reader, writer, conn = await raw_connection(fake, PATH)
    CloseThenReset(code=1001).apply(fake)
    data = b""
    with pytest.raises(ConnectionResetError):
        async with asyncio.timeout(WAIT):
            while chunk := await reader.read(65536):
                data += chunk
    assert data == b"\x88\x02\x03\xe9"  # on loopback the frame is read before the reset
    closed = await fake.journal.wait_for(is_("ws_close", conn=conn.id), WAIT)
    assert (closed["code"], closed["initiator"], closed["how"]) == (1001, "server", "abort_rst")
    writer.close()


async def test_ping_then_close_writes_both_in_order(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    reader, writer, conn = await raw_connection(fake, PATH)
    assert PingThenClose(data="hb", code=1001).apply(fake) == [conn.id]
    expected = b"\x89\x02hb" + b"\x88\x02\x03\xe9"
    assert await read_exactly(reader, len(expected)) == expected
    writer.write(frame(PONG, b"hb") + frame(CLOSE, _close_payload(1001)))
    rest, _ = await read_to_end(reader)
    assert rest == b""
    out = [(f["op"], f.get("fault")) for f in fake.journal.of("ws_frame", conn=conn.id, dir="out")]
    assert out == [("ping", "ping_then_close"), ("close", None)]
    writer.close()


# Data frames: fragments, pongs nobody asked for, reserved bits and opcodes, bad UTF-8, size ------


async def test_fragment_messages_cuts_each_message_into_continuations(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    reader, writer, conn = await raw_connection(fake, PATH)
    FragmentMessages(fragments=3).apply(fake)
    conn.send_json({"n": 1})  # 7 bytes: 3 + 2 + 2
    expected = b'\x01\x03{"n' + b'\x00\x02":' + b"\x80\x021}"
    assert await read_exactly(reader, len(expected)) == expected
    note = next(fake.journal.of("ws_frame", conn=conn.id, fault="fragment_messages"))
    assert (note["op"], note["fragments"], note["size"]) == ("text", 3, 7)
    writer.close()


async def test_fragment_messages_spaces_fragments_with_a_ping_between(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    reader, writer, conn = await raw_connection(fake, PATH)
    FragmentMessages(fragments=2, gap=0.2, control="ping", data="hb", messages=1).apply(fake)
    conn.send_json({"n": 1})
    conn.send_json({"n": 2})  # pushed meanwhile: whole, and only after the last fragment
    first, early = await server_frame(reader)
    ping, _ = await server_frame(reader)
    last, late = await server_frame(reader)
    after, _ = await server_frame(reader)
    assert (first, ping, last) == (b'\x01\x04{"n"', b"\x89\x02hb", b"\x80\x03:1}")
    assert after == text_frame(b'{"n":2}')  # `messages: 1` is spent
    assert late - early >= 0.2 - EPS
    frames = [(f["op"], f.get("data")) for f in fake.journal.of("ws_frame", conn=conn.id, dir="out")]
    assert frames == [("text", None), ("ping", "6862")]
    writer.close()


async def test_unsolicited_pongs_and_the_connection_goes_on(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    reader, writer, conn = await raw_connection(fake, PATH)
    assert UnsolicitedPong(count=2, data="hb").apply(fake) == [conn.id]
    conn.send_json({"still": "open"})
    expected = b"\x8a\x02hb" * 2 + text_frame(b'{"still":"open"}')
    assert await read_exactly(reader, len(expected)) == expected
    pongs = list(fake.journal.of("ws_frame", conn=conn.id, dir="out", op="pong"))
    assert [(p["data"], p["fault"]) for p in pongs] == [("6862", "unsolicited_pong")] * 2
    writer.close()


@pytest.mark.parametrize(
    ("params", "expected", "op"),
    [
        ({"rsv": 4, "data": "{}"}, b"\xc1\x02{}", "text"),  # RSV1 on a text frame
        ({"rsv": 3, "opcode": 9}, b"\xb9\x00", "ping"),  # RSV2 + RSV3 on a ping
        ({"rsv": 0, "opcode": 3, "data": "x"}, b"\x83\x01x", "reserved"),
        ({"rsv": 0, "opcode": 11}, b"\x8b\x00", "reserved"),
        ({"rsv": 0, "opcode": 0, "data": "x"}, b"\x80\x01x", "reserved"),  # a continuation of nothing
    ],
)
async def test_reserved_frame_writes_what_rfc_6455_reserves(
    start_stream: StartStreamFake, params: dict[str, object], expected: bytes, op: str
) -> None:
    fake = await start_stream()
    reader, writer, conn = await raw_connection(fake, PATH)
    ReservedFrame(**params).apply(fake)  # type: ignore[arg-type]
    assert await read_exactly(reader, len(expected)) == expected
    sent = next(fake.journal.of("ws_frame", conn=conn.id, fault="reserved_frame"))
    assert (sent["op"], sent["opcode"], sent["rsv"]) == (op, expected[0] & 0x0F, expected[0] >> 4 & 0x7)
    writer.close()


def test_reserved_frame_refuses_a_valid_frame() -> None:
    with pytest.raises(ValueError, match="is a valid frame"):
        ReservedFrame(rsv=0, opcode=1)


async def test_invalid_utf8_goes_to_user_data_connections_only(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    reader, writer, conn = await _user_data(fake)
    _, public, _ = await raw_connection(fake, PATH)
    assert InvalidUtf8().apply(fake) == [conn.id]
    latin1 = b'{"msg":"caf\xe9 cr\xe8me"}'
    expected = b"\x81" + bytes([len(latin1)]) + latin1
    assert await read_exactly(reader, len(expected)) == expected
    sent = next(fake.journal.of("ws_frame", fault="invalid_utf8"))
    assert (sent["conn"], sent["op"], sent["data"]) == (conn.id, "text", latin1.hex())
    with pytest.raises(ValueError, match="valid UTF-8"):
        InvalidUtf8(data_hex=b"caf\xc3\xa9".hex())
    writer.close()
    public.close()


async def test_oversized_event_pads_one_event_to_the_size(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    reader, writer, conn = await _user_data(fake)
    assert OversizedEvent(size=70_000).apply(fake) == [conn.id]
    whole, _ = await server_frame(reader)
    assert whole[:10] == b"\x81\x7f" + (70_000).to_bytes(8, "big")  # a 64-bit length
    event = orjson.loads(whole[10:])
    assert set(event["pad"]) == {"x"}
    sent = next(fake.journal.of("event", fault="oversized_event"))
    assert (sent["e"], sent["E"], sent["size"], sent["conns"]) == (event["e"], event["E"], 70_000, [conn.id])
    writer.close()
