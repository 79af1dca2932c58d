"""The control API (docs/control-api.md) through its Python client, against a running fake.

Everything is synchronised by awaiting the fake's answers or its journal, never by
sleeping: a long-poll is known to be pending because the test spies on the journal's
`wait_for`, which the API calls when it starts waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK
from websockets.protocol import State

from fake_server import journal as journal_module
from fake_server import journal_window
from fake_server.clock import Clock
from fake_server.exchange.settings import EventFlow, Settings, Timers
from fake_server.faults.close import Close
from fake_server.fronts.control_api import build_fault
from fake_server.fronts.control_client import AsyncControlClient, ControlApiError, ControlClient
from fake_server.journal import Journal
from fake_server.server import FakeBinance
from tests.fake_server._fake_helpers import (
    EPOCH_MS,
    QUIET_TIMERS,
    WAIT,
    last_conn,
    new_listen_key,
    recv_json,
    rest,
    signed_query,
    ws_connect,
)
from tests.serve import serve

Controlled = tuple[FakeBinance, AsyncControlClient]
StartControlled = Callable[..., Awaitable[Controlled]]


def _fake(**settings: Any) -> FakeBinance:
    clock = Clock(epoch_ms=EPOCH_MS)
    return FakeBinance(
        Settings(timers=Timers(**QUIET_TIMERS), events=EventFlow(rate=0), control_api=True, **settings),
        clock,
        Journal(clock),
    )


@pytest.fixture
async def controlled() -> AsyncIterator[StartControlled]:
    """`fake, control = await controlled()`: a quiet fake with its control API, and a client."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(**settings: Any) -> Controlled:
            fake = await stack.enter_async_context(_fake(**settings))
            assert fake.control_url is not None
            client = await stack.enter_async_context(AsyncControlClient(fake.control_url, timeout=WAIT))
            return fake, client

        yield start


