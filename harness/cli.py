"""`binance-harness`: run the scenario catalog against a client, serve the fake, list what exists."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from fake_server.clock import Clock
from fake_server.journal import Journal
from fake_server.profiles import PROFILES
from fake_server.server import FakeBinance
from fake_server.settings import EventFlow, Settings, Timers
from harness import baseline, html_report
from harness import behaviours as behaviour_registry
from harness.control_client import URL_VARIABLE as CONTROL_URL_VARIABLE
from harness.defaults import SCENARIOS, default_client
from harness.durations import parse_duration
from harness.report import json_report, run_entry, table, tally
from harness.runner import contract, run_scenario
from harness.scenario import Scenario
from harness.scenario_file import ScenarioError, default_registries, load_scenarios
from harness.steps import StepScheduler
from harness.verdict import Status

EPILOG = """\
examples:
  binance-harness run                                   the whole catalog, reference client
  binance-harness run --client "python my_bot.py"       your bot (any language)
  binance-harness run scenarios/drops --client "node bot.js {ws_url}" --json report.json
  binance-harness run --family heartbeats --tag forum   select by family and tag
  binance-harness run --behaviour reconnects-after-drop only scenarios judging it, only it
  binance-harness run --client "python my_bot.py" --write-baseline baseline.json
  binance-harness run --client "python my_bot.py" --baseline baseline.json
                                                        fail only on a change (docs/baseline.md)
  binance-harness serve --ping-interval 5s              the fake alone, for your own tests
  binance-harness serve --tls --control-port 9000       https/wss, control API on port 9000
  binance-harness serve --scenario scenarios/drops/drop-1006.yaml
  binance-harness list                                  scenarios, behaviours and faults

The client gets the fake's addresses in BINANCE_HARNESS_* variables (also usable as
{rest_url}, {ws_url}, {api_key}, ... in the command): see docs/client-contract.md.
Exit status of `run`: 0 all behaviours passed, 1 a behaviour failed (with --baseline: a
verdict changed, a new failure or a new pass), 2 harness or input error.
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="binance-harness",
        description="A fake Binance that fails on demand, and a harness that tells, behaviour "
        "by behaviour, whether a stream client recovers.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="play scenarios against a client and judge its behaviours",
        description="Play scenario files against a client, print the behaviour "
        "table, and exit 1 if any behaviour failed.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument(
        "paths", nargs="*", type=Path, help="scenario files or folders (default: the bundled catalog)"
    )
    run.add_argument(
        "--client",
        metavar="CMD",
        help="command that starts the client under test (default: the bundled reference client)",
    )
    run.add_argument("--json", type=Path, metavar="PATH", help="also write the JSON report here")
    run.add_argument("--html", type=Path, metavar="PATH", help="also write a self-contained HTML report here")
    run.add_argument(
        "--dir", type=Path, metavar="DIR", help="keep each run's journal, events and verdicts under DIR"
    )
    run.add_argument(
        "-k", dest="select", metavar="TEXT", help="only scenarios whose name, family or a tag contains TEXT"
    )
    run.add_argument(
        "--family",
        action="append",
        default=[],
        metavar="F",
        help="only scenarios of family F (e.g. drops); repeat for several",
    )
    run.add_argument(
        "--behaviour",
        action="append",
        default=[],
        metavar="B",
        help="only scenarios that judge behaviour B, and judge and report only B; repeat for several",
    )
    run.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="T",
        help="only scenarios tagged T (e.g. forum); repeat for several (any of them)",
    )
    run.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="compare verdicts with this baseline; exit 1 only on a change (docs/baseline.md)",
    )
    run.add_argument(
        "--write-baseline",
        type=Path,
        metavar="FILE",
        help="record this run's verdicts as the baseline in FILE",
    )

    serve = sub.add_parser(
        "serve",
        help="run the fake Binance on loopback until Ctrl-C",
        description="Start the fake (REST + WebSocket) on loopback, print its "
        "URLs, the dummy key pair and the control API's URL (docs/control-api.md), and "
        "serve until interrupted.",
    )
    serve.add_argument(
        "--scenario",
        type=Path,
        metavar="FILE",
        help="take timers and events from this scenario and fire its steps",
    )
    serve.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        help="which product's rules to play: usdm (default), coinm, pm, spot",
    )
    serve.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    serve.add_argument("--ping-interval", metavar="DURATION", help="server ping interval (3m)")
    serve.add_argument("--pong-timeout", metavar="DURATION", help="pong deadline (10m)")
    serve.add_argument("--listen-key-ttl", metavar="DURATION", help="listenKey validity (60m)")
    serve.add_argument("--rate", type=float, metavar="N", help="account activity per second (2)")
    serve.add_argument("--journal", type=Path, metavar="PATH", help="write the journal here")
    serve.add_argument(
        "--tls",
        action="store_true",
        help="serve https/wss with a throwaway CA (its file is printed as SSL_CERT_FILE and friends)",
    )
    serve.add_argument(
        "--control-port",
        type=int,
        default=0,
        metavar="PORT",
        help="port of the HTTP control API (default: a free one; see docs/control-api.md)",
    )

    lst = sub.add_parser("list", help="list scenarios, behaviours and faults")
    lst.add_argument("paths", nargs="*", type=Path, help="scenario files or folders")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "serve":
            return _serve(args)
        return _list(args)
    except (ScenarioError, baseline.BaselineError) as exc:
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
        elif path.exists():
            files.append(path)
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
        if args.behaviour:
            expect = tuple(e for e in s.expect if e.behaviour in args.behaviour)
            if not expect:
                continue
            s = dataclasses.replace(s, expect=expect)
        chosen.append(s)
    return chosen


