"""Faults applied directly to a running fake, observed through real sockets and the journal.

Sources: failure-modes.md C1 (abort_tcp: 1006, no close frame), C2 (close 1000/1001), E2/D3
(half_open), D1 (stop_pings), G1/E4 (reject_handshake), A4/A5/G3/G4 (http_error);
binance-reference.md §4 (error bodies, HTML bodies, Retry-After).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK, InvalidStatus

from clients.pongless import PonglessClientConnection
from fake_server.faults import FAULTS, load_all
from fake_server.faults.abort_tcp import AbortTcp
from fake_server.faults.close import Close
from fake_server.faults.expire_listen_key import ExpireListenKey
from fake_server.faults.half_open import HalfOpen
from fake_server.faults.http_error import HttpError
from fake_server.faults.reject_handshake import RejectHandshake
from fake_server.faults.stop_pings import StopPings
from tests.fake_server._fake_helpers import (
    WAIT,
    StartFake,
    last_conn,
    new_listen_key,
    recv_json,
    refused_handshake,
    rest,
    tick,
    ws_connect,
)

#: How long after deciding an answer the fake may journal it (seconds; generous for loaded CI).
LAG = 0.05

GONE_HTML = (
    "<html>\r\n<head><title>410 Gone</title></head>\r\n<body>\r\n"
    "<center><h1>410 Gone</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def is_(kind: str, **match: Any) -> Any:
    return lambda e: e["kind"] == kind and all(e.get(k) == v for k, v in match.items())


def test_every_fault_is_registered_under_its_name() -> None:
    registered = load_all()
    for cls in (AbortTcp, HalfOpen, Close, StopPings, RejectHandshake, HttpError):
        assert registered[cls.name] is cls
    assert FAULTS["expire_listen_key"].layer == "binance"
    assert AbortTcp(mode="rst").describe() == {
        "name": "abort_tcp",
        "layer": "tcp",
        "ends_connection": True,
        "params": {"mode": "rst", "target": "all"},
    }


@pytest.mark.parametrize("mode", ["fin", "rst"])
async def test_abort_tcp_gives_1006_without_a_close_frame(start_fake: StartFake, mode: str) -> None:
    fake = await start_fake()
    async with ws_connect(fake, "/private/ws/k") as ws:
        conn = last_conn(fake, "/private/ws/k")
        assert AbortTcp(mode=mode).apply(fake) == [conn]  # type: ignore[arg-type]
        with pytest.raises(ConnectionClosedError) as caught:
            async with asyncio.timeout(WAIT):
                await ws.recv()
        assert caught.value.rcvd is None and caught.value.sent is None
        assert ws.close_code == 1006
        # What the client's socket saw: an orderly end of stream, or a reset.
        cause = {"fin": EOFError, "rst": ConnectionResetError}[mode]
        assert type(caught.value.__cause__) is cause
    closed = await fake.journal.wait_for(is_("ws_close", conn=conn), WAIT)
    assert (closed["code"], closed["initiator"], closed["how"]) == (1006, "server", f"abort_{mode}")
    assert list(fake.journal.of("ws_frame", conn=conn, op="close")) == []


async def test_abort_tcp_latest_leaves_the_others(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with ws_connect(fake, "/private/ws/a") as first, ws_connect(fake, "/private/ws/b") as second:
        a, b = last_conn(fake, "/private/ws/a"), last_conn(fake, "/private/ws/b")
        assert AbortTcp(target="latest").apply(fake) == [b]
        with pytest.raises(ConnectionClosedError):
            async with asyncio.timeout(WAIT):
                await second.recv()
        async with asyncio.timeout(WAIT):
            await (await first.ping(b"alive"))
    assert [e["conn"] for e in fake.journal.of("ws_close", how="abort_fin")] == [b]
    assert a != b


@pytest.mark.parametrize(("code", "reason"), [(1001, "going away"), (1000, "")])
async def test_close_sends_the_code_and_reason(start_fake: StartFake, code: int, reason: str) -> None:
    fake = await start_fake()
    async with ws_connect(fake, "/private/ws/k") as ws:
        conn = last_conn(fake, "/private/ws/k")
        assert Close(code=code, reason=reason).apply(fake) == [conn]
        with pytest.raises(ConnectionClosedOK) as caught:
            async with asyncio.timeout(WAIT):
                await ws.recv()
    assert caught.value.rcvd is not None
    assert (caught.value.rcvd.code, caught.value.rcvd.reason) == (code, reason)
    closed = await fake.journal.wait_for(is_("ws_close", conn=conn), WAIT)
    assert (closed["code"], closed["reason"], closed["initiator"], closed["how"]) == (
        code,
        reason,
        "server",
        "fault",
    )
    frames = [(e["dir"], e["code"]) for e in fake.journal.of("ws_frame", conn=conn, op="close")]
    assert frames == [("out", code), ("in", code)]  # the client echoed the close frame


async def test_close_with_an_error_code_is_an_error_close(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with ws_connect(fake, "/private/ws/k") as ws:
        Close(code=1011, reason="internal").apply(fake)
        with pytest.raises(ConnectionClosedError) as caught:
            async with asyncio.timeout(WAIT):
                await ws.recv()
    assert caught.value.rcvd is not None and caught.value.rcvd.code == 1011


async def test_half_open_answers_no_pong_and_sends_nothing(start_fake: StartFake) -> None:
    fake = await start_fake(ping_interval=0.1)
    key = await new_listen_key(fake)
    path = f"/private/ws/{key}"
    async with ws_connect(fake, path, ping_interval=0.1, ping_timeout=0.3, close_timeout=0.2) as ws:
        conn = last_conn(fake, path)
        # Before the fault: the client's keepalive pings are answered, server pings go out.
        await fake.journal.wait_for(is_("ws_frame", conn=conn, dir="out", op="pong"), WAIT)
        await fake.journal.wait_for(is_("ws_frame", conn=conn, dir="out", op="ping"), WAIT)
        mark = len(fake.journal.entries)
        assert HalfOpen().apply(fake) == [conn]
        tick(fake)  # an event that can no longer be sent
        with pytest.raises(ConnectionClosedError) as caught:
            async with asyncio.timeout(WAIT):
                while True:
                    await ws.recv()
    # The client gave up on its own ping (websockets: 1011 keepalive ping timeout).
    assert caught.value.sent is not None and caught.value.sent.code == 1011
    assert caught.value.rcvd is None
    after = [e for e in fake.journal.entries[mark:] if e["kind"] == "ws_frame" and e["conn"] == conn]
    assert after == []  # nothing read, nothing sent: no pong, no ping, no close frame
    (event,) = fake.journal.of("event")
    assert event["conns"] == []
    closed = await fake.journal.wait_for(is_("ws_close", conn=conn), WAIT)
    assert (closed["code"], closed["initiator"]) == (1006, "client")


async def test_stop_pings_stops_server_pings_and_the_pong_deadline(start_fake: StartFake) -> None:
    fake = await start_fake(ping_interval=0.1, pong_timeout=0.3)
    async with ws_connect(fake, "/private/ws/k", create_connection=PonglessClientConnection) as ws:
        conn = last_conn(fake, "/private/ws/k")
        await fake.journal.wait_for(is_("ws_frame", conn=conn, dir="out", op="ping"), WAIT)
        mark = len(fake.journal.entries)
        assert StopPings().apply(fake) == [conn]

        def ping_or_close(e: dict[str, Any]) -> bool:
            return (e["kind"] == "ws_frame" and e["op"] == "ping") or e["kind"] == "ws_close"

        # Four ping intervals, and past the pending ping's pong deadline: nothing happens.
        with pytest.raises(TimeoutError):
            await fake.journal.wait_for(ping_or_close, 0.4, past=False)
        async with asyncio.timeout(WAIT):
            await (await ws.ping(b"still-open"))
    assert list(fake.journal.of("ws_frame", conn=conn, dir="out", op="ping"))
    later = fake.journal.entries[mark:]
    assert [e for e in later if e["kind"] == "ws_frame" and (e["dir"], e["op"]) == ("out", "ping")] == []


async def test_reject_handshake_twice_then_accept(start_fake: StartFake) -> None:
    fake = await start_fake()
    RejectHandshake(status=503, times=2).apply(fake)
    for _ in range(2):
        assert (await refused_handshake(fake, "/private/ws/k")).status_code == 503
    async with ws_connect(fake, "/private/ws/k") as ws:
        async with asyncio.timeout(WAIT):
            await (await ws.ping(b"in"))
    assert [e["status"] for e in fake.journal.of("ws_reject")] == [503, 503]
    assert len(list(fake.journal.of("ws_open"))) == 1


async def test_reject_handshake_body_and_headers(start_fake: StartFake) -> None:
    fake = await start_fake()
    body = "<html><body><h1>403 ERROR</h1>Request blocked.</body></html>"
    RejectHandshake(status=403, body=body, headers={"Retry-After": "7"}, times=1).apply(fake)
    response = await refused_handshake(fake, "/private/ws/k")
    assert response.status_code == 403
    assert response.body == body.encode()
    assert response.headers["Content-Type"] == "text/html"
    assert response.headers["Retry-After"] == "7"
    (rejected,) = fake.journal.of("ws_reject")
    assert (rejected["status"], rejected["body"], rejected["path"]) == (403, body, "/private/ws/k")


async def test_reject_handshake_without_limit_lasts(start_fake: StartFake) -> None:
    fake = await start_fake()
    RejectHandshake(status=451).apply(fake)
    for _ in range(3):
        assert (await refused_handshake(fake, "/private/ws/k")).status_code == 451


async def test_reject_handshake_lasting_a_window(start_fake: StartFake) -> None:
    fake = await start_fake()
    before = fake.clock.now()
    RejectHandshake(status=503, lasting=0.3).apply(fake)
    after = fake.clock.now()
    statuses = []
    async with asyncio.timeout(WAIT):
        while True:  # retry at once until the window ends; each attempt is a real handshake
            try:
                async with ws_connect(fake, "/private/ws/k"):
                    break
            except InvalidStatus as exc:
                statuses.append(exc.response.status_code)
    assert statuses and set(statuses) == {503}
    opened = next(fake.journal.of("ws_open"))
    assert opened["t"] >= before + 0.3
    # A rejection is decided before it is journaled: allow that lag, not a longer window.
    assert all(e["t"] < after + 0.3 + LAG for e in fake.journal.of("ws_reject"))


async def test_http_error_once_answers_the_body_then_the_route_works(start_fake: StartFake) -> None:
    fake = await start_fake()
    body = {"code": -1099, "msg": "Not found, unauthenticated, or unauthorized"}
    HttpError(route="POST /fapi/v1/listenKey", status=404, body=body, times=1).apply(fake)
    async with rest(fake) as client:
        first = await client.post("/fapi/v1/listenKey")
        other_method = await client.put("/fapi/v1/listenKey")  # not matched: no key yet
        second = await client.post("/fapi/v1/listenKey")
    assert (first.status_code, first.json()) == (404, body)
    assert first.headers["Content-Type"].startswith("application/json")
    assert "X-MBX-USED-WEIGHT-1M" in first.headers
    assert (other_method.status_code, other_method.json()["code"]) == (400, -1125)
    assert second.status_code == 200 and len(second.json()["listenKey"]) == 64
    logged = [(e["method"], e["status"], e["fault"]) for e in fake.journal.of("rest")]
    assert logged == [("POST", 404, True), ("PUT", 400, False), ("POST", 200, False)]
    assert (
        next(fake.journal.of("rest"))["body"]
        == '{"code":-1099,"msg":"Not found, unauthenticated, or unauthorized"}'
    )


async def test_http_error_with_html_body_is_text_html(start_fake: StartFake) -> None:
    fake = await start_fake()
    HttpError(route="/fapi/v1/listenKey", status=410, body=GONE_HTML).apply(fake)
    async with rest(fake) as client:
        answers = [await client.request(m, "/fapi/v1/listenKey") for m in ("POST", "PUT", "DELETE")]
    for r in answers:
        assert r.status_code == 410
        assert r.text == GONE_HTML
        assert r.headers["Content-Type"].startswith("text/html")


async def test_http_error_headers_such_as_retry_after(start_fake: StartFake) -> None:
    fake = await start_fake()
    body = {"code": -1003, "msg": "Too many requests."}
    HttpError(route="PUT /fapi/v1/listenKey", status=429, body=body, headers={"Retry-After": "3"}).apply(fake)
    async with rest(fake) as client:
        r = await client.put("/fapi/v1/listenKey")
    assert (r.status_code, r.headers["Retry-After"], r.json()) == (429, "3", body)


async def test_http_error_lasting_a_window(start_fake: StartFake) -> None:
    fake = await start_fake()
    before = fake.clock.now()
    HttpError(route="GET /fapi/v1/ping", status=503, body="Service Unavailable.", lasting=0.3).apply(fake)
    after = fake.clock.now()
    answers: list[httpx.Response] = []
    async with rest(fake) as client, asyncio.timeout(WAIT):
        while not answers or answers[-1].status_code != 200:  # retry at once until it works
            answers.append(await client.get("/fapi/v1/ping"))
    assert {r.status_code for r in answers[:-1]} == {503}
    assert answers[0].text == "Service Unavailable." and answers[0].headers["Content-Type"].startswith(
        "text/plain"
    )
    ok = list(fake.journal.of("rest"))[-1]
    assert ok["t"] >= before + 0.3 and ok["fault"] is False
    assert all(e["t"] < after + 0.3 + LAG for e in fake.journal.of("rest", fault=True))


async def test_expire_listen_key_fault_touches_the_bound_connections(start_fake: StartFake) -> None:
    fake = await start_fake()
    key = await new_listen_key(fake)
    async with ws_connect(fake, f"/private/ws/{key}") as bound, ws_connect(fake, "/private/ws/other"):
        conn = last_conn(fake, f"/private/ws/{key}")
        assert ExpireListenKey().apply(fake) == [conn]
        assert (await recv_json(bound))["e"] == "listenKeyExpired"
        assert ExpireListenKey().apply(fake) == []  # no active key any more
    assert [e["why"] for e in fake.journal.of("listen_key", action="expired")] == ["fault"]
