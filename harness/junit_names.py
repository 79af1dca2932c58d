"""Readable JUnit test cases for scenario items: `drop-1006[reconnects-after-drop]` under `drops`.

pytest derives a test case's classname from its file path and its name from the node id's
last part, which for a scenario gives `scenarios.drops.drop-1006.yaml` / `no-event-lost`:
the family hides in a path and the scenario's name in a file name. CI pages group test cases
by classname, so the family is the class and `scenario[behaviour]` the case, as for a
parametrized test. The names come from each call report's verdict, so the controller of an
xdist session (which collects nothing) names them the same way.
"""

from __future__ import annotations

import json

import pytest
from _pytest.junitxml import xml_key  # the LogXML of --junitxml; no public accessor exists


class JunitNames:
    """Registered by the plugin when --junitxml is on: renames before LogXML records a case."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        names = case_names(report)
        xml = self.config.stash.get(xml_key, None)
        if names is None or xml is None:
            return
        classname, name = names
        reporter = xml.node_reporter(report)
        reporter.add_attribute("classname", f"{xml.prefix}.{classname}" if xml.prefix else classname)
        reporter.add_attribute("name", name)


def case_names(report: pytest.TestReport) -> tuple[str, str] | None:
    """(family, "scenario[behaviour]") from the verdict a scenario item's report carries."""
    props = dict(report.user_properties)
    if "harness_verdict" not in props or "harness_run" not in props:
        return None
    verdict = json.loads(str(props["harness_verdict"]))
    run = json.loads(str(props["harness_run"]))
    return str(run.get("family", "scenarios")), f"{verdict['scenario']}[{verdict['behaviour']}]"
