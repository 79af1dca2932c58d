"""Where a client's fast clock starts (harness/faketime_start.py): at the readings the harness
computed its offset from, written in shared memory for libfaketime, so the client reads the
fake's clock from its first instant however long it took to start; and the pair is gone
after the run, whether the client ended, crashed or the harness was interrupted.

The clients here print their faked `time.time()` beside the kernel's real clock
(clients/clock_probe.py), so the skew is measured to microseconds of wall time, not through
the pipe. Those that run a client need libfaketime (`python3 tasks.py setup` installs it).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness import faketime, faketime_start
from harness.behaviours.keeps_listenkey_alive import Params as KeepAlive
from harness.faketime import Origin, client_environ, sweep_stale_shm
from harness.faketime_start import LAYOUT, SharedStart, SharedStartError, StartTime
from harness.runner import RunResult, run_scenario
from harness.scenario import EventFlow, Expectation, Scenario, Timers
from tests.harness.test_client_lifetime import interruptible, read_fifo, wait_gone
from tests.harness.test_faketime import dead_pid
from tests.harness.test_time_factor import needs_faketime

HERE = Path(__file__).resolve().parent
PROBE = HERE / "clients" / "clock_probe.py"
FACTOR = 600
#: How far from the fake's clock a client's may start, in wall seconds (times FACTOR in
#: Binance time: 0.3 s). A shared start is off by well under a microsecond (rounding); a
#: client's own start is behind by its exec and linking, a millisecond or more even idle.
TOLERANCE = 0.0005
#: The start-up made slow on purpose (wall seconds): what a loaded machine does to exec.
SLOW_START = 0.3


def ours(pid: int | None = None) -> list[str]:
    """The harness's pairs in /dev/shm (of the harness process `pid`, default: any)."""
    prefix = faketime_start.PREFIX + (f"-{pid}-" if pid is not None else "")
    return sorted(n for n in os.listdir(faketime.SHM_DIR) if n.removeprefix("sem.").startswith(prefix))


def libfaketimes_own(pid: int) -> list[str]:
    """The pair libfaketime makes for process `pid` when it is given none."""
    names = {f"faketime_shm_{pid}", f"sem.faketime_sem_{pid}"}
    return sorted(names & set(os.listdir(faketime.SHM_DIR)))


def skew(line: str, epoch_at: Origin) -> tuple[float, float]:
    """A probe line's clock minus the fake's at the same instant (Binance seconds), and the
    width of the real readings around it (wall seconds)."""
    fake, real, width = map(float, line.split()[2:5])
    return fake - epoch_at.epoch_at(real), width


def test_the_start_is_laid_out_as_libfaketimes_struct() -> None:
    start = StartTime(
        real_ns=1_700_000_000_123_456_789, mon_ns=5_000_000_001, mon_raw_ns=7, boot_ns=9_000_000_000
    )
    data = start.pack()
    # uint64 ticks, uint64 file_idx, then {tv_sec, tv_nsec} for real, mon, mon_raw, boot.
    assert len(data) == LAYOUT.size == 80
    assert data[:16] == bytes(16)
    assert int.from_bytes(data[16:24], sys.byteorder) == 1_700_000_000
    assert int.from_bytes(data[24:32], sys.byteorder) == 123_456_789
    assert int.from_bytes(data[32:40], sys.byteorder) == 5 and int.from_bytes(data[40:48], sys.byteorder) == 1
    assert StartTime.unpack(data) == start
    # libfaketime's own pair before any process set a start: real.tv_nsec is -1.
    unset = LAYOUT.pack(0, 0, 0, -1, 0, -1, 0, -1, 0, -1)
    with pytest.raises(SharedStartError, match="no start time"):
        StartTime.unpack(unset)


