"""The search: Hypothesis draws fault schedules, runs each against the client, and shrinks
the ones that break it to the smallest schedule that still does.

Hypothesis does the drawing and the shrinking (the strategies are in strategies.py); a
schedule "fails" when any property check FAILs on its run, and each check that fails is
its own kind of failure (its own exception class), so two flaws found in one search are
shrunk and reported apart. A real client on a real clock is not deterministic, so nothing
is reported on one run: each shrunk schedule is replayed `replays` more times from its
file, and is a failure only if every replay fails the same way; otherwise it is flaky,
with its reproduction rate. A run the machine was too busy to judge (an ERROR verdict) is
played again alone, and if it is still unjudgeable it counts as neither pass nor fail.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import Flaky

from fake_server.exchange.profiles import profile as profile_named
from fake_server.faults import Fault
from fake_server.schema import param
from harness.runner import ClientSpec, RunResult, run_scenario
from harness.scenario import Scenario
from harness.scenario_file import ScenarioError, default_registries, load_scenario
from harness.search.menu import fault_menu
from harness.search.schedule import PROPERTIES, Frame, Origin, describe_step, render
from harness.search.strategies import DrawnStep, schedule_of
from harness.verdict import Status
from harness.version import version

Progress = Callable[[str], None]
#: Seeds of a search's rounds: round r of seed S draws with S * ROUNDS + r.
ROUNDS = 1000


class ScheduleFails(Exception):
    """A schedule on which a property check FAILed (subclassed per check: see `_failure`)."""

    def __init__(self, path: Path, behaviours: tuple[str, ...], summary: str) -> None:
        super().__init__(path, behaviours, summary)
        self.path = path
        self.behaviours = behaviours
        self.summary = summary

    def __str__(self) -> str:
        return f"{', '.join(self.behaviours)} FAIL on {self.path}: {self.summary}"


_FAILURE_KINDS: dict[str, type[ScheduleFails]] = {}


def _failure(behaviour: str) -> type[ScheduleFails]:
    """The exception class of a failure of `behaviour`: Hypothesis tells failures apart by
    their type, so each check's failures shrink to their own smallest schedule."""
    if behaviour not in _FAILURE_KINDS:
        name = "Fails_" + behaviour.replace("-", "_")
        _FAILURE_KINDS[behaviour] = type(name, (ScheduleFails,), {})
    return _FAILURE_KINDS[behaviour]


class _OutOfTime(BaseException):
    """The search's time ran out before any failure: stop drawing (not a failure, so it is a
    BaseException, which Hypothesis passes through without shrinking)."""


@dataclass
class Found:
    """A shrunk schedule that broke the client, and how reliably it does."""

    behaviours: tuple[str, ...]
    path: Path
    summary: str
    faults: int
    reproduced: int
    replays: int
    #: Seconds from the start of the search to the first schedule that failed this way.
    first_after: float

    @property
    def flaky(self) -> bool:
        return self.reproduced < self.replays

    def describe(self) -> str:
        what = "FLAKY" if self.flaky else "FAILURE"
        rate = f"reproduced {self.reproduced}/{self.replays}"
        return (
            f"{what} {', '.join(self.behaviours)}: {self.path} ({self.faults} faults, {rate}): {self.summary}"
        )


@dataclass
class Outcome:
    tried: int = 0
    shrink_runs: int = 0
    unjudged: int = 0
    elapsed: float = 0.0
    found: list[Found] = field(default_factory=list)
    stopped: str = ""

    @property
    def per_minute(self) -> float:
        runs = self.tried + self.shrink_runs
        return 60.0 * runs / self.elapsed if self.elapsed > 0 else 0.0


