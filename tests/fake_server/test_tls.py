"""https/wss with a throwaway CA (fake_server/fronts/tls.py), seen by clients that trust it and one that does not.

The faults must look the same through TLS as without it: a drop is still 1006 with no
close frame (EOF for fin, a reset for rst), a close still carries its code, and what the
client does still reaches the front (its close frame, its dropped TCP).
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK

from fake_server.clock import Clock
from fake_server.exchange.settings import EventFlow, Settings, Timers
from fake_server.faults.abort_tcp import AbortTcp
from fake_server.faults.close import Close
from fake_server.fronts import rest_respx
from fake_server.fronts.tls import CA_ENV_VARIABLES
from fake_server.journal import Journal
from fake_server.server import FakeBinance
from harness.runner import contract, run_scenario
from harness.scenario import Expectation, Scenario, Step
from harness.scenario_file import default_registries
from harness.verdict import Status
from tests.conftest import IN_PROCESS, client_command
from tests.fake_server._fake_helpers import EPOCH_MS, QUIET_TIMERS, WAIT, last_conn, recv_json, tick

StartFake = Callable[..., Awaitable[FakeBinance]]


@pytest.fixture
async def start_fake() -> AsyncIterator[StartFake]:
    async with contextlib.AsyncExitStack() as stack:

        async def start(*, tls: bool = True) -> FakeBinance:
            clock = Clock(epoch_ms=EPOCH_MS)
            settings = Settings(timers=Timers(**QUIET_TIMERS), events=EventFlow(rate=0), tls=tls)
            return await stack.enter_async_context(FakeBinance(settings, clock, Journal(clock)))

        yield start


def trusting(fake: FakeBinance) -> ssl.SSLContext:
    """A client context that trusts the run's CA through its file, as a client would."""
    assert fake.ca_file is not None
    return ssl.create_default_context(cafile=str(fake.ca_file))


def wss(fake: FakeBinance, path: str, **kwargs: Any) -> Any:
    options: dict[str, Any] = {"ping_interval": None, "open_timeout": WAIT, "close_timeout": 0.5}
    return connect(fake.ws_url + path, ssl=trusting(fake), **{**options, **kwargs})


async def test_https_and_wss_for_a_client_that_trusts_the_ca(start_fake: StartFake) -> None:
    fake = await start_fake()
    assert fake.rest_url.startswith("https://127.0.0.1:") and fake.ws_url.startswith("wss://127.0.0.1:")
    assert fake.ca_file is not None and fake.ca_file.read_text().startswith("-----BEGIN CERTIFICATE-----")
    headers = {"X-MBX-APIKEY": fake.settings.credentials.api_key}
    async with httpx.AsyncClient(base_url=fake.rest_url, verify=trusting(fake), timeout=WAIT) as http:
        created = await http.post("/fapi/v1/listenKey", headers=headers)
    assert created.status_code == 200, created.text
    key = created.json()["listenKey"]
    async with wss(fake, f"/private/ws/{key}") as ws:
        (placed,) = tick(fake)
        assert await recv_json(ws) == placed
    (rest,) = fake.journal.of("rest", path="/fapi/v1/listenKey")
    assert rest["status"] == 200
    (started,) = fake.journal.of("server", phase="start")
    assert started["rest_url"] == fake.rest_url and started["ca_file"] == str(fake.ca_file)


async def test_a_client_that_does_not_trust_the_ca_fails_the_handshake(start_fake: StartFake) -> None:
    fake = await start_fake()
    system_trust = ssl.create_default_context()  # the system's CAs (or certifi's), not the run's
    async with httpx.AsyncClient(verify=system_trust, timeout=WAIT) as http:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await http.post(fake.rest_url + "/fapi/v1/listenKey")
    with pytest.raises(ssl.SSLCertVerificationError):
        async with connect(fake.ws_url + "/private/ws/k", ssl=system_trust, open_timeout=WAIT):
            pass
    assert list(fake.journal.of("rest", "ws_open")) == []


async def test_another_runs_ca_is_not_trusted(start_fake: StartFake) -> None:
    first, second = await start_fake(), await start_fake()
    with pytest.raises(ssl.SSLCertVerificationError):
        async with connect(second.ws_url + "/private/ws/k", ssl=trusting(first), open_timeout=WAIT):
            pass


