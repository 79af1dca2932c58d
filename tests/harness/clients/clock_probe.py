"""A client that says where its clock stands against the wall clock the moment it starts
(tests/harness/test_faketime_start.py).

It prints `clock PID FAKE REAL WIDTH`: `time.time()` as libfaketime gives it to the process,
and the real CLOCK_REALTIME read straight from the kernel around it (libfaketime wraps libc's
clock calls, not the raw system call), the best bracket of a few tries, so a test can say
where the fake's clock stood at that same instant, to microseconds, without the pipe's
delay. Then it creates a listenKey (the run's first contact) and, with
CLOCK_PROBE_CHILD_AFTER set, sleeps that many seconds of its own clock and runs itself as a
child (which inherits its environment, as any child of a client does), prints `child ...`
for it, and exits; CLOCK_PROBE_CRASH=1 makes it SIGKILL itself after its first line;
CLOCK_PROBE_READY names a FIFO it writes its pid to once it made contact, and then it
waits forever.
Standard library only, so it starts quickly.
"""

from __future__ import annotations

import ctypes
import os
import platform
import signal
import subprocess
import sys
import threading
import time
import urllib.request

#: The number of clock_gettime(2) per architecture (asm/unistd.h).
CLOCK_GETTIME = {"x86_64": 228, "aarch64": 113}[platform.machine()]


class Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


SYSCALL = ctypes.CDLL(None, use_errno=True).syscall
SPEC = Timespec()


def kernel_realtime() -> float:
    if SYSCALL(CLOCK_GETTIME, time.CLOCK_REALTIME, ctypes.byref(SPEC)) != 0:
        raise OSError(ctypes.get_errno(), "clock_gettime")
    return SPEC.tv_sec + SPEC.tv_nsec / 1e9


def reading() -> str:
    """`FAKE REAL WIDTH`: the faked time between two real readings, the tightest of 20."""
    best: tuple[float, float, float] | None = None
    for _ in range(20):
        before, fake, after = kernel_realtime(), time.time(), kernel_realtime()
        if best is None or after - before < best[2] - best[0]:
            best = (before, fake, after)
    assert best is not None
    before, fake, after = best
    return f"{fake!r} {(before + after) / 2!r} {after - before!r}"


def contact() -> None:
    request = urllib.request.Request(
        os.environ["BINANCE_HARNESS_REST_URL"] + "/fapi/v1/listenKey",
        method="POST",
        headers={"X-MBX-APIKEY": os.environ["BINANCE_HARNESS_API_KEY"]},
    )
    urllib.request.urlopen(request).read()


def main() -> None:
    if sys.argv[1:] == ["--child"]:
        print("child", os.getpid(), reading(), flush=True)
        return
    print("clock", os.getpid(), reading(), flush=True)
    if os.environ.get("CLOCK_PROBE_CRASH"):
        os.kill(os.getpid(), signal.SIGKILL)
    contact()
    if after := os.environ.get("CLOCK_PROBE_CHILD_AFTER"):
        time.sleep(float(after))
        subprocess.run([sys.executable, __file__, "--child"], check=True)
    if ready := os.environ.get("CLOCK_PROBE_READY"):
        with open(ready, "w", encoding="utf-8") as fifo:
            fifo.write(f"{os.getpid()}\n")
        threading.Event().wait()


if __name__ == "__main__":
    main()
