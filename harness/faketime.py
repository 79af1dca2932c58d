"""libfaketime: how a client's clock is made to run at a scenario's time factor.

Binance's timers are hours long; a scenario with `time_factor: 60` runs both sides of the
wire 60 times fast, so a client's own, unconfigurable timers (a keepalive hard-coded at
50 minutes) are judged as written. The fake reads `Clock` at that factor; the client runs
with libfaketime preloaded (Debian's `faketime` package), which scales what the process
reads from CLOCK_REALTIME and CLOCK_MONOTONIC and divides the timeouts it passes to sleep,
poll, epoll_wait and select. The details this module relies on, from libfaketime 0.9.10's
README and `src/libfaketime.c`:

- `FAKETIME="+OFFSET xF"`: the clock starts OFFSET seconds from the real time and runs F
  times fast from the moment the library is initialised in the process (its constructor).
  An offset is required before `x` ("+0 x2", never "x2"); the number is read with `atof`
  in the C locale, so a decimal point, not a comma.
- Shared memory: each process under libfaketime creates `/dev/shm/faketime_shm_<pid>` and
  `sem.faketime_sem_<pid>` (for its children to share its clock) and removes them when it
  exits cleanly; a killed one leaves them, and a stale pair makes a later process with the
  same pid fail or run without them ("shm_open failed: File exists"). 0.9.11 added
  `FAKETIME_DISABLE_SHM=1` (commit 39fdbde) to create none, and to skip `FAKETIME_SHARED`.
  A process given the harness's own pair in `FAKETIME_SHARED` (harness/faketime_start.py)
  creates none of its own, so the harness sets `FAKETIME_DISABLE_SHM` only when it gives no
  pair (the old way); Debian 12 ships 0.9.10, which ignores it, and there a Python process
  leaves its pair even on a clean exit. So the guard also sweeps, when the client is gone,
  the entries of dead processes made since it started (`sweep_stale_shm`).
- `FAKETIME_DONT_FAKE_MONOTONIC` must NOT be set: Python's asyncio and Node's libuv time
  their timers on CLOCK_MONOTONIC, so with it their timers would run at real speed. (Java
  needs it set, and then its timers are not accelerated: JVM clients cannot be judged.)
- `NO_FAKE_STAT=1`: leave file timestamps alone. Scaled, a source file's mtime moves and
  Python would rewrite its bytecode caches on every start (and Node's module caches).
- The multi-threaded build (`libfaketimeMT.so.1`) serialises the library's cached state:
  Node and most SDKs run threads.
- poll/epoll timeouts are whole milliseconds, divided by F and truncated: at x480 any
  timeout under 480 ms becomes 0, and the event loop polls without sleeping until the timer
  is due. That and CPU work (not sped up: 10 ms of work is 4.8 s of Binance time at x480)
  bound the factor a scenario may use (harness/time_factor.py).

Where the client's clock starts (harness/faketime_start.py): libfaketime starts a process's
clock when it initialises in it, D wall seconds after the harness computed the offset, so
the client would run D x (F - 1) behind the fake. The harness writes the readings it
computes the offset from into a shared memory libfaketime reads its start from
(`FAKETIME_SHARED`), so the client's epoch (signed requests' `timestamp`) is the fake's
`serverTime` from its first instant. When that pair cannot be made the client is started the
old way (its own start, `FAKETIME_DISABLE_SHM`), behind by its start-up times F.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
from dataclasses import dataclass
from pathlib import Path

from harness import faketime_start
from harness.faketime_start import SharedStart

#: Where the harness looks for the library when `LIBRARY_VARIABLE` is unset: Debian's
#: multiarch folder first, then the prefixes of a `make install` from source.
SEARCH = (
    "/usr/lib/*/faketime/libfaketimeMT.so.1",
    "/usr/lib/faketime/libfaketimeMT.so.1",
    "/usr/local/lib/faketime/libfaketimeMT.so.1",
)
#: A harness-side setting (not given to clients): the path of libfaketimeMT.so.1 to use.
LIBRARY_VARIABLE = "BINANCE_HARNESS_LIBFAKETIME"
#: What makes libfaketime hang JVMs and leave timers at real speed; never passed to a client.
DONT_FAKE_MONOTONIC = ("FAKETIME_DONT_FAKE_MONOTONIC", "DONT_FAKE_MONOTONIC")


def library() -> Path | None:
    """The libfaketime to preload, or None when there is none on this machine."""
    chosen = os.environ.get(LIBRARY_VARIABLE)
    if chosen:
        return Path(chosen) if Path(chosen).is_file() else None
    for pattern in SEARCH:
        found = sorted(glob.glob(pattern))
        if found:
            return Path(found[0])
    return None


def unavailable() -> str | None:
    """Why a client cannot be run at a time factor here (None when it can)."""
    chosen = os.environ.get(LIBRARY_VARIABLE)
    if chosen and not Path(chosen).is_file():
        return f"{LIBRARY_VARIABLE}={chosen} names no file, so the client's clock cannot be run fast"
    if library() is None:
        return (
            "libfaketime is not installed, so the client's clock cannot be run fast: install Debian's "
            "`faketime` package (`python3 tasks.py setup` does it when run as root with apt-get), "
            f"or set {LIBRARY_VARIABLE} to a libfaketimeMT.so.1"
        )
    return None


@dataclass(frozen=True)
class Origin:
    """Where Binance time stands against the wall clock: at `wall` (a `time.time()` value)
    Binance's epoch read `epoch` seconds, and it runs `factor` times fast."""

    wall: float
    epoch: float
    factor: float

    def epoch_at(self, wall: float) -> float:
        """Binance's epoch seconds at wall time `wall`."""
        return self.epoch + (wall - self.wall) * self.factor

    def as_args(self) -> list[str]:
        """The guard's options that carry this origin (harness/guard.py)."""
        return ["--time-factor", f"{self.factor:g}", "--time-origin", f"{self.wall!r}:{self.epoch!r}"]

    @classmethod
    def from_arg(cls, factor: str, origin: str) -> Origin:
        wall, epoch = origin.split(":")
        return cls(float(wall), float(epoch), float(factor))


