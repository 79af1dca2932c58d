"""`binance_fake`: the fake inside a user's own tests, as pytest-httpserver or respx users expect.

The harness judges a client from outside, by scenario; a bot's own test suite wants the
other way round: start a fake, drive a fault at the moment the test chooses, and assert on
its own client's state. So the fixture starts a FakeBinance on ephemeral loopback ports, on
its own thread and event loop (a sync test and an async test on any loop can both use it),
hands the test its URLs, the dummy key pair, a control client and the journal, and stops it
when the test ends, waiting for the thread so nothing is left running.

Options, as a marker or as an indirect parameter (a dict)::

    @pytest.mark.binance_fake(profile="spot", tls=True, rate=0, listen_key_ttl=5, ping_interval=1)
    def test_x(binance_fake): ...

Any field of fake_server.exchange.settings.Timers (seconds) is a timer option.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fake_server.clock import Clock
from fake_server.exchange.settings import EventFlow, Settings, Timers
from fake_server.fronts.control_client import AsyncControlClient, ControlClient
from fake_server.journal import Journal
from fake_server.server import FakeBinance
from harness.runner import contract
from harness.scenario import unscripted

#: How long starting or stopping the fake may take before the test fails (seconds).
START_STOP_TIMEOUT = 15.0
_TIMERS = {f.name for f in dataclasses.fields(Timers)}
MARKER = "binance_fake(profile='usdm', tls=False, rate=2, **timers): options of the binance_fake fixture"


@dataclass
class RunningFake:
    """What a test gets: where the fake is, how to log in, how to drive it, what it saw."""

    server: FakeBinance
    journal: Journal
    control: ControlClient
    environ: dict[str, str]  # the client contract's BINANCE_HARNESS_* variables

    @property
    def rest_url(self) -> str:
        return self.server.rest_url

    @property
    def ws_url(self) -> str:
        return self.server.ws_url

    @property
    def control_url(self) -> str:
        assert self.server.control_url is not None
        return self.server.control_url

    @property
    def api_key(self) -> str:
        return self.server.settings.credentials.api_key

    @property
    def api_secret(self) -> str:
        return self.server.settings.credentials.api_secret

    @property
    def ca_file(self) -> Path | None:
        """With tls=True: the throwaway CA the client must trust."""
        return self.server.ca_file

    def async_control(self) -> AsyncControlClient:
        """A control client for async tests: `async with binance_fake.async_control() as c:`."""
        return AsyncControlClient(self.control_url)


def settings_for(options: dict[str, Any]) -> Settings:
    """Settings from the fixture's options; an unknown option is a usage error naming it."""
    options = dict(options)
    profile = options.pop("profile", "usdm")
    tls = bool(options.pop("tls", False))
    events = EventFlow(rate=float(options.pop("rate", EventFlow.rate)))
    timers = {name: float(options.pop(name)) for name in list(options) if name in _TIMERS}
    if options:
        known = ", ".join(sorted({"profile", "tls", "rate", *_TIMERS}))
        raise pytest.UsageError(f"binance_fake: unknown option {', '.join(sorted(options))} (known: {known})")
    return Settings(timers=Timers(**timers), events=events, profile=profile, tls=tls, control_api=True)


class _FakeThread(threading.Thread):
    """The fake's own event loop, so that the test's thread (and loop, if any) stays free."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(name="binance-fake", daemon=True)
        self.settings = settings
        self.ready = threading.Event()
        self.failure: BaseException | None = None
        self.server: FakeBinance | None = None
        self.journal: Journal | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        clock = Clock()
        journal = Journal(clock)
        try:
            async with FakeBinance(self.settings, clock, journal) as server:
                self.server, self.journal = server, journal
                self.ready.set()
                await self._stopping.wait()
        except BaseException as exc:  # reported to the test's thread, which raises it
            self.failure = exc
        finally:
            journal.close()
            self.ready.set()

    def stop(self) -> None:
        if self._loop is not None and self._stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                self._loop.call_soon_threadsafe(self._stopping.set)
        self.join(START_STOP_TIMEOUT)
        if self.is_alive():
            raise RuntimeError(f"the fake did not stop within {START_STOP_TIMEOUT:g} s")


@contextlib.contextmanager
def running_fake(events_file: Path, **options: Any) -> Iterator[RunningFake]:
    """The fake for the duration of a `with` block (the fixture is this, per test)."""
    settings = settings_for(options)
    thread = _FakeThread(settings)
    thread.start()
    try:
        if not thread.ready.wait(START_STOP_TIMEOUT):
            raise RuntimeError(f"the fake did not start within {START_STOP_TIMEOUT:g} s")
        if thread.failure is not None or thread.server is None or thread.journal is None:
            raise RuntimeError(f"the fake did not start: {thread.failure!r}") from thread.failure
        server = thread.server
        environ = contract(server, unscripted(settings, "binance-fake"), events_file).as_environ()
        assert server.control_url is not None
        with ControlClient(server.control_url) as control:
            yield RunningFake(server, thread.journal, control, environ)
    finally:
        thread.stop()


@pytest.fixture
def binance_fake(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningFake]:
    """A fake Binance for this test (see harness/fixtures.py for its options)."""
    options: dict[str, Any] = {}
    marker = request.node.get_closest_marker("binance_fake")
    if marker is not None:
        options.update(marker.kwargs)
    options.update(getattr(request, "param", None) or {})
    with running_fake(tmp_path / "events.jsonl", **options) as fake:
        yield fake