def test_a_pair_has_a_name_of_its_own_and_is_removed_whole() -> None:
    one, two = SharedStart.create(), SharedStart.create()
    try:
        assert one.name != two.name
        name = one.name.lstrip("/")
        assert {name, "sem." + name} <= set(ours(os.getpid()))
        assert SharedStart.open(one.name) == one
        assert one.environ_value == f"{one.name} {one.name}"
    finally:
        one.remove()
        two.remove()
    assert ours(os.getpid()) == []
    one.remove()  # already gone: nothing to do
    with pytest.raises(SharedStartError, match="cannot open"):
        SharedStart.open(one.name)


def test_the_client_environment_names_the_pair_and_counts_the_offset_from_its_start() -> None:
    origin = Origin(wall=1000.0, epoch=5000.0, factor=60)
    start = SharedStart("/binance-harness-ft-1-ab", StartTime(1002 * 10**9, 0, 0, 0))
    base = {"FAKETIME_DISABLE_SHM": "1", "PATH": "/bin"}
    environ = client_environ(base, Path("/lib/libfaketimeMT.so.1"), origin, start)
    assert environ["FAKETIME"] == "+4118.000000 x60"  # at wall 1002, as the start reads
    assert environ["FAKETIME_SHARED"] == "/binance-harness-ft-1-ab /binance-harness-ft-1-ab"
    # libfaketime 0.9.11+ skips FAKETIME_SHARED when FAKETIME_DISABLE_SHM is set.
    assert "FAKETIME_DISABLE_SHM" not in environ
    # The old way drops an inherited pair: it would hold another process's start.
    old = client_environ({"FAKETIME_SHARED": "/a /a"}, Path("/lib/x.so"), origin, 1002.0)
    assert "FAKETIME_SHARED" not in old and old["FAKETIME_DISABLE_SHM"] == "1"


def test_the_sweep_removes_a_dead_harnesss_pairs_whatever_their_age(tmp_path: Path) -> None:
    dead, alive = dead_pid(), os.getpid()
    names = [f"{faketime_start.PREFIX}-{dead}-0a1b", f"sem.{faketime_start.PREFIX}-{dead}-0a1b"]
    kept = [f"{faketime_start.PREFIX}-{alive}-0a1b", f"sem.{faketime_start.PREFIX}-{alive}-0a1b"]
    for name in names + kept:
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (0, 0))  # older than the sweep's start
    assert sorted(sweep_stale_shm(since=time.time(), directory=tmp_path)) == sorted(names)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept)


@needs_faketime
def test_a_process_that_starts_late_reads_the_fakes_clock_from_its_first_instant() -> None:
    """The process starts SLOW_START after the environment was made (as exec takes on a
    loaded machine): with the shared start its clock is the fake's anyway; the old way, its
    own start, puts it behind by SLOW_START x the factor (180 s here). The environment is
    made as it would have been SLOW_START ago (every reading back-dated), so the delay
    needs no waiting."""
    lib = faketime.library()
    assert lib is not None
    began = time.time()
    made = began - SLOW_START
    origin = Origin(wall=made, epoch=1_700_000_000.0, factor=FACTOR)
    now = StartTime.now()
    back = int(SLOW_START * 1e9)
    earlier = StartTime(now.real_ns - back, now.mon_ns - back, now.mon_raw_ns - back, now.boot_ns - back)
    shared = SharedStart.create(earlier)
    try:
        environs = {
            "shared": client_environ(dict(os.environ), lib, origin, shared),
            "own": client_environ(dict(os.environ), lib, origin, made),
        }
        lines = {
            how: subprocess.run(
                [sys.executable, str(PROBE), "--child"], env=env, capture_output=True, text=True, check=True
            ).stdout
            for how, env in environs.items()
        }
    finally:
        shared.remove()
        sweep_stale_shm(began)  # the old way's process made a pair of its own
    (shared_skew, width), (own_skew, _) = skew(lines["shared"], origin), skew(lines["own"], origin)
    assert width < TOLERANCE / 10, f"the probe could not read its clocks together ({width * 1e6:.0f} µs)"
    assert abs(shared_skew) < TOLERANCE * FACTOR, f"{shared_skew:+.3f} s"
    assert own_skew < -SLOW_START * (FACTOR - 1), f"the old way's start was only {own_skew:+.3f} s behind"


