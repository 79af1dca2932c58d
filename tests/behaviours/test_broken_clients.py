"""Every behaviour check can fail: a client lacking exactly that behaviour FAILS it, and the
reference client PASSES it, on the same scenario.

Each broken client in clients/broken/ declares what it lacks and where to see it, as
module constants read here without importing it (an import would run its dependencies'
side effects in the test process):

    LACKS = "reconnects-after-drop"        # the behaviour it lacks
    SCENARIO = "drops/drop-1006.yaml"      # the scenario that exposes the lack
    ALSO_FAILS = ("resyncs-after-gap",)    # optional: checks that fail as a consequence
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.behaviours import load_all
from harness.verdict import Status
from tests.conftest import CLIENTS, Play


@dataclass(frozen=True)
class BrokenClient:
    path: str  # relative to clients/, e.g. "broken/no_pong.py"
    lacks: str
    scenario: str
    also_fails: tuple[str, ...]


def declared(path: Path) -> BrokenClient:
    """The LACKS / SCENARIO / ALSO_FAILS constants of a broken client module."""
    values: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in ("LACKS", "SCENARIO", "ALSO_FAILS"):
                values[name] = ast.literal_eval(node.value)
    missing = {"LACKS", "SCENARIO"} - values.keys()
    assert not missing, f"{path} does not declare {sorted(missing)}"
    also = values.get("ALSO_FAILS", ())
    assert isinstance(also, tuple)
    return BrokenClient(
        str(path.relative_to(CLIENTS)), str(values["LACKS"]), str(values["SCENARIO"]), tuple(map(str, also))
    )


BROKEN = sorted(
    (declared(p) for p in (CLIENTS / "broken").glob("*.py") if p.name != "__init__.py"),
    key=lambda b: (b.lacks, b.path),
)
#: "@scenario" keeps the tests playing one scenario on one xdist worker, so each run (the
#: broken client's and the reference client's) is played once (harness/xdist_scheduling.py).
IDS = [f"{b.lacks}:{Path(b.path).stem}@{b.scenario}" for b in BROKEN]


def test_every_behaviour_has_a_broken_client() -> None:
    registry = load_all()
    assert sorted({b.lacks for b in BROKEN}) == sorted(registry)
    for b in BROKEN:
        assert set(b.also_fails) <= registry.keys(), b


@pytest.mark.parametrize("broken", BROKEN, ids=IDS)
def test_broken_client_fails_it(play: Play, broken: BrokenClient) -> None:
    verdict = play(broken.scenario, broken.path).verdict(broken.lacks)
    assert verdict.status is Status.FAIL, verdict.summary
    assert verdict.hint, "a FAIL carries a hint"
    assert verdict.evidence or "never" in verdict.summary, "a FAIL carries evidence"


@pytest.mark.parametrize("broken", BROKEN, ids=IDS)
def test_reference_client_passes_it(play: Play, broken: BrokenClient) -> None:
    verdict = play(broken.scenario, "reference_client.py").verdict(broken.lacks)
    assert verdict.status is Status.PASS, verdict.summary
    assert verdict.evidence, "a PASS names the evidence that proves it (issue 9)"


@pytest.mark.parametrize("broken", BROKEN, ids=IDS)
def test_broken_client_keeps_the_other_behaviours(play: Play, broken: BrokenClient) -> None:
    """Lacking exactly one behaviour: the scenario's other checks still pass, except those
    the client declares as failing in consequence (ALSO_FAILS)."""
    result = play(broken.scenario, broken.path)
    for v in result.verdicts:
        if v.behaviour != broken.lacks and v.behaviour not in broken.also_fails:
            assert v.status in (Status.PASS, Status.NOT_APPLICABLE), (v.behaviour, v.summary)
