"""The search: draw fault schedules, run each against the client, and shrink the ones that
break it to the smallest schedule that still does.

A first run with no fault (`_calibrate`) tells the routes the client calls, which route
faults then target, and stops the search if a check fails without any fault.
Hypothesis's strategies draw the schedules (strategies.py: read off the fault schemas,
swarm-style, reproducible from the seed), one independent draw each (`draw_schedules`).
The shrinking is the search's own (`_shrink`): each run is seconds of real time, and
Hypothesis's shrinker, built for tests that cost microseconds, spent its five-minute limit
(34 runs) on a 3-fault schedule that one step reproduced: after a find it keeps drawing
for more bugs, it tries the simplest possible schedule first, and it replays the final
one to report it. Deleting steps one at a time and replaying (delta debugging) reaches a
1-minimal schedule in at most one run per step.

A schedule "fails" when a property check FAILs on its run, and each check that fails is
shrunk on its own, so two flaws found in one schedule are reported apart. A real client on
a real clock is not deterministic, so nothing is reported on one run: each shrunk schedule
is replayed `replays` more times from its file, and is a failure only if every replay fails
the same way; otherwise the schedules its shrinking passed through are replayed, most
shrunk first, and the first that fails every replay is the failure (`_confirm_steadiest`);
if none does, it is flaky, with its reproduction rate. A run the machine was too
busy to judge (an ERROR verdict) is played again alone, and if it is still unjudgeable it
counts as neither pass nor fail.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from fake_server.exchange.profiles import profile as profile_named
from fake_server.faults import Fault
from fake_server.schema import param, params_of
from harness.runner import ClientSpec, RunResult, run_scenario
from harness.scenario import Scenario
from harness.scenario_file import ScenarioError, default_registries, load_scenario
from harness.search.menu import fault_menu
from harness.search.schedule import PROPERTIES, Frame, Origin, describe_step, render
from harness.search.strategies import DrawnStep, draw_schedules, product_routes, schedule_of
from harness.verdict import Status
from harness.version import version

Progress = Callable[[str], None]
#: Draws per schedule of the budget at most, repeats and unjudgeable runs included.
DRAWS_PER_SCHEDULE = 10


@dataclass(frozen=True)
class Failing:
    """A schedule on which property checks FAILed: its steps, its file, what failed and why."""

    steps: tuple[DrawnStep, ...]
    path: Path
    behaviours: tuple[str, ...]
    summaries: dict[str, str]
    #: The schedule this one was shrunk from, one kept step back (None: as drawn).
    before: Failing | None = None

    def summary(self, behaviour: str) -> str:
        return self.summaries.get(behaviour, "")

    def first(self, behaviour: str) -> Failing:
        """This schedule with `behaviour` first among the checks it failed."""
        return dataclasses.replace(
            self, behaviours=(behaviour, *(b for b in self.behaviours if b != behaviour))
        )


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
    #: The faults of the schedule first found failing, before shrinking.
    faults_found: int = 0
    #: Runs spent shrinking it (replays not included).
    shrink_runs: int = 0

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
    #: The REST routes the client called in the run with no fault, which route faults target.
    routes: tuple[str, ...] = ()
    #: Checks the client FAILed in the run with no fault: nothing a schedule did.
    quiet_failures: tuple[str, ...] = ()

    #: Every run played: the one with no fault, the schedules, repeats of unjudgeable runs,
    #: shrinking and replays; what a search's minutes were spent on.
    runs: int = 0

    @property
    def per_minute(self) -> float:
        return 60.0 * self.runs / self.elapsed if self.elapsed > 0 else 0.0


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
    #: The checks already reported (found, or flaky): later rounds do not chase them again.
    _reported: set[str] = field(default_factory=set)
    #: The schedules drawn so far (`_step_key` of each step), played once each.
    _played: set[tuple[tuple[object, ...], ...]] = field(default_factory=set)
    _started: float = 0.0
    _number: int = 0

    def run(self) -> Outcome:
        """Draw and play schedules until the budget or the time is spent. A schedule that
        fails is shrunk and confirmed, and the search goes on, leaving out the checks already
        reported, so one flaw (or one flake) does not end the search or get reported twice."""
        registry, _ = default_registries()
        menu = fault_menu(registry, self.frame.profile, self.faults)
        self.out.mkdir(parents=True, exist_ok=True)
        self._started = time.monotonic()
        routes = self._calibrate()
        if self.outcome.quiet_failures:
            self.outcome.elapsed = time.monotonic() - self._started
            return self.outcome
        strategy = schedule_of(menu, window=self.frame.window, routes=routes, max_steps=self.frame.max_steps)
        schedules = draw_schedules(strategy, self.seed)
        # Draws that are repeats or unjudgeable are not counted: a bound keeps a menu of one
        # fault, whose schedules soon all repeat, from drawing for ever.
        for steps in itertools.islice(schedules, DRAWS_PER_SCHEDULE * self.budget):
            if self.outcome.tried >= self.budget:
                break
            if self.time_limit is not None and time.monotonic() - self._started > self.time_limit:
                self.outcome.stopped = "time limit reached"
                break
            failing = self._probe(steps)
            if failing is None:
                continue
            first_after = time.monotonic() - self._started
            for shrunk, runs in self._shrink_each(failing):
                found = self._confirm_steadiest(shrunk, first_after, len(failing.steps), runs)
                self.outcome.found.append(found)
                self._reported.add(found.behaviours[0])
        self.outcome.elapsed = time.monotonic() - self._started
        return self.outcome

    def _calibrate(self) -> list[str]:
        """Play the frame with no fault first, and return the routes route faults draw from:
        "*" and the ones the client called. Every product route was drawn before, and a
        client calls few of them (the reference client 4 of 11): a fault on a route it never
        calls is a run spent on nothing. A check that FAILs with no fault stops the search:
        what it would find is no schedule's doing."""
        self._number += 1
        path = self.out / "runs" / "no-fault.yaml"
        result = self._play(self.frame, [], Origin(self.seed, version(), self._number, "no fault"), path)
        every = product_routes(profile_named(self.frame.profile))
        if result is None:
            self.progress("[no fault] too busy to judge: route faults draw from every route of the product")
            return every
        failed = tuple(v.behaviour for v in result.verdicts if v.status == Status.FAIL)
        if failed:
            self.outcome.quiet_failures = failed
            self.progress(f"[no fault] {', '.join(failed)} FAIL with no fault at all: {path}")
            return every
        if result.record is None:  # a run that never got going journals nothing to read
            return every
        called = sorted({f"{e['method']} {e['path']}" for e in result.record.of("rest")})
        self.outcome.routes = tuple(called)
        self.progress(f"[no fault] ok ({result.wall_time:.1f} s); REST calls: {', '.join(called) or 'none'}")
        return ["*", *called]

    def _probe(self, steps: list[DrawnStep]) -> Failing | None:
        """Play a drawn schedule, unless it was drawn before: a real run is too dear to play
        the same schedule twice."""
        key = tuple(sorted(_step_key(s) for s in steps))
        if key in self._played:
            return None
        self._played.add(key)
        failing = self._try(steps, f"{self.outcome.tried + 1}/{self.budget}")
        if failing is False:
            return None
        self.outcome.tried += 1
        return failing

    def _try(
        self, steps: Sequence[DrawnStep], label: str, target: str | None = None
    ) -> Failing | Literal[False] | None:
        """Play `steps`; the Failing if a check not yet reported FAILed (`target`, if given,
        among them), None if none did, False if the machine was too busy to judge it."""
        self._number += 1
        origin = Origin(self.seed, version(), self._number)
        path = self.out / "runs" / f"schedule-{self._number}.yaml"
        result = self._play(self.frame, steps, origin, path)
        faults = "; ".join(describe_step(s) for s in steps)
        if result is None:
            self.outcome.unjudged += 1
            self.progress(f"[{label}] {faults} -> too busy to judge, not counted")
            return False
        failed = [v for v in result.verdicts if v.status == Status.FAIL and v.behaviour not in self._reported]
        names = tuple(v.behaviour for v in failed)
        if not failed or (target is not None and target not in names):
            self.progress(f"[{label}] {faults} -> ok ({result.wall_time:.1f} s)")
            return None
        self.progress(f"[{label}] {faults} -> {', '.join(names)} FAIL")
        return Failing(tuple(steps), path, names, {v.behaviour: v.summary for v in failed})

    def _shrink_each(self, failing: Failing) -> Iterator[tuple[Failing, int]]:
        """Shrink `failing` once per check it FAILed, yielding each shrunk schedule (with that
        check first) and the runs it took; a check the schedule shrunk for another one still
        fails is given that schedule, without shrinking again."""
        shrunk: list[Failing] = []
        for behaviour in failing.behaviours:
            done = next((f for f in shrunk if behaviour in f.behaviours), None)
            before = self.outcome.shrink_runs
            if done is None:
                self.progress(f"{behaviour} FAILed on {len(failing.steps)} faults: shrinking it")
                done = self._shrink(failing, behaviour)
                shrunk.append(done)
            yield done.first(behaviour), self.outcome.shrink_runs - before

    def _shrink(self, failing: Failing, behaviour: str) -> Failing:
        """Delta debugging over the steps, then over each step's values: drop a step (or set
        one of its choices to the simplest), replay, and keep the change if `behaviour` still
        FAILs. Deletion is repeated until no single step can go (1-minimal), then each kept
        step tries its parameters' defaults, the first occurrence of its trigger, and no
        delay; a simpler step may make others needless (a key killed at once needs no drop
        to reach it), so deletion runs again after any simplification. Deterministic, and at
        most one run per step and per simpler choice in each pass."""
        current = failing
        while True:
            current = self._delete_steps(current, behaviour)
            simpler = self._simplify_steps(current, behaviour)
            if simpler is current or len(simpler.steps) == 1:
                return simpler
            current = simpler

    def _delete_steps(self, current: Failing, behaviour: str) -> Failing:
        changed = True
        while changed and len(current.steps) > 1:
            changed = False
            i = 0
            while i < len(current.steps) and len(current.steps) > 1:
                kept = self._shrink_run(current.steps[:i] + current.steps[i + 1 :], behaviour)
                if kept is not None:
                    current, changed = dataclasses.replace(kept, before=current), True
                else:
                    i += 1
        return current

    def _simplify_steps(self, current: Failing, behaviour: str) -> Failing:
        for i in range(len(current.steps)):
            for simplify in SIMPLER:
                simpler = simplify(current.steps[i])
                if simpler is None:
                    continue
                kept = self._shrink_run((*current.steps[:i], simpler, *current.steps[i + 1 :]), behaviour)
                if kept is not None:
                    current = dataclasses.replace(kept, before=current)
        return current

    def _shrink_run(self, steps: Sequence[DrawnStep], behaviour: str) -> Failing | None:
        self.outcome.shrink_runs += 1
        kept = self._try(steps, f"shrink {self.outcome.shrink_runs}", target=behaviour)
        return kept if isinstance(kept, Failing) else None

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
            self.outcome.runs += 1
            judged = [v for v in result.verdicts if v.behaviour in PROPERTIES]
            if not any(v.status == Status.ERROR for v in judged):
                return result
        return None

    def play_once(self, scenario: Scenario, workdir: Path) -> RunResult:
        """One run of a generated scenario against the client (a test replaces it)."""
        return asyncio.run(run_scenario(scenario, self.client, workdir=workdir))

    def _confirm_steadiest(
        self, failing: Failing, first_after: float, faults_found: int, shrink_runs: int
    ) -> Found:
        """Confirm the shrunk schedule; if it does not fail every replay, confirm the
        schedules shrinking passed through, from the most shrunk back, and report the first
        that does. A shrinking step is kept on one failing run, so a simplification can
        keep a failure that only some runs show (a key revoked at once instead of 0.8 s in
        left the resync's timing to chance: 2 replays of 3), where the step before it
        failed every time. If none does, the most shrunk one is reported, as FLAKY."""
        first = failing.behaviours[0]
        found = self._confirm(failing, first_after, faults_found, shrink_runs)
        candidate = failing.before
        while found.flaky and candidate is not None:
            self.progress(
                f"{first} reproduced {found.reproduced}/{found.replays} on {len(failing.steps)} faults: "
                f"replaying the schedule before a shrinking step ({len(candidate.steps)} faults)"
            )
            steadier = self._confirm(
                candidate.first(first), first_after, faults_found, shrink_runs, give_up=True
            )
            if not steadier.flaky:
                return steadier
            candidate = candidate.before
        found.path.write_text(failing.path.read_text())  # a candidate tried last was written there
        return found

    def _confirm(
        self, failing: Failing, first_after: float, faults_found: int, shrink_runs: int, give_up: bool = False
    ) -> Found:
        """Replay the shrunk schedule `replays` times; it is a failure only if every one fails
        the same check, and is written where the user will look for it. `give_up`: stop at
        the first replay that does not fail (the caller wants every replay or none)."""
        first = failing.behaviours[0]
        final = self.out / f"found-{first}-seed{self.seed}.yaml"
        final.write_text(failing.path.read_text())
        scenario = _load(final)
        reproduced = 0
        for n in range(1, self.replays + 1):
            self.progress(f"[replay {n}/{self.replays}] {final.name}")
            result = self._judge(scenario, final.with_suffix(""))
            if result is not None and result.verdict(first).status == Status.FAIL:
                reproduced += 1
            elif give_up:
                break
        return Found(
            failing.behaviours,
            final,
            failing.summary(first),
            len(scenario.steps),
            reproduced,
            self.replays,
            first_after,
            faults_found,
            shrink_runs,
        )