def spy_on_waits(fake: FakeBinance, monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """An event set when the control API starts waiting on the journal (a long-poll is pending)."""
    waiting = asyncio.Event()
    real = fake.journal.wait_for

    async def wait_for(*args: Any, **kwargs: Any) -> Any:
        waiting.set()
        return await real(*args, **kwargs)

    monkeypatch.setattr(fake.journal, "wait_for", wait_for)
    return waiting


# ------------------------------------------------------------------ GET /v1


async def test_index_gives_version_urls_credentials_and_fault_parameters(controlled: StartControlled) -> None:
    fake, control = await controlled()
    info = await control.info()
    assert info["version"] == 1
    assert info["urls"] == {"rest": fake.rest_url, "ws": fake.ws_url, "control": fake.control_url}
    assert info["credentials"]["api_key"] == fake.settings.credentials.api_key
    assert info["tls"] is False and info["ca_file"] is None
    assert info["timers"]["listen_key_ttl"] == QUIET_TIMERS["listen_key_ttl"]
    abort = info["faults"]["abort_tcp"]
    assert abort["layer"] == "tcp" and abort["ends_connection"] is True
    assert abort["params"]["mode"] == {
        "type": "string",
        "enum": ["fin", "rst"],
        "required": False,
        "default": "fin",
    }
    assert info["faults"]["close"]["params"]["code"]["type"] == "integer"
    lasting = info["faults"]["http_error"]["params"]["lasting"]
    assert (lasting["type"], lasting["nullable"], lasting["default"]) == ("number", True, None)
    assert {"method": "POST", "path": "/v1/faults"} in [
        {k: r[k] for k in ("method", "path")} for r in info["routes"]
    ]
    assert "DEPOSIT" in info["account_reasons"]


async def test_unknown_route_and_wrong_method_answer_json(controlled: StartControlled) -> None:
    fake, _ = await controlled()
    async with httpx.AsyncClient(base_url=fake.control_url or "", timeout=WAIT) as http:
        missing = await http.get("/v1/fault")
        wrong = await http.get("/v1/faults")
    assert missing.status_code == 404 and "POST /v1/faults" in missing.json()["error"]
    assert wrong.status_code == 405 and wrong.json() == {
        "error": "GET is not allowed on /v1/faults; use POST or DELETE",
        "field": None,
    }


# ------------------------------------------------------------------ POST /v1/faults


async def test_abort_tcp_fires_now_and_is_journaled_like_a_step(controlled: StartControlled) -> None:
    fake, control = await controlled()
    async with ws_connect(fake, "/private/ws/k") as ws:
        conn = last_conn(fake, "/private/ws/k")
        fired = await control.fire("abort_tcp")
        with pytest.raises(ConnectionClosedError):
            await recv_json(ws)
        assert ws.close_code == 1006
    assert fired.conns == [conn]
    assert fired.entry == {
        "t": fired.entry["t"],
        "kind": "fault",
        "step": None,
        "line": None,
        "source": "control",
        "conns": [conn],
        "name": "abort_tcp",
        "layer": "tcp",
        "ends_connection": True,
        "params": {"mode": "fin", "target": "all"},
    }
    assert fake.journal.entries[fired.index] == fired.entry
    closed = await control.wait_for("ws_close", since=fired.index, conn=conn)
    assert (closed["code"], closed["initiator"], closed["how"]) == (1006, "server", "abort_fin")


async def test_close_with_parameters_reaches_the_client(controlled: StartControlled) -> None:
    fake, control = await controlled()
    async with ws_connect(fake, "/private/ws/k") as ws:
        fired = await control.fire("close", code=1001, reason="going away", target="latest")
        with pytest.raises(ConnectionClosedOK):
            await recv_json(ws)
        assert (ws.close_code, ws.close_reason) == (1001, "going away")
    assert fired.entry["params"] == {
        "code": 1001,
        "reason": "going away",
        "raw_code": None,
        "payload_hex": None,
        "target": "latest",
    }


async def test_http_error_takes_an_object_body_and_headers(controlled: StartControlled) -> None:
    fake, control = await controlled()
    await control.fire(
        "http_error",
        route="POST /fapi/v1/listenKey",
        status=429,
        body={"code": -1003, "msg": "Too many requests."},
        headers={"Retry-After": "7"},
        times=1,
    )
    async with rest(fake) as http:
        limited = await http.post("/fapi/v1/listenKey")
        after = await http.post("/fapi/v1/listenKey")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert limited.json() == {"code": -1003, "msg": "Too many requests."}
    assert after.status_code == 200


async def test_delete_faults_stops_the_faults_still_in_force(controlled: StartControlled) -> None:
    fake, control = await controlled()
    await control.fire("http_error", route="POST /fapi/v1/listenKey", status=503, body="down")
    await control.fire("reject_handshake", status=503)
    async with rest(fake) as http:
        assert (await http.post("/fapi/v1/listenKey")).status_code == 503
        assert await control.clear_faults() == 2
        assert (await http.post("/fapi/v1/listenKey")).status_code == 200
    async with connect(fake.ws_url + "/private/ws/x", open_timeout=WAIT) as ws:
        assert ws.state is State.OPEN
    assert next(fake.journal.of("faults_cleared"))["count"] == 2
    assert await control.clear_faults() == 0


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"fault": "abort_tpc"},
            "fault",
            "unknown fault 'abort_tpc'; did you mean 'abort_tcp'? known faults: ",
        ),
        ({"fault": 7}, "fault", "expected a fault name (a string), got the number 7"),
        ({}, "fault", "missing required field 'fault'"),
        (
            {"fault": "close", "params": {"cod": 1001}},
            "params.cod",
            "unknown parameter 'cod' for fault 'close'; did you mean 'code'? fault 'close' takes: code, reason, raw_code, payload_hex, target",
        ),
        (
            {"fault": "close", "params": {"code": "1001"}},
            "params.code",
            "expected an integer, got the string '1001'",
        ),
        (
            {"fault": "close", "params": {"code": True}},
            "params.code",
            "expected an integer, got the boolean true",
        ),
        (
            {"fault": "abort_tcp", "params": {"mode": "rest"}},
            "params.mode",
            "expected one of \"fin\", \"rst\", got the string 'rest'; did you mean 'rst'?",
        ),
        (
            {"fault": "http_error", "params": {"lasting": "2s"}},
            "params.lasting",
            "expected a number (seconds) or null",
        ),
        (
            {"fault": "http_error", "params": {"headers": {"Retry-After": 7}}},
            "params.headers.Retry-After",
            "string",
        ),
        (
            {"fault": "close", "params": [1001]},
            "params",
            "expected an object of the fault's parameters, got a list",
        ),
        (
            {"fault": "close", "code": 1001},
            "code",
            "unknown field 'code'; a fault request takes: fault, params",
        ),
    ],
)
async def test_bad_fault_requests_are_400_naming_the_field(
    controlled: StartControlled, body: dict[str, Any], field: str, message: str
) -> None:
    fake, _ = await controlled()
    async with httpx.AsyncClient(base_url=fake.control_url or "", timeout=WAIT) as http:
        answer = await http.post("/v1/faults", json=body)
    assert answer.status_code == 400
    assert answer.json()["field"] == field
    assert message in answer.json()["error"]
    assert list(fake.journal.of("fault")) == []


