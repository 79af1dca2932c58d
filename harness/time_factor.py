"""The time factor: how fast a scenario may run Binance time, and where that stops being fair.

A scenario with `time_factor: F` runs the fake's clock and the client's (libfaketime,
harness/faketime.py) F times as fast as the wall clock, so its deadlines, timers and figures
are all Binance time and a 24 h scenario takes 24 h / F. Two things do not speed up:

- timer precision: libfaketime divides a poll/epoll timeout (whole milliseconds) by F and
  truncates it, so a timer closer than F ms of Binance time is waited out by a loop that
  polls without sleeping, and every wall-clock jitter of the machine (scheduling, a garbage
  collection, a loaded core) is multiplied by F;
- CPU work: a 10 ms reconnect is 10 ms of wall time, F x 10 ms of Binance time.

So a deadline is judged fairly only while its wall-time length is well above that jitter.
`MIN_WALL_DEADLINE` is the shortest wall time a deadline (or a timeout either side must
keep) may have; docs/time-factor.md has the measurements it comes from (bench/time_factor.py).
The scenario loader refuses a factor that puts the scenario's tightest deadline below it,
and names a factor that would work.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from dataclasses import dataclass

from fake_server.exchange.profiles import profile as product
from harness.lateness import TOO_BUSY_FRACTION, tightest_deadline

#: The largest factor a scenario may declare: at x1000 a millisecond of wall time is a second
#: of Binance time, below which nothing on this machine times reliably.
MAX_TIME_FACTOR = 1000

#: The shortest wall time a deadline may take. A verdict is judged only while the run was
#: late by less than `TOO_BUSY_FRACTION` (10 %) of its deadline (harness/lateness.py), and
#: at a factor that lateness is wall-clock jitter times the factor: client timers under
#: libfaketime erred by up to 31 ms of wall time on the 2-core machine at load 7, and the
#: harness's own loop stalled for 60 ms while a Node client started (docs/time-factor.md).
#: A second of wall time tolerates 100 ms, three times the worst timer error: the same
#: floor as the real-time catalog's tightest deadlines (a pong within 1 s), which live with
#: the same machine.
MIN_WALL_DEADLINE = 1.0

#: Behaviours whose evidence is the pace of what a client does at CPU speed: a redial loop,
#: a burst of messages, the work between two attempts. A fast clock does not speed that up,
#: so at x600 a storm of 100 attempts a second of wall time is one attempt every 6 s of
#: Binance time, and the growth of a backoff starting at 0.25 s is hidden under each
#: attempt's 20-50 s of CPU work: judged at a factor, a storming client would PASS. The
#: real-time catalog judges them.
REAL_TIME_ONLY = frozenset(
    {"no-reconnect-storm", "attempts-under-limit", "stays-under-message-rate", "backs-off"}
)

#: Factors suggested when one is refused: round numbers of seconds per minute and hour.
SUGGESTED = (2, 5, 10, 20, 30, 60, 120, 240, 360, 480, 600, 720, 900, 1000)


@dataclass(frozen=True)
class Deadline:
    """One duration a side must keep at the scenario's factor: where it is and how long."""

    field: str  # dotted, as the loader reports it: expect.<behaviour>.within, timers.x
    seconds: float
    behaviour: str = ""  # the behaviour whose parameter it is, or "" for a timer
    name: str = ""  # the parameter or timer's name


def deadlines(expect: object, timers: object, profile: str) -> Iterator[Deadline]:
    """The scenario's deadlines: each judged behaviour's tightest one (defaults included),
    and the timeouts a side enforces on the other's answers (the server's pong timeout, the
    pong timeout the client is told), which a stalled machine would break alike."""
    for expectation in expect:  # type: ignore[attr-defined]
        params = expectation.params
        seconds = tightest_deadline(params)
        if seconds is None:
            continue
        name = next(
            f.name
            for f in dataclasses.fields(params)
            if getattr(params, f.name) == seconds and isinstance(getattr(params, f.name), int | float)
        )
        yield Deadline(f"expect.{expectation.behaviour}.{name}", seconds, expectation.behaviour, name)
    resolved = timers.for_profile(product(profile))  # type: ignore[attr-defined]
    for name in ("pong_timeout", "client_ping_timeout"):
        yield Deadline(f"timers.{name}", float(getattr(resolved, name)), name=name)


def factor_words(factor: int, declared: int | None = None) -> str:
    """The factor a run played at and, when a client's ceiling chose it rather than the
    scenario (`declared` is then the scenario's own), why: "x600 (the client's ceiling; the
    scenario's own is x1000)". "" for a run at real time by the scenario's own choice."""
    if declared is not None:
        return f"x{factor} (the client's ceiling; the scenario's own is x{declared})"
    return f"x{factor}" if factor != 1 else ""


def largest_fair_factor(seconds: float) -> int:
    """The largest suggested factor at which `seconds` of Binance time still takes at least
    `MIN_WALL_DEADLINE` of wall time (1 when none does)."""
    fair = [f for f in SUGGESTED if seconds / f >= MIN_WALL_DEADLINE]
    return max(fair, default=1)


def pace_refusal(factor: int, behaviour: str) -> str | None:
    """Why `behaviour` cannot be judged at `factor` (None when it can)."""
    if factor <= 1 or behaviour not in REAL_TIME_ONLY:
        return None
    return (
        f"{behaviour} cannot be judged at time_factor {factor}: its evidence is how fast the client "
        "acts, and what a client does at CPU speed (a redial loop, a burst of messages, the work "
        f"between two attempts) is not sped up, so it would look {factor} times slower in Binance time "
        "and a storm would pass; judge it in a scenario at real time"
    )


def refusal(factor: int, tightest: Deadline, given: bool) -> str | None:
    """Why `factor` cannot judge `tightest` fairly, or None when it can."""
    wall = tightest.seconds / factor
    if factor <= 1 or wall >= MIN_WALL_DEADLINE:
        return None
    default = "" if given else " (its default)"
    truncated = (
        f"; a client's timer shorter than {factor} ms of Binance time is even a 0 ms poll "
        "under libfaketime, which truncates poll and epoll timeouts to whole ms / factor"
    )
    fair = largest_fair_factor(tightest.seconds)
    return (
        f"time_factor {factor} is too fast for this scenario: its tightest deadline, {tightest.field} "
        f"{tightest.seconds:g} s{default}, would last {wall * 1000:.0f} ms of wall time, under the "
        f"{MIN_WALL_DEADLINE * 1000:.0f} ms this machine times reliably (the machine's timing "
        f"jitter, multiplied by the factor, would exceed {TOO_BUSY_FRACTION:.0%} of it{truncated}); "
        + (f"time_factor {fair} or less would work" if fair > 1 else "this deadline cannot be run fast")
        + f", or lengthen the deadline to at least {math.ceil(MIN_WALL_DEADLINE * factor):g} s"
    )
