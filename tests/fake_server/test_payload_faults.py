"""Payload faults observed through a real user-data socket and the journal.

Sources: failure-modes.md H1 (send_raw), H2 (unknown_event), H3 (burst_events), H5
(reorder_events), H6 (duplicate_event); binance-reference.md §3 (MARGIN_CALL's `p` is an
array, TRADE_LITE's a string) and §5 (E strictly increasing on a connection, which only a
fault breaks).
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from websockets.asyncio.client import ClientConnection

from fake_server.faults import FAULTS, load_all
from fake_server.faults.burst_events import BurstEvents
from fake_server.faults.duplicate_event import DuplicateEvent
from fake_server.faults.reorder_events import ReorderEvents
from fake_server.faults.send_raw import SendRaw
from fake_server.faults.unknown_event import UnknownEvent
from fake_server.server import FakeBinance
from tests.fake_server._fake_helpers import (
    WAIT,
    StartFake,
    recv_json,
    tick,
    user_stream,
    ws_connect,
)


async def recv_n(ws: ClientConnection, n: int) -> list[dict[str, Any]]:
    async with asyncio.timeout(WAIT):
        return [orjson.loads(await ws.recv()) for _ in range(n)]


def sent_events(fake: FakeBinance, **match: Any) -> list[dict[str, Any]]:
    return list(fake.journal.of("event", **match))


def test_payload_faults_are_registered_and_validated() -> None:
    registered = load_all()
    for cls in (DuplicateEvent, ReorderEvents, SendRaw, UnknownEvent, BurstEvents):
        assert registered[cls.name] is cls and cls.layer == "payload"
        assert not cls.ends_connection
    assert FAULTS["duplicate_event"]().describe()["params"] == {"count": 1, "event_type": None}
    for bad in (
        lambda: DuplicateEvent(count=0),
        lambda: BurstEvents(count=0),
        lambda: SendRaw(binary_hex="zz"),
    ):
        with pytest.raises(ValueError):
            bad()


async def test_duplicate_event_sends_the_next_events_twice_with_identical_bytes(
    start_fake: StartFake,
) -> None:
    fake = await start_fake()
    async with user_stream(fake) as (ws, conn):
        assert DuplicateEvent(count=2).apply(fake) == []  # it acts on the next events
        tick(fake)  # places an order: 1 event
        tick(fake)  # fills it and places the next: 4 events
        got = await recv_n(ws, 5 + 2)
    first, second = got[0], got[2]
    assert got[1] == first and got[3] == second  # each sent twice, back to back
    assert [e["E"] for e in got[4:]] == sorted({e["E"] for e in got[4:]})  # then once each
    copies = sent_events(fake, copy=2)
    assert [(c["e"], c["E"], c["fault"], c["conns"]) for c in copies] == [
        (first["e"], first["E"], "duplicate_event", [conn]),
        (second["e"], second["E"], "duplicate_event", [conn]),
    ]
    assert fake.payload_rules == []  # spent


async def test_duplicate_event_of_one_type_only(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with user_stream(fake) as (ws, _):
        DuplicateEvent(event_type="ACCOUNT_UPDATE").apply(fake)
        tick(fake)
        tick(fake)
        got = await recv_n(ws, 6)
    assert [e["e"] for e in got] == [
        "ORDER_TRADE_UPDATE",
        "TRADE_LITE",
        "ORDER_TRADE_UPDATE",
        "ACCOUNT_UPDATE",
        "ACCOUNT_UPDATE",
        "ORDER_TRADE_UPDATE",
    ]
    assert got[3] == got[4]


async def test_reorder_events_sends_new_after_the_fill_of_the_same_order(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with user_stream(fake) as (ws, conn):
        ReorderEvents().apply(fake)
        tick(fake)  # NEW of order A: held
        tick(fake)  # A fills (TRADE_LITE, TRADE, ACCOUNT_UPDATE), then NEW of order B
        got = await recv_n(ws, 5)
    summary = [(e["e"], e.get("o", {}).get("X")) for e in got]
    assert summary == [
        ("TRADE_LITE", None),
        ("ORDER_TRADE_UPDATE", "FILLED"),
        ("ORDER_TRADE_UPDATE", "NEW"),  # A's NEW, late, with the oldest E
        ("ACCOUNT_UPDATE", None),
        ("ORDER_TRADE_UPDATE", "NEW"),  # B's NEW, in place
    ]
    filled, late = got[1], got[2]
    assert late["o"]["i"] == filled["o"]["i"] and late["E"] < got[0]["E"] < filled["E"]
    held = sent_events(fake, held=True)
    assert [(h["order_id"], h["x"], h["after"], h["conns"], h["fault"]) for h in held] == [
        (late["o"]["i"], "NEW", filled["E"], [conn], "reorder_events")
    ]
    # The journal lists sends in wire order, so the held event comes after the fill.
    order = [e["E"] for e in sent_events(fake) if e.get("order_id") == late["o"]["i"]]
    assert order == [got[0]["E"], filled["E"], late["E"]]
    assert fake.payload_rules == []


@pytest.mark.parametrize(
    ("frame", "expected"),
    [("empty", ""), ("text", "Internal Server Error"), ("binary", bytes.fromhex("1f8b0800000000000003"))],
)
async def test_send_raw_writes_the_frame_and_the_connection_goes_on(
    start_fake: StartFake, frame: str, expected: str | bytes
) -> None:
    fake = await start_fake()
    async with user_stream(fake) as (ws, conn):
        assert SendRaw(frame=frame).apply(fake) == [conn]  # type: ignore[arg-type]
        async with asyncio.timeout(WAIT):
            assert await ws.recv() == expected
        events = tick(fake)
        assert (await recv_json(ws))["E"] == events[0]["E"]  # the stream goes on
    entry = next(fake.journal.of("ws_frame", fault="send_raw"))
    op = "binary" if frame == "binary" else "text"
    data = expected.hex() if isinstance(expected, bytes) else expected
    assert (entry["conn"], entry["dir"], entry["op"], entry["data"], entry["frame"]) == (
        conn,
        "out",
        op,
        data,
        frame,
    )
    assert not list(fake.journal.of("ws_close", conn=conn, initiator="server"))


async def test_send_raw_skips_connections_without_user_data(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with user_stream(fake) as (_, conn), ws_connect(fake, "/market/ws/btcusdt@aggTrade"):
        assert SendRaw().apply(fake) == [conn]


async def test_unknown_event_sends_an_unknown_type_a_retyped_field_and_unknown_fields(
    start_fake: StartFake,
) -> None:
    fake = await start_fake()
    async with user_stream(fake) as (ws, conn):
        tick(fake)  # an open order, so the next tick fills it
        await recv_json(ws)
        assert UnknownEvent().apply(fake) == [conn]
        got = await recv_n(ws, 2 + 4)
    unknown, margin_call, *decorated = got
    assert unknown["e"] == "NEW_EVENT_TYPE" and unknown["zx"] == {"v": [1, "2", None], "ok": True}
    assert margin_call["e"] == "MARGIN_CALL" and isinstance(margin_call["p"], list)
    assert set(margin_call["p"][0]) == {"s", "ps", "pa", "mt", "iw", "mp", "up", "mm"}
    lite = next(e for e in decorated if e["e"] == "TRADE_LITE")
    assert isinstance(lite["p"], str)  # the same name, another type: go-binance#612
    assert all("zx" in e for e in decorated)
    assert all("zx" in e["o"] for e in decorated if e["e"] == "ORDER_TRADE_UPDATE")
    assert "zx" in next(e for e in decorated if e["e"] == "ACCOUNT_UPDATE")["a"]
    stamps = [e["E"] for e in got]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)  # still one E sequence
    variants = [e["variant"] for e in sent_events(fake, fault="unknown_event")]
    assert variants == ["unknown_type", "retyped_field"] + ["unknown_fields"] * 4


async def test_burst_events_writes_hundreds_of_real_events_at_once(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with user_stream(fake) as (ws, conn):
        assert BurstEvents(count=300).apply(fake) == [conn]
        burst = sent_events(fake, fault="burst_events")
        assert len(burst) >= 300 and all(e["conns"] == [conn] for e in burst)
        # One pass of the event loop: nothing else was journaled in between.
        entries = fake.journal.entries
        first = next(i for i, e in enumerate(entries) if e.get("fault") == "burst_events")
        assert entries[first : first + len(burst)] == burst
        got = await recv_n(ws, len(burst))
    assert [e["E"] for e in got] == [e["E"] for e in burst]
    assert [e["E"] for e in got] == sorted({e["E"] for e in got})
    # Real activity: the open orders are what the events left open.
    placed = {e["o"]["i"] for e in got if e["e"] == "ORDER_TRADE_UPDATE" and e["o"]["X"] == "NEW"}
    filled = {e["o"]["i"] for e in got if e["e"] == "ORDER_TRADE_UPDATE" and e["o"]["X"] == "FILLED"}
    assert set(fake.futures_account.open_orders) == placed - filled


async def test_clear_faults_drops_payload_rules(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with user_stream(fake) as (ws, _):
        DuplicateEvent().apply(fake)
        ReorderEvents().apply(fake)
        assert fake.clear_faults() == 2
        events = tick(fake)
        assert (await recv_json(ws))["E"] == events[0]["E"]  # the NEW, not held
    assert list(fake.journal.of("event", copy=2)) == []
