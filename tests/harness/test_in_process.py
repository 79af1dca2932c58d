"""In-process clients (docs/in-process.md): a coroutine run in the harness's own loop gets the
contract and the scenario's client_env, prints on either stream, exits with its status, and
the reference client (and so every broken client built on it) runs this way and leaves
nothing running behind it."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import httpx
import pytest

from clients.broken.no_reconnect import NoReconnectClient
from clients.reference_client import ReferenceClient, in_process
from harness.cli import main
from harness.client_driver import ClientEnv, ClientError
from harness.defaults import ROOT
from harness.python_client import load
from harness.runner import run_scenario
from tests.harness.test_client_lifetime import scenario


def test_a_coroutine_prints_on_both_streams_reads_client_env_and_exits_with_its_status(
    tmp_path: Path,
) -> None:
    async def client(env: ClientEnv, printer: object) -> int:
        assert callable(printer)
        async with httpx.AsyncClient() as http:
            await http.get(env.values["rest_url"] + "/fapi/v1/ping")
        printer("to stdout")
        printer("to stderr", "stderr")
        printer(env.as_environ()["MY_SETTING"])
        return 3

    sc = scenario(2.0, client_env={"MY_SETTING": "from the scenario"})
    result = asyncio.run(run_scenario(sc, client, workdir=tmp_path))
    assert result.record is not None
    journal = result.record.journal
    assert [(e["stream"], e["line"]) for e in journal if e["kind"] == "client_output"] == [
        ("stdout", "to stdout"),
        ("stderr", "to stderr"),
        ("stdout", "from the scenario"),
    ]
    assert [e["code"] for e in journal if e["kind"] == "client_exit"] == [3]
    assert [e["path"] for e in journal if e["kind"] == "rest"] == ["/fapi/v1/ping"]


#: Tasks a client spawned, kept here so the test can look at them once the run is over.
spawned: list[asyncio.Task[None]] = []


class Spawner(ReferenceClient):
    """The reference client with one more task beside its loops, one that never ends."""

    async def start_up(self) -> None:
        async def forever() -> None:
            await asyncio.Event().wait()

        spawned.append(self.spawn(forever()))


def test_the_end_of_a_run_cancels_what_the_client_spawned(tmp_path: Path) -> None:
    async def play() -> tuple[bool, list[asyncio.Task[object]]]:
        await run_scenario(scenario(1.0), Spawner.in_process, workdir=tmp_path)
        mine = [
            t
            for t in asyncio.all_tasks()
            if t is not asyncio.current_task() and "reference_client" in repr(t.get_coro())
        ]
        return spawned[-1].cancelled(), mine

    cancelled, left_running = asyncio.run(play())
    assert cancelled and left_running == []


async def test_a_contract_without_the_addresses_is_a_bad_environment() -> None:
    lines: list[tuple[str, str]] = []

    def printer(line: str, stream: str = "stdout", /) -> None:
        lines.append((stream, line))

    assert await ReferenceClient.in_process(ClientEnv({}), printer) == 2
    assert [s for s, _ in lines] == ["stderr"] and "bad environment" in lines[0][1]


def test_python_clients_are_named_module_and_attribute() -> None:
    assert load("python:clients.reference_client:in_process") is in_process
    assert (
        load("python:clients.broken.no_reconnect:NoReconnectClient.in_process")
        == NoReconnectClient.in_process
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("python:clients.reference_client", "expected python:MODULE:ATTR"),
        ("python::in_process", "expected python:MODULE:ATTR"),
        ("python:no_such_module_here:main", "cannot import module 'no_such_module_here'"),
        ("python:clients.reference_client:nothing", "has no attribute 'nothing'"),
        ("python:clients.reference_client:Config", "Config is not a coroutine function"),
        ("python:clients.reference_client:ReferenceClient.log", "is not a coroutine function"),
    ],
)
def test_a_bad_python_client_is_refused_saying_why(text: str, says: str) -> None:
    with pytest.raises(ClientError, match=says.replace("(", r"\(")):
        load(text)


def test_a_module_that_fails_on_import_is_refused_with_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "exploding_bot.py").write_text("raise RuntimeError('no config file')\n")
    monkeypatch.chdir(tmp_path)  # the current folder is looked in first, as `python -m` does
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    with pytest.raises(ClientError, match="importing 'exploding_bot' failed: RuntimeError: no config file"):
        load("python:exploding_bot:main")


def test_the_cli_refuses_a_bad_python_client_before_playing(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["run", "--client", "python:clients.reference_client:nothing"])
    assert exited.value.code == 2
    assert "has no attribute 'nothing'" in capsys.readouterr().err


def test_the_cli_help_explains_python_clients(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "python:MODULE:ATTR" in out and "docs/in-process.md" in out


def test_the_cli_runs_a_python_client_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.json"
    client = "python:clients.broken.no_reconnect:NoReconnectClient.in_process"
    code = main(
        [
            "run",
            str(ROOT / "scenarios/drops/drop-1006.yaml"),
            "--client",
            client,
            "--json",
            str(report),
            "--dir",
            str(tmp_path / "runs"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1, out  # this broken client does not reconnect
    data = json.loads(report.read_text())
    assert data["client"] == client
    statuses = {v["behaviour"]: v["status"] for v in data["runs"][0]["verdicts"]}
    assert statuses["reconnects-after-drop"] == "FAIL"
    starts = [
        json.loads(line)
        for line in (tmp_path / "runs").glob("*/journal.jsonl").__next__().read_text().splitlines()
        if '"client_start"' in line
    ]
    assert starts[0]["argv"] == [client] and "pid" not in starts[0]  # named as --client names it