def probe_scenario(duration: float, **client_env: str) -> Scenario:
    return Scenario(
        name="clock-probe",
        family="time-factor",
        description="a client that prints its clock beside the kernel's",
        source=("A1 lk-never-kept-alive",),
        duration=duration,
        expect=(Expectation("keeps-listenkey-alive", KeepAlive()),),
        timers=Timers(listen_key_ttl=3600.0, client_ping_timeout=600.0),
        events=EventFlow(rate=0.0),
        client_env=client_env,
        time_factor=FACTOR,
    )


def play_probe(tmp_path: Path, **client_env: str) -> RunResult:
    command = f'"{sys.executable}" "{PROBE}"'
    return asyncio.run(run_scenario(probe_scenario(6000.0, **client_env), command, workdir=tmp_path))


def fakes_clock(result: RunResult) -> Origin:
    """The fake's clock as the journal gives it."""
    assert result.record is not None
    start = next(e for e in result.record.journal if e["kind"] == "run" and e["phase"] == "start")
    return Origin(start["wall0"], start["epoch0_ms"] / 1000, start["time_factor"])


def printed(result: RunResult, word: str) -> str:
    assert result.record is not None
    lines = [e["line"] for e in result.record.journal if e["kind"] == "client_output"]
    return next((line for line in lines if line.startswith(word + " ")), f"no {word!r} line in {lines}")


@needs_faketime
def test_a_client_and_its_child_read_the_fakes_clock_and_leave_nothing(tmp_path: Path) -> None:
    """Under the guard at x600, the client's clock and its child's (started 180 s of Binance
    time later, inheriting the environment) read the fake's, as its journal has it; the old
    way the client was behind by its start-up times 600. Afterwards neither the harness's
    pair nor one of libfaketime's own is left in /dev/shm."""
    result = play_probe(tmp_path, CLOCK_PROBE_CHILD_AFTER="180")
    assert result.record is not None
    (started,) = [e for e in result.record.journal if e["kind"] == "client_start"]
    assert started.get("clock_start") == "shared", started
    fake = fakes_clock(result)
    for word in ("clock", "child"):
        line = printed(result, word)
        behind, width = skew(line, fake)
        assert width < TOLERANCE / 10, line
        assert abs(behind) < TOLERANCE * FACTOR, f"{word}: {behind:+.3f} s of Binance time ({line})"
        assert libfaketimes_own(int(line.split()[1])) == [], "the client made a pair of its own"
    assert ours(os.getpid()) == []


@needs_faketime
def test_a_crashed_client_leaves_nothing(tmp_path: Path) -> None:
    result = play_probe(tmp_path, CLOCK_PROBE_CRASH="1")
    assert result.record is not None
    assert any(e["kind"] == "client_exit" and e["code"] != 0 for e in result.record.journal)
    assert libfaketimes_own(int(printed(result, "clock").split()[1])) == []
    assert ours(os.getpid()) == []


@needs_faketime
def test_without_a_pair_the_client_starts_the_old_way_and_the_journal_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(cls: type[SharedStart], start: StartTime | None = None) -> SharedStart:
        raise SharedStartError(
            "cannot make libfaketime's shared start /x: [Errno 28] No space left on device"
        )

    monkeypatch.setattr(SharedStart, "create", classmethod(refuse))
    result = play_probe(tmp_path)
    assert result.record is not None
    (started,) = [e for e in result.record.journal if e["kind"] == "client_start"]
    assert started.get("clock_start") == "own"
    assert "No space left on device" in started.get("clock_start_why", "")
    behind, _ = skew(printed(result, "clock"), fakes_clock(result))
    assert -60.0 < behind < 0.0, behind  # behind by its start-up, and still accelerated


