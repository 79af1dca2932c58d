"""The runner: plays one scenario against one client and judges it.

Order of a run: start the fake on loopback (ephemeral ports), start the client with the
contract's environment, fire the steps, stop when the scenario's duration has passed (or
earlier, if the client exited on its own), end the client's whole process group, stop the
fake, then run the checks over the record. Every path out of a run goes through the same
`finally`, so nothing is left running, and a hard timeout bounds the whole run.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path

import orjson

from fake_server.clock import Clock
from fake_server.exchange.settings import Settings
from fake_server.fronts import rest_respx
from fake_server.journal import Journal
from fake_server.journal_entries import RunEntry
from fake_server.server import FakeBinance
from harness import acceleration, behaviours, faketime
from harness.client_driver import (
    Client,
    ClientEnv,
    ClientError,
    CoroutineClient,
    CoroutineClientRunner,
    SubprocessClient,
)
from harness.lateness import Lateness, LatenessProbe, of_entries, too_busy
from harness.python_client import is_python_client, load
from harness.record import RunRecord, brief
from harness.refusals import own_exit
from harness.run_folder import temp_run_folder
from harness.scenario import Scenario
from harness.steps import StepScheduler
from harness.verdict import Status, Verdict, binance_time, error

#: Seconds a run may overrun its scenario's duration before the harness gives up on it.
HARD_TIMEOUT_MARGIN = 30.0
#: How long a client may take from its launch to its first contact with the fake (at least;
#: a longer scenario gives it its duration): an SDK's imports take seconds on a busy machine,
#: and with scenarios played side by side a 4 s budget judged a slow starter as a client
#: that never connected. The timeline starts at contact, so the budget shortens nothing.
START_BUDGET = 20.0

#: A client command, `python:MODULE:ATTR` naming a coroutine function, or the function.
ClientSpec = str | CoroutineClient


@dataclass
class RunResult:
    scenario: Scenario
    verdicts: list[Verdict]
    record: RunRecord | None
    workdir: Path
    wall_time: float = 0.0
    problems: list[str] = field(default_factory=list)
    #: How far behind its schedule the run was (harness/lateness.py).
    lateness: Lateness = field(default_factory=Lateness)

    def verdict(self, behaviour: str) -> Verdict:
        return next(v for v in self.verdicts if v.behaviour == behaviour)


def contract(server: FakeBinance, scenario: Scenario, events_file: Path) -> ClientEnv:
    timers = server.timers  # the scenario's, completed from the profile
    creds = server.settings.credentials
    # Only when the fake serves TLS: the CA file the client must trust (and, through
    # ClientEnv, SSL_CERT_FILE, REQUESTS_CA_BUNDLE and NODE_EXTRA_CA_CERTS).
    tls = {} if server.ca_file is None else {"ca_file": str(server.ca_file)}
    return ClientEnv(
        {
            "rest_url": server.rest_url,
            "ws_url": server.ws_url,
            "api_key": creds.api_key,
            "api_secret": creds.api_secret,
            "events_file": str(events_file),
            "profile": scenario.profile,
            "scenario": scenario.name,
            "listen_key_ttl": _num(timers.listen_key_ttl),
            "keepalive_interval": _num(timers.effective_keepalive_interval),
            "ping_interval": _num(server.ping_interval),
            "pong_timeout": _num(server.pong_timeout),
            "client_ping_interval": _num(timers.client_ping_interval),
            "client_ping_timeout": _num(timers.client_ping_timeout),
            **tls,
        }
    )


def _num(x: float) -> str:
    return f"{x:g}"


async def run_scenario(
    scenario: Scenario,
    client: ClientSpec,
    *,
    workdir: Path | None = None,
    contacted: asyncio.Event | None = None,
) -> RunResult:
    """Play `scenario` against `client` and return its verdicts (never raises for the client).

    `contacted` is set once the client's start is over: it reached the fake, exited, or
    never will in this run. A scheduler playing several scenarios at once waits on it so
    that clients do not all start at the same moment.
    """
    contacted = contacted or asyncio.Event()
    workdir = workdir or temp_run_folder(scenario.name)
    workdir.mkdir(parents=True, exist_ok=True)
    loop = asyncio.get_running_loop()
    started = loop.time()
    clock = Clock(factor=scenario.time_factor)
    journal = Journal(clock, workdir / "journal.jsonl")
    events_file = workdir / "events.jsonl"
    events_file.write_bytes(b"")
    problems: list[str] = []
    # Wall seconds: the harness's own limit does not run at the scenario's time factor.
    hard_timeout = 2 * scenario.wall_duration + HARD_TIMEOUT_MARGIN
    try:
        await asyncio.wait_for(
            _play(scenario, client, clock, journal, events_file, workdir, problems, contacted),
            hard_timeout,
        )
    except TimeoutError:
        problems.append(f"the run did not finish within {hard_timeout:.0f} s of wall time (harness timeout)")
    except ClientError as exc:
        problems.append(str(exc))
    finally:
        contacted.set()
        journal.close()
    # Judging a finished run is CPU work (a Binance day's journal holds thousands of entries):
    # done on the loop, it stalled the other runs sharing it by up to 175 ms, which read as
    # lateness in their verdicts. In a thread the loop still gets the interpreter every
    # switch interval (5 ms), so their timers stay on time.
    verdicts, record, lateness = await asyncio.to_thread(
        _conclude, scenario, journal, clock, events_file, workdir, problems
    )
    return RunResult(scenario, verdicts, record, workdir, loop.time() - started, problems, lateness)


def _conclude(
    scenario: Scenario,
    journal: Journal,
    clock: Clock,
    events_file: Path,
    workdir: Path,
    problems: list[str],
) -> tuple[list[Verdict], RunRecord, Lateness]:
    """The finished run's record, its verdicts (also written to verdicts.json) and its
    lateness in wall seconds (the unit the scheduler weighs the machine's load in)."""
    stopping = next(
        (e["t"] for e in journal.entries if e["kind"] == "run" and e.get("phase") == "stopping"), clock.now()
    )
    record = RunRecord(scenario, journal.entries, ended_at=stopping)
    _read_events(events_file, record)
    problems.extend(_setup_problems(record))
    if not problems and (slow := acceleration.problem(record)) is not None:
        problems.append(slow)
    verdicts = judge(record, problems)
    (workdir / "verdicts.json").write_bytes(
        orjson.dumps([v.to_json() for v in verdicts], option=orjson.OPT_INDENT_2)
    )
    return verdicts, record, of_entries(record.journal).in_wall()


async def _play(
    scenario: Scenario,
    spec: ClientSpec,
    clock: Clock,
    journal: Journal,
    events_file: Path,
    workdir: Path,
    problems: list[str],
    contacted: asyncio.Event,
) -> None:
    settings = Settings(
        timers=scenario.timers, events=scenario.events, tls=scenario.tls, profile=scenario.profile
    )
    if isinstance(spec, str) and is_python_client(spec):
        spec = load(spec)
    async with FakeBinance(settings, clock, journal) as server, _rest_way(spec, server):
        env = contract(server, scenario, events_file)
        client: Client
        if isinstance(spec, str):
            client = SubprocessClient(spec, env, scenario.client_env, Path.cwd(), journal, _origin(clock))
        elif clock.factor > 1:
            raise ClientError(
                f"time_factor {clock.factor:g}: an in-process client shares the harness's event loop, "
                "whose clock runs at wall speed, so its timers cannot be run fast; play it as a command "
                "(a subprocess client), which runs under libfaketime"
            )
        else:
            client = CoroutineClientRunner(spec, replace(env, extra=scenario.client_env), journal)
        steps = StepScheduler(scenario.steps, server, journal, clock)
        start = RunEntry(
            kind="run",
            phase="start",
            scenario=scenario.name,
            rest_url=server.rest_url,
            ws_url=server.ws_url,
        )
        if clock.factor > 1:
            start["time_factor"] = scenario.time_factor
            start["epoch0_ms"] = clock.epoch0_ms
            start["wall0"] = clock.wall0
        if scenario.declared_time_factor is not None:
            start["declared_time_factor"] = scenario.declared_time_factor
        journal.append(start)
        probe = LatenessProbe(clock)
        try:
            await client.start()
            probe.start()
            steps.start()
            exited = asyncio.create_task(client.wait())
            first = await _first_contact(journal, exited, max(scenario.wall_duration, START_BUDGET))
            contacted.set()
            _journal_clock(client, journal)
            # The scenario's duration counts from the client's first contact: a client that
            # takes seconds to import its SDK and connect gets the whole run all the same.
            end = (first if first is not None else 0.0) + scenario.duration
            done, _ = await asyncio.wait({exited}, timeout=clock.wall(max(0.0, end - clock.now())))
            if not done:
                exited.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await exited
        finally:
            steps.cancel()
            _journal_clock(client, journal)
            # Everything after this line is the harness ending the run, not the client acting.
            stopping = RunEntry(kind="run", phase="stopping", loop_late=await probe.stop())
            stopping["loop_stalls"] = probe.kept()
            if probe.dropped:
                stopping["loop_stalls_dropped"] = round(probe.dropped, 6)
            journal.append(stopping)
            await client.stop()
            journal.append(RunEntry(kind="run", phase="stop"))


def _origin(clock: Clock) -> faketime.Origin | None:
    """Where a subprocess client's clock must start, at a time factor (None at real time)."""
    if clock.factor <= 1:
        return None
    return faketime.Origin(clock.wall0, clock.epoch0_ms / 1000, clock.factor)


def _journal_clock(client: Client, journal: Journal) -> None:
    """At a time factor, journal what runs the clock of each of the client's processes
    (harness/acceleration.py judges it)."""
    proc = client.proc if isinstance(client, SubprocessClient) and client.origin is not None else None
    if proc is not None and proc.returncode is None:
        journal.append(RunEntry(kind="run", phase="clock", processes=acceleration.processes(proc.pid)))


def _rest_way(spec: ClientSpec, server: FakeBinance) -> AbstractAsyncContextManager[None]:
    """How the client's REST calls reach the fake: a command's over the REST port; an
    in-process client's httpx calls through respx to the same answering code, no socket
    (fake_server/fronts/rest_respx.py). Entered after the fake starts, left before it stops.

    With `tls: true` an in-process client keeps the socket too: what such a scenario tests
    is the TLS on the way (the handshake, the CA the client trusts), which respx would skip.
    """
    if isinstance(spec, str) or server.settings.tls:
        return contextlib.nullcontext()
    return rest_respx.routed(server.rest, server.rest_url)


#: Journal entries that show the client reached the fake: a REST call, a handshake (accepted,
#: refused or never completed).
CONTACT = frozenset({"rest", "ws_open", "ws_reject", "ws_invalid"})


async def _first_contact(journal: Journal, exited: asyncio.Task[object], within: float) -> float | None:
    """When the client first reached the fake (journaled as `run` phase `contact`), waiting at
    most `within` seconds and no longer than the client lives; None when it never did."""
    contact = asyncio.ensure_future(journal.wait_for(lambda e: e["kind"] in CONTACT, within))
    try:
        await asyncio.wait({contact, exited}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not contact.done():
            contact.cancel()
            # Let the cancellation land, so the task is done whichever way we leave.
            with contextlib.suppress(asyncio.CancelledError):
                await contact
    if contact.cancelled() or contact.exception() is not None:
        return None
    first = float(contact.result()["t"])
    journal.append(RunEntry(kind="run", phase="contact", first=contact.result()["kind"], at=first))
    return first


def _setup_problems(record: RunRecord) -> list[str]:
    """A client that died before contacting the fake is a setup problem (ERROR), not a FAIL."""
    contacted = any(True for _ in record.of("rest", "ws_open", "ws_reject"))
    exit_entry = next(record.of("client_exit"), None)
    if contacted or exit_entry is None or exit_entry["code"] == 0:
        return []
    errors = [e["line"] for e in record.of("client_output") if e["stream"] == "stderr"]
    # A stack trace ends with its frames ("    at f (file:line)" in Node): quote the message.
    told = [line for line in errors if not line.strip().startswith(("at ", "File "))]
    last = f": {(told or errors)[-1].strip()}" if errors else ""
    factor = record.scenario.time_factor
    if factor > 1:
        last += (
            f" (at time_factor {factor:g} the client's own timeouts run {factor:g} times fast too: a 1 s "
            f"request timeout lasts {1000 / factor:.1f} ms of wall time; --max-time-factor gives this "
            "client a lower ceiling, docs/time-factor.md)"
        )
    return [f"the client exited with code {exit_entry['code']} before contacting the fake{last}"]


def _read_events(path: Path, record: RunRecord) -> None:
    try:
        lines = path.read_bytes().splitlines()
    except OSError:
        return
    for line in lines:
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            record.bad_event_lines.append(line.decode("utf-8", "replace")[:200])
            continue
        if isinstance(obj, dict):
            # A client may report the wrapped form; the event is its `data`.
            if "data" in obj and isinstance(obj["data"], dict) and "stream" in obj:
                obj = obj["data"]
            record.client_events.append(obj)
        else:
            record.bad_event_lines.append(line.decode("utf-8", "replace")[:200])


def judge(record: RunRecord, problems: Sequence[str]) -> list[Verdict]:
    """Run every expected behaviour's check; a harness problem makes them all ERROR, and so
    does a run too late for a check's deadline (harness/lateness.py)."""
    registry = behaviours.load_all()
    late = of_entries(record.journal)
    with binance_time(record.scenario.time_factor):
        return [
            _judged(registry[e.behaviour], e.params, record, problems, late) for e in record.scenario.expect
        ]


def _judged(
    b: behaviours.Behaviour, params: object, record: RunRecord, problems: Sequence[str], late: Lateness
) -> Verdict:
    """One behaviour's verdict on `record` (ERROR when the run had a problem)."""
    if problems:
        v = error("; ".join(problems))
    else:
        try:
            v = too_busy(b.check(record, params), params, late)
        except Exception as exc:  # a bug in a check is the harness's, not the client's
            v = error(f"check {b.id} crashed: {type(exc).__name__}: {exc}")
    v.behaviour = b.id
    v.scenario = record.scenario.name
    v.hint = b.hint if v.status is Status.FAIL else ""
    gone = own_exit(record) if v.status is Status.FAIL else None
    if gone is not None and "exited" not in v.summary:
        # A client that died explains most of its FAILs: say so where it matters.
        v.summary += f"; {gone.what}"
        v.evidence.append(brief(gone.evidence[0]))
    scenario = record.scenario
    if scenario.time_factor != 1 or scenario.declared_time_factor is not None:
        v.measured.setdefault("time_factor", scenario.time_factor)
    if scenario.declared_time_factor is not None:
        # Played below the scenario's own factor: the client's ceiling chose it.
        v.measured.setdefault("declared_time_factor", scenario.declared_time_factor)
    return v
