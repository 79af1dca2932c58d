"""The listenKey's death as clients meet it, through real sockets: silent or announced, exact.

Sources: binance-reference.md §1 ("Expiry notification": futures push `listenKeyExpired`,
the legacy spot/margin streams sent nothing; a PUT on a dead key is 400 -1125; "Connecting
with a dead key": the upgrade succeeds and nothing arrives); failure-modes.md A3 (the -1125
is the only sign of a silent death, JKorf/Binance.Net#796) and A7 (a reconnect on a dead
key, JKorf/CryptoExchange.Net#60).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from websockets.protocol import State

from fake_server.clock import Clock
from fake_server.exchange.settings import EventFlow, Settings, Timers
from fake_server.faults.expire_listen_key import ExpireListenKey
from fake_server.journal import Journal
from fake_server.server import FakeBinance
from tests.fake_server._fake_helpers import (
    EPOCH_MS,
    QUIET_TIMERS,
    StartFake,
    last_conn,
    new_listen_key,
    nothing_within,
    recv_json,
    rest,
    tick,
    ws_connect,
)

DOES_NOT_EXIST = {"code": -1125, "msg": "This listenKey does not exist."}


async def test_silent_expiry_pushes_nothing_and_only_the_keepalive_tells(start_fake: StartFake) -> None:
    fake = await start_fake()
    key = await new_listen_key(fake)
    async with ws_connect(fake, f"/private/ws/{key}") as ws:
        conn = last_conn(fake, f"/private/ws/{key}")
        assert ExpireListenKey(notify=False).apply(fake) == [conn]
        (made,) = tick(fake)  # the account goes on; nothing reaches the dead key's socket
        assert await nothing_within(ws, 0.3)
        assert ws.state is State.OPEN
        async with rest(fake) as client:
            answer = await client.put("/fapi/v1/listenKey")
            assert (answer.status_code, answer.json()) == (400, DOES_NOT_EXIST)
            fresh = await client.post("/fapi/v1/listenKey")  # the cure: a new key, not the dead one
        assert fresh.status_code == 200 and fresh.json()["listenKey"] != key
    assert [(e["action"], e["why"]) for e in fake.journal.of("listen_key", action="expired")] == [
        ("expired", "fault")
    ]
    assert not list(fake.journal.of("event", e="listenKeyExpired"))
    assert next(fake.journal.of("event", E=made["E"]))["conns"] == []


async def test_announced_expiry_is_still_the_default(start_fake: StartFake) -> None:
    fake = await start_fake()
    key = await new_listen_key(fake)
    async with ws_connect(fake, f"/private/ws/{key}") as ws:
        assert ExpireListenKey().apply(fake) == [last_conn(fake, f"/private/ws/{key}")]
        pushed = await recv_json(ws)
        assert (pushed["e"], pushed["listenKey"]) == ("listenKeyExpired", key)


class SteppedClock(Clock):
    """The run's clock, which a test can move forward at once (timers still run on real time)."""

    def __init__(self) -> None:
        super().__init__(epoch_ms=EPOCH_MS)
        self.ahead = 0.0

    def now(self) -> float:
        return super().now() + self.ahead


@asynccontextmanager
async def fake_on(clock: Clock) -> AsyncIterator[FakeBinance]:
    settings = Settings(timers=Timers(**QUIET_TIMERS), events=EventFlow(rate=0.0))
    async with FakeBinance(settings, clock, Journal(clock)) as fake:
        yield fake


async def test_a_handshake_at_the_ttl_sees_the_key_dead_before_its_timer_fires() -> None:
    """`now >= expires_at` is expiry: a handshake in the instant before the expiry timer runs
    must not journal the key as live (the timer is real time; the clock jumps past the TTL)."""
    clock = SteppedClock()
    async with fake_on(clock) as fake:
        key = await new_listen_key(fake)
        (created,) = fake.journal.of("listen_key", action="created")
        clock.ahead = QUIET_TIMERS["listen_key_ttl"]  # exactly the TTL after the POST, or a hair more
        async with ws_connect(fake, f"/private/ws/{key}"):
            opened = next(fake.journal.of("ws_open"))
        expiries = list(fake.journal.of("listen_key", action="expired"))
    assert opened["key_states"] == {key: "expired"}
    (expired,) = expiries
    assert expired["why"] == "ttl" and expired["t"] >= created["t"] + QUIET_TIMERS["listen_key_ttl"]
    assert expired["t"] <= opened["t"]


async def test_the_fault_on_a_key_past_its_ttl_finds_it_dead_of_its_ttl() -> None:
    """A key whose TTL passed before its expiry timer ran died of its TTL: the fault firing
    in that instant must say so (journal `why: ttl`, listenKeyExpired pushed) and find no
    key, not retire it silently (found by test_exchange_model_stateful.py)."""
    clock = SteppedClock()
    async with fake_on(clock) as fake:
        key = await new_listen_key(fake)
        clock.ahead = QUIET_TIMERS["listen_key_ttl"]
        touched = ExpireListenKey(notify=False).apply(fake)
        expiries = [(e["key"], e["why"]) for e in fake.journal.of("listen_key", action="expired")]
        pushed = [e["e"] for e in fake.journal.of("event")]
    assert touched == []
    assert expiries == [(key, "ttl")]
    assert pushed == ["listenKeyExpired"]
