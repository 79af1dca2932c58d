"""Where a client's fast clock starts: a start time the harness writes in shared memory.

libfaketime runs a process's clock F times fast from the moment the library initialises in
that process (its constructor), and the offset in `FAKETIME="+OFFSET xF"` is added to that
moment. The harness computes the offset before the client starts; the constructor runs D
wall seconds later (fork, exec and dynamic linking: 2-6 ms idle, over 100 ms under load), so
a client's clock would start D x (F - 1) behind the fake's and stay there: 25 s of Binance
time at x720, enough for a first signed request to be refused with -1021.

libfaketime can instead take its start from shared memory (0.9.10, `src/libfaketime.c`,
`ft_shm_init` at line 511, `ftpl_init` at 2534: the shared start at 2890, `FAKETIME` at 2922):
when `FAKETIME_SHARED="<semaphore> <shared memory>"` names a semaphore that exists,
`ft_shm_init` opens that pair rather than creating its own, and `ftpl_init` waits on the
semaphore and, unless the start's `real.tv_nsec` reads -1, copies the start time from the
shared memory into `ftpl_starttime`, before it parses `FAKETIME`; the "+OFFSET" branch of
`parse_ft_string` then adds the offset to that start, and every faked reading is the offset
plus (now - start) x F. So the harness creates the pair, writes there the clock readings it
computed the offset from, and the client's clock reads the fake's from its first instant,
whatever D was. A child process inherits `FAKETIME_SHARED` and reads the same start (0.9.10
otherwise shares its parent's start through the pair the parent made, and from 0.9.11 on,
with `FAKETIME_DISABLE_SHM`, no start at all). A process given a pair is not its creator,
so it neither creates nor removes one: the harness removes it once the client's processes
are gone. The semaphore is held only while a process copies the start, in its constructor:
one killed in that instant would leave the client's later processes waiting on it, as the
pair libfaketime makes for a process would its children.

The layout is `struct ft_shared_s` (`src/faketime_common.h`): `uint64 ticks`, `uint64
file_idx`, then the start as four `struct timespec` (CLOCK_REALTIME, CLOCK_MONOTONIC,
CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME), each a 64-bit `tv_sec` and a 64-bit `tv_nsec` on
64-bit Linux (0.9.11 and 0.9.12 keep it; the master branch after them, commit e21bf30,
writes the same bytes with fixed-width fields). libfaketime's own creation sizes the memory 8 bytes and maps 80; the harness sizes
it to the whole struct.

How the pair is made, and why: CPython's `_multiprocessing.SemLock` (with `unlink` false)
and `_posixshmem.shm_open`, the C calls `multiprocessing` itself makes. They call glibc's
`sem_open(name, O_CREAT | O_EXCL, 0600, 1)` and `shm_open` exactly as libfaketime's
`ft_shm_create` does, so the names resolve alike (`/dev/shm/sem.NAME`, `/dev/shm/NAME`).
The alternatives are more fragile: `multiprocessing.shared_memory.SharedMemory` (3.11)
registers the memory with a resource-tracker process that would unlink it and warn when
the harness exits; `sem_open` through ctypes is a variadic C call, which ctypes does not
promise to pass right; writing the semaphore file by hand depends on glibc's `sem_t`.
Either module missing or failing makes `create` raise `SharedStartError`, and the client
is started the old way (its own start), with a note in the journal.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import struct
import time
from dataclasses import dataclass
from types import ModuleType

_semaphores: ModuleType | None
_shared_memory: ModuleType | None
#: Why the pair cannot be made on this Python (empty when it can).
_MISSING = ""
try:  # CPython's C modules behind multiprocessing; typeshed has no stubs for them
    import _multiprocessing as _semaphores  # type: ignore[import-not-found,no-redef]
    import _posixshmem as _shared_memory  # type: ignore[import-not-found,no-redef]
except ImportError as exc:  # a Python built without them (not Linux's CPython)
    _semaphores = _shared_memory = None
    _MISSING = f"this Python cannot make POSIX semaphores or shared memory ({exc})"

#: How the harness's pairs are named: `/binance-harness-ft-<creator pid>-<random>`; the
#: random part keeps concurrent runs of one process (`--jobs`) apart, the pid lets a sweep
#: tell a dead harness's pairs (harness/faketime.py).
PREFIX = "binance-harness-ft"
NAME = re.compile(rf"(?:sem\.)?{PREFIX}-(\d+)-[0-9a-f]+")
#: `struct ft_shared_s`: ticks, file_idx, then (tv_sec, tv_nsec) for the four clocks.
LAYOUT = struct.Struct("=QQqqqqqqqq")
#: The clocks of `struct system_time_s`, in its order.
CLOCKS = ("CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_MONOTONIC_RAW", "CLOCK_BOOTTIME")
#: `_multiprocessing.SemLock`'s kind for a counting semaphore (multiprocessing.synchronize).
_SEMAPHORE = 1


class SharedStartError(Exception):
    """The pair could not be made or read: the client's clock starts at its own start."""


