"""`binance-harness`: play the catalog against clients (run, diagnose, matrix), serve the fake, list what exists."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from fake_server.clock import Clock
from fake_server.exchange.profiles import PROFILES
from fake_server.exchange.settings import EventFlow, RestLimits, Settings, Timers
from fake_server.faults import LAYERS
from fake_server.fronts.control_client import URL_VARIABLE as CONTROL_URL_VARIABLE
from fake_server.fronts.control_guard import TOKEN_VARIABLE, new_token, token_error
from fake_server.journal import Journal
from fake_server.journal_window import SERVE_WINDOW
from fake_server.schema import default_words, first_line, params_of, range_words, type_words
from fake_server.server import FakeBinance
from harness import baseline, bundled, html_report, init_project, schedule
from harness import behaviours as behaviour_registry
from harness.client_driver import ClientError
from harness.defaults import SCENARIOS, default_client
from harness.diagnose import diagnosis
from harness.flag_types import (
    ceiling_of,
    client_command,
    duration_of,
    input_file,
    integer_of,
    number_of,
    output_dir,
    output_file,
    range_hint,
)
from harness.matrix import client_ceilings, client_names, html_page, markdown, save
from harness.python_client import check_client
from harness.report import json_report, run_entry, table
from harness.runner import RunResult, contract
from harness.scenario import Scenario, unscripted
from harness.scenario_file import ScenarioError, default_registries, load_scenarios
from harness.search import command as search_command
from harness.steps import StepScheduler
from harness.verdict import Status, Verdict
from harness.version import version

EPILOG = """\
examples:
  binance-harness run                                   the whole catalog, reference client
  binance-harness run --client "python my_bot.py"       your bot (any language)
  binance-harness run scenarios/drops --client "node bot.js {ws_url}" --json report.json
  binance-harness run --client python:clients.reference_client:in_process
                                                        a Python coroutine, in-process (docs/in-process.md)
  binance-harness run --family heartbeats --tag forum   select by family and tag
  binance-harness run --client "python my_bot.py" --max-time-factor 600
                                                        its clock compressed at most x600 (docs/time-factor.md)
  binance-harness run --behaviour reconnects-after-drop only scenarios judging it, only it
  binance-harness run --client "python my_bot.py" --write-baseline baseline.json
  binance-harness run --client "python my_bot.py" --baseline baseline.json
                                                        fail only on a change (docs/baseline.md)
  binance-harness run --html report.html                a report to read in a browser
  binance-harness diagnose --client "python my_bot.py"  what is wrong with it, in plain words
  binance-harness matrix --client a="CMD" --client b="CMD2" --profile usdm
                                                        several clients side by side
  binance-harness serve --ping-interval 5s              the fake alone, for your own tests
  binance-harness serve --tls --control-port 9000       https/wss, control API on port 9000
  binance-harness serve --scenario scenarios/drops/drop-1006.yaml
  binance-harness list                                  scenarios, behaviours and faults
  binance-harness init --family drops --client "python my_bot.py"
                                                        copy scenarios and a pytest.ini into a project

