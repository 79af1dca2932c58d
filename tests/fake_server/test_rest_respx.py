"""The REST front reached through respx (fake_server/fronts/rest_respx.py): an in-process
client's httpx calls get the answers, journal entries, weights and faults a call over the
socket gets, with the socket closed; calls to other addresses pass through."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from fake_server.faults.http_error import HttpError
from fake_server.faults.service_unavailable import ServiceUnavailable
from fake_server.faults.slow_rest import SlowRest
from fake_server.fronts.rest import RestReply, RestRequest
from fake_server.fronts.rest_respx import routed
from fake_server.server import FakeBinance
from tests.fake_server._fake_helpers import WAIT, StartFake, rest

#: Headers a client may read; Date and Server are aiohttp's and checked apart.
COMPARED_HEADERS = ("content-type", "retry-after", "x-mbx-used-weight-1m", "server")

Calls = Callable[[httpx.AsyncClient], Awaitable[list[httpx.Response]]]


async def a_session(client: httpx.AsyncClient) -> list[httpx.Response]:
    """Calls whose answers do not depend on when they are made: routes, the faults applied
    in `with_faults`, a form body that is not UTF-8, a wrong key, an unknown path, nginx's
    410 page."""
    return [
        await client.post("/fapi/v1/listenKey"),
        await client.put("/fapi/v1/listenKey"),  # http_error 429, once
        await client.get("/fapi/v1/ping"),
        await client.put("/fapi/v1/listenKey"),  # service_unavailable, once
        await client.put("/fapi/v1/listenKey"),
        await client.get("/fapi/v1/nothing-here"),
        await client.post("/fapi/v1/listenKey", content=b"a=1&b=%FF", headers=FORM),
        await client.delete("/fapi/v1/listenKey", headers={"X-MBX-APIKEY": "not-a-key"}),
        await client.post("/api/v3/userDataStream"),
    ]


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def with_faults(fake: FakeBinance) -> None:
    HttpError(
        route="PUT /fapi/v1/listenKey", status=429, body={"code": -1003, "msg": "slow down"},
        headers={"Retry-After": "7"}, times=1,
    ).apply(fake)  # fmt: skip
    ServiceUnavailable(variant="unavailable", route="PUT /fapi/v1/listenKey", times=1).apply(fake)


def answers(responses: list[httpx.Response]) -> list[tuple[int, str, dict[str, str]]]:
    return [
        (r.status_code, r.text, {h: r.headers[h] for h in COMPARED_HEADERS if h in r.headers})
        for r in responses
    ]


def rest_entries(fake: FakeBinance) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k != "t"} for e in fake.journal.of("rest")]


async def test_in_process_calls_get_the_answers_and_journal_of_the_socket_without_it(
    start_fake: StartFake,
) -> None:
    over_socket, in_process = await start_fake(), await start_fake()
    for fake in (over_socket, in_process):
        with_faults(fake)
    async with rest(over_socket) as client:
        by_socket = await a_session(client)
    await in_process.rest.stop()  # no socket left: only respx can answer
    async with routed(in_process.rest, in_process.rest_url), rest(in_process) as client:
        by_respx = await a_session(client)
    assert answers(by_respx) == answers(by_socket)
    assert rest_entries(in_process) == rest_entries(over_socket)
    assert [e["ip"] for e in rest_entries(in_process)] == ["127.0.0.1"] * len(by_respx)
    # aiohttp's Server header, except where the fake sets its own (nginx's page).
    assert {r.headers["server"] for r in by_respx} == {"nginx", by_socket[0].headers["server"]}
    assert all("date" in r.headers for r in by_respx)
    # The statuses the session was built to reach, so the comparison covers them.
    assert [r.status_code for r in by_respx] == [200, 429, 200, 503, 200, 404, 400, 401, 410]


@pytest.mark.parametrize("way", ["socket", "respx"])
async def test_a_call_slower_than_the_read_timeout_times_out_and_is_carried_out_anyway(
    start_fake: StartFake, way: str
) -> None:
    fake = await start_fake()
    SlowRest(route="PUT /fapi/v1/listenKey", delay=0.6, times=1).apply(fake)
    way_in = routed(fake.rest, fake.rest_url) if way == "respx" else contextlib.nullcontext()
    async with way_in, rest(fake) as client:
        await client.post("/fapi/v1/listenKey")
        with pytest.raises(httpx.ReadTimeout):
            await client.put("/fapi/v1/listenKey", timeout=httpx.Timeout(WAIT, read=0.1))
        await fake.journal.wait_for(lambda e: e["kind"] == "rest" and e.get("method") == "PUT", WAIT)
    late = next(fake.journal.of("rest", method="PUT"))
    assert (late["status"], late["delayed"]) == (200, 0.6)
    assert next(fake.journal.of("listen_key", action="extended"))["t"] >= late["t"] - 0.01


async def test_other_addresses_pass_through_and_the_route_ends_with_its_block(start_fake: StartFake) -> None:
    routed_fake, other = await start_fake(), await start_fake()
    await routed_fake.rest.stop()
    async with routed(routed_fake.rest, routed_fake.rest_url), rest(other) as client:
        assert (await client.get("/fapi/v1/ping")).status_code == 200
    assert len(list(other.journal.of("rest"))) == 1  # over its socket, journaled by it
    assert list(routed_fake.journal.of("rest")) == []
    async with rest(routed_fake) as client:
        with pytest.raises(httpx.ConnectError):  # routed no more, and its socket is closed
            await client.get("/fapi/v1/ping")


async def test_a_call_in_hand_when_the_route_ends_is_answered_as_a_closed_socket(
    start_fake: StartFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = await start_fake()
    SlowRest(route="GET /fapi/v1/ping", delay=WAIT).apply(fake)
    in_hand = asyncio.Event()
    answer = fake.rest.answer

    async def noting(request: RestRequest) -> RestReply:
        in_hand.set()
        return await answer(request)

    monkeypatch.setattr(fake.rest, "answer", noting)
    async with rest(fake) as client:
        async with routed(fake.rest, fake.rest_url):
            call = asyncio.ensure_future(client.get("/fapi/v1/ping"))
            await asyncio.wait_for(in_hand.wait(), WAIT)
        with pytest.raises(httpx.RemoteProtocolError):
            await call
    assert list(fake.journal.of("rest")) == []  # never answered: the fake's answer was cut short
