"""Stream rules of one connection, through real sockets: control messages, the message limit,
`events=` per listenKey, connection attempts, `serverShutdown` and the 24 h life.

Sources: binance-reference.md §2 (connection rules table, "Live control messages",
"Server-initiated end-of-stream signals", "URL forms"), §1 table (`/private/stream` with
several listenKeys, each with its `events=`); failure-modes.md C4 (close 1008 "Too many
requests"), C5 (code 4), B4 (serverShutdown then a close).
"""

from __future__ import annotations

import asyncio

import pytest
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK

from fake_server.exchange.settings import StreamLimits as Limits
from fake_server.faults import load_all
from fake_server.faults.server_shutdown import ServerShutdown
from tests.fake_server._fake_helpers import (
    EPOCH_MS,
    WAIT,
    connect_and_close,
    last_conn,
    new_listen_key,
    nothing_within,
    recv_json,
    refused_handshake,
    tick,
    ws_connect,
)
from tests.fake_server._stream_helpers import StartStreamFake, is_, request

EPS = 1e-5


async def closed_with(ws: object, timeout: float = WAIT) -> tuple[int | None, str | None]:
    """Read until the server closes; the close code and reason the client received."""
    with pytest.raises(ConnectionClosed) as caught:
        async with asyncio.timeout(timeout):
            while True:
                await ws.recv()  # type: ignore[attr-defined]
    rcvd = caught.value.rcvd
    return (rcvd.code, rcvd.reason) if rcvd else (None, None)


# Control messages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "listed", "combined"),
    [
        ("/public/ws/btcusdt@depth", ["btcusdt@depth"], False),
        (
            "/market/stream?streams=btcusdt@aggTrade/btcusdt@markPrice",
            ["btcusdt@aggTrade", "btcusdt@markPrice"],
            True,
        ),
        ("/ws/btcusdt@bookTicker", ["btcusdt@bookTicker"], False),
        ("/stream?streams=btcusdt@depth", ["btcusdt@depth"], True),
        ("/private/ws/KEY", ["KEY"], False),
        ("/private/stream?listenKey=KEY", ["KEY"], True),
    ],
)
async def test_control_messages_on_every_route(
    start_stream: StartStreamFake, path: str, listed: list[str], combined: bool
) -> None:
    fake = await start_stream()
    async with ws_connect(fake, path) as ws:
        conn = last_conn(fake, path)
        assert await request(ws, {"method": "LIST_SUBSCRIPTIONS", "id": 1}) == {"result": listed, "id": 1}
        assert await request(ws, {"method": "GET_PROPERTY", "params": ["combined"], "id": 2}) == {
            "result": combined,
            "id": 2,
        }
        sub = {"method": "SUBSCRIBE", "params": ["ethusdt@depth"], "id": 3}
        assert await request(ws, sub) == {"result": None, "id": 3}
        listing = await request(ws, {"method": "LIST_SUBSCRIPTIONS", "id": 4})
        assert listing == {"result": [*listed, "ethusdt@depth"], "id": 4}
        assert await request(ws, {"method": "UNSUBSCRIBE", "params": listed, "id": 5}) == {
            "result": None,
            "id": 5,
        }
        assert await request(ws, {"method": "LIST_SUBSCRIPTIONS", "id": 6}) == {
            "result": ["ethusdt@depth"],
            "id": 6,
        }
    opened = next(fake.journal.of("ws_open", conn=conn))
    assert (opened["streams"], opened["combined"]) == (listed, combined)
    replies = [e for e in fake.journal.of("ws_frame", conn=conn, dir="out", op="text")]
    methods = ["LIST_SUBSCRIPTIONS", "GET_PROPERTY", "SUBSCRIBE", "LIST_SUBSCRIPTIONS", "UNSUBSCRIBE"]
    assert [r["method"] for r in replies] == [*methods, "LIST_SUBSCRIPTIONS"]