The client gets the fake's addresses in BINANCE_HARNESS_* variables (also usable as
{rest_url}, {ws_url}, {api_key}, ... in the command): see docs/client-contract.md.
Exit status of `run` and `diagnose`: 0 all behaviours passed, 1 a behaviour failed (with
--baseline: a verdict changed, a new failure or a new pass), 2 harness or input error;
`matrix`: 0 unless a harness or input error (2).
"""


#: What `--max-time-factor` is for, in run's, diagnose's and matrix's help.
CEILING_HELP = (
    "the client's ceiling on a scenario's time_factor: a scenario declaring a larger one plays "
    "at N instead, its figures still in Binance time, and the progress line and the reports say "
    "so (x600 (the client's ceiling; the scenario's own is x1000)). For a client whose own "
    "timeouts, which run as fast as its clock, are too short at the scenario's factor: "
    "python-binance's 10 s timeouts last 10 ms of wall time at x1000, too little for its start on "
    "a busy machine, and it exits; at x100 it passes (docs/time-factor.md). Left out: every "
    "scenario plays at its own factor"
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="binance-harness",
        description="A fake Binance that fails on demand, and a harness that tells, behaviour "
        f"by behaviour, whether a stream client recovers. The docs/ pages named below are in "
        f"{bundled.doc('')}",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="play scenarios against a client and judge its behaviours",
        description="Play scenario files against a client, print the behaviour "
        "table, and exit 1 if any behaviour failed.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_selection(run)
    _add_outputs(run)
    run.add_argument(
        "--baseline",
        type=input_file,
        metavar="FILE",
        help="compare verdicts with this baseline; exit 1 only on a change (docs/baseline.md)",
    )
    run.add_argument(
        "--write-baseline",
        type=output_file,
        metavar="FILE",
        help="record this run's verdicts as the baseline in FILE",
    )

    search_command.add_parser(sub)

    diagnose = sub.add_parser(
        "diagnose",
        help="play the catalog and say, in plain words, what is wrong with a client",
        description="Play the catalog (or a selection) against a client, then print a short "
        "diagnosis: each lack found, the most widespread first, with the measured failure that "
        "shows it, what to change, and the public reports of other clients that had it. Exit "
        "status as for run.",
        epilog="examples:\n"
        '  binance-harness diagnose --client "python my_bot.py"\n'
        '  binance-harness diagnose --client "node bot.js" --profile usdm --html report.html\n'
        "  binance-harness diagnose --from-json report.json     diagnose a saved run again",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_selection(diagnose)
    diagnose.add_argument(
        "--from-json",
        type=input_file,
        metavar="PATH",
        help="diagnose the verdicts of a saved JSON report instead of playing the catalog",
    )
    _add_outputs(diagnose)

    matrix = sub.add_parser(
        "matrix",
        help="play the catalog against several clients and write the conformance matrix",
        description="Play the catalog (or a selection) against each client in turn and write "
        "the conformance matrix, behaviours down and clients across, as matrix.md and "
        "matrix.html in --out (and matrix.json, the data docs/conformance.md is rendered from), "
        "with each client's JSON and HTML reports beside them.",
        epilog="example:\n"
        "  binance-harness matrix --profile usdm --out reports/matrix \\\n"
        '      --client reference="python clients/reference_client.py" \\\n'
        '      --client node-binance="node adapters/node-binance/adapter.mjs"\n'
        "  (python3 tasks.py matrix installs the bundled adapters and runs them all)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_selection(matrix, client=False)
    matrix.add_argument(
        "--client",
        dest="clients",
        action="append",
        default=[],
        required=True,
        metavar="NAME=CMD",
        help="a client under test and its column name; repeat for each client. CMD may be "
        "python:MODULE:ATTR, a coroutine run in-process, as for `run --client`",
    )
    matrix.add_argument(
        "--max-time-factor",
        type=ceiling_of(Scenario, "time_factor"),
        action="append",
        default=[],
        metavar="[NAME=]N",
        help=f"{CEILING_HELP}; NAME=N for client NAME, N alone for every client not named; repeat "
        "for several (python3 tasks.py matrix gives each adapter its own, adapters/commands.py)",
    )
    matrix.add_argument(
        "--out",
        type=output_dir,
        default=Path("reports/matrix"),
        metavar="DIR",
        help="where to write (default: %(default)s)",
    )
    matrix.add_argument("--title", default="Conformance matrix", help="the pages' title")

    serve = sub.add_parser(
        "serve",
        help="run the fake Binance on loopback until Ctrl-C",
        description="Start the fake (REST + WebSocket) on loopback, print its "
        "URLs, the dummy key pair and the control API's URL (docs/control-api.md), and "
        "serve until interrupted.",
    )
    serve.add_argument(
        "--scenario",
        type=input_file,
        metavar="FILE",
        help="take timers and events from this scenario and fire its steps",
    )
    serve.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        help="which product's rules to play: usdm (default), coinm, pm, spot",
    )
    serve.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    for flag, name, what in (
        (
            "--ping-interval",
            "ping_interval",
            "time between server pings (default: 3m on futures, 20s on spot)",
        ),
        ("--pong-timeout", "pong_timeout", "how long a ping's pong may take (default: 10m futures, 1m spot)"),
        (
            "--listen-key-ttl",
            "listen_key_ttl",
            "how long a listenKey lives without a keepalive (default: 60m)",
        ),
    ):
        serve.add_argument(
            flag,
            type=duration_of(Timers, name),
            metavar="DURATION",
            help=f"{what}; a duration {range_hint(Timers, name)} such as 250ms, 5s, 3m",
        )
    serve.add_argument(
        "--rate",
        type=number_of(EventFlow, "rate"),
        metavar="N",
        help=f"ticks of account activity per second, a number {range_hint(EventFlow, 'rate')}; "
        "0: a quiet account (default: 2)",
    )
    serve.add_argument(
        "--weight-limit",
        type=integer_of(RestLimits, "weight_per_minute"),
        metavar="N",
        help=f"request weight per minute per IP before 429, an integer {range_hint(RestLimits, 'weight_per_minute')} "
        "(default: 2400, USD-M's); a test setting, for a suite that plays more than a minute's weight",
    )
    serve.add_argument("--journal", type=output_file, metavar="PATH", help="write the journal here")
    serve.add_argument(
        "--tls",
        action="store_true",
        help="serve https/wss with a throwaway CA (its file is printed as SSL_CERT_FILE and friends)",
    )
    serve.add_argument(
        "--control-port",
        type=integer_of(Settings, "control_port"),
        default=0,
        metavar="PORT",
        help=f"port of the HTTP control API, {range_hint(Settings, 'control_port')}; 0 or left out: "
        "a free one (docs/control-api.md)",
    )
    serve.add_argument(
        "--token",
        nargs="?",
        const="",
        type=_control_token,
        metavar="TOKEN",
        help="require this token on the control API (none given: a random one); exported as "
        f"{TOKEN_VARIABLE}",
    )

    lst = sub.add_parser("list", help="list scenarios, behaviours and faults")
    lst.add_argument("paths", nargs="*", type=Path, help="scenario files or folders")

    init_project.add_arguments(
        sub.add_parser(
            "init",
            help="copy the catalog (or some families) and a starter pytest.ini into a project",
            description=init_project.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    )
    return p


def _add_outputs(p: argparse.ArgumentParser) -> None:
    """Where run and diagnose write: the reports, and the runs' own files."""
    p.add_argument("--json", type=output_file, metavar="PATH", help="also write the JSON report here")
    p.add_argument(
        "--html", type=output_file, metavar="PATH", help="also write a self-contained HTML report here"
    )
    p.add_argument(
        "--dir",
        type=output_dir,
        metavar="DIR",
        help="keep each run's journal, events and verdicts under DIR (created if missing)",
    )
    p.add_argument(
        "--keep",
        action="store_true",
        help="without --dir: keep the temporary folder of the runs' files instead of removing it",
    )