def _run(args: argparse.Namespace) -> int:
    known = set(behaviour_registry.load_all())
    for b in args.behaviour:
        if b not in known:
            print(
                f"binance-harness: unknown behaviour {b!r} (known: {', '.join(sorted(known))})",
                file=sys.stderr,
            )
            return 2
    expected = baseline.read(args.baseline) if args.baseline else None
    scenarios = _select(_load(args.paths), args)
    if not scenarios:
        print("binance-harness: no scenario selected", file=sys.stderr)
        return 2
    client = args.client or default_client()
    root = args.dir or Path(tempfile.mkdtemp(prefix="binance-harness-"))
    print(f"client: {client}\nruns: {root}\n")
    verdicts, runs, results = [], [], []
    started = time.monotonic()
    for i, scenario in enumerate(scenarios, 1):
        print(
            f"[{i}/{len(scenarios)}] {scenario.family}/{scenario.name} ({scenario.duration:g} s) ...",
            end="",
            flush=True,
        )
        result = asyncio.run(run_scenario(scenario, client, workdir=root / scenario.name))
        counts = tally(result.verdicts)
        print(f" {result.wall_time:.1f} s: " + ", ".join(f"{n} {k}" for k, n in counts.items() if n))
        verdicts += result.verdicts
        runs.append(run_entry(result))
        results.append(result)
    print()
    print(table(verdicts, families={r["scenario"]: r["family"] for r in runs}))
    print(f"\n{len(scenarios)} scenarios in {time.monotonic() - started:.1f} s")
    report = json_report(runs, client=client)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
        print(f"JSON report: {args.json}")
    if args.html:
        html_report.write(args.html, report, {r.scenario.name: html_report.trace_of(r) for r in results})
        print(f"HTML report: {args.html}")
    if args.write_baseline:
        baseline.write(args.write_baseline, verdicts, client=client)
        print(f"baseline written: {args.write_baseline} ({len(verdicts)} verdicts)")
    changed = False
    if expected is not None:
        changes = baseline.compare(expected, verdicts)
        changed = any(c.is_change for c in changes)
        print(f"\nbaseline {args.baseline}:\n{baseline.summary(changes)}")
    if any(v.status is Status.ERROR for v in verdicts):
        return 2  # a harness or setup problem: never excused by a baseline
    if expected is not None:
        return 1 if changed else 0
    return 1 if any(v.status is Status.FAIL for v in verdicts) else 0


def _serve(args: argparse.Namespace) -> int:
    scenario = _load([args.scenario])[0] if args.scenario else None
    timers = scenario.timers if scenario else Timers()
    overrides = {
        name: parse_duration(value)
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
    )
    try:
        asyncio.run(_serve_forever(settings, scenario, args.journal))
    except OSError as exc:  # e.g. --control-port already taken: a setup error, not a crash
        print(f"binance-harness: cannot serve: {exc}", file=sys.stderr)
        return 2
    return 0


async def _serve_forever(settings: Settings, scenario: Scenario | None, journal_path: Path | None) -> None:
    clock = Clock()
    journal = Journal(clock, journal_path)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with FakeBinance(settings, clock, journal) as server:
        steps = None
        if scenario is not None:
            steps = StepScheduler(scenario.steps, server, journal, clock)
            steps.start()
        env = contract(server, scenario or _serve_scenario(settings), Path("events.jsonl"))
        print("fake Binance (USD-M futures) serving on loopback; Ctrl-C stops it")
        for name, value in env.as_environ().items():
            if not name.endswith("EVENTS_FILE"):
                print(f"export {name}={value}")
        # Not part of the client contract: the test suite's own channel to the fake.
        print(f"export {CONTROL_URL_VARIABLE}={server.control_url}")
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


def _serve_scenario(settings: Settings) -> Scenario:
    return Scenario(
        name="serve",
        family="serve",
        description="",
        source=(),
        duration=1.0,
        expect=(),
        timers=settings.timers,
        events=settings.events,
        profile=settings.profile,
    )


def _list(args: argparse.Namespace) -> int:
    scenarios = _load(args.paths)
    registry = behaviour_registry.load_all()
    faults, _ = default_registries()
    print(f"scenarios ({len(scenarios)}):")
    for s in scenarios:
        print(f"  {s.family}/{s.name}  [{s.duration:g} s]  " + ", ".join(e.behaviour for e in s.expect))
        print(f"      source: {s.source[0]}" + (f" (+{len(s.source) - 1})" if len(s.source) > 1 else ""))
    print(f"\nbehaviours ({len(registry)}):")
    for b in sorted(registry.values(), key=lambda b: b.id):
        print(f"  {b.id}\n      {b.asserts}")
    print(f"\nfaults ({len(faults)}):")
    for name, cls in sorted(faults.items()):
        doc = (cls.__doc__ or "").strip().splitlines()[0]
        print(f"  {name:<18} [{cls.layer}] {doc}")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        raise SystemExit(main())
