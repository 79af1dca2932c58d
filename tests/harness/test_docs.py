"""docs/catalog.md and docs/behaviours.md are generated: they must match the code and files."""

from __future__ import annotations

import re

from harness.behaviours import load_all
from harness.defaults import ROOT, SCENARIOS
from harness.docs import (
    MODES,
    NOT_COVERED,
    conformance_block,
    modes_of,
    render_behaviours,
    render_catalog,
    render_faults,
)
from harness.matrix import load
from harness.scenario import Scenario
from harness.scenario_file import default_registries, load_scenarios

FIX = "run `python -m harness.docs` and commit the result"


def _catalog() -> list[Scenario]:
    faults, behaviours = default_registries()
    return load_scenarios(sorted(SCENARIOS.rglob("*.yaml")), faults=faults, behaviours=behaviours)


def test_committed_pages_are_current() -> None:
    scenarios = _catalog()
    assert (ROOT / "docs/catalog.md").read_text(encoding="utf-8") == render_catalog(scenarios), FIX
    assert (ROOT / "docs/behaviours.md").read_text(encoding="utf-8") == render_behaviours(
        load_all(), scenarios
    ), FIX


def test_committed_fault_page_is_current() -> None:
    """docs/faults.md is rendered from the faults' schemas: a new or changed parameter shows."""
    faults, _ = default_registries()
    page = (ROOT / "docs/faults.md").read_text(encoding="utf-8")
    assert page == render_faults(faults, _catalog()), FIX
    assert all(f"## {name}" in page for name in faults)


def test_every_failure_mode_has_a_scenario_or_a_written_reason() -> None:
    covered = {m for s in _catalog() for m in modes_of(s)}
    known = {m.id for m in MODES}
    assert covered <= known, f"scenarios cite unknown failure-mode ids: {covered - known}"
    for mode in MODES:
        assert (mode.id in covered) != (mode.id in NOT_COVERED), (
            f"{mode.id}: needs either a scenario citing it or a reason in NOT_COVERED, not both"
        )


def test_every_scenario_cites_a_failure_mode() -> None:
    for s in _catalog():
        assert modes_of(s), f"{s.path}: its source: names no failure-mode id (like 'C1 drop-...')"


def test_every_test_the_fidelity_table_cites_exists() -> None:
    """docs/fidelity.md proves each rule by naming a test: a renamed or deleted test must not
    leave the table citing nothing."""
    text = (ROOT / "docs/fidelity.md").read_text(encoding="utf-8")
    # A name cut with "…" stands for the test it begins.
    cited = set(re.findall(r"\b(test_[a-z0-9_]+)(?!…)\b", text)) - set(
        re.findall(r"\b(test_[a-z0-9_]+)…", text)
    )
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("*.py"))
    files = {p.stem for p in (ROOT / "tests").rglob("test_*.py")}

    def defined(name: str) -> bool:  # a test function, or a test bound by assignment
        return re.search(rf"^\s*(async )?(def {name}\(|{name} = )", sources, re.MULTILINE) is not None

    missing = sorted(n for n in cited if n not in files and not defined(n))
    assert cited and not missing, missing


def test_the_conformance_matrix_is_rendered_from_a_runs_data() -> None:
    """docs/conformance.md's table comes from docs/conformance/matrix.json (written by
    `python3 tasks.py matrix`), never typed in."""
    about, reports = load(ROOT / "docs/conformance/matrix.json")
    assert {"reference", "node-binance", "python-binance", "node-forum"} <= set(reports)
    page = (ROOT / "docs/conformance.md").read_text(encoding="utf-8")
    assert conformance_block(about, reports) in page, FIX.replace("harness.docs", "tasks.py matrix")
    # The reference client passes everything it is judged on, and no verdict is an ERROR.
    statuses = {v["status"] for r in reports.values() for run in r["runs"] for v in run["verdicts"]}
    assert "ERROR" not in statuses
    reference = [v for run in reports["reference"]["runs"] for v in run["verdicts"]]
    assert reference and all(v["status"] in ("PASS", "NOT-APPLICABLE") for v in reference)


def test_the_forum_bot_fails_alike_in_python_and_in_node() -> None:
    """The Node port of the forum thread's code is the same program as clients/forum_bot.py:
    in the committed matrix run, every (scenario, behaviour) got the same verdict."""
    _, reports = load(ROOT / "docs/conformance/matrix.json")

    def statuses(name: str) -> dict[tuple[str, str], str]:
        return {
            (v["scenario"], v["behaviour"]): v["status"]
            for run in reports[name]["runs"]
            for v in run["verdicts"]
        }

    python, node = statuses("forum-bot-python"), statuses("node-forum")
    assert python and python == node
    assert "FAIL" in python.values()
