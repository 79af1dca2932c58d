"""Faults aimed at the user-data connection wait until it carries user data.

Issue: a fault set 0.5 s after the socket opens fired before a client that subscribes after
connecting (as Binance's official SDKs do) had a subscription, and the run ended in ERROR
("the scenario's fault never hit one"). The catalog now aims such faults at
`user_stream_ready`; the same scenario aimed at `ws_open` shows what it used to do.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from pathlib import Path

from harness.defaults import SCENARIOS
from harness.runner import RunResult, run_scenario
from harness.scenario_file import default_registries, load_scenario
from harness.verdict import Status

LATE = Path(__file__).resolve().parent / "clients" / "late_subscriber.py"


def play(name: str, trigger: str, workdir: Path) -> RunResult:
    """Catalog scenario `name` against the late subscriber, its steps aimed at `trigger`,
    0.3 s after it: well before the SUBSCRIBE, which comes 1 s after the handshake."""
    faults, behaviours = default_registries()
    scenario = load_scenario(SCENARIOS / name, faults=faults, behaviours=behaviours)
    assert [s.on for s in scenario.steps] == ["user_stream_ready"]
    steps = tuple(dataclasses.replace(s, on=trigger, at=0.3) for s in scenario.steps)
    scenario = dataclasses.replace(scenario, steps=steps)
    return asyncio.run(run_scenario(scenario, f'"{sys.executable}" "{LATE}"', workdir=workdir))


def test_a_drop_aimed_at_the_ready_stream_hits_a_late_subscriber(tmp_path: Path) -> None:
    result = play("drops/drop-1006.yaml", "user_stream_ready", tmp_path)
    assert result.record is not None
    ready = list(result.record.of("user_stream"))
    hit = result.record.fault_hits("abort_tcp")
    assert ready and ready[0]["via"] == "subscribe"
    assert hit and hit[0]["conns"] == [ready[0]["conn"]]
    assert hit[0]["t"] >= ready[0]["t"]
    verdict = result.verdict("reconnects-after-drop")
    assert verdict.status is Status.PASS, verdict.summary


def test_duplicates_aimed_at_the_ready_stream_reach_a_late_subscriber(tmp_path: Path) -> None:
    result = play("payload/duplicate-events.yaml", "user_stream_ready", tmp_path)
    assert result.record is not None
    copies = [e for e in result.record.of("event") if e.get("copy")]
    assert copies and all(e["conns"] for e in copies)
    verdict = result.verdict("no-duplicate-delivery")
    assert verdict.status is Status.PASS, verdict.summary


def test_the_same_duplicates_aimed_at_the_handshake_reach_nobody(tmp_path: Path) -> None:
    """What the catalog did before: the fault fires 0.3 s after the handshake, while the
    client is still 0.7 s away from subscribing, so its copies go to no connection and the
    check cannot judge the client."""
    result = play("payload/duplicate-events.yaml", "ws_open", tmp_path)
    assert result.record is not None
    hit = result.record.fault_hits("duplicate_event")
    ready = list(result.record.of("user_stream"))
    assert hit and ready and hit[0]["t"] < ready[0]["t"]
    copies = [e for e in result.record.of("event") if e.get("copy")]
    assert copies and not any(e["conns"] for e in copies)
    assert result.verdict("no-duplicate-delivery").status is not Status.PASS
