"""The scenario model: what a scenario file means once it has been validated.

The loader (`harness.scenario_file`) turns YAML into these objects and is the only place
that knows about files and line numbers; the runner and the checks only see this model,
so a scenario can also be built in Python (tests, Hypothesis strategies) without a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from fake_server.exchange.profiles import ProfileName
from fake_server.exchange.settings import EventFlow, Settings, Timers
from fake_server.faults import Fault
from fake_server.schema import param
from harness.client_driver import environment_error
from harness.time_factor import MAX_TIME_FACTOR, factor_words

__all__ = ["TRIGGERS", "EventFlow", "Expectation", "Generated", "Scenario", "Step", "Timers", "TriggerName"]

#: What a step can wait for before it fires. `start` is the start of the run; the others
#: are journal happenings, counted from the start of the run (see `nth`).
TriggerName = Literal[
    "start",  # the run started (the client process was launched)
    "ws_open",  # a user-stream WebSocket connection completed its handshake
    # a connection began to carry user data: at the handshake for a key in the URL, or when
    # the client SUBSCRIBEd an active key (or subscribed on the WebSocket API) afterwards
    "user_stream_ready",
    "ws_close",  # a WebSocket connection ended, whoever ended it
    "listen_key_created",  # POST listenKey answered 200
    "keepalive",  # PUT listenKey answered (any status)
    "resync",  # a REST snapshot call (account, openOrders, positionRisk) answered
]

TRIGGERS: tuple[str, ...] = TriggerName.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Step:
    """One fault, fired once, `at` seconds after the `nth` occurrence of `on`."""

    fault: Fault
    at: float = param(
        0.0,
        doc="seconds after the trigger",
        ge=0,
        message="a step cannot fire before its trigger (at must be >= 0)",
    )
    on: TriggerName = param("start", doc="what the step waits for: the start, or a journal happening")
    nth: int = param(
        1, doc="which occurrence of the trigger", ge=1, message="nth counts occurrences from 1 (the first)"
    )
    line: int = 0  # line in the scenario file, for reports; 0 when built in code


@dataclass(frozen=True)
class Expectation:
    """A behaviour the scenario judges, with its parameters (deadlines) for this scenario."""

    behaviour: str
    params: object  # an instance of the behaviour's Params dataclass
    line: int = 0


@dataclass(frozen=True)
class Generated:
    """Where a generated scenario came from (`binance-harness search`), so it can be made again."""

    seed: int = param(doc="the search's seed")
    harness: str = param(doc="the harness version that generated it")
    schedule: int = param(doc="which schedule of the search it is", ge=1)


@dataclass(frozen=True)
class Scenario:
    name: str
    family: str
    description: str
    source: tuple[str, ...]
    duration: float
    expect: tuple[Expectation, ...]
    steps: tuple[Step, ...] = ()
    profile: ProfileName = "usdm"
    timers: Timers = field(default_factory=Timers)
    events: EventFlow = field(default_factory=EventFlow)
    tags: tuple[str, ...] = ()
    #: Extra environment for the client (hints only; a scenario must not need them).
    client_env: dict[str, str] = param(
        factory=dict, doc="extra environment for the client", check=environment_error
    )
    #: Serve https/wss with a throwaway CA the client is told to trust (fake_server/fronts/tls.py).
    tls: bool = False
    #: Binance time runs this many times as fast as the wall clock, for the fake and for a
    #: subprocess client (libfaketime): every duration above is Binance time (docs/time-factor.md).
    time_factor: int = param(
        1,
        doc="how many times as fast as the wall clock Binance time runs, on both sides",
        ge=1,
        le=MAX_TIME_FACTOR,
        message=f"time_factor is a whole number from 1 (real time) to {MAX_TIME_FACTOR}",
    )
    #: Set when `binance-harness search` wrote it: then a check whose situation the schedule
    #: never makes is NOT-APPLICABLE (a schedule need not make every situation), where a
    #: hand-written scenario that expects it without making it is a set-up ERROR.
    generated: Generated | None = None
    path: Path | None = None
    #: The file's own time_factor when a client's ceiling lowered the one played
    #: (`at_most`); None when the scenario plays at its own.
    declared_time_factor: int | None = None

    @property
    def wall_duration(self) -> float:
        """Wall seconds the run lasts (from the client's first contact)."""
        return self.duration / self.time_factor

    def at_most(self, ceiling: int | None) -> Scenario:
        """This scenario as a client whose clock stands at most `ceiling` times compression
        plays it: at min(time_factor, ceiling), every duration still in Binance time.

        The ceiling is the client's, not the scenario's: CPU work does not speed up, so an
        SDK's own timeout (python-binance's 10 s WebSocket timeout) lasts 10 s / F of wall time,
        and how small that may get depends on the client (docs/time-factor.md). Slower is
        always fair: a deadline lasts longer in wall time, a pace is not judged at any
        factor, an event rate is lower per wall second (tests/harness/test_ceiling.py)."""
        if ceiling is None or self.time_factor <= ceiling:
            return self
        return replace(self, time_factor=ceiling, declared_time_factor=self.time_factor)

    def factor_words(self) -> str:
        """The factor played, and why when a client's ceiling chose it (harness/time_factor.py)."""
        return factor_words(self.time_factor, self.declared_time_factor)

    def length(self) -> str:
        """How long the run lasts, as lists and progress lines say it: its Binance time,
        and its wall time too when it runs at a time factor."""
        if self.time_factor == 1 and self.declared_time_factor is None:
            return f"{self.duration:g} s"
        return f"{self.duration:g} s at {self.factor_words()}: {self.wall_duration:g} s wall"


def unscripted(settings: Settings, name: str = "serve") -> Scenario:
    """The scenario of a fake started without one (`serve`, the binance_fake fixture): its
    settings and nothing to judge, which is what the client contract's variables are made of."""
    return Scenario(
        name=name,
        family=name,
        description="",
        source=(),
        duration=1.0,
        expect=(),
        timers=settings.timers,
        events=settings.events,
        profile=settings.profile,
    )
