"""How a client is put under libfaketime (harness/faketime.py): its environment, where its
clock starts, and the /dev/shm entries a killed process leaves behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness import faketime
from harness.faketime import Origin, client_environ, sweep_stale_shm


def test_the_client_environment_preloads_the_library_at_the_origins_epoch_and_factor() -> None:
    origin = Origin(wall=1000.0, epoch=5000.0, factor=60)
    base = {"LD_PRELOAD": "/opt/other.so", "FAKETIME_DONT_FAKE_MONOTONIC": "1", "PATH": "/bin"}
    environ = client_environ(base, Path("/lib/libfaketimeMT.so.1"), origin, start=1002.0)
    assert environ["LD_PRELOAD"] == "/lib/libfaketimeMT.so.1 /opt/other.so"
    # At wall 1002 Binance's epoch reads 5000 + 2 x 60 = 5120: 4118 s ahead of the wall clock.
    assert environ["FAKETIME"] == "+4118.000000 x60"
    assert environ["FAKETIME_DISABLE_SHM"] == environ["NO_FAKE_STAT"] == "1"
    # Python's and Node's timers run on CLOCK_MONOTONIC: it must be faked too.
    assert "FAKETIME_DONT_FAKE_MONOTONIC" not in environ and environ["PATH"] == "/bin"
    assert Origin.from_arg(*origin.as_args()[1::2]) == origin


def test_a_missing_library_is_said_with_the_way_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(faketime.LIBRARY_VARIABLE, "/nonexistent/libfaketimeMT.so.1")
    assert faketime.library() is None
    why = faketime.unavailable()
    assert (
        why is not None and "BINANCE_HARNESS_LIBFAKETIME=/nonexistent/libfaketimeMT.so.1 names no file" in why
    )
    monkeypatch.setattr(faketime, "SEARCH", ())
    monkeypatch.delenv(faketime.LIBRARY_VARIABLE)
    why = faketime.unavailable()
    assert why is not None and "install Debian's `faketime` package" in why


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(done.stdout)


def test_the_sweep_removes_dead_processes_entries_made_since_it_started(tmp_path: Path) -> None:
    dead, alive = dead_pid(), os.getpid()
    names = [f"faketime_shm_{dead}", f"sem.faketime_sem_{dead}", f"faketime_shm_{alive}", "unrelated_1"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    old = tmp_path / f"faketime_shm_{dead + 1_000_000}"  # a dead pid's, but from before the run
    old.write_bytes(b"x")
    os.utime(old, (0, 0))
    removed = sweep_stale_shm(since=1.0, directory=tmp_path)
    assert sorted(removed) == sorted(names[:2])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names[2:], old.name])
