"""Nothing is left running after a run: not when the client hangs, ignores SIGTERM, spawns
children or crashes, and not when the harness itself is interrupted or killed."""

from __future__ import annotations

import asyncio
import os
import select
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fake_server.faults.abort_tcp import AbortTcp
from harness.behaviours import load_all
from harness.client_driver import GRACE, ClientEnv, ClientError, expand, group_alive
from harness.runner import run_scenario
from harness.scenario import Expectation, Scenario, Step
from harness.verdict import Status

HERE = Path(__file__).parent
STUBBORN = HERE / "clients" / "stubborn.py"


def scenario(duration: float = 1.0, **kw: object) -> Scenario:
    params = load_all()["reconnects-after-drop"].params()
    return Scenario(
        name="lifetime",
        family="test",
        description="",
        source=("test",),
        duration=duration,
        expect=(Expectation("reconnects-after-drop", params),),
        **kw,  # type: ignore[arg-type]
    )


def read_fifo(path: Path, timeout: float) -> str:
    """Wait (with a deadline) for the client to write its line on the FIFO."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        data = b""
        while not data.endswith(b"\n"):
            ready, _, _ = select.select([fd], [], [], timeout)
            if not ready:
                raise TimeoutError(f"nothing on {path} within {timeout} s")
            chunk = os.read(fd, 256)
            data += chunk
        return data.decode()
    finally:
        os.close(fd)


def wait_gone(pid: int, timeout: float) -> bool:
    """Whether process `pid` is gone within `timeout` (pidfd: woken by its exit, no polling)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        ready, _, _ = select.select([fd], [], [], timeout)
        return bool(ready)
    finally:
        os.close(fd)


def port_closed(url: str) -> bool:
    host, port = url.rsplit("/", 1)[-1].rsplit(":", 1)
    with socket.socket() as s:
        return s.connect_ex((host.strip("[]"), int(port))) != 0


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pids.fifo"
    os.mkfifo(path)
    return path


def stubborn_run(fifo: Path, tmp_path: Path, duration: float = 1.0, contact: bool = True) -> tuple:
    async def go() -> tuple:
        sc = scenario(
            duration, client_env={"STUBBORN_FIFO": str(fifo), "STUBBORN_CONTACT": "1" if contact else "0"}
        )
        loop = asyncio.get_running_loop()
        pids_future = loop.run_in_executor(None, read_fifo, fifo, 20.0)
        result = await run_scenario(sc, f'"{sys.executable}" "{STUBBORN}"', workdir=tmp_path / "run")
        return result, await pids_future

    return asyncio.run(go())


def test_client_ignoring_sigterm_and_its_children_are_ended(fifo: Path, tmp_path: Path) -> None:
    result, pids = stubborn_run(fifo, tmp_path)
    client_pid, grandchild_pid = map(int, pids.split())
    guard_pid = next(e["pid"] for e in result.record.journal if e["kind"] == "client_start")
    assert not group_alive(guard_pid), "the client's process group outlived the run"
    assert wait_gone(client_pid, 0.1) and wait_gone(grandchild_pid, 0.1)
    # The run is bounded: its duration, then SIGTERM, then SIGKILL after the grace period.
    assert result.wall_time < 1.0 + GRACE + 3.0, result.wall_time
    server = next(e for e in result.record.journal if e["kind"] == "server")
    assert port_closed(server["rest_url"]) and port_closed(server["ws_url"])


def test_missing_client_program_is_an_error_not_a_fail(tmp_path: Path) -> None:
    result = asyncio.run(run_scenario(scenario(), "definitely-not-a-command-xyz", workdir=tmp_path))
    (verdict,) = result.verdicts
    assert verdict.status is Status.ERROR
    assert "definitely-not-a-command-xyz" in verdict.summary


