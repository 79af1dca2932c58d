"""Hypothesis strategies for fault schedules, read off the faults' own schemas.

There is no second list of faults or parameter ranges here: a parameter's strategy comes
from its declaration (`fake_server.schema.param`: type, default, bounds, rule), a fault's
from its parameters, and the menu from the registry (harness/search/menu.py). A new fault
is searchable the moment it is registered. Every value drawn is one the scenario loader
accepts, so a generated schedule is valid by construction; the few rules between
parameters that only a fault's `check()` knows are met by `assume`.

Values are drawn on a grid (durations in steps of 50 ms, counts and sizes as integers)
so a shrunk schedule reads like a hand-written one: `at: 1.25s`, not `at: 1.2499871s`.
"""

from __future__ import annotations

import random
import types
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.control import BuildContext
from hypothesis.errors import StopTest, UnsatisfiedAssumption
from hypothesis.internal.conjecture.data import ConjectureData

from fake_server.exchange.profiles import Profile
from fake_server.faults import Fault
from fake_server.faults.common import Lasting
from fake_server.schema import Param, param_error, params_of

#: The grid durations are drawn on: 20 steps per second.
TICKS_PER_SECOND = 20
#: How far above a parameter's default an unbounded count or size may be drawn.
SPREAD = 10
#: The triggers a step may wait for: those a generated run makes (harness.scenario.TRIGGERS
#: less `start`, whose `at` counts from the client's launch rather than from anything it
#: did, and `keepalive`, which the frame's real listenKey timers never reach in seconds).
STEP_TRIGGERS: tuple[str, ...] = ("user_stream_ready", "ws_open", "ws_close", "resync", "listen_key_created")


@dataclass(frozen=True)
class DrawnStep:
    """One step of a generated schedule, before it becomes a scenario file's step."""

    fault: Fault
    on: str
    nth: int
    at: float

    def end(self) -> float:
        """When it stops acting, counted from its trigger: `at` plus `lasting` if it has one."""
        lasting = getattr(self.fault, "lasting", None)
        return self.at + (lasting if isinstance(lasting, int | float) else 0.0)


def seconds(lo: float, hi: float) -> st.SearchStrategy[float]:
    """A duration from `lo` to `hi` on the 50 ms grid (empty when the grid has no point there)."""
    first = max(0, _ceil_ticks(lo))
    last = int(hi * TICKS_PER_SECOND + 1e-9)
    return st.integers(first, max(first, last)).map(lambda n: n / TICKS_PER_SECOND)


def _ceil_ticks(x: float) -> int:
    n = int(x * TICKS_PER_SECOND)
    return n if n / TICKS_PER_SECOND >= x - 1e-9 else n + 1


def value_strategy(p: Param, *, room: float, routes: Sequence[str]) -> st.SearchStrategy[Any]:
    """Values for parameter `p`; a float is seconds (or a rate) of at most `room` unless its
    declaration bounds it. Text is kept to its default, except a route: one of `routes`."""
    tp = p.type
    args = get_args(tp)
    if get_origin(tp) in (Union, types.UnionType) and type(None) in args:
        inner = next(a for a in args if a is not type(None))
        return st.one_of(st.none(), value_strategy(_as(p, inner), room=room, routes=routes))
    if get_origin(tp) is Literal:
        return st.sampled_from(args)
    if tp is bool:
        return st.booleans()
    if tp is int:
        return _integers(p)
    if tp is float:
        return _floats(p, room)
    if get_origin(tp) is tuple and args and get_origin(args[0]) is Literal:
        # A subset of the choices, in their declared order (variants of unknown_event).
        choices = get_args(args[0])
        return st.sets(st.sampled_from(choices), min_size=1).map(
            lambda s: tuple(c for c in choices if c in s)
        )
    if p.name == "route" and tp is str:
        return st.sampled_from(list(routes))
    return st.just(p.default)


def _as(p: Param, tp: Any) -> Param:
    return Param(p.name, tp, p.required, p.spec, p.field)


#: The values a rule-checked integer parameter admits, listed once per parameter.
_SCATTERED: dict[int, list[int]] = {}


def _integers(p: Param) -> st.SearchStrategy[int]:
    spec = p.spec
    lo = int(spec.ge) if spec is not None and spec.ge is not None else 0
    default = p.default if isinstance(p.default, int) else lo
    hi = max(lo, default) * SPREAD + SPREAD
    if spec is not None and spec.le is not None:
        hi = min(hi, int(spec.le))
    if spec is not None and spec.check is not None:
        # A rule such as "a close code a server may send" admits scattered values: list them
        # once (the span is a few thousand numbers), the default first so it shrinks there.
        key = id(p.field)  # a class's field lives as long as the class
        if key not in _SCATTERED:
            _SCATTERED[key] = [
                default,
                *(v for v in range(lo, hi + 1) if v != default and param_error(p, v) is None),
            ]
        return st.sampled_from(_SCATTERED[key])
    return st.integers(lo, hi)


