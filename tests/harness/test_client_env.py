"""`client_env` values the operating system cannot pass are refused where they are written,
not when the client starts mid-run."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from harness.runner import run_scenario
from harness.scenario_file import ScenarioError, default_registries, load_scenario
from harness.verdict import Status
from tests.harness.test_client_lifetime import scenario

HEAD = "family: x\ndescription: y\nsource: [z]\nduration: 2s\nexpect:\n  reconnects-after-drop:\n"


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ('  A: "x\\0y"', "the value of A holds a NUL character"),
        ('  "A\\0B": "x"', "cannot be an environment variable's name"),
        ('  "A=B": "x"', "cannot be an environment variable's name"),
        ('  "": "x"', "cannot be an environment variable's name"),
    ],
)
def test_a_scenario_file_with_an_impossible_client_env_names_its_line(
    tmp_path: Path, env: str, said: str
) -> None:
    path = tmp_path / "env.yaml"
    path.write_text(HEAD + "client_env:\n" + env + "\n")
    faults, behaviours = default_registries()
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path, faults=faults, behaviours=behaviours)
    assert f"{path}:8: client_env" in str(exc.value) and said in str(exc.value)


def test_a_built_scenario_with_a_nul_in_client_env_is_an_error_verdict(tmp_path: Path) -> None:
    sc = scenario(1.0, client_env={"A": "x\0y"})
    result = asyncio.run(run_scenario(sc, f'"{sys.executable}" -c pass', workdir=tmp_path))
    (verdict,) = result.verdicts
    assert verdict.status is Status.ERROR
    assert "client_env: the value of A holds a NUL character" in verdict.summary