async def test_errors_are_wrapped_with_the_id_and_keep_the_connection(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    async with ws_connect(fake, "/public/ws") as ws:
        assert await request(ws, {"method": "GET_PROPERTY", "params": ["merged"], "id": 1}) == {
            "error": {"code": 0, "msg": "Unknown property"},
            "id": 1,
        }
        assert await request(ws, {"method": "SET_PROPERTY", "params": ["combined", 1], "id": 2}) == {
            "error": {"code": 1, "msg": "Invalid value type: expected Boolean"},
            "id": 2,
        }
        assert await request(ws, {"method": "SUBSCRIBE", "params": ["a@depth"], "id": "x_1"}) == {
            "error": {"code": 2, "msg": "Invalid request: request ID must be an unsigned integer"},
            "id": None,
        }
        assert await request(ws, {"method": "LIST_SUBSCRIPTIONS", "id": 4}) == {"result": [], "id": 4}


async def test_too_many_subscriptions_is_code_4(start_stream: StartStreamFake) -> None:
    fake = await start_stream(limits=Limits(max_streams_per_connection=3))
    async with ws_connect(fake, "/public/ws/a@depth/b@depth") as ws:
        assert await request(ws, {"method": "SUBSCRIBE", "params": ["c@depth", "d@depth"], "id": 7}) == {
            "error": {"code": 4, "msg": "Too many subscriptions"},
            "id": 7,
        }
        assert await request(ws, {"method": "LIST_SUBSCRIPTIONS", "id": 8}) == {
            "result": ["a@depth", "b@depth"],
            "id": 8,
        }


@pytest.mark.parametrize("text", ["not json", '{"method":"SUBSCRIBE",'])
async def test_invalid_json_gets_code_3_without_id_then_close_1008(
    start_stream: StartStreamFake, text: str
) -> None:
    fake = await start_stream()
    async with ws_connect(fake, "/public/ws/btcusdt@depth") as ws:
        conn = last_conn(fake, "/public/ws/btcusdt@depth")
        got = await request(ws, text)
        assert set(got) == {"error"}
        assert got["error"]["code"] == 3
        assert got["error"]["msg"].startswith("Invalid JSON: expected value at line 1 column ")
        assert await closed_with(ws) == (1008, "")
    closed = await fake.journal.wait_for(is_("ws_close", conn=conn), WAIT)
    assert (closed["code"], closed["initiator"], closed["how"]) == (1008, "server", "invalid_json")


async def test_garbage_at_line_1_column_1_is_the_documented_futures_frame(
    start_stream: StartStreamFake,
) -> None:
    fake = await start_stream()
    async with ws_connect(fake, "/private/ws/k") as ws:
        assert await request(ws, "}") == {
            "error": {"code": 3, "msg": "Invalid JSON: expected value at line 1 column 1"}
        }


# The incoming-message limit ------------------------------------------------------------------


async def test_eleven_pings_within_a_second_close_with_1008_too_many_requests(
    start_stream: StartStreamFake,
) -> None:
    fake = await start_stream()
    async with ws_connect(fake, "/public/ws/btcusdt@depth") as ws:
        conn = last_conn(fake, "/public/ws/btcusdt@depth")
        for i in range(11):
            await ws.ping(f"p{i}".encode())
        assert await closed_with(ws) == (1008, "Too many requests")
    closed = await fake.journal.wait_for(is_("ws_close", conn=conn), WAIT)
    assert (closed["code"], closed["reason"], closed["how"]) == (
        1008,
        "Too many requests",
        "too_many_messages",
    )
    pings = list(fake.journal.of("ws_frame", conn=conn, dir="in", op="ping"))
    assert len(pings) == 11
    assert pings[-1]["t"] - pings[0]["t"] < 1.0


async def test_ten_messages_of_every_kind_are_within_the_limit(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    async with ws_connect(fake, "/public/ws") as ws:
        conn = last_conn(fake, "/public/ws")
        await ws.pong(b"unsolicited")
        for i in range(4):
            await ws.ping(f"p{i}".encode())
        answers = [await request(ws, {"method": "LIST_SUBSCRIPTIONS", "id": i}) for i in range(5)]
        assert [a["id"] for a in answers] == list(range(5))  # the 10th message is answered
        await ws.close()
    closed = await fake.journal.wait_for(is_("ws_close", conn=conn), WAIT)
    assert closed["initiator"] == "client"


async def test_the_limit_is_a_setting_and_text_and_pongs_count(start_stream: StartStreamFake) -> None:
    """A spot profile uses 5 messages/s (reference §2 table)."""
    fake = await start_stream(limits=Limits(incoming_messages_per_second=5))
    async with ws_connect(fake, "/public/ws") as ws:
        conn = last_conn(fake, "/public/ws")
        for _ in range(3):
            await ws.pong(b"")
        await request(ws, {"method": "LIST_SUBSCRIPTIONS", "id": 1})
        await request(ws, {"method": "LIST_SUBSCRIPTIONS", "id": 2})
        await ws.send('{"method":"LIST_SUBSCRIPTIONS","id":3}')
        assert await closed_with(ws) == (1008, "Too many requests")
    closed = await fake.journal.wait_for(is_("ws_close", conn=conn), WAIT)
    assert closed["how"] == "too_many_messages"
    # The sixth message got no answer.
    assert [e["method"] for e in fake.journal.of("ws_frame", conn=conn, dir="out", op="text")] == [
        "LIST_SUBSCRIPTIONS",
        "LIST_SUBSCRIPTIONS",
    ]


# events= per listenKey ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        (
            "listenKey={key}&events=ACCOUNT_UPDATE&listenKey={other}&events=ORDER_TRADE_UPDATE",
            ["ACCOUNT_UPDATE"],
        ),
        (
            "listenKey={other}&events=ACCOUNT_UPDATE&listenKey={key}&events=ORDER_TRADE_UPDATE",
            ["ORDER_TRADE_UPDATE"],
        ),
        ("listenKey={other}&events=ACCOUNT_UPDATE&listenKey={key}", None),  # no filter: every event
    ],
)
async def test_each_listen_key_is_filtered_by_the_events_that_follow_it(
    start_stream: StartStreamFake, query: str, wanted: list[str] | None
) -> None:
    fake = await start_stream()
    key, other = await new_listen_key(fake), "o" * 64
    path = "/private/stream?" + query.format(key=key, other=other)
    async with ws_connect(fake, path) as ws:
        conn = last_conn(fake, path)
        # ORDER_TRADE_UPDATE NEW, then ORDER_TRADE_UPDATE TRADE, ACCOUNT_UPDATE, ORDER_TRADE_UPDATE NEW
        made = tick(fake) + tick(fake)
        expected = [e for e in made if wanted is None or e["e"] in wanted]
        got = [await recv_json(ws) for _ in expected]
        assert got == [{"stream": key, "data": e} for e in expected]
        assert await nothing_within(ws, 0.1)
    opened = next(fake.journal.of("ws_open", conn=conn))
    assert opened["events"][key] == (None if wanted is None else sorted(wanted))


