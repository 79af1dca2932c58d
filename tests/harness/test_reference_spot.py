"""The spot reference client (clients/reference_spot.py) and the serverShutdown replacement of
the reference client, against the fake in-process: what they send, and how they recover."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from clients.broken.cached_signature import CachedSignatureClient
from clients.reference_client import Config, ReferenceClient
from clients.reference_spot import SpotReferenceClient, signature_payload
from fake_server.clock import Clock
from fake_server.exchange.profiles import ProfileName
from fake_server.exchange.settings import Credentials, EventFlow, Settings
from fake_server.exchange.ws_api import WsApiSession, sign_hmac
from fake_server.faults.server_shutdown import ServerShutdown
from fake_server.faults.terminate_event_stream import TerminateEventStream
from fake_server.journal import Entry, Journal
from fake_server.server import FakeBinance

#: Generous: only a broken client or fake waits this long.
WAIT = 5.0
CREDS = Credentials()


def config(
    rest_url: str = "http://127.0.0.1:1", ws_url: str = "ws://127.0.0.1:2", events: Path | None = None
) -> Config:
    return Config(
        rest_url=rest_url,
        ws_url=ws_url,
        api_key=CREDS.api_key,
        api_secret=CREDS.api_secret,
        events_file=str(events) if events else None,
    )


# ------------------------------------------------------------------ the signed request


def test_signature_is_the_one_the_fake_computes() -> None:
    request = SpotReferenceClient(config()).subscribe_request()
    params = request["params"]
    assert signature_payload(params).startswith("apiKey=") and "signature" not in signature_payload(params)
    assert params["signature"] == sign_hmac(
        {k: v for k, v in params.items() if k != "signature"}, CREDS.api_secret
    )
    session = WsApiSession(CREDS, lambda: int(params["timestamp"]))
    (answer,) = session.handle(json.dumps(request))
    assert answer["status"] == 200 and answer["result"] == {"subscriptionId": 0}


def test_every_request_is_signed_anew_and_the_cached_client_resends_its_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = iter([1_800_000_000.0, 1_800_000_002.5, 1_800_000_004.0, 1_800_000_006.0])
    monkeypatch.setattr("clients.reference_spot.time.time", lambda: next(clock))
    fresh = SpotReferenceClient(config())
    first, second = fresh.subscribe_request(), fresh.subscribe_request()
    assert first["params"]["timestamp"] + 2500 == second["params"]["timestamp"]
    assert first["params"]["signature"] != second["params"]["signature"] and first["id"] != second["id"]
    cached = CachedSignatureClient(config())
    assert cached.subscribe_request() is cached.subscribe_request()
    # 2 s later, the fake refuses the cached request: outside the client's 1 s recvWindow.
    stale = cached.subscribe_request()
    session = WsApiSession(CREDS, lambda: int(stale["params"]["timestamp"]) + 2000)
    (answer,) = session.handle(json.dumps(stale))
    assert answer["error"]["code"] == -1021


async def test_frames_are_unwrapped_and_events_delivered_once(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    client = SpotReferenceClient(config(events=events))
    client._events = events.open("a", encoding="utf-8")
    seen: list[str] = []

    async def terminated(event: dict[str, Any]) -> None:
        seen.append(event["e"])

    client.on_stream_terminated = terminated  # type: ignore[method-assign]
    client.on_server_shutdown = terminated  # type: ignore[method-assign, assignment]
    report = {"subscriptionId": 0, "event": {"e": "executionReport", "E": 1, "i": 7}}
    for frame in (report, report, {"event": {"e": "serverShutdown", "E": 2}}):
        await client.handle_frame(json.dumps(frame))
    await client.handle_frame(
        json.dumps({"subscriptionId": 0, "event": {"e": "eventStreamTerminated", "E": 3}})
    )
    client._events.close()
    lines = [json.loads(line) for line in events.read_text().splitlines()]
    assert lines == [report["event"]]
    assert seen == ["serverShutdown", "eventStreamTerminated"]


# ---------------------------------------------------------------- against the fake


class Handled:
    """The events a client handled, to wait on (no sleeps)."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._changed = asyncio.Event()

    def add(self, payload: dict[str, Any]) -> None:
        self.events.append(payload)
        self._changed.set()

    async def until(self, stamp: int) -> None:
        """Until the event with `E` == stamp was handled."""
        async with asyncio.timeout(WAIT):
            while not any(e.get("E") == stamp for e in self.events):
                self._changed.clear()
                await self._changed.wait()