def _add_selection(p: argparse.ArgumentParser, *, client: bool = True) -> None:
    """The options that choose scenarios, shared by run, diagnose and matrix."""
    p.add_argument(
        "paths", nargs="*", type=Path, help="scenario files or folders (default: the bundled catalog)"
    )
    if client:
        p.add_argument(
            "--client",
            type=client_command,
            metavar="CMD",
            help="command that starts the client under test; refused when empty or its program is "
            "not found (left out: the bundled reference client). Or python:MODULE:ATTR: a coroutine "
            "function `async def client(env, printer)` imported from MODULE (the current folder "
            "first), run in the harness's own event loop, its httpx REST calls answered without a "
            "socket, e.g. python:clients.reference_client:in_process (docs/in-process.md)",
        )
        p.add_argument(
            "--max-time-factor",
            type=integer_of(Scenario, "time_factor"),
            metavar="N",
            help=f"{CEILING_HELP}; an integer {range_hint(Scenario, 'time_factor')}",
        )
    p.add_argument(
        "-k", dest="select", metavar="TEXT", help="only scenarios whose name, family or a tag contains TEXT"
    )
    p.add_argument(
        "--family",
        action="append",
        default=[],
        metavar="F",
        help="only scenarios of family F (e.g. drops); repeat for several",
    )
    p.add_argument(
        "--behaviour",
        action="append",
        default=[],
        metavar="B",
        help="only scenarios that judge behaviour B, and judge and report only B; repeat for several",
    )
    p.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="T",
        help="only scenarios tagged T (e.g. forum); repeat for several (any of them)",
    )
    p.add_argument(
        "--profile",
        action="append",
        default=[],
        choices=sorted(PROFILES),
        help="only scenarios of this product (e.g. usdm for a futures-only client); repeat for several",
    )
    schedule.add_jobs_option(p)