async def test_a_body_that_is_not_json_is_400(controlled: StartControlled) -> None:
    fake, _ = await controlled()
    async with httpx.AsyncClient(base_url=fake.control_url or "", timeout=WAIT) as http:
        json_type = {"Content-Type": "application/json"}
        answer = await http.post("/v1/faults", content=b"{fault: close}", headers=json_type)
        listed = await http.post("/v1/faults", content=b"[1]", headers=json_type)
    assert answer.status_code == 400 and answer.json()["error"].startswith("the body is not valid JSON")
    assert (
        listed.status_code == 400 and listed.json()["error"] == "the body must be a JSON object, got a list"
    )


@pytest.mark.parametrize(
    ("content", "headers", "message"),
    [
        (
            b'{"type": "raw", "event": {"e": "x", "d": ' + b"[" * 300 + b"]" * 300 + b"}}",
            {},
            "the body nests deeper than 64 levels",
        ),
        (b"not gzip", {"Content-Encoding": "gzip"}, "the body could not be read"),
    ],
    ids=["nested-300-deep", "bad-gzip"],
)
async def test_a_body_the_fake_cannot_carry_is_400(
    controlled: StartControlled, content: bytes, headers: dict[str, str], message: str
) -> None:
    fake, control = await controlled()
    async with httpx.AsyncClient(base_url=fake.control_url or "", timeout=WAIT) as http:
        answer = await http.post(
            "/v1/events", content=content, headers={"Content-Type": "application/json", **headers}
        )
    assert answer.status_code == 400 and message in answer.json()["error"], answer.text
    assert (await control.info())["api"]  # and it keeps answering


def test_build_fault_gives_the_registered_dataclass() -> None:
    assert build_fault("close", {"code": 4000, "reason": "bye"}) == Close(code=4000, reason="bye")


async def test_client_raises_control_api_error_with_the_field(controlled: StartControlled) -> None:
    _, control = await controlled()
    with pytest.raises(ControlApiError) as caught:
        await control.fire("close", cod=1001)
    assert (caught.value.status, caught.value.field) == (400, "params.cod")
    assert "did you mean 'code'?" in str(caught.value)


# ------------------------------------------------------------------ POST /v1/events


