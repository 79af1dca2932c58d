"""Scheduling: playing many scenario runs at once, as if they had been played one by one.

A run is almost all waiting (for a deadline, for the client to reconnect): the catalog used
a tenth of one core when played in turn. So `binance-harness run --jobs N` plays up to N
runs at once on one event loop, each with its own fake, ports, journal and client process,
and the reports are those of a run in turn: results and progress come in catalog order,
whatever order the runs finished in.

Three things keep concurrency from changing a verdict:

- Longest first: runs start in order of decreasing (wall) duration, so the last to finish is a
  short one and the wall time approaches the sum of durations over N (Graham's LPT rule).
- Admission: at most `cores` clients are starting at a time (a client's start is its most
  expensive moment: an interpreter and its imports), and after each run the number admitted
  at once shrinks by half when the run measured lateness (harness/lateness.py: a fault
  fired late, the loop stalled, the client took much longer to start than the quickest
  start seen) and grows by one when it ran on time. By default N itself comes from the
  cores and the measured CPU cost of a run (`auto`).
- Retry alone: a run whose lateness made a verdict unjudgeable (ERROR "the machine was
  too busy to judge") is played again once nothing else is running, and its second result
  is the one reported.

And one thing keeps the shared loop on time: what lives to the end of the play (modules,
scenarios, the records of finished runs) is frozen out of the garbage collector's sight, so
a full collection does not walk it while other runs wait on their timers (docs/scheduling.md).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from fake_server import gc_shelter
from harness.lateness import Lateness, is_too_busy
from harness.report import tally
from harness.run_folder import run_folder
from harness.runner import RunResult, run_scenario
from harness.scenario import Scenario

#: The share of the machine's cores the automatic limit plans to use: the rest is headroom
#: for the bursts (a client starting, a payload fault) that timing depends on, and for
#: whatever else the machine runs.
TARGET_SHARE = 0.75

#: The automatic limit never exceeds this many runs per core: past it, even cheap runs
#: start so many client processes that starts pile up.
MAX_PER_CORE = 6

#: CPU (in cores) one run costs until a run has been measured: the reference client's
#: catalog, played in turn, used 0.086 of a core (issue 13).
PRIOR_COST = 0.1

#: Lateness (seconds) above which a run counts as a sign of overload, and below which it
#: counts as on time. Both are well under the smallest lateness that makes a verdict
#: unjudgeable in the catalog (10 % of its tightest deadline, 0.6 s: 60 ms).
BUSY_LATENESS = 0.03
CALM_LATENESS = 0.01

#: A client start counts as slow when it took longer than the quickest start seen for the
#: same client by this factor and by SLOW_START_MARGIN seconds.
SLOW_START_FACTOR = 2.0
SLOW_START_MARGIN = 0.75


def cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def jobs_argument(text: str) -> int | None:
    """`--jobs`' value: a number of runs at once, or `auto` (None)."""
    if text == "auto":
        return None
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of runs or 'auto', got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"at least one run at a time, got {n}")
    return n


def add_jobs_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs",
        "-j",
        type=jobs_argument,
        default=None,
        metavar="N",
        help="play up to N scenarios at once (default: auto, from the cores and the measured cost "
        "of a run; 1 plays them in turn); reports are the same either way",
    )


def auto_limit(n_cores: int, cost: float) -> int:
    """How many runs to play at once on `n_cores` when one run costs `cost` cores."""
    fit = int(n_cores * TARGET_SHARE / max(cost, 1e-3))
    return max(1, min(fit, MAX_PER_CORE * n_cores))


@dataclass(frozen=True)
class Job:
    """One scenario to play against one client, and how its progress line starts."""

    scenario: Scenario
    client: str
    workdir: Path
    head: str


def jobs_for(
    scenarios: Sequence[Scenario], client: str, root: Path, *, label: str = "", ceiling: int | None = None
) -> list[Job]:
    """The jobs that play `scenarios` against `client`, their files under `root`, in catalog
    order; each at most at the client's `ceiling` time factor (None: the scenario's own)."""
    n = len(scenarios)
    return [
        Job(
            s,
            client,
            run_folder(root, s.name),
            f"{label}[{i}/{n}] {s.family}/{s.name} ({s.length()}) ...",
        )
        for i, s in enumerate((s.at_most(ceiling) for s in scenarios), 1)
    ]