def test_crashing_client_is_recorded_and_judged(tmp_path: Path) -> None:
    crash = tmp_path / "crash.py"
    crash.write_text(
        textwrap.dedent("""
        import os, urllib.request
        urllib.request.urlopen(os.environ["BINANCE_HARNESS_REST_URL"] + "/fapi/v1/ping")
        raise SystemExit(3)
    """)
    )
    result = asyncio.run(run_scenario(scenario(5.0), f'"{sys.executable}" "{crash}"', workdir=tmp_path / "r"))
    exits = [e for e in result.record.journal if e["kind"] == "client_exit"]
    assert exits and exits[0]["code"] == 3
    (verdict,) = result.verdicts
    # It contacted the fake, so this is the client's failure, decided at once: no waiting
    # out the 5 s scenario for a client that is gone.
    assert verdict.status is Status.FAIL
    assert result.wall_time < 4.0


def test_unknown_placeholder_names_the_known_ones() -> None:
    with pytest.raises(ClientError, match=r"\{rest_url\}"):
        expand("bot --url {rest_ur}", ClientEnv({"rest_url": "http://x"}))


def test_placeholders_are_substituted() -> None:
    argv = expand(
        "bot --rest {rest_url} --ws '{ws_url}/private'", ClientEnv({"rest_url": "R", "ws_url": "W"})
    )
    assert argv == ["bot", "--rest", "R", "--ws", "W/private"]


def test_coroutine_client_gets_the_contract(tmp_path: Path) -> None:
    seen: dict[str, str] = {}

    async def client(env: ClientEnv, log: object) -> None:
        seen.update(env.values)
        import httpx

        async with httpx.AsyncClient() as http:
            await http.get(env.values["rest_url"] + "/fapi/v1/ping")

    sc = scenario(1.0, steps=(Step(AbortTcp()),))
    result = asyncio.run(run_scenario(sc, client, workdir=tmp_path))
    assert seen["rest_url"].startswith("http://127.0.0.1:")
    assert any(e["kind"] == "rest" and e["path"] == "/fapi/v1/ping" for e in result.record.journal)


def interruptible() -> None:
    """In the child, before exec: SIGINT back to its default action.

    A shell starts background jobs with SIGINT ignored, and an ignored SIGINT is inherited
    and kept by Python (no KeyboardInterrupt): a test suite run in the background would
    otherwise see a harness that cannot be interrupted.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


HARNESS_SCRIPT = """
import asyncio, sys
sys.path.insert(0, {root!r})
from tests.harness.test_client_lifetime import scenario
from harness.runner import run_scenario
asyncio.run(run_scenario(scenario(60.0, client_env={{"STUBBORN_FIFO": {fifo!r}, "STUBBORN_CONTACT": "1"}}),
                         {cmd!r}, workdir=__import__("pathlib").Path({workdir!r})))
"""


@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT"])
def test_harness_killed_or_interrupted_leaves_nothing(fifo: Path, tmp_path: Path, how: str) -> None:
    root = str(Path(__file__).resolve().parents[2])
    script = HARNESS_SCRIPT.format(
        root=root, fifo=str(fifo), cmd=f'"{sys.executable}" "{STUBBORN}"', workdir=str(tmp_path / "run")
    )
    # SIGKILL: no finally runs in the harness; the guard's parent-death signal ends the group.
    stop_harness([sys.executable, "-c", script], fifo, signal.SIGKILL if how == "SIGKILL" else signal.SIGINT)


def stop_harness(argv: list[str], fifo: Path, how: signal.Signals) -> int:
    """Start a harness, wait until its stubborn client wrote its pids, stop the harness with
    `how`, and check the client and its child are gone; the harness's exit status."""
    harness = subprocess.Popen(
        argv, cwd=Path(__file__).resolve().parents[2], stdout=subprocess.DEVNULL, preexec_fn=interruptible
    )
    try:
        client_pid, grandchild_pid = map(int, read_fifo(fifo, 20.0).split())
        harness.send_signal(how)
        code = harness.wait(timeout=15)
    finally:
        if harness.poll() is None:
            harness.kill()
            harness.wait()
    assert wait_gone(client_pid, GRACE + 5.0), "the client outlived the harness"
    assert wait_gone(grandchild_pid, GRACE + 5.0), "the client's child outlived the harness"
    return code
