"""The `stall_data` fault through real sockets: data stops, the connection stays healthy.

Source: failure-modes.md E1 silent-stall-socket-open ("keep TCP and WS open; keep answering
pings (variant: keep sending server pings too) but stop sending data frames"). What still
flows is what a client could mistake for a live stream: server pings, pongs to its pings,
answers to its control messages.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fake_server.faults import load_all
from fake_server.faults.stall_data import StallData
from tests.fake_server._fake_helpers import (
    WAIT,
    StartFake,
    last_conn,
    new_listen_key,
    nothing_within,
    recv_json,
    tick,
    user_stream,
    ws_connect,
)
from tests.fake_server._stream_helpers import StartStreamFake, is_, request, server_ping_after

#: An absence window: long enough for a frame already written to arrive on loopback.
QUIET = 0.2


def test_stall_data_is_registered_and_describes_itself() -> None:
    assert load_all()["stall_data"] is StallData
    assert StallData(lasting=2.0).describe() == {
        "name": "stall_data",
        "layer": "websocket",
        "ends_connection": False,
        "params": {"target": "all", "lasting": 2.0},
    }


async def test_stall_drops_events_but_heartbeats_and_control_answers_go_on(start_fake: StartFake) -> None:
    fake = await start_fake(ping_interval=0.1, pong_timeout=5.0)
    key = await new_listen_key(fake)
    path = f"/private/ws/{key}"
    async with ws_connect(fake, path) as ws:
        conn = last_conn(fake, path)
        tick(fake)
        assert (await recv_json(ws))["e"] == "ORDER_TRADE_UPDATE"  # data flows before

        mark = fake.clock.now()
        assert StallData().apply(fake) == [conn]
        events = tick(fake) + tick(fake)  # the account keeps trading: a fill and its events
        assert await nothing_within(ws, QUIET)
        journaled = [e for e in fake.journal.of("event") if e["t"] >= mark]
        assert [e["E"] for e in journaled] == [e["E"] for e in events]
        assert all(e["conns"] == [] for e in journaled)

        # Heartbeats: the server keeps pinging (and websockets answers), our ping is answered.
        await server_ping_after(fake, conn, mark)
        async with asyncio.timeout(WAIT):
            await (await ws.ping(b"alive?"))
        # Control messages are still answered on the stalled connection.
        assert await request(ws, {"method": "LIST_SUBSCRIPTIONS", "id": 7}) == {"result": [key], "id": 7}
    closed = await fake.journal.wait_for(is_("ws_close", conn=conn), WAIT)
    assert closed["initiator"] == "client"  # the fault never ended the connection


async def test_a_connection_opened_after_the_stall_gets_the_data(start_fake: StartFake) -> None:
    fake = await start_fake()
    key = await new_listen_key(fake)
    path = f"/private/ws/{key}"
    async with ws_connect(fake, path) as stalled:
        old = last_conn(fake, path)
        StallData().apply(fake)
        async with ws_connect(fake, path) as fresh:
            new = last_conn(fake, path)
            (event,) = tick(fake)
            got = await recv_json(fresh)
            assert await nothing_within(stalled, QUIET)
    assert got["E"] == event["E"]
    (journaled,) = fake.journal.of("event")
    assert journaled["conns"] == [new] and old not in journaled["conns"]


async def test_a_stall_lasting_a_window_ends_by_itself(start_fake: StartFake) -> None:
    fake = await start_fake(ping_interval=0.1, pong_timeout=5.0)
    async with user_stream(fake) as (ws, conn):
        StallData(lasting=0.15).apply(fake)
        stalled_at = fake.clock.now()
        tick(fake)
        assert await nothing_within(ws, 0.05)
        # Wait on the fake's own clock: a server ping sent after the window is over.
        await server_ping_after(fake, conn, stalled_at + 0.15)
        events = tick(fake)  # dropped pushes are not queued: the next one is the first seen
        got: dict[str, Any] = await recv_json(ws)
    assert got["E"] == events[0]["E"]


async def test_market_pushes_stall_too(start_stream: StartStreamFake) -> None:
    fake = await start_stream(market_rate=100.0, ping_interval=30.0, pong_timeout=30.0)
    async with ws_connect(fake, "/market/ws/btcusdt@aggTrade") as ws:
        conn = last_conn(fake, "/market/ws/btcusdt@aggTrade")
        assert (await recv_json(ws))["e"] == "aggTrade"
        StallData().apply(fake)
        stalled_at = fake.clock.now()
        # Read out what was written before the fault, then silence: at 100 pushes/s a
        # working stream would never leave a gap this long.
        async with asyncio.timeout(WAIT):
            while not await nothing_within(ws, QUIET):
                pass
        assert await nothing_within(ws, QUIET)
    assert all(conn not in e["conns"] for e in fake.journal.of("market") if e["t"] > stalled_at)
