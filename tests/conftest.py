"""Shared fixtures: playing a bundled scenario against a bundled client, once per session."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.defaults import ROOT, SCENARIOS
from harness.runner import RunResult, run_scenario
from harness.scenario_file import default_registries, load_scenario

CLIENTS = ROOT / "clients"
#: The reference client run in the harness's own loop (docs/in-process.md).
IN_PROCESS = "python:clients.reference_client:in_process"
Play = Callable[[str, str], RunResult]


def client_command(relative: str) -> str:
    """The command that runs a bundled client, e.g. "broken/no_pong.py"."""
    return f'"{sys.executable}" "{CLIENTS / relative}"'


@pytest.fixture(scope="session")
def play(tmp_path_factory: pytest.TempPathFactory) -> Play:
    """play("drops/drop-1006.yaml", "reference_client.py") -> RunResult, cached per session."""
    faults, behaviours = default_registries()
    cache: dict[tuple[str, str], RunResult] = {}

    def run(scenario: str, client: str) -> RunResult:
        key = (scenario, client)
        if key not in cache:
            loaded = load_scenario(SCENARIOS / scenario, faults=faults, behaviours=behaviours)
            workdir = tmp_path_factory.mktemp(Path(scenario).stem + "-" + Path(client).stem)
            cache[key] = asyncio.run(run_scenario(loaded, client_command(client), workdir=workdir))
        return cache[key]

    return run
