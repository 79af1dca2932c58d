"""Issue 9, played: clients that give a check nothing to prove get NOT-APPLICABLE with the
reason (never a PASS on no evidence, never an ERROR), a client with no user-data stream gets
the one shared verdict citing what the fake refused, and a client that keeps its socket but
stops reading FAILS as deaf.

The clients are small scripts in tests/harness/clients/ (and clients/broken/ for the one
that lacks a behaviour); ids end in `@<scenario>` so each scenario is played once per worker.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from harness import faketime
from harness.applicability import NO_STREAM
from harness.behaviours import load_all
from harness.defaults import SCENARIOS
from harness.runner import RunResult, run_scenario
from harness.scenario_file import default_registries, load_scenario
from harness.verdict import Status
from tests.conftest import Play

TEST_CLIENTS = "../tests/harness/clients"


def play_command(scenario: str, command: str, workdir: Path) -> RunResult:
    faults, behaviours = default_registries()
    loaded = load_scenario(SCENARIOS / scenario, faults=faults, behaviours=behaviours)
    return asyncio.run(run_scenario(loaded, command, workdir=workdir))


@pytest.mark.parametrize("scenario", ["payload/bad-frames.yaml"], ids=lambda s: f"@{s}")
def test_a_client_that_stops_reading_after_a_bad_frame_went_deaf(play: Play, scenario: str) -> None:
    """Its socket stays open and it reported events before the bad frame: both delivery
    checks FAIL, saying it went deaf (survives-bad-frame was once passed on the socket)."""
    result = play(scenario, "broken/deaf_after_bad_frame.py")
    for behaviour in ("survives-bad-frame", "no-event-lost"):
        v = result.verdict(behaviour)
        assert v.status is Status.FAIL and "went deaf after" in v.summary, (behaviour, v.summary)
        assert "stayed open" in v.summary and v.evidence


@pytest.mark.parametrize("scenario", ["payload/bad-frames.yaml"], ids=lambda s: f"@{s}")
def test_the_same_client_without_an_events_file_is_not_applicable(play: Play, scenario: str) -> None:
    """Reporting no events, its open socket proves nothing: NOT-APPLICABLE, not PASS."""
    result = play(scenario, f"{TEST_CLIENTS}/mute_reader.py")
    for behaviour in ("survives-bad-frame", "no-event-lost"):
        v = result.verdict(behaviour)
        assert v.status is Status.NOT_APPLICABLE and "writes no events file" in v.summary, v.summary


@pytest.mark.parametrize("scenario", ["http/retry-after.yaml"], ids=lambda s: f"@{s}")
def test_a_client_that_never_retries_is_not_passed_without_evidence(play: Play, scenario: str) -> None:
    """It was a PASS with no evidence. Waiting an hour honours the Retry-After, but the check
    also wants the client back within recover_within of the window's end, and that deadline
    ends inside the run (the loader makes it fit), so the client FAILs for not recovering."""
    v = play(scenario, f"{TEST_CLIENTS}/never_retries.py").verdict("honours-retry-after")
    assert v.status is Status.FAIL and "no REST call succeeded within" in v.summary, v.summary
    assert v.evidence


@pytest.mark.parametrize("scenario", ["drops/drop-1006.yaml"], ids=lambda s: f"@{s}")
def test_what_the_fake_refused_is_in_every_verdict(play: Play, scenario: str) -> None:
    result = play(scenario, f"{TEST_CLIENTS}/refused_subscribe.py")
    registry = load_all()
    for v in result.verdicts:
        assert v.status is (Status.FAIL if registry[v.behaviour].needs_stream else Status.NOT_APPLICABLE)
        assert v.summary.startswith(NO_STREAM), v.summary
        assert 'your SUBSCRIBE id {"request": 1} was answered with code' in v.summary, v.summary
        assert "GET /fapi/v9/account answered 404 -5000" in v.summary
        assert any(e["kind"] == "ws_frame" for e in v.evidence)


#: The scenarios whose checks blamed the scenario for a client that never connected.
ONCE_ERRORS = [
    "reconnect/long-outage.yaml",  # keeps-retrying
    "composite/maintenance-window.yaml",  # backs-off
    "limits/connection-attempts.yaml",  # no-reconnect-storm
    "listenkey/dead-key-1125.yaml",  # replaces-dead-listenkey
    "payload/bad-frames.yaml",  # survives-bad-frame
]


@pytest.mark.parametrize("scenario", ONCE_ERRORS, ids=lambda s: f"@{s}")
def test_a_client_that_never_connects_gets_no_error(scenario: str, tmp_path: Path) -> None:
    result = play_command(scenario, f'"{sys.executable}" -c "import time; time.sleep(30)"', tmp_path)
    assert result.verdicts and not result.problems
    for v in result.verdicts:
        assert v.status in (Status.FAIL, Status.NOT_APPLICABLE), (v.behaviour, v.summary)
        assert v.summary == f"{NO_STREAM}: it never contacted the fake", (v.behaviour, v.summary)


def test_a_client_that_exits_at_once_gets_no_error_anywhere(tmp_path: Path) -> None:
    """Across the catalog: it exits 0 before contacting anything (not a set-up problem, which
    a non-zero exit would be), and every verdict is the shared one."""
    command = f'"{sys.executable}" -c "pass"'
    for n, path in enumerate(sorted(SCENARIOS.rglob("*.yaml"))):
        result = play_command(str(path.relative_to(SCENARIOS)), command, tmp_path / str(n))
        if result.scenario.time_factor > 1 and faketime.unavailable():
            # Without libfaketime a scenario with a time factor is a set-up ERROR, rightly.
            assert all(v.status is Status.ERROR for v in result.verdicts), path.name
            continue
        for v in result.verdicts:
            assert v.status in (Status.FAIL, Status.NOT_APPLICABLE), (path.name, v.behaviour, v.summary)
            assert "the client exited on its own with code 0" in v.summary, (path.name, v.summary)
