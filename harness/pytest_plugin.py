"""The pytest plugin: `pytest scenarios/` plays each scenario file and judges its behaviours.

One pytest item per (scenario, behaviour), so JUnit and `-k` name each behaviour; the
scenario itself runs once, when its first item runs, and its later items read the same
result. Under pytest-xdist, items of one scenario are kept on one worker (`xdist_group`),
and verdicts travel back to the controller in `user_properties` so the summary table is
printed once, complete.

Options (also settable in an ini file, e.g. `[tool.pytest.ini_options]`):
    --client "CMD"          the client under test (default: the bundled reference client)
    --harness-dir DIR       where each run's journal, events and verdicts are kept
    --harness-json PATH     also write the JSON report there
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.defaults import default_client
from harness.report import json_report, table
from harness.runner import RunResult, run_scenario
from harness.scenario import Scenario
from harness.scenario_file import ScenarioError, default_registries, load_scenario
from harness.verdict import Status, Verdict

_RESULTS = pytest.StashKey[dict[str, RunResult]]()
_VERDICTS = pytest.StashKey[list[Verdict]]()
_RUNS = pytest.StashKey[dict[str, dict[str, Any]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("binance-harness", "Binance stream client conformance")
    group.addoption(
        "--client",
        dest="harness_client",
        default=None,
        metavar="CMD",
        help="command that starts the client under test; placeholders like "
        "{rest_url} are filled in (default: the bundled reference client)",
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
    parser.addini("binance_harness_client", "default for --client")
    parser.addini("binance_harness_dir", "default for --harness-dir")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_RESULTS] = {}
    config.stash[_VERDICTS] = []
    config.stash[_RUNS] = {}
    config.addinivalue_line("markers", "scenario(name, family): a harness scenario item")


def _client(config: pytest.Config) -> str:
    return str(
        config.getoption("harness_client") or config.getini("binance_harness_client") or default_client()
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix in (".yaml", ".yml") and "scenarios" in file_path.parts:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        faults, behaviours = default_registries()
        try:
            scenario = load_scenario(self.path, faults=faults, behaviours=behaviours)
        except ScenarioError as exc:
            raise self.CollectError(str(exc)) from None
        for expectation in scenario.expect:
            item = BehaviourItem.from_parent(self, name=expectation.behaviour, scenario=scenario)
            item.add_marker(pytest.mark.xdist_group(scenario.name))
            item.add_marker(pytest.mark.scenario(scenario.name, scenario.family))
            yield item

    class CollectError(Exception):
        pass

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFile.CollectError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))


class BehaviourFailed(Exception):
    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.summary)
        self.verdict = verdict


class BehaviourItem(pytest.Item):
    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        result = self._result()
        verdict = result.verdict(self.name)
        self.user_properties.append(("harness_verdict", json.dumps(verdict.to_json())))
        if verdict.status is Status.NOT_APPLICABLE:
            pytest.skip(f"NOT-APPLICABLE: {verdict.summary}")
        if not verdict.ok:
            raise BehaviourFailed(verdict)

    def _result(self) -> RunResult:
        results = self.config.stash[_RESULTS]
        key = self.scenario.name
        if key not in results:
            base = self.config.getoption("harness_dir") or self.config.getini("binance_harness_dir")
            root = Path(base) if base else Path(tempfile.mkdtemp(prefix="binance-harness-"))
            workdir = root / _safe(key)
            results[key] = asyncio.run(run_scenario(self.scenario, _client(self.config), workdir=workdir))
            r = results[key]
            self.config.stash[_RUNS][key] = {
                "scenario": key,
                "family": self.scenario.family,
                "wall_time": round(r.wall_time, 3),
                "workdir": str(r.workdir),
                "verdicts": [v.to_json() for v in r.verdicts],
            }
        return results[key]

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, BehaviourFailed):
            return _explain(excinfo.value.verdict, self.scenario)
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
    if scenario.source:
        lines.append("  reproduces: " + "; ".join(scenario.source))
    return "\n".join(lines)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # Runs on the controller under xdist too: verdicts come back in user_properties.
    if report.when != "call" and not (report.when == "setup" and report.skipped):
        return
    for name, value in report.user_properties:
        if name == "harness_verdict":
            _CURRENT.append(Verdict.from_json(json.loads(str(value))))


_CURRENT: list[Verdict] = []


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not _CURRENT:
        return
    verdicts = sorted(_CURRENT, key=lambda v: (v.scenario, v.behaviour))
    terminalreporter.section("binance-harness behaviours")
    terminalreporter.write_line(f"client: {_client(config)}")
    terminalreporter.write_line(table(verdicts))
    path = config.getoption("harness_json")
    if path:
        runs: dict[str, dict[str, Any]] = {}
        for v in verdicts:
            runs.setdefault(v.scenario, {"scenario": v.scenario, "verdicts": []})["verdicts"].append(
                v.to_json()
            )
        Path(path).write_text(json.dumps(json_report(list(runs.values()), client=_client(config)), indent=2))
        terminalreporter.write_line(f"JSON report: {path}")
    _CURRENT.clear()
