"""A scenario's duration counts from the client's first contact with the fake.

A client that needs seconds to start (a heavy SDK import) used to lose them from the run:
Binance's official Python SDK reached its user stream 2-3 s after launch, so in a 5 s
scenario every drop came too late to judge and its reconnect verdicts said nothing.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from harness.defaults import SCENARIOS
from harness.runner import START_BUDGET, run_scenario
from harness.scenario_file import default_registries, load_scenario
from harness.verdict import Status

SLOW = Path(__file__).resolve().parent / "clients" / "slow_start.py"


def test_a_slow_starter_gets_the_whole_scenario_after_its_first_contact(tmp_path: Path) -> None:
    faults, behaviours = default_registries()
    scenario = load_scenario(SCENARIOS / "drops" / "drop-1006.yaml", faults=faults, behaviours=behaviours)
    result = asyncio.run(run_scenario(scenario, f'"{sys.executable}" "{SLOW}"', workdir=tmp_path))
    assert result.record is not None
    contact = next(e for e in result.record.of("run") if e.get("phase") == "contact")
    assert contact["at"] >= 2.5 and contact["first"] == "rest"
    assert result.record.ended_at >= contact["at"] + scenario.duration
    verdict = result.verdict("reconnects-after-drop")
    assert verdict.status is Status.PASS, verdict.summary


def test_a_client_that_never_makes_contact_ends_with_its_start_budget(tmp_path: Path) -> None:
    faults, behaviours = default_registries()
    scenario = load_scenario(SCENARIOS / "drops" / "drop-1006.yaml", faults=faults, behaviours=behaviours)
    silent = f'"{sys.executable}" -c "import time; time.sleep(60)"'
    result = asyncio.run(run_scenario(scenario, silent, workdir=tmp_path))
    assert result.record is not None
    assert not [e for e in result.record.of("run") if e.get("phase") == "contact"]
    # It was given the start budget to make contact, and no scenario time after that.
    budget = max(scenario.duration, START_BUDGET)
    assert budget <= result.record.ended_at < budget + scenario.duration
