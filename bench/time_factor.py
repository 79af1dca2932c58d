"""How precisely a client's timers keep Binance time under libfaketime, per runtime and factor.

`python -m bench.time_factor` starts a small Python (asyncio) and Node (setTimeout) program
under libfaketime at each factor, the way the harness starts a client (harness/faketime.py),
asks each for a series of sleeps of known Binance length, and timestamps each wake-up as it
arrives on the harness's side, on the wall clock times the factor: the figure a scenario's
journal would show. Per (runtime, factor, sleep) it prints how far the measured gap was from
the asked one (median and worst, in Binance ms, and the same in wall ms), and the child's
CPU share, which shows libfaketime's truncated poll timeouts making the loop spin. It also
prints how far the child's epoch (`time.time()`, `Date.now()`) was from the harness's Binance
epoch when it started: the skew a signed request's `timestamp` carries. Each child's clock
starts at the harness's readings (harness/faketime_start.py), as a client's does; with
`--own-start` at the child's own start, the old way, which its start-up puts behind.

docs/time-factor.md keeps the figures and the command that made them.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import resource
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from harness.faketime import Origin, client_environ, library, sweep_stale_shm, unavailable
from harness.faketime_start import SharedStart

PYTHON_CHILD = """
import asyncio, sys, time
async def main():
    print("ready", time.time(), flush=True)
    for d in sys.argv[1:]:
        await asyncio.sleep(float(d))
        print("tick", flush=True)
asyncio.run(main())
"""

# process.stdout is made on its first use, and console.log formats through modules loaded
# on its first call: tens of ms of Node's start-up that would count as start skew if the
# clock were read before them. So the stream is made first and written to directly.
NODE_CHILD = """
const delays = process.argv.slice(1).map(Number);
const out = process.stdout;
out.write(`ready ${Date.now() / 1000}\\n`);
const next = (i) => {
  if (i >= delays.length) return;
  setTimeout(() => { console.log("tick"); next(i + 1); }, delays[i] * 1000);
};
next(0);
"""

RUNTIMES = {"python": [sys.executable, "-c", PYTHON_CHILD], "node": ["node", "-e", NODE_CHILD]}
FACTORS = (10, 60, 240, 480, 600, 720)
#: The Binance lengths of the sleeps asked of each child, in seconds.
SLEEPS = (0.1, 1.0, 10.0, 60.0, 300.0)
#: The wall time spent on each sleep length (at least MIN_REPEATS of them, unless longer
#: than MAX_WALL each).
WALL_PER_SLEEP = 0.6
MIN_REPEATS = 3
MAX_REPEATS = 30
MAX_WALL = 1.5


@dataclass
class Figures:
    runtime: str
    factor: int
    sleep: float
    errors: list[float]  # Binance seconds, measured minus asked
    cpu: float  # the child's CPU seconds over its wall seconds
    skew: float  # the child's epoch minus the harness's Binance epoch at its start, seconds

    def line(self) -> str:
        worst = max(self.errors, key=abs)
        median = statistics.median(self.errors)
        wall = 1000 / self.factor
        return (
            f"{self.runtime:6} x{self.factor:<4} {self.sleep:7g} s  n={len(self.errors):2}  "
            f"median {median * 1000:+9.1f} ms ({median * wall:+7.2f} wall)  "
            f"worst {worst * 1000:+9.1f} ms ({worst * wall:+7.2f} wall)  "
            f"cpu {self.cpu:4.0%}  start skew {self.skew * 1000:+8.0f} ms"
        )


def repeats(sleep: float, factor: int) -> int:
    wall = sleep / factor
    return max(MIN_REPEATS, min(MAX_REPEATS, int(WALL_PER_SLEEP / wall)))


async def measure(runtime: str, factor: int, sleep: float, own_start: bool) -> Figures | None:
    if sleep / factor > MAX_WALL:
        return None
    shared = None if own_start else SharedStart.create()
    try:
        return await _measure(runtime, factor, sleep, shared)
    finally:
        if shared is not None:
            shared.remove()


async def _measure(runtime: str, factor: int, sleep: float, shared: SharedStart | None) -> Figures:
    lib = library()
    assert lib is not None
    origin = Origin(time.time(), time.time(), factor)
    n = repeats(sleep, factor)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    environ = client_environ(dict(os.environ), lib, origin, shared or time.time())
    proc = await asyncio.create_subprocess_exec(
        *RUNTIMES[runtime], *[f"{sleep!r}"] * n, stdout=asyncio.subprocess.PIPE, env=environ
    )
    started = time.monotonic()
    assert proc.stdout is not None
    stamps: list[float] = []
    skew = 0.0
    while line := await proc.stdout.readline():
        now = time.monotonic()
        word, *rest = line.split()
        if word == b"ready":
            skew = float(rest[0]) - origin.epoch_at(time.time())
        stamps.append(now)
    await proc.wait()
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / wall
    errors = [(b - a) * factor - sleep for a, b in itertools.pairwise(stamps)]
    return Figures(runtime, factor, sleep, errors, cpu, skew)


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--factor", type=int, action="append", help="factors to measure (default: %(default)s)"
    )
    parser.add_argument("--runtime", choices=sorted(RUNTIMES), action="append")
    parser.add_argument(
        "--own-start",
        action="store_true",
        help="start each child's clock at its own start (the old way), not at the harness's readings",
    )
    args = parser.parse_args(argv)
    if why := unavailable():
        print(why, file=sys.stderr)
        return 2
    began = time.time()
    print(
        f"libfaketime {library()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} at start, "
        f"clocks start at {'their own start' if args.own_start else 'the harness readings'}",
        flush=True,
    )
    for runtime in args.runtime or sorted(RUNTIMES):
        for factor in args.factor or FACTORS:
            for sleep in SLEEPS:
                figures = await measure(runtime, factor, sleep, args.own_start)
                if figures is not None:
                    print(figures.line(), flush=True)
    print(f"load {os.getloadavg()[0]:.2f} at the end", flush=True)
    sweep_stale_shm(began)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(asyncio.run(main(sys.argv[1:])))