@contextlib.asynccontextmanager
async def running(profile: ProfileName, tmp_path: Path) -> AsyncIterator[tuple[FakeBinance, Path, Handled]]:
    """The fake, and the reference client for `profile` running against it in-process."""
    clock = Clock()
    events = tmp_path / "events.jsonl"
    async with FakeBinance(Settings(profile=profile, events=EventFlow(rate=10)), clock, Journal(clock)) as f:
        cls = SpotReferenceClient if profile == "spot" else ReferenceClient
        client = cls(config(f.rest_url, f.ws_url, events))
        handled, handle = Handled(), client.handle_event

        def recording(payload: dict[str, Any]) -> None:
            handle(payload)
            handled.add(payload)

        client.handle_event = recording  # type: ignore[method-assign]
        task = asyncio.create_task(client.run())
        try:
            yield f, events, handled
        finally:
            task.cancel()
            async with asyncio.timeout(WAIT):
                with contextlib.suppress(asyncio.CancelledError):
                    await task


def is_subscription(conn: int | None = None) -> Any:
    def match(e: Entry) -> bool:
        return e["kind"] == "ws_frame" and e.get("status") == 200 and (conn is None or e["conn"] == conn)

    return match


async def test_spot_client_subscribes_resubscribes_and_replaces(tmp_path: Path) -> None:
    async with running("spot", tmp_path) as (f, events, handled):
        first = await f.journal.wait_for(is_subscription(), WAIT)
        await f.journal.wait_for(lambda e: e["kind"] == "rest" and e["path"] == "/api/v3/account", WAIT)
        TerminateEventStream().apply(f)
        again = await f.journal.wait_for(is_subscription(first["conn"]), WAIT, past=False)
        sent = await f.journal.wait_for(
            lambda e: e["kind"] == "event" and first["conn"] in e["conns"] and e["t"] > again["t"], WAIT
        )
        await handled.until(sent["E"])
        ServerShutdown(grace=WAIT).apply(f)
        await f.journal.wait_for(
            lambda e: e["kind"] == "ws_close" and e["conn"] == first["conn"] and e["initiator"] == "client",
            WAIT,
        )
        replacement = [e for e in f.journal.of("ws_frame", status=200) if e["conn"] != first["conn"]]
        assert replacement, "the old connection was closed before a replacement was subscribed"
        requests = [json.loads(e["data"]) for e in f.journal.of("ws_frame", dir="in", op="text")]
        signatures = [r["params"]["signature"] for r in requests]
        assert len(signatures) == 3 and len(set(signatures)) == 3  # each one signed anew
    lines = events.read_text().splitlines()
    assert lines and len(lines) == len(set(lines))


async def test_futures_client_replaces_before_the_server_closes(tmp_path: Path) -> None:
    async with running("usdm", tmp_path) as (f, events, handled):
        first = await f.journal.wait_for(lambda e: e["kind"] == "ws_open" and e["user"], WAIT)
        ServerShutdown(grace=WAIT).apply(f)
        closed = await f.journal.wait_for(
            lambda e: e["kind"] == "ws_close" and e["conn"] == first["conn"], WAIT
        )
        assert closed["initiator"] == "client" and closed["reason"] == "replaced after serverShutdown"
        reopened = [e for e in f.journal.of("ws_open", user=True) if e["conn"] != first["conn"]]
        assert reopened and reopened[0]["t"] <= closed["t"]
        sent = await f.journal.wait_for(
            lambda e: (
                e["kind"] == "event" and reopened[0]["conn"] in e["conns"] and e["e"] != "serverShutdown"
            ),
            WAIT,
        )
        await handled.until(sent["E"])
    lines = events.read_text().splitlines()
    assert lines and len(lines) == len(set(lines))  # the overlap's duplicates were dropped