class Admission:
    """How many runs may play at once: the ceiling (asked for, or from the cores and the
    measured cost), lowered while runs report lateness and raised again while they do not."""

    def __init__(self, jobs: int | None, n_cores: int) -> None:
        self.auto = jobs is None
        self.cores = n_cores
        self.ceiling = jobs if jobs is not None else auto_limit(n_cores, PRIOR_COST)
        self.limit = self.ceiling
        self.cost = PRIOR_COST
        self.quickest_start: dict[str, float] = {}
        self.peak = 0
        self.backoffs = 0
        #: When the limit was last lowered: a run started before then measured the load that
        #: was already answered, so it cannot lower the limit again (one cut per episode).
        self.lowered_at = -1.0

    def measured(self, cpu_seconds: float, run_seconds: float) -> None:
        """CPU used so far (this process and its finished children) over the run-seconds
        played so far: the cost of a run, from which the automatic ceiling follows."""
        if run_seconds <= 0:
            return
        self.cost = cpu_seconds / run_seconds
        if self.auto:
            self.ceiling = auto_limit(self.cores, self.cost)
            self.limit = min(self.limit, self.ceiling)

    def finished(self, client: str, lateness: Lateness, *, started: float, now: float) -> None:
        """Adjust the limit to what a finished run (started at `started`) measured."""
        slow = False
        if lateness.start_delay is not None:
            quickest = self.quickest_start.setdefault(client, lateness.start_delay)
            self.quickest_start[client] = min(quickest, lateness.start_delay)
            slow = lateness.start_delay > max(SLOW_START_FACTOR * quickest, quickest + SLOW_START_MARGIN)
        if slow or lateness.worst > BUSY_LATENESS:
            if started > self.lowered_at:
                self.limit = max(1, self.limit // 2)
                self.backoffs += 1
                self.lowered_at = now
        elif lateness.worst < CALM_LATENESS:
            self.limit = min(self.ceiling, self.limit + 1)

    def admits(self, running: int) -> bool:
        return running < max(1, min(self.limit, self.ceiling))


class Progress:
    """Progress lines in catalog order: a run's line is written once every earlier one is.

    The line of the next run in order is begun when that run starts (its head, then "...")
    and ended when it finishes, as a run in turn shows it; later runs that finish first wait.
    """

    def __init__(self, jobs: Sequence[Job], out: TextIO) -> None:
        self.jobs = jobs
        self.out = out
        self.next = 0
        self.started: set[int] = set()
        self.tails: dict[int, str] = {}
        self.head_written = False

    def start(self, index: int) -> None:
        self.started.add(index)
        self._flush()

    def finish(self, index: int, tail: str) -> None:
        self.tails[index] = tail
        self._flush()

    def _flush(self) -> None:
        while self.next < len(self.jobs):
            if not self.head_written:
                if self.next not in self.started and self.next not in self.tails:
                    return
                self.out.write(self.jobs[self.next].head)
                self.head_written = True
            if self.next not in self.tails:
                break
            self.out.write(self.tails.pop(self.next) + "\n")
            self.next += 1
            self.head_written = False
        self.out.flush()


def tail_of(result: RunResult, *, retried: Lateness | None = None) -> str:
    counts = tally(result.verdicts)
    tail = f" {result.wall_time:.1f} s: " + ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    if retried is not None:
        tail += f" (played again alone: the first try was too late to judge, {retried.words()})"
    return tail


@dataclass
class Summary:
    """What a scheduled play measured, for its closing line."""

    wall: float
    duration_sum: float
    peak: int
    ceiling: int
    auto: bool
    cost: float
    retried: int
    backoffs: int

    def words(self) -> str:
        jobs = f"auto: {self.ceiling}" if self.auto else str(self.ceiling)
        text = (
            f"{self.wall:.1f} s, {self.wall / max(self.duration_sum, 1e-9):.2f} x the "
            f"{self.duration_sum:g} s of their durations; at most {self.peak} at once "
            f"(--jobs {jobs}; a run cost {self.cost:.3f} core)"
        )
        if self.backoffs and self.ceiling > 1:
            text += f"; fewer admitted {self.backoffs} times after late runs"
        if self.retried:
            text += f"; {self.retried} played again alone"
        return text


async def play(
    jobs: Sequence[Job], *, limit: int | None = None, out: TextIO | None = None
) -> tuple[list[RunResult], Summary]:
    """Play every job, up to `limit` at once (None: auto); results in the order of `jobs`."""
    out = out or sys.stdout
    admission = Admission(limit, cores())
    progress = Progress(jobs, out)
    results: dict[int, RunResult] = {}
    # Longest first (stable: equal durations keep catalog order). In turn, catalog order.
    pending = list(range(len(jobs)))
    if admission.ceiling > 1 or admission.auto:
        pending.sort(key=lambda i: -jobs[i].scenario.wall_duration)
    running: dict[asyncio.Task[RunResult], tuple[int, asyncio.Event, float]] = {}
    too_busy: dict[int, Lateness] = {}
    loop = asyncio.get_running_loop()
    started = loop.time()
    cpu0 = _cpu()
    run_seconds = 0.0
    last = started

    def account() -> None:
        nonlocal run_seconds, last
        now = loop.time()
        run_seconds += len(running) * (now - last)
        last = now

    def launch(index: int) -> asyncio.Task[RunResult]:
        account()
        contacted = asyncio.Event()
        job = jobs[index]
        task = asyncio.ensure_future(
            run_scenario(job.scenario, job.client, workdir=job.workdir, contacted=contacted)
        )
        running[task] = (index, contacted, loop.time())
        admission.peak = max(admission.peak, len(running))
        progress.start(index)
        return task

    # What is alive now (modules, scenarios) lives to the end: out of the collector's sight,
    # a full collection no longer walks it while runs wait on their timers. One shelter with
    # the runs' journals (fake_server/gc_shelter.py), so neither unfreezes the other's objects.
    gc_shelter.freeze()
    try:
        while pending or running:
            starting = sum(1 for _, c, _ in running.values() if not c.is_set())
            while pending and admission.admits(len(running)) and starting < admission.cores:
                launch(pending.pop(0))
                starting += 1
            # Wake when a run ends, or when a starting client made contact (the next may start).
            starts = [asyncio.ensure_future(c.wait()) for _, c, _ in running.values() if not c.is_set()]
            done, _ = await asyncio.wait([*running, *starts], return_when=asyncio.FIRST_COMPLETED)
            for w in starts:
                w.cancel()
            account()
            for task in [t for t in running if t in done]:
                index, _, began = running.pop(task)
                result = results[index] = task.result()
                admission.measured(_cpu() - cpu0, run_seconds)
                admission.finished(jobs[index].client, result.lateness, started=began, now=loop.time())
                if any(is_too_busy(v) for v in result.verdicts):
                    too_busy[index] = result.lateness
                else:
                    progress.finish(index, tail_of(result))
                gc_shelter.refreeze()  # its record stays for the reports: out of the next collections
        # Runs too late to judge are played again, alone, once all others are over.
        for index, lateness in sorted(too_busy.items()):
            shutil.rmtree(jobs[index].workdir, ignore_errors=True)
            task = launch(index)
            await asyncio.wait({task})
            account()
            del running[task]
            results[index] = task.result()
            progress.finish(index, tail_of(results[index], retried=lateness))
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        gc_shelter.release()
    summary = Summary(
        wall=loop.time() - started,
        duration_sum=sum(j.scenario.wall_duration for j in jobs),
        peak=admission.peak,
        ceiling=admission.ceiling,
        auto=admission.auto,
        cost=admission.cost,
        retried=len(too_busy),
        backoffs=admission.backoffs,
    )
    return [results[i] for i in range(len(jobs))], summary


def _cpu() -> float:
    """CPU seconds of this process and of its children that ended (each client's guard
    waits for its client, so a client's time is counted once its run is over)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system
