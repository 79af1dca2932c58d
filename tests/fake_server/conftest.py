"""Fixtures for the tests of the fake: a FakeBinance on loopback with short timers.

Every test starts its own fake (ephemeral ports, so xdist workers never clash) through the
`start_fake` factory, which stops it when the test ends. The clock starts on a whole
epoch minute so the X-MBX-USED-WEIGHT-1M counter cannot roll over in the middle of a test.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from fake_server.clock import Clock
from fake_server.exchange.settings import EventFlow, RestLimits, Settings, Timers
from fake_server.journal import Journal
from fake_server.server import FakeBinance
from tests.fake_server._fake_helpers import EPOCH_MS, QUIET_TIMERS, StartFake
from tests.fake_server._stream_helpers import StartStreamFake, stream_fakes


@pytest.fixture
async def start_fake() -> AsyncIterator[StartFake]:
    """`await start_fake(rate=0, rest_limits=None, **timers)` -> a running FakeBinance, stopped after the test."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(
            *, rate: float = 0.0, seed: int = 1, rest_limits: RestLimits | None = None, **timers: Any
        ) -> FakeBinance:
            clock = Clock(epoch_ms=EPOCH_MS)
            journal = Journal(clock)
            settings = Settings(
                timers=Timers(**{**QUIET_TIMERS, **timers}),
                events=EventFlow(rate=rate, seed=seed),
                rest_limits=rest_limits or RestLimits(),
            )
            return await stack.enter_async_context(FakeBinance(settings, clock, journal))

        yield start


@pytest.fixture
async def start_stream() -> AsyncIterator[StartStreamFake]:
    """`await start_stream(market_rate=0, limits=None, rate=0, **timers)` -> a running fake with
    market data and stream limits (see _stream_helpers.stream_fakes), stopped after the test."""
    async with stream_fakes() as factory:
        yield factory