def _floats(p: Param, room: float) -> st.SearchStrategy[float]:
    spec = p.spec
    lo = 0.0
    if spec is not None and spec.ge is not None:
        lo = spec.ge
    if spec is not None and spec.gt is not None:
        lo = spec.gt + 1 / TICKS_PER_SECOND
    # Every amount a fault takes ends within the window (a window of 300 s on a connection
    # limit would outlast the quiet period): seconds and rates alike are drawn up to `room`.
    hi = room
    if spec is not None and spec.le is not None:
        hi = min(hi, spec.le)
    return seconds(lo, max(lo, hi))


def product_routes(profile: Profile) -> list[str]:
    """The REST routes a client of `profile` may call, as route parameters take them: what a
    search draws from until it knows the routes its client does call (explore.py)."""
    found = ["*"]
    if profile.listen_key_path is not None:
        found += [f"{m} {profile.listen_key_path}" for m in ("POST", "PUT")]
    found += [f"GET {path}" for path in sorted(profile.snapshot_paths)]
    return found


@st.composite
def fault_of(draw: st.DrawFn, cls: type[Fault], *, room: float, routes: Sequence[str]) -> Fault:
    """One instance of fault `cls` with drawn parameters. A fault with a `lasting` (or any
    other duration that may be "never") always gets a finite one that ends within `room`: a schedule is followed by a quiet period in
    which the fake is healthy again, so no rule may outlive it."""
    values: dict[str, Any] = {}
    for name, p in params_of(cls).items():
        if name == "lasting" and issubclass(cls, Lasting):
            values[name] = draw(seconds(1 / TICKS_PER_SECOND, max(1 / TICKS_PER_SECOND, room)))
        elif p.type == float | None:
            # Every optional duration means "never" when none (a handshake held until the
            # client gives up): drawn finite, or it asks the client to give up within the
            # quiet period, stricter than any deadline a catalog check sets (20 s).
            values[name] = draw(_floats(_as(p, float), room))
        else:
            values[name] = draw(value_strategy(p, room=room, routes=routes))
    try:
        fault = cls(**values)
    except ValueError:
        assume(False)
        raise  # unreachable: assume(False) stops this example
    # A message it started goes out whole (14 fragments 0.9 s apart held a connection for
    # 12 s, past the quiet period): that too must end within `room`.
    lasting = values.get("lasting")
    assume((lasting if isinstance(lasting, int | float) else 0.0) + fault.holds_for() <= room)
    return fault


#: Half of the independent steps fire within this many seconds of their trigger: the
#: sequences that break clients are one thing happening while another is still under way
#: (a drop during the resync, an expiry while a reconnect backs off), so "soon after" is
#: drawn far more often than a uniform time in the window would.
SOON = 1.0
#: A follow-up step fires within this many seconds of the step it follows half of the time:
#: a reconnect's first backoff (the reference client's is 0.25 s, jittered) is the moment a
#: second fault catches a client half-way through recovering from the first.
BACKOFF = 0.25


@st.composite
def fault_class(draw: st.DrawFn, menu: Sequence[type[Fault]]) -> type[Fault]:
    """A fault from `menu`, layer first, then within its layer, so the one Binance fault that
    kills a key weighs as much as the nine ways to hurt TCP."""
    layers = sorted({cls.layer for cls in menu})
    layer = draw(st.sampled_from(layers))
    return draw(st.sampled_from([c for c in menu if c.layer == layer]))


#: What a schedule's first step waits for: the first of something every run makes. A first
#: step waiting for a third close, which nothing before it causes, never fires, and the
#: steps that follow it with it (a third of the schedules were such duds).
START_TRIGGERS: tuple[str, ...] = ("user_stream_ready", "ws_open", "listen_key_created")


@st.composite
def step_of(
    draw: st.DrawFn, menu: Sequence[type[Fault]], *, window: float, routes: Sequence[str], first: bool = False
) -> DrawnStep:
    """An independent step: a fault from `menu`, what it waits for and when, inside the
    `window`; the `first` of a schedule waits for the first of a start-up trigger."""
    cls = draw(fault_class(menu))
    on = draw(st.sampled_from(START_TRIGGERS if first else STEP_TRIGGERS))
    nth = 1 if first else draw(st.integers(1, 3))
    at = draw(st.one_of(seconds(0.0, min(SOON, window)), seconds(0.0, window)))
    fault = draw(fault_of(cls, room=max(1 / TICKS_PER_SECOND, window - at), routes=routes))
    return DrawnStep(fault, on, nth, at)


