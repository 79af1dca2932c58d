"""The WebSocket front through real sockets (websockets' client against the fake).

Sources: binance-reference.md §1 table (USD-M user WS paths), §2 (URL forms, futures
routing, ping/pong rules, listenKeyExpired, close codes), §3 (listenKeyExpired shape);
failure-modes.md A7 (a dead key connects and stays silent), D1 (unanswered pings).
"""

from __future__ import annotations

import asyncio

import pytest
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK, InvalidStatus
from websockets.protocol import State

from clients.pongless import PonglessClientConnection
from fake_server.faults.expire_listen_key import ExpireListenKey
from tests.fake_server._fake_helpers import (
    EPOCH_MS,
    WAIT,
    StartFake,
    last_conn,
    new_listen_key,
    nothing_within,
    recv_json,
    recv_until,
    rest,
    tick,
    ws_connect,
)

#: Journal times are rounded to the microsecond; timers never fire early.
EPS = 1e-5
USER_EVENTS = {"ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE", "TRADE_LITE"}


async def test_events_flow_by_themselves_on_private_ws(start_fake: StartFake) -> None:
    fake = await start_fake(rate=50)
    key = await new_listen_key(fake)
    path = f"/private/ws/{key}"
    async with ws_connect(fake, path) as ws:
        conn = last_conn(fake, path)
        messages = [await recv_json(ws) for _ in range(4)]
    assert {m["e"] for m in messages} <= USER_EVENTS
    assert all("stream" not in m for m in messages)  # raw, not wrapped
    assert [m["E"] for m in messages] == sorted({m["E"] for m in messages})
    opened = next(fake.journal.of("ws_open", conn=conn))
    assert (opened["route"], opened["route_kind"]) == ("private/ws", "private")
    assert opened["listen_keys"] == [key] and opened["key_states"] == {key: "active"}
    assert opened["peer"].startswith("127.0.0.1:")
    delivered = [e for e in fake.journal.of("event") if conn in e["conns"]]
    assert [e["E"] for e in delivered[:4]] == [m["E"] for m in messages]


async def test_private_ws_query_form_and_events_filter(start_fake: StartFake) -> None:
    fake = await start_fake()
    key = await new_listen_key(fake)
    async with ws_connect(fake, f"/private/ws?listenKey={key}&events=ACCOUNT_UPDATE") as ws:
        tick(fake)  # ORDER_TRADE_UPDATE NEW: filtered out
        made = tick(fake)  # TRADE_LITE, ORDER_TRADE_UPDATE TRADE, ACCOUNT_UPDATE, ORDER_TRADE_UPDATE NEW
        first = await recv_json(ws)
        assert first == made[2]
        assert await nothing_within(ws, 0.1)


async def test_private_ws_query_form_without_filter_gets_everything(start_fake: StartFake) -> None:
    fake = await start_fake()
    key = await new_listen_key(fake)
    async with ws_connect(fake, f"/private/ws?listenKey={key}") as ws:
        made = tick(fake) + tick(fake)
        got = [await recv_json(ws) for _ in made]
    assert got == made


async def test_private_stream_wraps_events_with_the_key_as_stream_name(start_fake: StartFake) -> None:
    fake = await start_fake()
    key = await new_listen_key(fake)
    path = f"/private/stream?listenKey={'x' * 64}&listenKey={key}"
    async with ws_connect(fake, path) as ws:
        (made,) = tick(fake)
        got = await recv_json(ws)
    assert got == {"stream": key, "data": made}
    assert next(fake.journal.of("ws_open"))["key_states"] == {"x" * 64: "unknown", key: "active"}


@pytest.mark.parametrize("form", ["/ws/{key}", "/stream?streams={key}"])
async def test_legacy_routes_are_accepted_but_carry_no_user_data(start_fake: StartFake, form: str) -> None:
    fake = await start_fake()
    key = await new_listen_key(fake)
    legacy_path = form.format(key=key)
    async with ws_connect(fake, legacy_path) as legacy, ws_connect(fake, f"/private/ws/{key}") as private:
        legacy_id = last_conn(fake, legacy_path)
        private_id = last_conn(fake, f"/private/ws/{key}")
        (made,) = tick(fake)
        assert await recv_json(private) == made
        assert await nothing_within(legacy, 0.2)
        assert legacy.state is State.OPEN
    assert next(fake.journal.of("ws_open", conn=legacy_id))["route_kind"] == "legacy"
    assert [e["conns"] for e in fake.journal.of("event")] == [[private_id]]


@pytest.mark.parametrize("path", ["/nope", "/", "/private", "/ws-fapi/v1"])
async def test_unknown_path_is_rejected_with_404(start_fake: StartFake, path: str) -> None:
    fake = await start_fake()
    with pytest.raises(InvalidStatus) as caught:
        async with ws_connect(fake, path):
            pass
    assert caught.value.response.status_code == 404
    (rejected,) = fake.journal.of("ws_reject")
    assert (rejected["path"], rejected["status"]) == (path, 404)
    assert list(fake.journal.of("ws_open")) == []