@dataclass
class Search:
    """One search: a client, a frame, a menu, a seed and a budget."""

    client: ClientSpec
    frame: Frame
    out: Path
    seed: int = param(0, doc="the search's seed: the same seed draws the same schedules", ge=0, le=2**32 - 1)
    budget: int = param(
        40, doc="schedules to try before giving up (shrinking runs come on top)", ge=1, le=100_000
    )
    time_limit: float | None = param(
        None, doc="seconds after which no new schedule is drawn (a failure found is still shrunk)", ge=1
    )
    faults: Sequence[str] = ()
    replays: int = param(3, doc="replays of a shrunk schedule before it is called a failure", ge=1, le=100)
    progress: Progress = print
    outcome: Outcome = field(default_factory=Outcome)
    _first_failure: dict[str, float] = field(default_factory=dict)
    #: The checks already reported (found, or flaky): later rounds do not chase them again.
    _reported: set[str] = field(default_factory=set)
    #: Whether this round has seen a failure: its runs from then on are Hypothesis shrinking.
    _failing: bool = False
    _started: float = 0.0
    _number: int = 0

    def run(self) -> Outcome:
        """Search in rounds until the budget or the time is spent: a round ends when Hypothesis
        has shrunk what it found; the next round draws afresh (a seed derived from the
        search's), leaving out the checks already reported, so one flaw (or one flake) does
        not end the search or get reported twice."""
        registry, _ = default_registries()
        menu = fault_menu(registry, self.frame.profile, self.faults)
        self.out.mkdir(parents=True, exist_ok=True)
        self._started = time.monotonic()
        for round_number in itertools.count():
            left = self.budget - self.outcome.tried
            if left <= 0 or self.outcome.stopped:
                break
            self._failing = False
            failures = self._round(menu, seed=self.seed * ROUNDS + round_number, budget=left)
            if not failures:
                break
            for failure in failures:
                found = self._confirm(failure)
                self.outcome.found.append(found)
                self._reported.add(found.behaviours[0])
        self.outcome.elapsed = time.monotonic() - self._started
        return self.outcome

    def _round(self, menu: Sequence[type[Fault]], *, seed: int, budget: int) -> list[ScheduleFails]:
        try:
            self._hypothesis(menu, seed=seed, budget=budget)()
        except _OutOfTime:
            self.outcome.stopped = "time limit reached"
        except ScheduleFails as exc:
            return [exc]
        except (BaseExceptionGroup, Flaky) as group:
            # Several checks failed (one shrunk schedule each), or Hypothesis saw a schedule
            # fail and then pass: the replays of `_confirm` judge that.
            leaves = _leaves(group)
            if not all(isinstance(e, ScheduleFails) for e in leaves):
                raise
            return [e for e in leaves if isinstance(e, ScheduleFails)]
        return []

    def _hypothesis(self, menu: Sequence[type[Fault]], *, seed: int, budget: int) -> Callable[[], None]:
        profile = profile_named(self.frame.profile)
        strategy = schedule_of(
            menu, window=self.frame.window, profile=profile, max_steps=self.frame.max_steps
        )

        @hypothesis_seed(seed)
        @settings(
            max_examples=budget,
            deadline=None,
            database=None,
            phases=(Phase.generate, Phase.shrink),
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=True,
            print_blob=False,
        )
        @given(strategy)
        def probe(steps: list[DrawnStep]) -> None:
            self._probe(steps)

        return probe

    def _probe(self, steps: list[DrawnStep]) -> None:
        shrinking = self._failing
        if (
            not shrinking
            and self.time_limit is not None
            and time.monotonic() - self._started > self.time_limit
        ):
            raise _OutOfTime
        self._number += 1
        if shrinking:
            self.outcome.shrink_runs += 1
        else:
            self.outcome.tried += 1
        origin = Origin(self.seed, version(), self._number)
        path = self.out / "runs" / f"schedule-{self._number}.yaml"
        result = self._play(self.frame, steps, origin, path)
        label = f"shrink {self.outcome.shrink_runs}" if shrinking else f"{self.outcome.tried}/{self.budget}"
        faults = "; ".join(describe_step(s) for s in steps)
        if result is None:
            self.outcome.unjudged += 1
            self.progress(f"[{label}] {faults} -> too busy to judge, not counted")
            assume(False)
            return
        failed = tuple(
            v.behaviour
            for v in result.verdicts
            if v.status == Status.FAIL and v.behaviour not in self._reported
        )
        if not failed:
            self.progress(f"[{label}] {faults} -> ok ({result.wall_time:.1f} s)")
            return
        summary = next(v.summary for v in result.verdicts if v.status == Status.FAIL)
        first = failed[0]
        self._failing = True
        if first not in self._first_failure:
            self._first_failure[first] = time.monotonic() - self._started
            self.progress(f"[{label}] {faults} -> {', '.join(failed)} FAIL; shrinking it")
        else:
            self.progress(f"[{label}] {faults} -> still fails ({', '.join(failed)})")
        raise _failure(first)(path, failed, summary)

    def _play(self, frame: Frame, steps: Sequence[DrawnStep], origin: Origin, path: Path) -> RunResult | None:
        """Write the schedule's scenario, load it back and run it; None if the machine was too
        busy to judge it twice."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(frame, steps, origin))
        return self._judge(_load(path), path.with_suffix(""))

    def _judge(self, scenario: Scenario, workdir: Path) -> RunResult | None:
        """Run `scenario`; played again once if the machine was too busy to judge it, None if
        it still was."""
        for _ in range(2):
            result = self.play_once(scenario, workdir)
            judged = [v for v in result.verdicts if v.behaviour in PROPERTIES]
            if not any(v.status == Status.ERROR for v in judged):
                return result
        return None

    def play_once(self, scenario: Scenario, workdir: Path) -> RunResult:
        """One run of a generated scenario against the client (a test replaces it)."""
        return asyncio.run(run_scenario(scenario, self.client, workdir=workdir))

    def _confirm(self, failure: ScheduleFails) -> Found:
        """Replay the shrunk schedule `replays` times; it is a failure only if every one fails
        the same check, and is written where the user will look for it."""
        first = failure.behaviours[0]
        final = self.out / f"found-{first}-seed{self.seed}.yaml"
        final.write_text(failure.path.read_text())
        scenario = _load(final)
        reproduced = 0
        for n in range(1, self.replays + 1):
            self.progress(f"[replay {n}/{self.replays}] {final.name}")
            result = self._judge(scenario, final.with_suffix(""))
            if result is not None and result.verdict(first).status == Status.FAIL:
                reproduced += 1
        return Found(
            failure.behaviours,
            final,
            failure.summary,
            len(scenario.steps),
            reproduced,
            self.replays,
            self._first_failure.get(first, 0.0),
        )


def _load(path: Path) -> Scenario:
    """A generated scenario file, through the loader every scenario goes through."""
    faults, behaviours = default_registries()
    try:
        return load_scenario(path, faults=faults, behaviours=behaviours)
    except ScenarioError as exc:  # a schedule the strategies should never make
        raise AssertionError(f"generated an invalid scenario: {exc}") from exc


def _leaves(group: BaseException) -> list[BaseException]:
    if isinstance(group, BaseExceptionGroup):
        return [leaf for e in group.exceptions for leaf in _leaves(e)]
    return [group]