def _with_defaults(step: DrawnStep) -> DrawnStep | None:
    """`step` with its fault's parameters at their defaults (None if they already are). An
    amount keeps its drawn value where the default is longer or unbounded (a `lasting` of
    "for ever", a limit's 300 s window): the strategies drew it to end inside the window, and
    a default that outlived it would fail a correct client in the quiet period."""
    fault = step.fault
    drawn = {name: getattr(fault, name) for name in params_of(type(fault))}
    values = {
        name: p.default
        for name, p in params_of(type(fault)).items()
        if not p.required and not _longer(p.default, drawn[name])
    }
    if all(drawn[name] == value for name, value in values.items()):
        return None
    simplest = _fault_or_none(type(fault), {**drawn, **values})  # None: a rule between them broke
    return None if simplest is None else dataclasses.replace(step, fault=simplest)


def _first_occurrence(step: DrawnStep) -> DrawnStep | None:
    return dataclasses.replace(step, nth=1) if step.nth > 1 else None


def _no_delay(step: DrawnStep) -> DrawnStep | None:
    return dataclasses.replace(step, at=0.0) if step.at > 0 else None


#: What shrinking tries in place of a kept step, in turn, each on what the last one left:
#: its parameters' defaults, the first occurrence of its trigger, no delay after it.
SIMPLER: tuple[Callable[[DrawnStep], DrawnStep | None], ...] = (_with_defaults, _first_occurrence, _no_delay)


def _step_key(step: DrawnStep) -> tuple[object, ...]:
    return (step.on, step.nth, step.at, repr(step.fault))


def _fault_or_none(cls: type[Fault], values: dict[str, object]) -> Fault | None:
    try:
        return cls(**values)
    except (ValueError, TypeError):
        return None


def _longer(default: object, drawn: object) -> bool:
    """Whether `default` is a larger (or unbounded) amount than the number `drawn`. A
    duration's none is "never"; a whole number's none is "not set" (`raw_code`: the close's
    own code) or "no count" (`times`, bounded by the drawn `lasting`), both simpler."""
    if isinstance(drawn, bool) or not isinstance(drawn, int | float):
        return False
    if default is None:
        return isinstance(drawn, float)
    return isinstance(default, int | float) and default > drawn


def _load(path: Path) -> Scenario:
    """A generated scenario file, through the loader every scenario goes through."""
    faults, behaviours = default_registries()
    try:
        return load_scenario(path, faults=faults, behaviours=behaviours)
    except ScenarioError as exc:  # a schedule the strategies should never make
        raise AssertionError(f"generated an invalid scenario: {exc}") from exc
