"""Every behaviour check can fail: a client lacking exactly that behaviour FAILS it, and the
reference client PASSES it, on the same scenario."""

from __future__ import annotations

import pytest

from harness.behaviours import load_all
from harness.verdict import Status
from tests.conftest import Play

#: behaviour -> (scenario that exercises it, broken client that lacks only it)
CASES = {
    "reconnects-after-drop": ("drops/drop-1006.yaml", "broken/no_reconnect.py"),
    "answers-server-ping": ("heartbeats/server-pings.yaml", "broken/no_pong.py"),
    "detects-dead-connection": ("heartbeats/half-open.yaml", "broken/no_heartbeat.py"),
    "renews-expired-listenkey": ("listenkey/expired.yaml", "broken/no_key_renewal.py"),
    "surfaces-error-body": ("http/listenkey-404.yaml", "broken/no_error_body.py"),
    "backs-off": ("drops/clean-close-1001.yaml", "broken/no_backoff.py"),
    "no-event-lost": ("drops/drop-1006.yaml", "broken/loses_events.py"),
    "resyncs-after-gap": ("drops/drop-1006.yaml", "broken/no_resync.py"),
}


def test_every_behaviour_has_a_broken_client() -> None:
    assert sorted(CASES) == sorted(load_all())


@pytest.mark.parametrize("behaviour", sorted(CASES))
def test_broken_client_fails_it(play: Play, behaviour: str) -> None:
    scenario, broken = CASES[behaviour]
    verdict = play(scenario, broken).verdict(behaviour)
    assert verdict.status is Status.FAIL, verdict.summary
    assert verdict.hint, "a FAIL carries a hint"
    assert verdict.evidence or "never" in verdict.summary, "a FAIL carries evidence"


@pytest.mark.parametrize("behaviour", sorted(CASES))
def test_reference_client_passes_it(play: Play, behaviour: str) -> None:
    scenario, _ = CASES[behaviour]
    verdict = play(scenario, "reference_client.py").verdict(behaviour)
    assert verdict.status is Status.PASS, verdict.summary


@pytest.mark.parametrize("behaviour", sorted(CASES))
def test_broken_client_keeps_the_other_behaviours(play: Play, behaviour: str) -> None:
    """Lacking exactly one behaviour: the scenario's other checks still pass."""
    scenario, broken = CASES[behaviour]
    result = play(scenario, broken)
    others = [v for v in result.verdicts if v.behaviour != behaviour]
    # Some lacks imply another FAIL: a client that never reconnects (or never notices the
    # dead connection, or never renews its key) cannot resync after a gap either.
    implied = {
        "reconnects-after-drop": {"resyncs-after-gap"},
        "detects-dead-connection": {"reconnects-after-drop"},
        "renews-expired-listenkey": {"resyncs-after-gap"},
    }.get(behaviour, set())
    for v in others:
        if v.behaviour not in implied:
            assert v.status in (Status.PASS, Status.NOT_APPLICABLE), (v.behaviour, v.summary)