async def test_switching_combined_changes_how_the_next_events_come(start_stream: StartStreamFake) -> None:
    # The front keeps who gets each kind of user event, and how, between pushes: a
    # SET_PROPERTY must reach the very next push, each way.
    fake = await start_stream()
    key = await new_listen_key(fake)
    async with ws_connect(fake, f"/private/ws/{key}") as ws:
        made = tick(fake)
        assert [await recv_json(ws) for _ in made] == made
        assert await request(ws, {"method": "SET_PROPERTY", "params": ["combined", True], "id": 1}) == {
            "result": None,
            "id": 1,
        }
        made = tick(fake)
        assert [await recv_json(ws) for _ in made] == [{"stream": key, "data": e} for e in made]
        assert await request(ws, {"method": "SET_PROPERTY", "params": ["combined", False], "id": 2}) == {
            "result": None,
            "id": 2,
        }
        made = tick(fake)
        assert [await recv_json(ws) for _ in made] == made


# Connection attempts --------------------------------------------------------------------------


async def test_attempts_are_counted_per_ip(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    await connect_and_close(fake, "/public/ws", 3)
    await refused_handshake(fake, "/nope")
    assert [e["attempts"] for e in fake.journal.of("ws_open", "ws_reject")] == [1, 2, 3, 4]
    assert fake.ws.attempts_from("127.0.0.1") == 4
    assert fake.ws.attempts_from("10.0.0.1") == 0


async def test_attempts_over_a_set_limit_get_429_with_retry_after(start_stream: StartStreamFake) -> None:
    fake = await start_stream(limits=Limits(connection_attempts=2, connection_attempt_window=60.0))
    await connect_and_close(fake, "/public/ws", 2)
    response = await refused_handshake(fake, "/public/ws")
    assert response.status_code == 429
    assert 59 <= int(response.headers["Retry-After"]) <= 60
    (rejected,) = fake.journal.of("ws_reject")
    assert (rejected["status"], rejected["why"], rejected["attempts"]) == (429, "connection_attempts", 3)


async def test_attempts_leave_the_window(start_stream: StartStreamFake) -> None:
    fake = await start_stream(limits=Limits(connection_attempts=1, connection_attempt_window=60.0))
    await connect_and_close(fake, "/public/ws")
    await refused_handshake(fake, "/public/ws")
    # Age the two recorded attempts past the window instead of waiting a minute.
    times = fake.ws.attempts["127.0.0.1"]
    times.extend([t - 60.0 for t in (times.popleft(), times.popleft())])
    assert fake.ws.attempts_from("127.0.0.1") == 0
    async with ws_connect(fake, "/public/ws"):
        pass
    assert [e["kind"] for e in fake.journal.of("ws_open", "ws_reject")] == ["ws_open", "ws_reject", "ws_open"]


# serverShutdown and the connection's life -------------------------------------------------------


async def test_server_shutdown_is_registered() -> None:
    assert load_all()["server_shutdown"] is ServerShutdown
    assert ServerShutdown(grace=2.0).describe() == {
        "name": "server_shutdown",
        "layer": "websocket",
        "ends_connection": True,
        "params": {
            "grace": 2.0,
            "code": 1001,
            "reason": "",
            "copies": 1,
            "out_of_order": False,
            "target": "all",
        },
    }


async def test_server_shutdown_pushes_the_event_keeps_serving_then_closes(
    start_stream: StartStreamFake,
) -> None:
    fake = await start_stream()
    key = await new_listen_key(fake)
    async with ws_connect(fake, f"/private/ws/{key}") as raw, ws_connect(fake, "/public/stream") as combined:
        raw_id, combined_id = last_conn(fake, f"/private/ws/{key}"), last_conn(fake, "/public/stream")
        touched = ServerShutdown(grace=0.3).apply(fake)
        assert sorted(touched) == [raw_id, combined_id]
        pushed = await recv_json(raw)
        assert set(pushed) == {"e", "E"} and pushed["e"] == "serverShutdown"
        assert isinstance(pushed["E"], int) and pushed["E"] >= EPOCH_MS
        assert await recv_json(combined) == {"stream": "!serverShutdown", "data": pushed}
        # Still serving during the grace period.
        (made,) = tick(fake)
        assert await recv_json(raw) == made
        assert await closed_with(raw) == (1001, "")
        assert await closed_with(combined) == (1001, "")
    fired = next(fake.journal.of("event", e="serverShutdown"))
    assert (fired["E"], sorted(fired["conns"])) == (pushed["E"], [raw_id, combined_id])
    for conn in (raw_id, combined_id):
        closed = await fake.journal.wait_for(is_("ws_close", conn=conn), WAIT)
        assert (closed["code"], closed["initiator"], closed["how"]) == (1001, "server", "server_shutdown")
        assert closed["t"] - fired["t"] >= 0.3 - EPS


async def test_server_shutdown_targets_and_code(start_stream: StartStreamFake) -> None:
    fake = await start_stream()
    async with ws_connect(fake, "/public/ws") as first, ws_connect(fake, "/public/ws") as latest:
        assert ServerShutdown(grace=0.0, code=4000, reason="bye", target="latest").apply(fake) == [
            last_conn(fake, "/public/ws")
        ]
        assert (await recv_json(latest))["e"] == "serverShutdown"
        assert await closed_with(latest) == (4000, "bye")
        assert await nothing_within(first, 0.1)


async def test_a_short_connection_life_closes_market_connections_too(start_stream: StartStreamFake) -> None:
    fake = await start_stream(connection_life=0.3)
    async with ws_connect(fake, "/market/ws/btcusdt@aggTrade") as ws:
        conn = last_conn(fake, "/market/ws/btcusdt@aggTrade")
        with pytest.raises(ConnectionClosedOK) as caught:
            async with asyncio.timeout(WAIT):
                await ws.recv()
    assert caught.value.rcvd is not None and caught.value.rcvd.code == 1001
    closed = await fake.journal.wait_for(is_("ws_close", conn=conn), WAIT)
    assert (closed["how"], closed["initiator"]) == ("connection_life", "server")
    assert closed["lived"] >= 0.3 - EPS