def client_environ(
    base: dict[str, str], lib: Path, origin: Origin, start: SharedStart | float
) -> dict[str, str]:
    """`base` with libfaketime preloaded so that the process reads Binance's epoch and runs
    at the origin's factor.

    `start` is where its clock starts: a shared start (the clock counts from the readings
    in it, whenever the process gets to initialise libfaketime), or the old way a wall time
    (`time.time()`) the process is about to start at, which it starts behind by the time it
    takes to start, times the factor.
    """
    environ = {k: v for k, v in base.items() if k not in DONT_FAKE_MONOTONIC}
    preload = environ.get("LD_PRELOAD", "")
    environ["LD_PRELOAD"] = str(lib) + (" " + preload if preload else "")
    if isinstance(start, SharedStart):
        wall = start.start.wall
        environ["FAKETIME_SHARED"] = start.environ_value
        # From 0.9.11 on, FAKETIME_DISABLE_SHM would make libfaketime skip the pair.
        environ.pop("FAKETIME_DISABLE_SHM", None)
    else:
        wall = start
        environ.pop("FAKETIME_SHARED", None)  # an inherited pair holds another start
        environ["FAKETIME_DISABLE_SHM"] = "1"
    offset = origin.epoch_at(wall) - wall
    environ["FAKETIME"] = f"{offset:+.6f} x{origin.factor:g}"
    environ["NO_FAKE_STAT"] = "1"
    return environ


#: The names libfaketime gives its shared memory and semaphore in /dev/shm.
SHM_DIR = Path("/dev/shm")
_SHM_NAME = re.compile(r"(?:faketime_shm_|sem\.faketime_sem_)(\d+)")


def sweep_stale_shm(since: float, directory: Path = SHM_DIR) -> list[str]:
    """Remove libfaketime's /dev/shm entries of processes that no longer exist, made at or
    after `since` (a `time.time()` value), and the harness's shared starts whose harness
    no longer exists, whatever their age; the names removed.

    Only dead processes' entries: a live process (another run's client) still uses its
    own, and one that is gone can use nothing. libfaketime's entries older than `since`
    are another run's to sweep (or a person's). A shared start is named after the harness
    that made it, which removes it at the end of the run, as its guard does when the
    harness dies; one is left only when both were killed at once, and nobody reads it then.
    """
    removed: list[str] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        libfaketimes = _SHM_NAME.fullmatch(name)
        match = libfaketimes or faketime_start.NAME.fullmatch(name)
        if match is None or _alive(int(match[1])):
            continue
        path = directory / name
        with contextlib.suppress(OSError):
            if libfaketimes is None or path.stat().st_mtime >= since:
                path.unlink()
                removed.append(name)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