async def test_tick_sends_account_events_to_the_user_stream(controlled: StartControlled) -> None:
    fake, control = await controlled()
    key = await new_listen_key(fake)
    async with ws_connect(fake, f"/private/ws/{key}") as ws:
        conn = last_conn(fake, f"/private/ws/{key}")
        first = await control.tick()
        (placed,) = first.events
        assert await recv_json(ws) == placed
        second = await control.tick(count=2)
        received = [await recv_json(ws) for _ in second.events]
    assert placed["e"] == "ORDER_TRADE_UPDATE" and placed["o"]["x"] == "NEW"
    assert received == second.events
    # Each tick fills the open order and places a new one (other event types may come along).
    executions = [e["o"]["x"] for e in second.events if e["e"] == "ORDER_TRADE_UPDATE"]
    assert executions == ["TRADE", "NEW"] * 2
    assert sum(e["e"] == "ACCOUNT_UPDATE" for e in second.events) == 2
    assert [entry["E"] for entry in second.entries] == [e["E"] for e in second.events]
    assert all(entry["conns"] == [conn] for entry in [*first.entries, *second.entries])


async def test_raw_event_is_delivered_as_is(controlled: StartControlled) -> None:
    fake, control = await controlled()
    key = await new_listen_key(fake)
    event = {"e": "MARGIN_CALL", "E": EPOCH_MS + 5, "cw": "3.16812045", "p": []}
    async with (
        ws_connect(fake, f"/private/ws/{key}") as bare,
        ws_connect(fake, f"/private/stream?listenKey={key}") as wrapped,
    ):
        injected = await control.send_event(event)
        assert await recv_json(bare) == event
        assert await recv_json(wrapped) == {"stream": key, "data": event}
    (entry,) = injected.entries
    assert (entry["e"], entry["E"], entry["raw"], entry["source"]) == (
        "MARGIN_CALL",
        EPOCH_MS + 5,
        True,
        "control",
    )
    assert len(entry["conns"]) == 2


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"type": "tik"},
            "type",
            "expected type 'tick' or 'raw', got the string 'tik'; did you mean 'tick'?",
        ),
        ({"type": "tick", "count": 0}, "count", "count must be between 1 and 1000, got 0"),
        ({"type": "tick", "count": 1.5}, "count", "expected an integer, got the number 1.5"),
        ({"type": "raw", "event": {"E": 1}}, "event.e", "a raw event needs its type as a string in 'e'"),
        (
            {"type": "raw", "event": "x"},
            "event",
            "expected the event object under 'event', got the string 'x'",
        ),
        ({"type": "raw", "evnt": {}}, "evnt", "unknown field 'evnt'; did you mean 'event'?"),
    ],
)
async def test_bad_event_requests_are_400(
    controlled: StartControlled, body: dict[str, Any], field: str, message: str
) -> None:
    fake, _ = await controlled()
    async with httpx.AsyncClient(base_url=fake.control_url or "", timeout=WAIT) as http:
        answer = await http.post("/v1/events", json=body)
    assert answer.status_code == 400
    assert (answer.json()["field"], message in answer.json()["error"]) == (field, True), answer.json()
    assert list(fake.journal.of("event")) == []


# ------------------------------------------------------------------ POST /v1/listen-key/expire


async def test_expire_listen_key_pushes_expiry_and_keepalive_answers_1125(
    controlled: StartControlled,
) -> None:
    fake, control = await controlled()
    with pytest.raises(ControlApiError) as nothing:
        await control.expire_listen_key()
    assert nothing.value.status == 409
    key = await new_listen_key(fake)
    async with ws_connect(fake, f"/private/ws/{key}") as ws:
        fired = await control.expire_listen_key()
        pushed = await recv_json(ws)
    assert fired.listen_key == key
    assert (fired.entry["name"], fired.entry["source"], fired.entry["step"]) == (
        "expire_listen_key",
        "control",
        None,
    )
    assert pushed["e"] == "listenKeyExpired" and pushed["listenKey"] == key
    async with rest(fake) as http:
        keepalive = await http.put("/fapi/v1/listenKey")
    assert keepalive.json()["code"] == -1125


# ------------------------------------------------------------------ POST /v1/account