@needs_faketime
def test_a_guard_given_a_pair_that_is_gone_starts_the_client_the_old_way(tmp_path: Path) -> None:
    lib = faketime.library()
    origin = Origin(time.time(), time.time(), FACTOR)
    guard = [sys.executable, "-m", "harness.guard", "--parent", str(os.getpid()), "--grace", "1"]
    guard += ["--faketime", str(lib), *origin.as_args(), "--shared-start", f"/{faketime_start.PREFIX}-1-0"]
    done = subprocess.run(
        [*guard, "--", sys.executable, str(PROBE), "--child"],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=HERE.parents[1],
        start_new_session=True,  # the guard ends its whole process group
    )
    assert done.returncode == 0, done.stderr
    assert "cannot open libfaketime's shared start" in done.stderr
    assert "the client's clock starts at its own start" in done.stderr
    behind, _ = skew(done.stdout, origin)
    assert -60.0 < behind < 0.0, behind


HARNESS_SCRIPT = """
import asyncio, pathlib, sys
sys.path.insert(0, {root!r})
from tests.harness.test_faketime_start import probe_scenario
from harness.runner import run_scenario
asyncio.run(run_scenario(probe_scenario(36000.0, CLOCK_PROBE_READY={fifo!r}), {cmd!r},
                         workdir=pathlib.Path({workdir!r})))
"""


@needs_faketime
@pytest.mark.parametrize("how", ["SIGINT", "SIGKILL"])
def test_a_harness_interrupted_or_killed_leaves_nothing(tmp_path: Path, how: str) -> None:
    """SIGINT: KeyboardInterrupt ends the run and the harness removes the pair; SIGKILL: no
    finally runs in the harness, and the guard, ended by its parent-death signal, removes it."""
    fifo = tmp_path / "ready.fifo"
    os.mkfifo(fifo)
    root = HERE.parents[1]
    script = HARNESS_SCRIPT.format(
        root=str(root), fifo=str(fifo), cmd=f'"{sys.executable}" "{PROBE}"', workdir=str(tmp_path / "run")
    )
    harness = subprocess.Popen(
        [sys.executable, "-c", script], cwd=root, stdout=subprocess.DEVNULL, preexec_fn=interruptible
    )
    try:
        client = int(read_fifo(fifo, 20.0))
        guard = parent(client)
        assert ours(harness.pid), "the run has no shared start"
        harness.send_signal(signal.SIGINT if how == "SIGINT" else signal.SIGKILL)
        harness.wait(timeout=15)
    finally:
        if harness.poll() is None:
            harness.kill()
            harness.wait()
    assert wait_gone(client, 10.0), "the client outlived the harness"
    assert wait_gone(guard, 10.0), "the guard outlived the harness"
    assert ours(harness.pid) == []
    assert libfaketimes_own(client) == []


def parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_bytes()
    return int(stat[stat.rfind(b")") + 2 :].split()[1])


@needs_faketime
def test_a_guard_killed_mid_run_leaves_nothing(tmp_path: Path) -> None:
    """SIGKILL ends the guard before it can remove the pair: the client it left runs on
    (holding the output pipes) until the run's end, when the harness ends the client's
    group and removes the pair."""
    fifo = tmp_path / "ready.fifo"
    os.mkfifo(fifo)

    async def go() -> tuple[RunResult, int]:
        loop = asyncio.get_running_loop()
        ready = loop.run_in_executor(None, read_fifo, fifo, 20.0)
        command = f'"{sys.executable}" "{PROBE}"'
        run = asyncio.create_task(
            run_scenario(
                probe_scenario(3000.0, CLOCK_PROBE_READY=str(fifo)), command, workdir=tmp_path / "run"
            )
        )
        client = int(await ready)
        assert ours(os.getpid()), "the run has no shared start"
        os.kill(parent(client), signal.SIGKILL)
        return await run, client

    result, client = asyncio.run(go())
    assert any(e["kind"] == "client_exit" and e["code"] == -signal.SIGKILL for e in result.record.journal)
    assert wait_gone(client, 10.0), "the client outlived the run"
    assert ours(os.getpid()) == []