#: What a reconnect after a drop goes through, whose faults a drop's follow-up draws half
#: of the time: its REST calls (the key's check, the resync's snapshots) and its upgrade
#: (http), and the key it reconnects with (binance). The reported failures cluster there
#: (docs/search.md): a key that died while the client backed off, a snapshot call that
#: failed or hung in the resync, a 429 or a 5xx in the middle of it.
RECOVERY_LAYERS = frozenset({"http", "binance"})


@st.composite
def follow_up(
    draw: st.DrawFn, leader: DrawnStep, menu: Sequence[type[Fault]], *, window: float, routes: Sequence[str]
) -> DrawnStep:
    """A step that waits for what `leader` waits for and fires a short gap after it (within a
    backoff half of the time, within `SOON` otherwise): the second fault of "a key expires
    while the reconnect after a drop backs off", which two independent steps would line up
    only by luck (two triggers, two occurrences and two delays must agree). After a drop,
    half of the follow-ups come from `RECOVERY_LAYERS`."""
    recovery = [c for c in menu if c.layer in RECOVERY_LAYERS] if leader.fault.ends_connection else []
    cls = draw(st.one_of(fault_class(recovery), fault_class(menu)) if recovery else fault_class(menu))
    room = window - leader.at
    gap = draw(st.one_of(seconds(0.0, min(BACKOFF, room)), seconds(0.0, min(SOON, room))))
    at = leader.at + gap
    fault = draw(fault_of(cls, room=max(1 / TICKS_PER_SECOND, window - at), routes=routes))
    return DrawnStep(fault, leader.on, leader.nth, at)


@st.composite
def schedule_of(
    draw: st.DrawFn,
    menu: Sequence[type[Fault]],
    *,
    window: float,
    routes: Sequence[str],
    max_steps: int,
) -> list[DrawnStep]:
    """A fault schedule, swarm style: each schedule first leaves out each fault of the menu
    with probability one half (Groce et al., "Swarm Testing", 2012), then draws its steps
    from what is left, so some schedules hammer one fault and others mix a few. The first
    step, half of the time, is one that ends a connection: every property judges a recovery,
    and without a drop most of them have nothing to judge (a third of the schedules dropped
    a connection before this rule). Each later step is, half of the time, a follow-up of an
    earlier one (`follow_up`), so a second fault lands while the first one's recovery is
    under way.

    Every step is drawn whole and kept as drawn (its own trigger, occurrence and time, a
    follow-up's copied from its leader), so deleting a step when shrinking leaves every
    other step as it was."""
    kept = draw(st.lists(st.booleans(), min_size=len(menu), max_size=len(menu)))
    enabled = [cls for cls, on in zip(menu, kept, strict=True) if on] or list(menu)
    drops = [cls for cls in enabled if cls.ends_connection]
    count = draw(st.integers(1, max_steps))
    first_drops: bool = draw(st.booleans())
    menu_first = drops if drops and first_drops else enabled
    steps = [draw(step_of(menu_first, window=window, routes=routes, first=True))]
    for _ in range(count - 1):
        follows: bool = draw(st.integers(0, 3)) > 0
        if follows:
            leaders = [s for s in steps if s.fault.ends_connection] or steps
            leader = leaders[draw(st.integers(0, len(leaders) - 1))]
            steps.append(draw(follow_up(leader, enabled, window=window, routes=routes)))
        else:
            steps.append(draw(step_of(enabled, window=window, routes=routes)))
    return sorted(steps, key=lambda s: (STEP_TRIGGERS.index(s.on), s.nth, s.at))


def draw_schedules(strategy: st.SearchStrategy[list[DrawnStep]], seed: int) -> Iterator[list[DrawnStep]]:
    """Independent draws from `strategy`, the same ones for the same `seed`.

    Not `@given`: Hypothesis's generation, built for tests that cost microseconds, mutates
    the examples it has drawn, and on a 40-run budget a third of a search were variations of
    one schedule (the same steps, one value changed). Each draw here is a fresh
    ConjectureData on one seeded random source, as Hypothesis makes for each new example
    before it mutates: the strategies (and their `assume`) are unchanged. This leans on
    Hypothesis internals (ConjectureData, BuildContext; tests/search/test_explore.py holds
    that a seed draws the same schedules, so an upgrade that breaks it is seen)."""
    source = random.Random(seed)
    while True:
        data = ConjectureData(random=source)
        try:
            with BuildContext(data, is_final=False, wrapped_test=draw_schedules):
                steps = data.draw(strategy)
        except (UnsatisfiedAssumption, StopTest):
            continue  # an `assume` failed (or the draw ran too long): draw afresh
        yield steps
