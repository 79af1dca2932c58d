"""Mutated catalog scenario files always give a located ScenarioError or load (issue 11).

Examples are bounded and derandomized so CI is quick and repeatable; set
HARNESS_FUZZ_EXAMPLES for a longer run (scripts/fuzz_scenarios.py runs thousands and times them).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.run_folder import run_folder
from harness.scenario import Scenario
from harness.scenario_file import ScenarioError, default_registries, load_scenario
from tests.harness.scenario_mutations import catalog_files, located, mutate

FILES = catalog_files()
FAULTS, BEHAVIOURS = default_registries()
EXAMPLES = int(os.environ.get("HARNESS_FUZZ_EXAMPLES", "150"))


def load_or_error(path: Path) -> Scenario | ScenarioError:
    """The scenario, or the ScenarioError; anything else propagates and fails the test."""
    try:
        return load_scenario(path, faults=FAULTS, behaviours=BEHAVIOURS)
    except ScenarioError as exc:
        return exc


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(source=st.sampled_from(FILES), rng=st.randoms(use_true_random=False))
def test_a_mutated_catalog_file_loads_or_gives_a_located_error(
    tmp_path: Path, source: Path, rng: random.Random
) -> None:
    data = mutate(source.read_bytes(), rng)
    path = tmp_path / "mutated.yaml"
    path.write_bytes(data)
    outcome = load_or_error(path)
    if isinstance(outcome, ScenarioError):
        assert outcome.path == path
        assert located(outcome.line, outcome.field, outcome.message, data), outcome
    else:
        root = tmp_path / "runs"
        assert run_folder(root, outcome.name).parent == root


@pytest.mark.parametrize("source", FILES[:3], ids=lambda p: p.stem)
def test_the_mutations_reach_both_outcomes(tmp_path: Path, source: Path) -> None:
    """A fuzz test whose mutations never load (or never fail) would test little."""
    rng = random.Random(11)
    outcomes = []
    for i in range(200):
        path = tmp_path / f"m{i}.yaml"
        path.write_bytes(mutate(source.read_bytes(), rng))
        outcomes.append(isinstance(load_or_error(path), ScenarioError))
    assert 0 < sum(outcomes) < len(outcomes)
