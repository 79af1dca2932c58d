"""`binance-harness search`: its flags, its progress lines and its exit status."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fake_server.exchange.profiles import PROFILES
from harness.client_driver import ClientError
from harness.defaults import default_client
from harness.flag_types import client_command, duration_of, integer_of, output_dir, range_hint
from harness.python_client import EXAMPLE as IN_PROCESS_REFERENCE
from harness.python_client import load
from harness.search.explore import Outcome, Search
from harness.search.menu import MenuError
from harness.search.schedule import PROPERTIES, Frame

EPILOG = """\
how it works:
  First the client plays the frame with no fault: a check it FAILs there stops the search,
  and the REST routes it calls are the ones route faults (slow_rest, http_error, ...) target.
  Each schedule is then a handful of faults drawn from the faults' own schemas (every
  registered fault that acts on the product, or --faults), each fired a drawn time after
  a drawn trigger, inside the --window; then --quiet seconds with no fault, in which a
  correct client must recover. The schedule is written as an ordinary scenario file,
  played against the client, and judged by the catalog's own checks:
    {}
  A schedule on which one FAILs is shrunk to the smallest that still fails (steps deleted
  one at a time, then each kept step tried with default values, each change replayed),
  then replayed --replays times: a FAILURE only if every replay fails, else FLAKY with its
  reproduction rate. Each shrunk schedule is written to --out as found-<check>-seed<S>.yaml,
  which `binance-harness run` and `pytest` replay.

exit status: 0 nothing found, 1 a failure (or a flaky one) found, or a FAIL with no fault,
  2 bad input.

examples:
  binance-harness search --client "python my_bot.py" --budget 40 --seed 7
  binance-harness search --client python:my_bot:run_for_harness --seed 7    # in-process (docs/in-process.md)
  binance-harness search --client "node bot.js" --time 10m --faults abort_tcp,expire_listen_key
  binance-harness run reports/search/found-uses-current-listenkey-seed7.yaml --client "python my_bot.py"
""".format("\n    ".join(", ".join(PROPERTIES[i : i + 3]) for i in range(0, len(PROPERTIES), 3)))


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "search",
        help="generate fault schedules until one breaks the client, and shrink it to a scenario",
        description="Search fault schedules against a client with Hypothesis: draw schedules, play "
        "each, shrink any that breaks a recovery property to the smallest schedule that still "
        "does, and write it as a scenario file that replays it.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--client",
        type=client_command,
        metavar="CMD",
        help="command that starts the client, or python:MODULE:ATTR for a Python coroutine client "
        "run in-process, with no interpreter per schedule (left out: the bundled reference client, "
        "in-process from a checkout)",
    )
    p.add_argument(
        "--budget",
        type=integer_of(Search, "budget"),
        default=40,
        metavar="N",
        help=f"schedules to try before giving up ({range_hint(Search, 'budget')}; default 40; shrinking runs come on top)",
    )
    p.add_argument(
        "--time",
        type=duration_of(Search, "time_limit"),
        metavar="S",
        dest="time_limit",
        help="stop drawing new schedules after S (e.g. 10m); a failure found is still shrunk",
    )
    p.add_argument(
        "--seed",
        type=integer_of(Search, "seed"),
        default=0,
        help="the search's seed: the same seed draws the same schedules (default 0)",
    )
    p.add_argument(
        "--faults",
        type=_names,
        default=(),
        metavar="A,B",
        help="only these faults (default: every fault that acts on the product)",
    )
    p.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default="usdm",
        help="the Binance product the fake plays (default usdm)",
    )
    p.add_argument(
        "--window",
        type=duration_of(Frame, "window"),
        default=Frame.window,
        metavar="S",
        help=f"seconds in which faults fire ({range_hint(Frame, 'window')}; default 3s)",
    )
    p.add_argument(
        "--quiet",
        type=duration_of(Frame, "quiet"),
        default=Frame.quiet,
        metavar="S",
        help=f"seconds with no fault after it, to recover in ({range_hint(Frame, 'quiet')}; default 6s)",
    )
    p.add_argument(
        "--max-faults",
        type=integer_of(Frame, "max_steps"),
        default=Frame.max_steps,
        metavar="N",
        help="most faults in one schedule (default 4)",
    )
    p.add_argument(
        "--replays",
        type=integer_of(Search, "replays"),
        default=3,
        metavar="N",
        help="replays of a shrunk schedule before it is called a failure (default 3)",
    )
    p.add_argument(
        "--env",
        action="append",
        default=[],
        type=_env_pair,
        metavar="K=V",
        help="extra environment for the client (e.g. its backoff); repeat for several",
    )
    p.add_argument(
        "--out",
        type=output_dir,
        default=Path("reports/search"),
        metavar="DIR",
        help="where the scenarios go (default reports/search)",
    )


def search_client() -> str:
    """The client a search plays when none is given: the bundled reference client in-process
    where its module imports (from a checkout), since a search is many short runs and a
    process per run costs each of them about a second; else its command."""
    try:
        load(IN_PROCESS_REFERENCE)
    except ClientError:
        return default_client()
    return IN_PROCESS_REFERENCE


def _names(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    if not names:
        raise argparse.ArgumentTypeError("name at least one fault, e.g. abort_tcp,expire_listen_key")
    return names


def _env_pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def main(args: argparse.Namespace, client: str) -> int:
    frame = Frame(
        profile=args.profile,
        window=args.window,
        quiet=args.quiet,
        max_steps=args.max_faults,
        client_env=dict(args.env),
    )
    search = Search(
        client=client,
        frame=frame,
        out=args.out,
        seed=args.seed,
        budget=args.budget,
        time_limit=args.time_limit,
        faults=args.faults,
        replays=args.replays,
        progress=lambda line: print(line, flush=True),
    )
    try:
        outcome = search.run()
    except MenuError as exc:
        print(f"binance-harness search: --faults: {exc}", file=sys.stderr)
        return 2
    print(summary(outcome))
    return 1 if outcome.found or outcome.quiet_failures else 0


def summary(outcome: Outcome) -> str:
    lines = [
        f"\n{outcome.tried} schedules tried, {outcome.shrink_runs} shrinking runs, "
        f"{outcome.unjudged} too busy to judge; {outcome.elapsed:.0f} s, "
        f"{outcome.runs} runs in all, {outcome.per_minute:.1f} runs/min"
        + (f"; {outcome.stopped}" if outcome.stopped else "")
    ]
    if outcome.quiet_failures:
        lines.append(
            f"the client FAILs {', '.join(outcome.quiet_failures)} with no fault at all "
            "(runs/no-fault.yaml in --out): fix that first, no schedule is needed to show it"
        )
    elif not outcome.found:
        lines.append("nothing found")
    for found in outcome.found:
        lines.append(found.describe())
        lines.append(f"  first failing schedule after {found.first_after:.0f} s")
    return "\n".join(lines)