async def test_account_move_shows_in_rest_and_pushes_account_update(controlled: StartControlled) -> None:
    fake, control = await controlled()
    key = await new_listen_key(fake)
    async with ws_connect(fake, f"/private/ws/{key}") as ws:
        deposit = await control.set_wallet_balance("12500.5")
        pushed = await recv_json(ws)
        withdrawal = await control.change_balance(-500, reason="ASSET_TRANSFER")
        pushed_again = await recv_json(ws)
    assert pushed == deposit.events[0]
    assert pushed["e"] == "ACCOUNT_UPDATE" and pushed["E"] == pushed["T"]
    assert pushed["a"] == {
        "m": "DEPOSIT",
        "B": [{"a": "USDT", "wb": "12500.5", "cw": "12500.5", "bc": "2500.5"}],
        "P": [],
    }
    assert pushed_again["a"]["m"] == "ASSET_TRANSFER" and pushed_again["a"]["B"][0]["wb"] == "12000.5"
    assert pushed_again["a"]["B"][0]["bc"] == "-500"
    assert pushed_again["E"] > pushed["E"]
    assert withdrawal.wallet_balance == "12000.5"
    async with rest(fake) as http:
        account = await http.get(f"/fapi/v2/account?{signed_query(fake, timestamp=fake.clock.epoch_ms())}")
    assert account.status_code == 200, account.text
    assert account.json()["totalWalletBalance"] == "12000.5"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"wallet_balance": "1", "reason": "DEPOSITT"}, "reason", "did you mean 'DEPOSIT'?"),
        ({"wallet_balance": "-1"}, None, "the wallet balance cannot go negative"),
        ({"wallet_balance": "lots"}, "wallet_balance", "expected a decimal amount"),
        ({"wallet_balance": "1", "balance_change": "1"}, None, "give exactly one of"),
        ({"wallet": "1"}, "wallet", "did you mean 'wallet_balance'?"),
        ({"wallet_balance": "1e30"}, "wallet_balance", "must be less than 1,000,000,000,000,000"),
        ({"balance_change": -1e30}, "balance_change", "must be less than"),
    ],
)
async def test_bad_account_moves_are_400_and_change_nothing(
    controlled: StartControlled, body: dict[str, Any], field: str | None, message: str
) -> None:
    fake, _ = await controlled()
    before = fake.account.wallet
    async with httpx.AsyncClient(base_url=fake.control_url or "", timeout=WAIT) as http:
        answer = await http.post("/v1/account", json=body)
    assert answer.status_code == 400
    assert answer.json()["field"] == field and message in answer.json()["error"], answer.json()
    assert fake.account.wallet == before


# ------------------------------------------------------------------ GET /v1/journal


async def test_journal_pages_from_since_with_next(controlled: StartControlled) -> None:
    fake, control = await controlled()
    await control.tick()
    page = await control.journal()
    assert page.entries == fake.journal.entries and page.next == len(fake.journal.entries)
    assert not page.more
    assert (await control.journal(page.next)).entries == []
    fired = await control.fire("stop_pings")
    newer = await control.journal(page.next, kind="fault")
    assert newer.entries == [fired.entry]
    limited = await control.journal(0, limit=1)
    assert limited.entries == fake.journal.entries[:1] and limited.next == 1 and limited.more
    both = await control.journal(0, kind=["server", "fault"])
    assert [e["kind"] for e in both.entries] == ["server", "fault"]


@pytest.fixture
def windowed(monkeypatch: pytest.MonkeyPatch) -> Callable[..., FakeBinance]:
    """A fake whose journal holds about 20 entries in memory, as `serve` holds its latest."""
    monkeypatch.setattr(journal_module, "TRIM", 5)
    monkeypatch.setattr(journal_window, "STRIDE", 4)

    def make(path: Path | None = None) -> FakeBinance:
        clock = Clock(epoch_ms=EPOCH_MS)
        settings = Settings(timers=Timers(**QUIET_TIMERS), events=EventFlow(rate=0), control_api=True)
        return FakeBinance(settings, clock, Journal(clock, path, window=20))

    return make


