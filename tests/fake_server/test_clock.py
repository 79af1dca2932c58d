"""The one clock at a time factor: Binance time runs F times as fast as the wall's, for the
fake's timers, its stamps and its `E`, and a signed request's trip (not sped up) is forgiven
up to `TRIP_ALLOWANCE` of wall time (fake_server/clock.py)."""

from __future__ import annotations

import asyncio

import pytest

from fake_server import clock as clock_module
from fake_server.clock import TRIP_ALLOWANCE, Clock
from fake_server.exchange.settings import EventFlow, Settings, Timers
from fake_server.journal import Journal
from fake_server.server import FakeBinance
from tests.fake_server._fake_helpers import EPOCH_MS, QUIET_TIMERS, rest, signed_query


def test_binance_time_and_epoch_run_factor_times_as_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    wall = [100.0]
    monkeypatch.setattr(clock_module.time, "monotonic", lambda: wall[0])
    clock = Clock(epoch_ms=EPOCH_MS, factor=600)
    wall[0] += 2.5
    assert clock.now() == 1500.0  # 2.5 s of wall time are 25 min of Binance time
    assert clock.epoch_ms() == EPOCH_MS + 1_500_000
    assert clock.wall(86400) == 144.0
    assert Clock(factor=1).trip_allowance_ms == 0
    assert clock.trip_allowance_ms == TRIP_ALLOWANCE * 599 * 1000


def test_a_factor_below_real_time_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Clock(factor=0.5)


async def test_a_timer_of_binance_seconds_fires_after_that_over_the_factor() -> None:
    """An hour of Binance time at x3600 is a second of wall time: the timer fires well
    within the 5 s this test waits for it (unscaled it would take the hour)."""
    clock = Clock(factor=3600)
    fired = asyncio.Event()
    clock.call_later(3600.0, fired.set)
    await asyncio.wait_for(fired.wait(), 5.0)
    assert clock.now() >= 3600.0


class StoppedClock(Clock):
    """A clock at x600 whose Binance time stands still, so a request's age is exact."""

    def now(self) -> float:
        return 0.0


async def test_a_signed_request_is_forgiven_its_trip_but_not_a_stale_signature() -> None:
    clock = StoppedClock(epoch_ms=EPOCH_MS, factor=600)
    settings = Settings(timers=Timers(**QUIET_TIMERS), events=EventFlow(rate=0))
    # The window (5 s) plus the trip forgiven at x600 (0.25 s of wall time, 149.75 s).
    allowed = 5_000 + clock.trip_allowance_ms
    async with FakeBinance(settings, clock, Journal(clock)) as fake, rest(fake) as client:
        forgiven = await client.get(
            f"/fapi/v2/account?{signed_query(fake, timestamp=EPOCH_MS - int(allowed))}"
        )
        # Older than that is a signature kept from before: refused, as Binance would.
        refused = await client.get(
            f"/fapi/v2/account?{signed_query(fake, timestamp=EPOCH_MS - int(allowed) - 1)}"
        )
    assert forgiven.status_code == 200, forgiven.text
    assert (refused.status_code, refused.json()["code"]) == (400, -1021)
