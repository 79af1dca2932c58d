"""Who may drive the control API (fake_server/fronts/control_guard.py, docs/control-api.md).

Loopback is not a boundary against a browser: a page may POST `text/plain` to 127.0.0.1
without a preflight, and a DNS-rebinding page reaches it under its own name. Each test
sends the request such a page (or another local process) would send and checks that no
fault fired.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import make_mocked_request

from fake_server.clock import Clock
from fake_server.exchange.settings import EventFlow, Settings
from fake_server.fronts.control_client import AsyncControlClient, ControlApiError, ControlClient
from fake_server.fronts.control_guard import TOKEN_VARIABLE, refusal, token_error
from fake_server.journal import Journal
from fake_server.server import FakeBinance
from tests.fake_server._fake_helpers import WAIT
from tests.serve import serve

TOKEN = "s3cret-token-of-the-suite"
FIRE = b'{"fault": "stop_pings"}'

StartGuarded = Callable[..., Awaitable[FakeBinance]]


@pytest.fixture
async def guarded() -> AsyncIterator[StartGuarded]:
    async with contextlib.AsyncExitStack() as stack:

        async def start(**settings: Any) -> FakeBinance:
            clock = Clock()
            fake = FakeBinance(
                Settings(events=EventFlow(rate=0), control_api=True, **settings), clock, Journal(clock)
            )
            return await stack.enter_async_context(fake)

        yield start


async def _post(fake: FakeBinance, headers: dict[str, Any], content: bytes = FIRE) -> httpx.Response:
    async with httpx.AsyncClient(base_url=fake.control_url or "", timeout=WAIT) as http:
        return await http.post("/v1/faults", content=content, headers=headers)


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
async def test_a_post_a_page_could_send_without_preflight_is_415(
    guarded: StartGuarded, content_type: str | None
) -> None:
    fake = await guarded()
    headers = {} if content_type is None else {"Content-Type": content_type}
    answer = await _post(fake, headers)
    assert answer.status_code == 415
    assert "application/json" in answer.json()["error"]
    assert list(fake.journal.of("fault")) == []


async def test_json_in_another_charset_is_415(guarded: StartGuarded) -> None:
    fake = await guarded()
    answer = await _post(
        fake, {"Content-Type": "application/json; charset=utf-16"}, FIRE.decode().encode("utf-16")
    )
    assert answer.status_code == 415 and "UTF-8" in answer.json()["error"]


async def test_a_json_post_fires(guarded: StartGuarded) -> None:
    fake = await guarded()
    answer = await _post(fake, {"Content-Type": "application/json; charset=utf-8"})
    assert answer.status_code == 200 and [e["name"] for e in fake.journal.of("fault")] == ["stop_pings"]


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:80", "10.0.0.1", "[fe80::1]:9", "localhost.evil.example"]
)
async def test_a_host_that_is_not_loopback_is_403(guarded: StartGuarded, host: str) -> None:
    """DNS rebinding: the page's own name resolves to 127.0.0.1, and its Host says so."""
    fake = await guarded()
    answer = await _post(fake, {"Content-Type": "application/json", "Host": host})
    assert answer.status_code == 403 and "loopback" in answer.json()["error"]
    async with httpx.AsyncClient(base_url=fake.control_url or "", timeout=WAIT) as http:
        read = await http.get("/v1/journal", headers={"Host": host})
    assert read.status_code == 403  # nor may it read the journal or the credentials
    assert list(fake.journal.of("fault")) == []


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST.:8080", "api.localhost", "127.0.0.1:1", "127.1.2.3", "[::1]:5"]
)
async def test_loopback_names_and_addresses_are_accepted(guarded: StartGuarded, host: str) -> None:
    fake = await guarded()
    answer = await _post(fake, {"Content-Type": "application/json", "Host": host})
    assert answer.status_code == 200, answer.text


async def test_with_a_token_a_request_without_it_is_401(guarded: StartGuarded) -> None:
    fake = await guarded(control_token=TOKEN)
    missing = await _post(fake, {"Content-Type": "application/json"})
    wrong = await _post(fake, {"Content-Type": "application/json", "Authorization": "Bearer nope-é".encode()})
    right = await _post(fake, {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert TOKEN_VARIABLE in missing.json()["error"]
    assert len(list(fake.journal.of("fault"))) == 1


async def test_the_client_sends_the_token_from_the_environment(
    guarded: StartGuarded, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = await guarded(control_token=TOKEN)
    monkeypatch.delenv(TOKEN_VARIABLE, raising=False)
    async with AsyncControlClient(fake.control_url, timeout=WAIT) as without:
        with pytest.raises(ControlApiError) as refused:
            await without.info()
    assert refused.value.status == 401
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    async with AsyncControlClient(fake.control_url, timeout=WAIT) as control:
        fired = await control.fire("stop_pings")
        assert await control.clear_faults() >= 0  # a DELETE without a body needs no Content-Type
    assert fired.entry["name"] == "stop_pings"


def test_serve_token_is_exported_and_required() -> None:
    with serve("--token") as exported:
        token = exported[TOKEN_VARIABLE]
        url = exported["BINANCE_HARNESS_CONTROL_URL"]
        assert len(token) >= 32
        with ControlClient(url, token="x" * 16) as stranger, pytest.raises(ControlApiError) as refused:
            stranger.info()
        assert refused.value.status == 401
        with ControlClient(url, token=token) as control:
            assert control.fire("stop_pings").entry["name"] == "stop_pings"


@pytest.mark.parametrize(
    ("token", "ok"), [("a" * 16, True), ("a" * 15, False), ("with space 123456", False), ("é" * 20, False)]
)
def test_a_chosen_token_must_fit_a_header(token: str, ok: bool) -> None:
    assert (token_error(token) is None) == ok


def test_refusal_is_none_for_a_plain_get() -> None:
    request = make_mocked_request("GET", "/v1", headers={"Host": "127.0.0.1:9"})
    assert refusal(request, "127.0.0.1", None) is None
    assert refusal(request, "127.0.0.1", TOKEN) is not None
