"""The one clock at a time factor: Binance time runs F times as fast as the wall's, for the
fake's timers, its stamps and its `E`, and a signed request's recvWindow counts wall time,
since its trip (the client's CPU work) is not sped up (fake_server/clock.py)."""

from __future__ import annotations

import asyncio

import pytest

from fake_server import clock as clock_module
from fake_server.clock import Clock
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


@pytest.mark.parametrize(
    ("factor", "window_ms", "oldest_ms"),
    [
        (1, 5_000, 5_000),  # real time: Binance's rule exactly
        (600, 5_000, 3_000_000),  # 5 s of wall time at x600: 50 min of Binance time
        # ccxt's window at x60: its first signed call took up to 1.36 s of wall time to
        # arrive under load (81.6 s of Binance time); 0.25 s of wall time were forgiven.
        (60, 10_000, 600_000),
    ],
)
async def test_a_signed_request_is_judged_against_its_window_in_wall_time(
    factor: int, window_ms: int, oldest_ms: int
) -> None:
    clock = StoppedClock(epoch_ms=EPOCH_MS, factor=factor)
    settings = Settings(timers=Timers(**QUIET_TIMERS), events=EventFlow(rate=0))
    async with FakeBinance(settings, clock, Journal(clock)) as fake, rest(fake) as client:

        async def signed_at(age_ms: int) -> tuple[int, int | None]:
            query = signed_query(fake, timestamp=EPOCH_MS - age_ms, recvWindow=window_ms)
            answer = await client.get(f"/fapi/v2/account?{query}")
            return answer.status_code, answer.json().get("code") if answer.status_code != 200 else None

        accepted = await signed_at(oldest_ms)
        # Older than that is a signature kept from before: refused, as Binance would.
        refused = await signed_at(oldest_ms + factor)
    assert accepted == (200, None)
    assert refused == (400, -1021)