@pytest.mark.parametrize("state", ["unknown", "expired"])
async def test_dead_key_is_accepted_and_silent(start_fake: StartFake, state: str) -> None:
    """JKorf/CryptoExchange.Net#60: the upgrade with a dead key succeeds, nothing arrives."""
    fake = await start_fake()
    if state == "unknown":
        dead, live_key = "b" * 64, await new_listen_key(fake)
    else:
        dead = await new_listen_key(fake)
        ExpireListenKey().apply(fake)
        live_key = await new_listen_key(fake)
        assert live_key != dead
    async with (
        ws_connect(fake, f"/private/ws/{dead}") as silent,
        ws_connect(fake, f"/private/ws/{live_key}") as live,
    ):
        (made,) = tick(fake)
        assert await recv_json(live) == made
        assert await nothing_within(silent, 0.2)
        assert silent.state is State.OPEN
    opened = next(fake.journal.of("ws_open", path=f"/private/ws/{dead}"))
    assert opened["key_states"] == {dead: state}


async def test_client_ping_is_answered_with_the_same_payload(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with ws_connect(fake, "/private/ws/whatever") as ws:
        conn = last_conn(fake, "/private/ws/whatever")
        pong = await ws.ping(b"client-ping-7")
        async with asyncio.timeout(WAIT):
            await pong  # websockets resolves it only for a pong with the same payload
    frames = [(e["dir"], e["op"], e["data"]) for e in fake.journal.of("ws_frame", conn=conn) if "data" in e]
    assert frames == [("in", "ping", b"client-ping-7".hex()), ("out", "pong", b"client-ping-7".hex())]


async def test_server_pings_carry_a_payload_and_echoed_pongs_keep_the_connection(
    start_fake: StartFake,
) -> None:
    fake = await start_fake(ping_interval=0.1, pong_timeout=0.25)
    async with ws_connect(fake, "/private/ws/k") as ws:
        conn = last_conn(fake, "/private/ws/k")
        answered: list[str] = []

        def fourth_answer(e: dict[str, object]) -> bool:
            if e["kind"] == "ws_frame" and e["conn"] == conn and e["op"] == "pong" and e["dir"] == "in":
                answered.append(str(e["data"]))
            return len(answered) >= 4  # the first ping's pong deadline has long passed

        await fake.journal.wait_for(fourth_answer, WAIT, past=False)
        assert ws.state is State.OPEN
    pings = [e["data"] for e in fake.journal.of("ws_frame", conn=conn, dir="out", op="ping")]
    assert all(p != "" for p in pings)
    assert len(set(pings)) == len(pings)  # each ping its own payload
    assert answered == pings[:4]
    assert all(e["answers_ping"] for e in fake.journal.of("ws_frame", conn=conn, dir="in", op="pong"))
    closes = list(fake.journal.of("ws_close", conn=conn))
    assert [c["initiator"] for c in closes] == ["client"]  # only our own close at the end


async def test_unanswered_ping_closes_with_1008_pong_timeout(start_fake: StartFake) -> None:
    fake = await start_fake(ping_interval=0.1, pong_timeout=0.2)
    async with ws_connect(fake, "/private/ws/k", create_connection=PonglessClientConnection) as ws:
        conn = last_conn(fake, "/private/ws/k")
        with pytest.raises(ConnectionClosedError) as caught:
            async with asyncio.timeout(WAIT):
                await ws.recv()
    assert caught.value.rcvd is not None
    assert (caught.value.rcvd.code, caught.value.rcvd.reason) == (1008, "Pong timeout")
    closed = next(fake.journal.of("ws_close", conn=conn))
    assert (closed["code"], closed["reason"], closed["initiator"], closed["how"]) == (
        1008,
        "Pong timeout",
        "server",
        "pong_timeout",
    )
    first_ping = next(fake.journal.of("ws_frame", conn=conn, dir="out", op="ping"))
    assert first_ping["data"] != ""
    sent_close = next(fake.journal.of("ws_frame", conn=conn, dir="out", op="close"))
    assert sent_close["t"] - first_ping["t"] >= 0.2 - EPS
    assert list(fake.journal.of("ws_frame", conn=conn, dir="in", op="pong")) == []


async def test_pong_with_another_payload_does_not_count(start_fake: StartFake) -> None:
    fake = await start_fake(ping_interval=0.1, pong_timeout=0.2)
    async with ws_connect(fake, "/private/ws/k", create_connection=PonglessClientConnection) as ws:
        conn = last_conn(fake, "/private/ws/k")
        await fake.journal.wait_for(lambda e: e["kind"] == "ws_frame" and e["op"] == "ping", WAIT)
        await ws.pong(b"")  # an unsolicited, empty pong (2024-02-09: no longer keeps it alive)
        with pytest.raises(ConnectionClosedError) as caught:
            async with asyncio.timeout(WAIT):
                await ws.recv()
    assert caught.value.rcvd is not None and caught.value.rcvd.code == 1008
    (pong,) = fake.journal.of("ws_frame", conn=conn, dir="in", op="pong")
    assert (pong["data"], pong["answers_ping"]) == ("", False)


async def test_listen_key_expired_is_pushed_and_the_socket_stays_open(start_fake: StartFake) -> None:
    fake = await start_fake()
    key = await new_listen_key(fake)
    async with ws_connect(fake, f"/private/ws/{key}") as ws:
        conn = last_conn(fake, f"/private/ws/{key}")
        assert ExpireListenKey().apply(fake) == [conn]
        pushed = await recv_json(ws)
        assert set(pushed) == {"e", "E", "listenKey"}
        assert (pushed["e"], pushed["listenKey"]) == ("listenKeyExpired", key)
        assert isinstance(pushed["E"], int) and pushed["E"] >= EPOCH_MS
        # Still open: a ping is answered. No more user events on the dead key.
        async with asyncio.timeout(WAIT):
            await (await ws.ping(b"still-there"))
        tick(fake)
        assert await nothing_within(ws, 0.2)
    expired = next(fake.journal.of("listen_key", action="expired"))
    assert (expired["key"], expired["why"]) == (key, "fault")
    events = [(e["e"], e["conns"]) for e in fake.journal.of("event")]
    assert events == [("listenKeyExpired", [conn]), ("ORDER_TRADE_UPDATE", [])]
    closes = list(fake.journal.of("ws_close", conn=conn))
    assert [c["initiator"] for c in closes] == ["client"]


async def test_listen_key_expires_by_itself_after_the_ttl(start_fake: StartFake) -> None:
    fake = await start_fake(listen_key_ttl=0.3)
    key = await new_listen_key(fake)
    async with ws_connect(fake, f"/private/ws/{key}", ping_interval=None) as ws:
        (pushed,) = await recv_until(ws, lambda m: m["e"] == "listenKeyExpired")
        assert pushed["listenKey"] == key
        async with asyncio.timeout(WAIT):
            await (await ws.ping(b"open"))
    created = next(fake.journal.of("listen_key", action="created"))
    expired = next(fake.journal.of("listen_key", action="expired"))
    assert expired["why"] == "ttl"
    assert expired["t"] - created["t"] >= 0.3 - EPS
    async with rest(fake) as client:
        r = await client.put("/fapi/v1/listenKey")
    assert (r.status_code, r.json()["code"]) == (400, -1125)


async def test_keepalive_pushes_the_expiry_back(start_fake: StartFake) -> None:
    fake = await start_fake(listen_key_ttl=0.3)
    key = await new_listen_key(fake)
    async with ws_connect(fake, f"/private/ws/{key}") as ws:
        async with rest(fake) as client:
            r = await client.put("/fapi/v1/listenKey")
        assert r.json() == {"listenKey": key}
        await recv_until(ws, lambda m: m["e"] == "listenKeyExpired")
    extended = next(fake.journal.of("listen_key", action="extended"))
    expired = next(fake.journal.of("listen_key", action="expired"))
    assert expired["t"] - extended["t"] >= 0.3 - EPS


async def test_delete_sends_no_listen_key_expired(start_fake: StartFake) -> None:
    fake = await start_fake()
    key = await new_listen_key(fake)
    async with ws_connect(fake, f"/private/ws/{key}") as ws:
        async with rest(fake) as client:
            assert (await client.delete("/fapi/v1/listenKey")).json() == {}
        tick(fake)
        assert await nothing_within(ws, 0.2)
        assert ws.state is State.OPEN
    assert [e["e"] for e in fake.journal.of("event")] == ["ORDER_TRADE_UPDATE"]


async def test_connection_life_ends_with_1001(start_fake: StartFake) -> None:
    fake = await start_fake(connection_life=0.3)
    async with ws_connect(fake, "/private/ws/k") as ws:
        conn = last_conn(fake, "/private/ws/k")
        with pytest.raises(ConnectionClosedOK) as caught:
            async with asyncio.timeout(WAIT):
                await ws.recv()
    assert caught.value.rcvd is not None and caught.value.rcvd.code == 1001
    closed = await fake.journal.wait_for(lambda e: e["kind"] == "ws_close" and e["conn"] == conn, WAIT)
    assert (closed["code"], closed["initiator"], closed["how"]) == (1001, "server", "connection_life")
    assert closed["lived"] >= 0.3 - EPS


async def test_text_from_the_client_is_journaled(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with ws_connect(fake, "/private/ws/k") as ws:
        conn = last_conn(fake, "/private/ws/k")
        await ws.send('{"method":"LIST_SUBSCRIPTIONS","id":1}')
        frame = await fake.journal.wait_for(lambda e: e["kind"] == "ws_frame" and e["op"] == "text", WAIT)
    assert (frame["conn"], frame["dir"], frame["data"]) == (
        conn,
        "in",
        '{"method":"LIST_SUBSCRIPTIONS","id":1}',
    )


async def test_client_close_is_journaled_with_its_code(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with ws_connect(fake, "/private/ws/k") as ws:
        conn = last_conn(fake, "/private/ws/k")
        await ws.close(4001, "bye")
    closed = await fake.journal.wait_for(lambda e: e["kind"] == "ws_close" and e["conn"] == conn, WAIT)
    assert (closed["code"], closed["reason"], closed["initiator"], closed["how"]) == (
        4001,
        "bye",
        "client",
        "close_frame",
    )