async def test_journal_indices_stay_absolute_past_the_window_and_older_ones_are_410(
    windowed: Callable[..., FakeBinance],
) -> None:
    async with windowed() as fake, AsyncControlClient(fake.control_url, timeout=WAIT) as control:
        for _ in range(20):
            await control.tick()
        journal = fake.journal
        assert journal.first > 0 and len(journal.entries) < 20 + 5
        fired = await control.fire("stop_pings")
        assert fired.index == journal.size - 1 and journal.entries[fired.index - journal.first] == fired.entry
        info = await control.info()
        assert (info["journal_size"], info["journal_held_from"]) == (journal.size, journal.first)
        page = await control.journal(journal.first)
        assert page.entries == journal.entries and page.next == journal.size
        assert (await control.wait_for("fault", since=journal.first, timeout=WAIT)) == fired.entry
        with pytest.raises(ControlApiError) as gone:
            await control.journal(0)
        assert gone.value.status == 410 and gone.value.field == "since"
        assert f"since={journal.first}" in gone.value.message


async def test_with_a_journal_file_older_entries_are_paged_from_disk(
    windowed: Callable[..., FakeBinance], tmp_path: Path
) -> None:
    async with (
        windowed(tmp_path / "journal.jsonl") as fake,
        AsyncControlClient(fake.control_url, timeout=WAIT) as control,
    ):
        fired = await control.fire("stop_pings")
        for _ in range(20):
            await control.tick()
        assert fake.journal.first > fired.index
        assert (await control.wait_for("fault", timeout=WAIT)) == fired.entry  # from index 0, on disk
        pages, since = [], 0
        while True:
            page = await control.journal(since, limit=7)
            pages += page.entries
            since = page.next
            if not page.more:
                break
        fake.journal.flush()
        assert pages == Journal.read(tmp_path / "journal.jsonl")


async def test_long_poll_returns_as_soon_as_a_matching_entry_exists(
    controlled: StartControlled, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, control = await controlled()
    waiting = spy_on_waits(fake, monkeypatch)
    since = len(fake.journal.entries)
    poll = asyncio.create_task(control.journal(since, kind="ws_open", wait=60))
    await asyncio.wait_for(waiting.wait(), WAIT)  # the request is pending in the fake
    assert not poll.done()
    await control.tick()  # an `event` entry: not the kind waited for
    async with ws_connect(fake, "/private/ws/k"):
        page = await asyncio.wait_for(poll, WAIT)
    assert [e["kind"] for e in page.entries] == ["ws_open"]


async def test_long_poll_times_out_with_an_empty_page(controlled: StartControlled) -> None:
    fake, control = await controlled()
    loop = asyncio.get_running_loop()
    started = loop.time()
    page = await control.journal(len(fake.journal.entries), kind="ws_open", wait=0.2)
    assert page.entries == [] and loop.time() - started >= 0.2
    with pytest.raises(TimeoutError, match=r"no journal entry of kind 'ws_close' with conn=1 within 0\.1 s"):
        await control.wait_for("ws_close", timeout=0.1, conn=1)


async def test_wait_for_skips_entries_that_do_not_match(controlled: StartControlled) -> None:
    fake, control = await controlled()
    async with ws_connect(fake, "/private/ws/a"), ws_connect(fake, "/private/ws/b"):
        second = last_conn(fake, "/private/ws/b")
        opened = await control.wait_for("ws_open", path="/private/ws/b")
        by_predicate = await control.wait_for("ws_open", where=lambda e: e["conn"] > 1)
    assert opened["conn"] == second and by_predicate["conn"] == second


async def test_a_pending_long_poll_is_answered_when_the_fake_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _fake()
    await fake.start()
    try:
        assert fake.control_url is not None
        waiting = spy_on_waits(fake, monkeypatch)
        async with AsyncControlClient(fake.control_url) as control:
            poll = asyncio.create_task(control.journal(len(fake.journal.entries), kind="ws_open", wait=60))
            await asyncio.wait_for(waiting.wait(), WAIT)
            await asyncio.wait_for(fake.stop(), WAIT)
            page = await asyncio.wait_for(poll, WAIT)
    finally:
        fake.journal.close()
    assert page.entries == []


async def test_a_taken_control_port_fails_the_start_and_releases_the_rest() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        fake = _fake(control_port=taken.getsockname()[1], tls=True)
        with pytest.raises(OSError, match="address already in use"):
            await fake.start()
    fake.journal.close()
    assert fake.ca is not None and not fake.ca.ca_file.exists()
    async with httpx.AsyncClient(timeout=WAIT) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://127.0.0.1:{fake.rest.port}/fapi/v1/ping")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=-1", "since"),
        ("since=x", "since"),
        ("wait=soon", "wait"),
        ("wait=301", "wait"),
        ("limit=0", "limit"),
        ("since=" + "9" * 30, "since"),  # beyond 64 bits: was a 500 when the answer echoed it
        ("since=" + "9" * 5000, "since"),
        ("since=%C2%B2", "since"),
        ("since=5_0", "since"),
        ("limit=" + "9" * 5000, "limit"),
    ],
)
async def test_bad_journal_queries_are_400(controlled: StartControlled, query: str, field: str) -> None:
    fake, _ = await controlled()
    async with httpx.AsyncClient(base_url=fake.control_url or "", timeout=WAIT) as http:
        answer = await http.get(f"/v1/journal?{query}")
    assert answer.status_code == 400 and answer.json()["field"] == field