@pytest.mark.parametrize(("mode", "cause"), [("fin", EOFError), ("rst", ConnectionResetError)])
async def test_abort_tcp_through_tls_is_1006_without_a_close_frame(
    start_fake: StartFake, mode: str, cause: type[BaseException]
) -> None:
    fake = await start_fake()
    async with wss(fake, "/private/ws/k") as ws:
        conn = last_conn(fake, "/private/ws/k")
        assert AbortTcp(mode=mode).apply(fake) == [conn]  # type: ignore[arg-type]
        with pytest.raises(ConnectionClosedError) as caught:
            await recv_json(ws)
        assert caught.value.rcvd is None and ws.close_code == 1006
        assert isinstance(caught.value.__cause__, cause)
    closed = next(fake.journal.of("ws_close", conn=conn))
    assert (closed["code"], closed["initiator"], closed["how"]) == (1006, "server", f"abort_{mode}")


async def test_close_through_tls_carries_its_code(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with wss(fake, "/private/ws/k") as ws:
        Close(code=1001, reason="going away").apply(fake)
        with pytest.raises(ConnectionClosedOK):
            await recv_json(ws)
        assert (ws.close_code, ws.close_reason) == (1001, "going away")


async def test_what_the_client_does_reaches_the_front(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with wss(fake, "/private/ws/a") as ws:
        first = last_conn(fake, "/private/ws/a")
        await ws.close(4000, "bye")
    clean = await fake.journal.wait_for(lambda e: e["kind"] == "ws_close" and e["conn"] == first, WAIT)
    assert (clean["code"], clean["reason"], clean["initiator"], clean["how"]) == (
        4000,
        "bye",
        "client",
        "close_frame",
    )
    async with wss(fake, "/private/ws/b") as ws:
        second = last_conn(fake, "/private/ws/b")
        ws.transport.abort()  # the client drops TCP without a close frame
        dropped = await fake.journal.wait_for(lambda e: e["kind"] == "ws_close" and e["conn"] == second, WAIT)
    assert (dropped["code"], dropped["initiator"]) == (1006, "client")


async def test_plain_is_the_default_and_tells_no_ca(start_fake: StartFake) -> None:
    fake = await start_fake(tls=False)
    assert fake.rest_url.startswith("http://") and fake.ws_url.startswith("ws://") and fake.ca_file is None
    environ = contract(fake, _scenario(tls=False), Path("events.jsonl")).as_environ()
    assert "BINANCE_HARNESS_CA_FILE" not in environ and not set(CA_ENV_VARIABLES) & environ.keys()


async def test_the_contract_exports_the_ca_in_the_usual_variables(start_fake: StartFake) -> None:
    fake = await start_fake()
    environ = contract(fake, _scenario(tls=True), Path("events.jsonl")).as_environ()
    expected = str(fake.ca_file)
    assert environ["BINANCE_HARNESS_CA_FILE"] == expected
    assert {name: environ[name] for name in CA_ENV_VARIABLES} == dict.fromkeys(
        ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"), expected
    )
    assert environ["BINANCE_HARNESS_WS_URL"].startswith("wss://")


async def test_the_ca_file_is_removed_when_the_fake_stops() -> None:
    clock = Clock()
    async with FakeBinance(Settings(events=EventFlow(rate=0), tls=True), clock, Journal(clock)) as fake:
        ca_file = fake.ca_file
        assert ca_file is not None and ca_file.exists()
    assert not ca_file.exists()


def _scenario(*, tls: bool, steps: tuple[Step, ...] = (), expect: tuple[Expectation, ...] = ()) -> Scenario:
    return Scenario(
        name="tls-drop",
        family="drops",
        description="a drop over wss",
        source=("C1 drop-1006-no-close-frame",),
        duration=3.0,
        expect=expect,
        steps=steps,
        events=EventFlow(rate=4),
        tls=tls,
    )


@pytest.mark.parametrize("mode", ["subprocess", "in-process"])
async def test_reference_client_recovers_over_wss_with_only_the_contracts_variables(
    tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end: the runner serves TLS and the bundled client trusts it through SSL_CERT_FILE
    (in-process: the same variable, from its ClientEnv). In-process, REST keeps the socket:
    respx would answer it without the TLS this scenario is about (docs/in-process.md)."""
    _, behaviours = default_registries()
    scenario = _scenario(
        tls=True,
        steps=(Step(AbortTcp(), at=0.3, on="ws_open"),),
        expect=(Expectation("reconnects-after-drop", behaviours["reconnects-after-drop"]()),),
    )
    routed: list[str] = []
    monkeypatch.setattr(rest_respx, "routed", lambda front, url: routed.append(url))
    client = client_command("reference_client.py") if mode == "subprocess" else IN_PROCESS
    result = await run_scenario(scenario, client, workdir=tmp_path)
    assert routed == []
    verdict = result.verdict("reconnects-after-drop")
    assert verdict.status is Status.PASS, (verdict, result.problems)
    assert result.record is not None
    opened = list(result.record.of("ws_open"))
    assert len(opened) >= 2
    (started,) = [e for e in result.record.of("server") if e["phase"] == "start"]
    assert started["ws_url"].startswith("wss://")
