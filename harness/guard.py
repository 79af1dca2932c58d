"""The guard: the process the harness actually starts, which starts the client.

The harness must end the client's whole process tree on every path, including when the
harness itself is killed with SIGKILL (no `finally` runs then). So the client runs under
this small guard, which:
- asks Linux to send it SIGTERM when the harness dies (PR_SET_PDEATHSIG);
- becomes a child subreaper (PR_SET_CHILD_SUBREAPER), so grandchildren that lose their
  parent are re-parented to it and reaped, instead of lingering as orphans or zombies;
- on SIGTERM, or when the client exits, sends SIGTERM to every other process of its group,
  waits `--grace` seconds, SIGKILLs what is left, reaps everything, then exits with the
  client's exit status.
It leads its own process group and session (the harness starts it with start_new_session),
so "the client's processes" is "the guard's process group". A descendant that calls
setsid() itself leaves the group; that is documented as beyond the contract.

At a scenario's time factor (harness/faketime.py) the guard also starts the client under
libfaketime, and is not itself preloaded (its grace period stays wall time). With
`--shared-start NAME` the client's clock starts at the readings the harness wrote in that
shared memory (harness/faketime_start.py), and the offset is computed from them; without it,
or when the pair is gone, the guard computes the offset right before the client starts (the
old way: the client's clock starts behind by its start-up times F). Once the group is gone it
removes that pair (the harness does too; this covers a harness that died) and sweeps the
/dev/shm entries libfaketime left.

Usage: python -m harness.guard --parent PID --grace SECONDS
           [--faketime LIBRARY --time-factor F --time-origin WALL:EPOCH [--shared-start NAME]]
           -- COMMAND [ARGS...]
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from harness import faketime, faketime_start

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


def unsupported() -> str | None:
    """Why clients cannot run under the guard here (None on Linux): prctl and /proc are Linux's.

    Asked before a client starts, so elsewhere the harness says so in one line instead of
    failing inside ctypes or leaving a client's processes behind.
    """
    if sys.platform.startswith("linux"):
        return None
    return (
        f"running clients needs Linux (the client guard uses prctl and /proc); this is {sys.platform}. "
        "The fake alone (`binance-harness serve`, the binance_fake fixture) does not need the guard."
    )


def _prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(option, value, 0, 0, 0)


def group_members(pgid: int, but: int) -> list[int]:
    """Processes of group `pgid` other than `but`, zombies included, read from /proc."""
    members = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == but:
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # Field 5 (pgrp) comes after the parenthesised command name, which may hold spaces.
        fields = stat[stat.rfind(b")") + 2 :].split()
        if int(fields[2]) == pgid:
            members.append(int(name))
    return members


def _group_members(pgid: int) -> list[int]:
    """Processes of the group other than the guard."""
    return group_members(pgid, os.getpid())


def _signal_group(sig: int) -> None:
    for pid in _group_members(os.getpgid(0)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def _reap_all() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _group_gone(timeout: float) -> bool:
    """Reap until no other process of the group is left (zombies too), or `timeout` passes.

    Processes of the group that lose their parent are re-parented to the guard (it is a
    subreaper), so reaping here is what makes the group really empty when the guard exits.
    """
    deadline = time.monotonic() + timeout
    while True:
        _reap_all()
        if not _group_members(os.getpgid(0)):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)


def _end_group(grace: float) -> None:
    _signal_group(signal.SIGTERM)
    if not _group_gone(grace):
        _signal_group(signal.SIGKILL)
        _group_gone(2.0)


def _start(shared_name: str | None) -> faketime_start.SharedStart | float:
    """Where the client's clock starts: the harness's shared start, or (without one, or when
    it cannot be read) now, said on stderr, which the journal keeps as the client's."""
    if shared_name is not None:
        try:
            return faketime_start.SharedStart.open(shared_name)
        except faketime_start.SharedStartError as exc:
            print(f"harness: {exc}; the client's clock starts at its own start", file=sys.stderr)
    return time.time()


def main(argv: list[str]) -> int:
    if why := unsupported():
        print(f"harness: {why}", file=sys.stderr)
        return 2
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    sep = argv.index("--")
    opts, command = argv[:sep], argv[sep + 1 :]
    parent = int(opts[opts.index("--parent") + 1])
    grace = float(opts[opts.index("--grace") + 1])
    began = time.time()
    lib = opts[opts.index("--faketime") + 1] if "--faketime" in opts else None
    origin = (
        faketime.Origin.from_arg(opts[opts.index("--time-factor") + 1], opts[opts.index("--time-origin") + 1])
        if lib is not None
        else None
    )
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    if os.getppid() != parent:  # the harness died before prctl took effect
        return 1
    stopping = False

    def on_term(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    environ = None
    shared_name = opts[opts.index("--shared-start") + 1] if "--shared-start" in opts else None
    if lib is not None and origin is not None:
        environ = faketime.client_environ(dict(os.environ), Path(lib), origin, _start(shared_name))
    try:
        child = subprocess.Popen(command, env=environ)
    except OSError as exc:
        print(f"harness: cannot start client {command[0]!r}: {exc}", file=sys.stderr)
        if shared_name is not None:
            faketime_start.remove(shared_name)
        return 127
    status: int | None = None
    while status is None and not stopping:
        try:
            status = child.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
    _end_group(grace)
    if shared_name is not None:
        faketime_start.remove(shared_name)
    if lib is not None:
        faketime.sweep_stale_shm(began)
    if status is None:
        status = child.poll()
    return 0 if status is None else (status if status >= 0 else 128 - status)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