class OutputError(Exception):
    """A file the user asked for could not be written: their input or their disk, status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()  # here, not at exit, where a closed pipe could not be answered
        return code
    except BrokenPipeError:
        # Whoever read our output stopped (`binance-harness list | head -1`): nothing is wrong
        # with the command, and nothing more can be said to that reader.
        _detach_stdout()
        return 141  # as if killed by SIGPIPE, as `ls | head -1` is; 1 means a behaviour failed


def _detach_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not raise again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "diagnose":
            return _diagnose(args)
        if args.command == "matrix":
            return _matrix(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "init":
            return init_project.main(args)
        if args.command == "search":
            return search_command.main(
                args, search_command.search_client() if args.client is None else args.client
            )
        return _list(args)
    except (ScenarioError, baseline.BaselineError, OutputError, ClientError) as exc:
        print(f"binance-harness: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        raise
    except OSError as exc:  # a folder or file the user named that the system refuses
        print(f"binance-harness: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


def _scenario_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths or [SCENARIOS]:
        if path.is_dir():
            files += sorted([*path.rglob("*.yaml"), *path.rglob("*.yml")])
        elif path.is_file():
            files.append(path)
        elif path.exists():  # /dev/zero would be read without end
            raise ScenarioError(path, 1, "<file>", "not a regular file or a folder")
        else:
            raise ScenarioError(path, 1, "<file>", "no such file or folder")
    return files


def _load(paths: Sequence[Path]) -> list[Scenario]:
    faults, behaviours = default_registries()
    return load_scenarios(_scenario_files(paths), faults=faults, behaviours=behaviours)


def _select(scenarios: Sequence[Scenario], args: argparse.Namespace) -> list[Scenario]:
    """The scenarios the selection options keep (all options must hold), each judging only
    the behaviours named by --behaviour when it is given."""
    chosen: list[Scenario] = []
    for s in scenarios:
        if args.select and not any(args.select in text for text in (s.name, s.family, *s.tags)):
            continue
        if args.family and s.family not in args.family:
            continue
        if args.tag and not set(args.tag) & set(s.tags):
            continue
        if args.profile and s.profile not in args.profile:
            continue
        if args.behaviour:
            expect = tuple(e for e in s.expect if e.behaviour in args.behaviour)
            if not expect:
                continue
            s = dataclasses.replace(s, expect=expect)
        chosen.append(s)
    return chosen


@dataclasses.dataclass
class Played:
    """What playing a selection against one client gave: the material of every report."""

    client: str
    verdicts: list[Verdict]
    runs: list[dict[str, Any]]
    results: list[RunResult]

    @classmethod
    def of(cls, client: str, results: Sequence[RunResult]) -> Played:
        return cls(
            client, [v for r in results for v in r.verdicts], [run_entry(r) for r in results], list(results)
        )

    @property
    def report(self) -> dict[str, Any]:
        return json_report(self.runs, client=self.client)

    def write(self, json_path: Path | None, html_path: Path | None) -> None:
        report = self.report
        if json_path:
            with _writing(json_path):
                json_path.parent.mkdir(parents=True, exist_ok=True)
                json_path.write_text(json.dumps(report, indent=2))
            print(f"JSON report: {json_path}")
        if html_path:
            traces = {r.scenario.name: html_report.trace_of(r) for r in self.results}
            with _writing(html_path):
                html_report.write(html_path, report, traces)
            print(f"HTML report: {html_path}")


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Name the file in what a failed write says (`/dev/full`: no space left on device)."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def _runs_folder(args: argparse.Namespace) -> Iterator[Path]:
    """Where the runs' files go: --dir, kept; otherwise a temporary folder, removed at the end
    unless --keep (hundreds of them piled up in /tmp otherwise)."""
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        yield args.dir
        return
    root = Path(tempfile.mkdtemp(prefix="binance-harness-"))
    try:
        yield root
    finally:
        if args.keep:
            print(f"runs' files kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
            print(f"runs' files removed from {root} (--keep or --dir DIR keeps them)")


def _play(
    scenarios: Sequence[Scenario], client: str, root: Path, *, jobs: int | None, ceiling: int | None
) -> Played:
    """Play the scenarios against one client, printing a progress line per scenario."""
    return _play_clients(scenarios, [Player(client, root, "", ceiling)], jobs=jobs)[0]


@dataclasses.dataclass(frozen=True)
class Player:
    """One client of a play: its command, where its runs' files go, how its progress lines
    start, and the most its clock may be compressed (None: each scenario's own factor)."""

    client: str
    root: Path
    label: str
    ceiling: int | None


def _play_clients(
    scenarios: Sequence[Scenario], players: Sequence[Player], *, jobs: int | None
) -> list[Played]:
    """Play the scenarios against each player, up to `jobs` runs at once across all of them
    (harness/schedule.py), progress in catalog order."""
    for p in players:
        ceiling = (
            "" if p.ceiling is None else f"\n{p.label}time factor: at most x{p.ceiling} (--max-time-factor)"
        )
        print(f"{p.label}client: {p.client}\n{p.label}runs: {p.root}{ceiling}")
    print()
    work = [
        job
        for p in players
        for job in schedule.jobs_for(scenarios, p.client, p.root, label=p.label, ceiling=p.ceiling)
    ]
    results, summary = asyncio.run(schedule.play(work, limit=jobs))
    print(f"\n{len(work)} scenarios in {summary.words()}")
    n = len(scenarios)
    return [Played.of(p.client, results[i * n : (i + 1) * n]) for i, p in enumerate(players)]


def _chosen(args: argparse.Namespace) -> list[Scenario] | None:
    """The selected scenarios, or None after printing why the selection is an input error."""
    known = set(behaviour_registry.load_all())
    for b in args.behaviour:
        if b not in known:
            print(
                f"binance-harness: unknown behaviour {b!r} (known: {', '.join(sorted(known))})",
                file=sys.stderr,
            )
            return None
    scenarios = _select(_load(args.paths), args)
    if not scenarios:
        print("binance-harness: no scenario selected", file=sys.stderr)
        return None
    return scenarios


def _exit_status(verdicts: Sequence[Verdict]) -> int:
    if any(v.status is Status.ERROR for v in verdicts):
        return 2  # a harness or setup problem: never excused by a baseline
    return 1 if any(v.status is Status.FAIL for v in verdicts) else 0


def _run(args: argparse.Namespace) -> int:
    expected = baseline.read(args.baseline) if args.baseline else None
    scenarios = _chosen(args)
    if scenarios is None:
        return 2
    client = default_client() if args.client is None else args.client
    with _runs_folder(args) as root:
        played = _play(scenarios, client, root, jobs=args.jobs, ceiling=args.max_time_factor)
        print()
        print(table(played.verdicts, families={r["scenario"]: r["family"] for r in played.runs}))
        played.write(args.json, args.html)
    if args.write_baseline:
        with _writing(args.write_baseline):
            baseline.write(args.write_baseline, played.verdicts, client=client)
        print(f"baseline written: {args.write_baseline} ({len(played.verdicts)} verdicts)")
    code = _exit_status(played.verdicts)
    if expected is not None:
        changes = baseline.compare(expected, played.verdicts)
        print(f"\nbaseline {args.baseline}:\n{baseline.summary(changes)}")
        if code != 2:  # with a baseline, only a change fails; an ERROR is never excused
            code = 1 if any(c.is_change for c in changes) else 0
    return code


def _diagnose(args: argparse.Namespace) -> int:
    registry = behaviour_registry.load_all()
    if args.from_json:
        try:
            report = json.loads(args.from_json.read_text(encoding="utf-8"))
            verdicts = [Verdict.from_json(v) for run in report["runs"] for v in run["verdicts"]]
            client = str(report["client"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"binance-harness: {args.from_json}: not a JSON report ({exc})", file=sys.stderr)
            return 2
    else:
        scenarios = _chosen(args)
        if scenarios is None:
            return 2
        client = default_client() if args.client is None else args.client
        with _runs_folder(args) as root:
            played = _play(scenarios, client, root, jobs=args.jobs, ceiling=args.max_time_factor)
            played.write(args.json, args.html)
        verdicts = played.verdicts
    print()
    print(diagnosis(verdicts, registry, client=client))
    return _exit_status(verdicts)


def _matrix(args: argparse.Namespace) -> int:
    try:
        clients = client_names(args.clients)
        for name, command in clients.items():
            try:
                check_client(command)
            except ClientError as exc:
                raise ValueError(f"--client {name}: {exc}") from None
        ceilings = client_ceilings(args.max_time_factor, list(clients))
    except ValueError as exc:
        print(f"binance-harness: {exc}", file=sys.stderr)
        return 2
    scenarios = _chosen(args)
    if scenarios is None:
        return 2
    out: Path = args.out
    reports, links, verdicts = {}, {}, []
    plays = _play_clients(
        scenarios,
        [
            Player(command, out / name / "runs", f"[{name} {n}/{len(clients)}] ", ceilings[name])
            for n, (name, command) in enumerate(clients.items(), 1)
        ],
        jobs=args.jobs,
    )
    print()
    for name, played in zip(clients, plays, strict=True):
        played.write(out / name / "report.json", out / name / "report.html")
        reports[name], links[name] = played.report, f"{name}/report.html"
        verdicts += played.verdicts
    out.mkdir(parents=True, exist_ok=True)
    save(
        out / "matrix.json",
        reports,
        title=args.title,
        date=time.strftime("%Y-%m-%d", time.gmtime()),
        scenarios=[f"{s.family}/{s.name}" for s in scenarios],
    )
    (out / "matrix.md").write_text(markdown(reports, links=links), encoding="utf-8")
    (out / "matrix.html").write_text(html_page(reports, title=args.title, links=links), encoding="utf-8")
    print(markdown(reports))
    print(f"matrix: {out / 'matrix.md'} and {out / 'matrix.html'}")
    # A FAIL is a finding about a client, not a failure of the matrix; ERRORs are ours.
    return 2 if any(v.status is Status.ERROR for v in verdicts) else 0


def _serve(args: argparse.Namespace) -> int:
    scenario = _load([args.scenario])[0] if args.scenario else None
    if scenario is not None and scenario.time_factor != 1:
        print(
            f"binance-harness: {scenario.name} runs Binance time at time_factor {scenario.time_factor}, "
            "and `serve` does not start the client, so it cannot run the client's clock that fast "
            "(docs/time-factor.md): play it with `binance-harness run --client CMD`",
            file=sys.stderr,
        )
        return 2
    timers = scenario.timers if scenario else Timers()
    overrides = {
        name: value
        for name, value in (
            ("ping_interval", args.ping_interval),
            ("pong_timeout", args.pong_timeout),
            ("listen_key_ttl", args.listen_key_ttl),
        )
        if value is not None
    }
    timers = Timers(**{**timers.__dict__, **overrides})
    events = scenario.events if scenario else EventFlow()
    if args.rate is not None:
        events = dataclasses.replace(events, rate=args.rate)
    settings = Settings(
        timers=timers,
        events=events,
        profile=args.profile or (scenario.profile if scenario else "usdm"),
        host=args.host,
        tls=args.tls,
        control_api=True,
        control_port=args.control_port,
        control_token=None if args.token is None else args.token or new_token(),
    )
    if args.weight_limit is not None:
        settings = dataclasses.replace(
            settings,
            rest_limits=dataclasses.replace(settings.rest_limits, weight_per_minute=args.weight_limit),
        )
    try:
        asyncio.run(_serve_forever(settings, scenario, args.journal))
    except OSError as exc:  # e.g. --control-port already taken: a setup error, not a crash
        print(f"binance-harness: cannot serve: {exc}", file=sys.stderr)
        return 2
    return 0


async def _serve_forever(settings: Settings, scenario: Scenario | None, journal_path: Path | None) -> None:
    clock = Clock()
    journal = Journal(clock, journal_path, window=SERVE_WINDOW)  # bounded: docs/control-api.md
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with FakeBinance(settings, clock, journal) as server:
        steps = None
        if scenario is not None:
            steps = StepScheduler(scenario.steps, server, journal, clock)
            steps.start()
        env = contract(server, scenario or unscripted(settings), Path("events.jsonl"))
        print("fake Binance (USD-M futures) serving on loopback; Ctrl-C stops it")
        for name, value in env.as_environ().items():
            if not name.endswith("EVENTS_FILE"):
                print(f"export {name}={value}")
        # Not part of the client contract: the test suite's own channel to the fake.
        if settings.control_token is not None:
            print(f"export {TOKEN_VARIABLE}={settings.control_token}")
        print(f"export {CONTROL_URL_VARIABLE}={server.control_url}")  # last: tests/serve.py waits for it
        sys.stdout.flush()
        journal.subscribe(
            lambda e: (
                print(json.dumps(e)[:200], flush=True)
                if e["kind"] not in ("event", "ws_frame", "market")
                else None
            )
        )
        await stop.wait()
        if steps is not None:
            steps.cancel()
    journal.close()
    print("stopped")


def _control_token(text: str) -> str:
    """`serve --token`'s value: "" (no value given) or a token the guard accepts."""
    if text and (error := token_error(text)):
        raise argparse.ArgumentTypeError(error)
    return text


def _list(args: argparse.Namespace) -> int:
    scenarios = _load(args.paths)
    registry = behaviour_registry.load_all()
    faults, _ = default_registries()
    print(f"scenarios ({len(scenarios)}):")
    for s in scenarios:
        print(f"  {s.family}/{s.name}  [{s.length()}]  " + ", ".join(e.behaviour for e in s.expect))
        print(f"      source: {s.source[0]}" + (f" (+{len(s.source) - 1})" if len(s.source) > 1 else ""))
    print(f"\nbehaviours ({len(registry)}):")
    for b in sorted(registry.values(), key=lambda b: b.id):
        print(f"  {b.id}\n      {b.asserts}")
    print(f"\nfaults ({len(faults)}), by layer, outermost first:")
    for layer, title in LAYERS:
        members = sorted((n, c) for n, c in faults.items() if c.layer == layer)
        print(f"\n {title}")
        for name, cls in members:
            print(f"  {name:<22} {first_line(cls.__doc__)}")
            if cls.mirrors:
                print(f"      mirrors: {cls.mirrors}")
            _list_params(cls)
    return 0


def _list_params(cls: type) -> None:
    for p in params_of(cls).values():
        limits = range_words(p.spec)
        kind = f"{type_words(p.type)}{f', {limits}' if limits else ''}; default {default_words(p)}"
        print(f"      {p.name} ({kind}): {p.doc}")


if __name__ == "__main__":
    raise SystemExit(main())