# ------------------------------------------------------------------ GET /v1/connections


async def test_connections_lists_the_open_websockets(controlled: StartControlled) -> None:
    fake, control = await controlled()
    assert await control.connections() == []
    async with ws_connect(fake, "/private/ws/a"), ws_connect(fake, "/private/stream?listenKey=b") as wrapped:
        first, second = last_conn(fake, "/private/ws/a"), last_conn(fake, "/private/stream?listenKey=b")
        await control.fire("half_open", target="latest")
        listed = await control.connections()
        await wrapped.close()
        await control.wait_for("ws_close", conn=second)
        remaining = await control.connections()
    assert [(c["conn"], c["route"], c["listen_keys"], c["half_open"]) for c in listed] == [
        (first, "private/ws", ["a"], False),
        (second, "private/stream", ["b"], True),
    ]
    assert [c["conn"] for c in remaining] == [first]


# ------------------------------------------------------------------ the blocking client, and serve


async def test_blocking_client_from_another_thread(
    controlled: StartControlled, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, _ = await controlled()
    monkeypatch.setenv("BINANCE_HARNESS_CONTROL_URL", fake.control_url or "")

    def drive() -> tuple[int, list[int], dict[str, Any]]:
        with ControlClient() as control:  # the URL from the environment
            fired = control.fire("close", code=1001)
            closed = control.wait_for("ws_close", since=fired.index, timeout=WAIT)
            return fired.index, fired.conns, closed

    async with ws_connect(fake, "/private/ws/k") as ws:
        conn = last_conn(fake, "/private/ws/k")
        index, conns, closed = await asyncio.to_thread(drive)
        assert ws.close_code == 1001
    assert conns == [conn] and closed["conn"] == conn and closed["code"] == 1001
    assert fake.journal.entries[index]["source"] == "control"


def test_control_client_needs_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BINANCE_HARNESS_CONTROL_URL", raising=False)
    with pytest.raises(ValueError, match="BINANCE_HARNESS_CONTROL_URL is not set"):
        ControlClient()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_serve_prints_the_control_url_on_the_port_asked_for() -> None:
    port = _free_port()
    with serve("--control-port", str(port)) as exported:
        assert exported["BINANCE_HARNESS_CONTROL_URL"] == f"http://127.0.0.1:{port}"
        with ControlClient(exported["BINANCE_HARNESS_CONTROL_URL"]) as control:
            info = control.info()
            assert info["urls"]["rest"] == exported["BINANCE_HARNESS_REST_URL"]
            fired = control.fire("stop_pings")
            assert control.journal(fired.index, kind="fault").entries == [fired.entry]
