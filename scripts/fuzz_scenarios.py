"""Load N mutated catalog scenario files and count what should never happen (issue 11).

Each file is a catalog scenario with one to three mutations (tests/harness/scenario_mutations.py:
hostile values, names such as `../../escape`, alias bombs, deep nesting, broken lines, bad
bytes). The loader must answer each with a ScenarioError that names a line in the file and
a field, or load it. Counted:

- tracebacks: any other exception (printed to stderr), and files that took longer than
  --stall seconds (the loader was interrupted);
- errors that do not point into the file (no such line, no field);
- files written outside the run folder: for each scenario that loads, its run folder (as
  the CLI and the pytest plugin make it) must be one level under the root, and its temp run
  folder one level under the temp directory; and after the run nothing may have appeared in
  the sandbox outside the mutated files and the runs root, nor at the absolute paths the
  mutations name. `--run K` also plays the first K scenarios that load, cut to 2 s, against
  the reference client, so the runner really writes its files.

Prints the counts and the wall time; exits 1 if any count that should be 0 is not.

    .venv/bin/python scripts/fuzz_scenarios.py -n 5000 --seed 11 [--run 5]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import os
import random
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.defaults import default_client  # noqa: E402
from harness.run_folder import run_folder, temp_run_folder  # noqa: E402
from harness.runner import run_scenario  # noqa: E402
from harness.scenario import Scenario  # noqa: E402
from harness.scenario_file import ScenarioError, default_registries, load_scenario  # noqa: E402
from tests.harness.scenario_mutations import catalog_files, located, mutate  # noqa: E402

#: Absolute places the mutations aim names at; none may exist after the run unless it did before.
TARGETS = (Path("/tmp/escape"), Path("/escape"), Path(tempfile.gettempdir()) / "escape")


class Stalled(Exception):
    pass


def _stalled(signum: int, frame: FrameType | None) -> None:
    raise Stalled


def files_under(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=5000, help="mutated files to load (default 5000)")
    parser.add_argument("--seed", type=int, default=11, help="seed of the mutations (default 11)")
    parser.add_argument(
        "--stall", type=float, default=5.0, help="seconds after which a load counts as stalled"
    )
    parser.add_argument(
        "--run", type=int, default=0, metavar="K", help="also play K loaded scenarios (2 s each)"
    )
    args = parser.parse_args(argv)

    faults, behaviours = default_registries()
    sources = catalog_files()
    rng = random.Random(args.seed)
    counts: collections.Counter[str] = collections.Counter()
    targets_before = {t for t in TARGETS if t.exists() or t.is_symlink()}
    slowest = (0.0, "")
    loaded: list[Scenario] = []
    signal.signal(signal.SIGALRM, _stalled)

    with tempfile.TemporaryDirectory(prefix="fuzz-scenarios-") as tmp:
        sandbox = Path(tmp)
        inputs, runs = sandbox / "in", sandbox / "runs"
        inputs.mkdir()
        runs.mkdir()
        old_cwd = Path.cwd()
        os.chdir(sandbox)  # a relative path written by mistake lands in the sandbox, where it is seen
        started = time.perf_counter()
        try:
            for i in range(args.count):
                source = rng.choice(sources)
                data = mutate(source.read_bytes(), rng)
                path = inputs / f"{i:05d}-{source.stem}.yaml"
                path.write_bytes(data)
                t0 = time.perf_counter()
                signal.setitimer(signal.ITIMER_REAL, args.stall)
                try:
                    scenario = load_scenario(path, faults=faults, behaviours=behaviours)
                except ScenarioError as exc:
                    counts["ScenarioError"] += 1
                    if not located(exc.line, exc.field, exc.message, data):
                        counts["errors not located"] += 1
                        print(f"not located: {exc!r}", file=sys.stderr)
                    continue
                except Stalled:
                    counts["tracebacks"] += 1
                    counts["stalled"] += 1
                    print(f"stalled over {args.stall} s: {path} (from {source})", file=sys.stderr)
                    continue
                except Exception:
                    counts["tracebacks"] += 1
                    print(f"traceback loading {path} (from {source}):", file=sys.stderr)
                    traceback.print_exc()
                    continue
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    took = time.perf_counter() - t0
                    slowest = max(slowest, (took, path.name))
                counts["loaded"] += 1
                loaded.append(scenario)
                folder = run_folder(runs, scenario.name)
                temp = temp_run_folder(scenario.name)
                temp.rmdir()
                if folder.parent != runs or temp.parent != Path(tempfile.gettempdir()):
                    counts["files written outside the run folder"] += 1
                    print(f"run folder outside its root: {folder} / {temp}", file=sys.stderr)
            load_time = time.perf_counter() - started
            client = default_client()
            for scenario in loaded[: args.run]:
                short = dataclasses.replace(scenario, duration=min(scenario.duration, 2.0))
                result = asyncio.run(run_scenario(short, client, workdir=run_folder(runs, scenario.name)))
                counts["played"] += 1
                for v in result.verdicts:
                    if v.status.value == "ERROR":  # shown, so that a harness fault is seen
                        counts["played with ERROR"] += 1
                        print(f"ERROR {scenario.name} {v.behaviour}: {v.summary}", file=sys.stderr)
        finally:
            os.chdir(old_cwd)
        total_time = time.perf_counter() - started
        allowed = {inputs, runs}
        stray = [p for p in files_under(sandbox) if not any(p == a or a in p.parents for a in allowed)]
        stray += [t for t in TARGETS if (t.exists() or t.is_symlink()) and t not in targets_before]
        for p in stray:
            print(f"written outside the run folder: {p}", file=sys.stderr)
        counts["files written outside the run folder"] += len(stray)

    print(f"mutated files: {args.count} (seed {args.seed}, from {len(sources)} catalog files)")
    for key in ("loaded", "ScenarioError", "errors not located", "tracebacks", "stalled"):
        print(f"  {key}: {counts[key]}")
    print(f"  files written outside the run folder: {counts['files written outside the run folder']}")
    if args.run:
        print(f"  played: {counts['played']} (verdicts ERROR: {counts['played with ERROR']})")
    print(
        f"wall time: {load_time:.1f} s loading ({load_time / max(args.count, 1) * 1000:.2f} ms a file, "
        f"slowest {slowest[0] * 1000:.0f} ms: {slowest[1]}), {total_time:.1f} s in all"
    )
    bad = counts["tracebacks"] + counts["errors not located"] + counts["files written outside the run folder"]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