@dataclass(frozen=True)
class StartTime:
    """The four clock readings libfaketime counts from, in nanoseconds, read together."""

    real_ns: int
    mon_ns: int
    mon_raw_ns: int
    boot_ns: int

    @classmethod
    def now(cls) -> StartTime:
        return cls(*(time.clock_gettime_ns(getattr(time, clock)) for clock in CLOCKS))

    @property
    def wall(self) -> float:
        """The CLOCK_REALTIME reading as a `time.time()` value."""
        return self.real_ns / 1e9

    def pack(self) -> bytes:
        fields: list[int] = []
        for ns in (self.real_ns, self.mon_ns, self.mon_raw_ns, self.boot_ns):
            fields += divmod(ns, 1_000_000_000)
        return LAYOUT.pack(0, 0, *fields)

    @classmethod
    def unpack(cls, data: bytes) -> StartTime:
        _ticks, _file_idx, *fields = LAYOUT.unpack(data[: LAYOUT.size])
        if fields[1] < 0:  # real.tv_nsec -1: no start set, libfaketime would take its own
            raise SharedStartError("the shared memory holds no start time")
        pairs = zip(fields[::2], fields[1::2], strict=True)
        return cls(*(sec * 1_000_000_000 + nsec for sec, nsec in pairs))


@dataclass(frozen=True)
class SharedStart:
    """A semaphore and a shared memory of one name, holding where a client's clock starts."""

    name: str  # "/binance-harness-ft-...": both objects' POSIX name
    start: StartTime

    @property
    def environ_value(self) -> str:
        """`FAKETIME_SHARED`: the semaphore's name, then the shared memory's."""
        return f"{self.name} {self.name}"

    @classmethod
    def create(cls, start: StartTime | None = None) -> SharedStart:
        """A new pair holding `start` (default: now); SharedStartError when it cannot be made."""
        start = start or StartTime.now()
        name = f"/{PREFIX}-{os.getpid()}-{secrets.token_hex(8)}"
        if _semaphores is None or _shared_memory is None:
            raise SharedStartError(_MISSING)
        made = cls(name, start)
        try:
            # The handle is closed when dropped; the named semaphore stays until unlinked.
            _semaphores.SemLock(_SEMAPHORE, 1, 1, name, False)
            fd = _shared_memory.shm_open(name, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
            try:
                os.ftruncate(fd, LAYOUT.size)
                if os.pwrite(fd, start.pack(), 0) != LAYOUT.size:
                    raise OSError(f"short write to shared memory {name}")
            finally:
                os.close(fd)
        except (OSError, ValueError, TypeError) as exc:  # TypeError: if SemLock's signature changes
            remove(name)
            raise SharedStartError(f"cannot make libfaketime's shared start {name}: {exc}") from exc
        return made

    @classmethod
    def open(cls, name: str) -> SharedStart:
        """The pair `name` another process made; SharedStartError when it is gone or empty."""
        if _shared_memory is None:
            raise SharedStartError(_MISSING)
        try:
            fd = _shared_memory.shm_open(name, os.O_RDONLY, 0)
        except OSError as exc:
            raise SharedStartError(f"cannot open libfaketime's shared start {name}: {exc}") from exc
        try:
            data = os.pread(fd, LAYOUT.size, 0)
        finally:
            os.close(fd)
        if len(data) < LAYOUT.size:
            raise SharedStartError(
                f"libfaketime's shared start {name} is {len(data)} bytes, not {LAYOUT.size}"
            )
        return cls(name, StartTime.unpack(data))

    def remove(self) -> None:
        remove(self.name)


def remove(name: str) -> None:
    """Unlink the pair `name` (what is left of it; nothing when it is already gone)."""
    if _semaphores is not None:
        with contextlib.suppress(OSError):
            _semaphores.sem_unlink(name)
    if _shared_memory is not None:
        with contextlib.suppress(OSError):
            _shared_memory.shm_unlink(name)
