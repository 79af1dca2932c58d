"""The pytest plugin: `pytest scenarios/` plays each scenario file and judges its behaviours.

One pytest item per (scenario, behaviour), so JUnit and `-k` name each behaviour; the
scenario itself runs once, when its first item runs, and its later items read the same
result. Under pytest-xdist, items of one scenario are kept on one worker (harness/xdist_scheduling.py),
and verdicts travel back to the controller in `user_properties` so the summary table is
printed once, complete.

Options (also settable in an ini file, e.g. `[tool.pytest.ini_options]`):
    --client "CMD"          the client under test (ini: binance_harness_client); required,
                            except in a checkout of this repository, where it defaults to the
                            bundled reference client
    --harness-max-time-factor N  the client's ceiling on a scenario's time_factor: a
                            scenario declaring more plays at N (ini:
                            binance_harness_max_time_factor; docs/time-factor.md)
    --harness-dir DIR       where each run's journal, events and verdicts are kept
    --harness-json PATH     also write the JSON report there
    --harness-html PATH     also write the HTML report there (docs/html-report.md)
    --harness-baseline FILE compare with a baseline: an unchanged FAIL is an xfail, a new
                            failure fails, a new pass fails ("now passes: update the baseline")
    --harness-write-baseline FILE  record the verdicts of this session as a baseline

Collection: only scenario files under the `binance_harness_scenarios` paths (default
`scenarios`); other YAML is left alone (harness/scenario_paths.py).

Selection: each item carries markers named after its scenario's family, its behaviour and
the scenario's tags (the catalog's and every behaviour's registered at configure time, so
`pytest --markers` lists them and `--strict-markers -m heartbeats` works; others at
collection), and `-k` matches the scenario's name, family, behaviour and tags.

Reporting: JUnit cases are named `scenario[behaviour]` under the family (harness/junit_names.py),
and the scenario's run time is shared among its items (the first item plays the scenario,
the others read its result), so per-item durations add up to the scenario's time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import tempfile
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness import baseline, bundled, html_report
from harness import behaviours as behaviour_registry
from harness.defaults import default_client
from harness.fixtures import MARKER as FAKE_MARKER
from harness.fixtures import binance_fake  # noqa: F401  (a fixture this plugin provides)
from harness.flag_types import integer_of
from harness.junit_names import JunitNames
from harness.lateness import played_again_if_too_busy
from harness.report import json_report, run_entry, table
from harness.run_folder import run_folder
from harness.runner import RunResult, run_scenario
from harness.scenario import Scenario
from harness.scenario_file import ScenarioError, default_registries, load_scenario
from harness.scenario_paths import DEFAULT_PATHS, is_scenario_file
from harness.search.fixture import binance_search  # noqa: F401  (a fixture this plugin provides)
from harness.verdict import Status, Verdict

_RESULTS = pytest.StashKey[dict[str, RunResult]]()
#: The files named on the command line: collected as scenarios wherever they lie.
_NAMED = pytest.StashKey[set[Path]]()
_VERDICTS = pytest.StashKey[list[Verdict]]()
_RUNS = pytest.StashKey[dict[str, dict[str, Any]]]()
_MARKERS = pytest.StashKey[set[str]]()
_BASELINE = pytest.StashKey[baseline.Baseline | None]()
_ROOTS = pytest.StashKey[list[Path]]()
#: Items per scenario in this session, to share the scenario's run time among them.
_ITEMS_OF = pytest.StashKey[dict[str, int]]()
#: Seconds each scenario took to play, measured by the item that played it.
_PLAYED = pytest.StashKey[dict[str, float]]()
#: The client's ceiling on a scenario's time factor (None: each scenario's own).
_CEILING = pytest.StashKey[int | None]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("binance-harness", "Binance stream client conformance")
    group.addoption(
        "--client",
        dest="harness_client",
        default=None,
        metavar="CMD",
        help="command that starts the client under test; placeholders like "
        "{rest_url} are filled in, or python:MODULE:ATTR for a coroutine run in-process "
        "(docs/in-process.md) (ini: binance_harness_client)",
    )
    group.addoption(
        "--harness-max-time-factor",
        dest="harness_max_time_factor",
        default=None,
        metavar="N",
        help="the client's ceiling on a scenario's time_factor: a scenario declaring a larger one "
        "plays at N, its figures still in Binance time, for a client whose own timeouts (which run "
        "as fast as its clock) are too short at the scenario's factor (docs/time-factor.md) "
        "(ini: binance_harness_max_time_factor)",
    )
    group.addoption(
        "--harness-dir",
        dest="harness_dir",
        default=None,
        metavar="DIR",
        help="keep each run's journal, events and verdicts under DIR",
    )
    group.addoption(
        "--harness-json",
        dest="harness_json",
        default=None,
        metavar="PATH",
        help="write the JSON report of all verdicts to PATH",
    )
    group.addoption(
        "--harness-html",
        dest="harness_html",
        default=None,
        metavar="PATH",
        help="write a self-contained HTML report (timelines, evidence, client output) to PATH",
    )
    group.addoption(
        "--harness-baseline",
        dest="harness_baseline",
        default=None,
        metavar="FILE",
        help="expected verdicts (docs/baseline.md): fail only on a new failure or a new pass",
    )
    group.addoption(
        "--harness-write-baseline",
        dest="harness_write_baseline",
        default=None,
        metavar="FILE",
        help="record the verdicts of this session as a baseline in FILE",
    )
    parser.addini("binance_harness_client", "default for --client")
    parser.addini("binance_harness_max_time_factor", "default for --harness-max-time-factor")
    parser.addini("binance_harness_dir", "default for --harness-dir")
    parser.addini(
        "binance_harness_scenarios",
        "folders whose scenario files are collected, relative to the rootdir (default: scenarios)",
        type="args",
        default=list(DEFAULT_PATHS),
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_RESULTS] = {}
    config.stash[_VERDICTS] = []
    config.stash[_RUNS] = {}
    config.stash[_MARKERS] = set()
    config.stash[_ITEMS_OF] = {}
    config.stash[_PLAYED] = {}
    config.stash[_ROOTS] = [config.rootpath / p for p in config.getini("binance_harness_scenarios")]
    config.stash[_NAMED] = {(config.invocation_params.dir / a.split("::")[0]).resolve() for a in config.args}
    config.addinivalue_line("markers", "scenario(name, family): a harness scenario item")
    config.addinivalue_line("markers", FAKE_MARKER)
    _register_known_markers(config)
    if config.getoption("xmlpath", None):
        config.pluginmanager.register(JunitNames(config), "binance-harness-junit")
    # Declared here too, so that a suite marking tests with it runs without pytest-xdist
    # (-p no:xdist, --strict-markers) with no warning. Scenario items need no such mark: the
    # scheduler of harness/xdist_scheduling.py keeps each scenario on one worker.
    config.addinivalue_line("markers", "xdist_group(name): pytest-xdist group of tests")
    if config.pluginmanager.hasplugin("xdist"):
        from harness.xdist_scheduling import XdistScheduling

        config.pluginmanager.register(XdistScheduling(), "binance-harness-xdist")
    config.stash[_CEILING] = _ceiling(config)
    path = config.getoption("harness_baseline")
    try:
        config.stash[_BASELINE] = baseline.read(Path(path)) if path else None
    except baseline.BaselineError as exc:
        raise pytest.UsageError(str(exc)) from None


#: Marker names never derived from a scenario: pytest's own and this plugin's.
_RESERVED_MARKERS = frozenset(
    {"skip", "skipif", "xfail", "parametrize", "usefixtures", "filterwarnings", "tryfirst", "trylast"}
    | {"scenario", "xdist_group", "asyncio", "timeout", "flaky", "binance_fake"}
)
_MARKER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _register_known_markers(config: pytest.Config) -> None:
    """Every behaviour, and the families and tags of the bundled catalog, as markers now, so
    `pytest --markers` lists them and `--strict-markers` accepts them before collection."""
    names: list[tuple[str, str]] = [(b, "behaviour") for b in sorted(behaviour_registry.load_all())]
    for path in sorted(bundled.scenarios().glob("*/*.yaml")):
        names.append((path.parent.name, "scenario family"))
        try:
            tags = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("tags") or []
        except (OSError, yaml.YAMLError, AttributeError):
            continue
        names += [(str(tag), "scenario tag") for tag in tags]
    registered = config.stash[_MARKERS]
    for name, what in names:
        if name not in registered and name not in _RESERVED_MARKERS and _MARKER_NAME.match(name):
            config.addinivalue_line("markers", f"{name}: binance-harness {what}")
            registered.add(name)


def _selection_marks(config: pytest.Config, scenario: Scenario, behaviour: str) -> list[str]:
    """Markers for an item: family, behaviour, tags; each registered once (no unknown-mark warning)."""
    registered = config.stash[_MARKERS]
    names: list[str] = []
    for name, what in [
        (scenario.family, "scenario family"),
        (behaviour, "behaviour"),
        *((tag, "scenario tag") for tag in scenario.tags),
    ]:
        if name in names or name in _RESERVED_MARKERS or not _MARKER_NAME.match(name):
            continue
        if name not in registered:
            config.addinivalue_line("markers", f"{name}: binance-harness {what}")
            registered.add(name)
        names.append(name)
    return names


def _client(config: pytest.Config) -> str | None:
    """The client under test; in a checkout of this repository the reference client by default.

    An installed user gets no default: silently playing the bundled reference client in
    their project would report a pass that says nothing about their bot.
    """
    given = config.getoption("harness_client") or config.getini("binance_harness_client")
    if given:
        return str(given)
    return default_client() if bundled.is_checkout() else None


def _ceiling(config: pytest.Config) -> int | None:
    """--harness-max-time-factor (or its ini key), checked as `binance-harness run` checks it."""
    given = config.getoption("harness_max_time_factor") or config.getini("binance_harness_max_time_factor")
    if not given:
        return None
    try:
        return integer_of(Scenario, "time_factor")(str(given))
    except argparse.ArgumentTypeError as exc:
        raise pytest.UsageError(f"--harness-max-time-factor: {exc}") from None


NO_CLIENT = (
    'binance-harness: no client to test: pass --client "CMD" (e.g. --client "python bot.py") '
    "or set binance_harness_client in the pytest configuration"
)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    roots: list[Path] = parent.config.stash[_ROOTS]
    named: set[Path] = parent.config.stash[_NAMED]
    if is_scenario_file(file_path, roots, named):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    """Before any item runs: a missing client is a usage error, and each scenario's item count
    is known (after -k/-m deselection) for sharing its run time."""
    items = [i for i in session.items if isinstance(i, BehaviourItem)]
    if items and _client(session.config) is None:
        raise pytest.UsageError(NO_CLIENT)
    counts = session.config.stash[_ITEMS_OF]
    for item in items:
        counts[item.scenario.name] = counts.get(item.scenario.name, 0) + 1


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    if isinstance(item, BehaviourItem) and call.when == "call":
        report.duration = item.shared_duration(report.duration)
    return report


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        faults, behaviours = default_registries()
        try:
            scenario = load_scenario(self.path, faults=faults, behaviours=behaviours)
        except ScenarioError as exc:
            raise self.CollectError(str(exc)) from None
        scenario = scenario.at_most(self.config.stash[_CEILING])
        for expectation in scenario.expect:
            item = BehaviourItem.from_parent(self, name=expectation.behaviour, scenario=scenario)
            item.add_marker(pytest.mark.scenario(scenario.name, scenario.family))
            for name in _selection_marks(self.config, scenario, expectation.behaviour):
                item.add_marker(getattr(pytest.mark, name))
            # -k also matches these, even when one is not a usable marker name.
            item.extra_keyword_matches.update(
                {scenario.name, scenario.family, expectation.behaviour, *scenario.tags}
            )
            yield item

    class CollectError(Exception):
        pass

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFile.CollectError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))


class BehaviourFailed(Exception):
    def __init__(self, verdict: Verdict, note: str = "") -> None:
        super().__init__(verdict.summary)
        self.verdict = verdict
        self.note = note


class BehaviourItem(pytest.Item):
    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        #: Seconds this item spent playing the scenario (only the first item of it plays).
        self.played = 0.0

    def shared_duration(self, measured: float) -> float:
        """This item's call time with the scenario's run time spread evenly over its items:
        the item that played it gives the run back, every item takes its share."""
        whole = self.config.stash[_PLAYED].get(self.scenario.name, 0.0)
        n = self.config.stash[_ITEMS_OF].get(self.scenario.name, 1)
        return max(0.0, measured - self.played + whole / n)

    def runtest(self) -> None:
        result = self._result()
        verdict = result.verdict(self.name)
        self.user_properties.append(("harness_verdict", json.dumps(verdict.to_json())))
        self.user_properties.append(("harness_run", json.dumps(self.config.stash[_RUNS][self.scenario.name])))
        expected = self.config.stash[_BASELINE]
        if expected is not None:
            self._judge_against(expected, verdict)
        if verdict.status is Status.NOT_APPLICABLE:
            pytest.skip(f"NOT-APPLICABLE: {verdict.summary}")
        if not verdict.ok:
            raise BehaviourFailed(verdict)

    def _judge_against(self, expected: baseline.Baseline, verdict: Verdict) -> None:
        """With a baseline: excuse an unchanged failure (xfail), fail a new pass (strict)."""
        was = expected.get((verdict.scenario, verdict.behaviour))
        outcome = baseline.classify(was, verdict.status)
        if outcome is baseline.Outcome.NEW_PASS:
            raise BehaviourFailed(verdict, f"now passes: update the baseline (it expects {was})")
        if outcome is baseline.Outcome.NEW_FAILURE:
            raise BehaviourFailed(verdict, f"new failure: the baseline expects {was}")
        if outcome is baseline.Outcome.UNCHANGED and verdict.status is Status.FAIL:
            pytest.xfail(f"baseline expects FAIL: {verdict.summary}")

    def _result(self) -> RunResult:
        results = self.config.stash[_RESULTS]
        key = self.scenario.name
        if key not in results:
            base = self.config.getoption("harness_dir") or self.config.getini("binance_harness_dir")
            root = Path(base) if base else Path(tempfile.mkdtemp(prefix="binance-harness-"))
            workdir = run_folder(root, key)
            client = _client(self.config)
            assert client is not None  # pytest_collection_finish refused the session otherwise
            started = time.perf_counter()
            # Another worker's runs can make a deadline unjudgeable: then it is played again once.
            results[key] = asyncio.run(
                played_again_if_too_busy(
                    lambda: run_scenario(self.scenario, client, workdir=workdir), workdir
                )
            )
            self.played = time.perf_counter() - started
            self.config.stash[_PLAYED][key] = self.played
            # The run's fields of the JSON report; verdicts are added per item on the controller.
            self.config.stash[_RUNS][key] = run_entry(results[key], verdicts=[])
        return results[key]

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, BehaviourFailed):
            explained = _explain(excinfo.value.verdict, self.scenario)
            return f"{excinfo.value.note}\n{explained}" if excinfo.value.note else explained
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.scenario.name}::{self.name}"


def _explain(v: Verdict, scenario: Scenario) -> str:
    lines = [f"{v.status.value}: {v.behaviour} in scenario {scenario.name}", f"  {v.summary}"]
    if v.hint:
        lines.append(f"  hint: {v.hint}")
    if v.evidence:
        lines.append("  evidence (journal):")
        lines += [f"    {json.dumps(e)[:200]}" for e in v.evidence[:6]]
    if factor := scenario.factor_words():
        lines.append(f"  time factor: {factor} (docs/time-factor.md)")
    if scenario.source:
        lines.append("  reproduces: " + "; ".join(scenario.source))
    lines.append(f"  about this check: {bundled.doc('behaviours.md')} ({v.behaviour})")
    return "\n".join(lines)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # Runs on the controller under xdist too: verdicts come back in user_properties.
    if report.when != "call" and not (report.when == "setup" and report.skipped):
        return
    for name, value in report.user_properties:
        if name == "harness_verdict":
            _CURRENT.append(Verdict.from_json(json.loads(str(value))))
        elif name == "harness_run":
            run = json.loads(str(value))
            _CURRENT_RUNS.setdefault(run["scenario"], run)


_CURRENT: list[Verdict] = []
_CURRENT_RUNS: dict[str, dict[str, Any]] = {}


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not _CURRENT:
        return
    families = {name: str(run.get("family", "other")) for name, run in _CURRENT_RUNS.items()}
    verdicts = sorted(_CURRENT, key=lambda v: (families.get(v.scenario, ""), v.scenario, v.behaviour))
    client = _client(config) or "(none)"
    terminalreporter.section("binance-harness behaviours")
    terminalreporter.write_line(f"client: {client}")
    terminalreporter.write_line(table(verdicts, families=families))
    expected = config.stash[_BASELINE]
    if expected is not None:
        changes = baseline.compare(expected, verdicts)
        terminalreporter.write_line(f"\nbaseline {config.getoption('harness_baseline')}:")
        terminalreporter.write_line(baseline.summary(changes))
    path, html_path = config.getoption("harness_json"), config.getoption("harness_html")
    if path or html_path:
        runs: dict[str, dict[str, Any]] = {}
        for v in verdicts:
            run = runs.setdefault(
                v.scenario, {**_CURRENT_RUNS.get(v.scenario, {"scenario": v.scenario}), "verdicts": []}
            )
            run["verdicts"].append(v.to_json())
        report = json_report(list(runs.values()), client=client)
        if path:
            Path(path).write_text(json.dumps(report, indent=2))
            terminalreporter.write_line(f"JSON report: {path}")
        if html_path:
            # On the controller under xdist there are no RunResults: each run's journal is
            # read back from the workdir its run entry names.
            html_report.write(Path(html_path), report)
            terminalreporter.write_line(f"HTML report: {html_path}")
    out = config.getoption("harness_write_baseline")
    if out:
        baseline.write(Path(out), verdicts, client=client)
        terminalreporter.write_line(f"baseline written: {out} ({len(verdicts)} verdicts)")
    _CURRENT.clear()
    _CURRENT_RUNS.clear()
