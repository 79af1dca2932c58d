"""Verdicts that cannot all be right (harness/consistency.py), on made-up runs and on the
committed conformance matrix."""

from __future__ import annotations

from typing import Any

from harness.consistency import HAS_STREAM, RECONNECTED, REPORTS_EVENTS, contradictions, unproven
from harness.defaults import ROOT
from harness.matrix import compact, load

MATRIX = ROOT / "docs/conformance/matrix.json"


def verdict(behaviour: str, status: str, summary: str, evidence: Any = 1) -> dict[str, Any]:
    return {"behaviour": behaviour, "status": status, "summary": summary, "evidence": evidence}


RECONNECT_PASS = verdict(
    "reconnects-after-drop", "PASS", "reconnected after 1 drop(s), slowest 4.52 s (deadline 8.00 s)"
)


def test_no_reconnect_beside_a_reconnect_pass_is_a_contradiction() -> None:
    """The pair the committed matrix held for one client in maintenance-window."""
    backs_off = verdict(
        "backs-off",
        "NOT-APPLICABLE",
        "the client made no reconnect attempt while upgrades were refused (it did not reconnect "
        "at all, see reconnects-after-drop)",
    )
    assert contradictions([RECONNECT_PASS, backs_off]) == [(RECONNECT_PASS, backs_off, RECONNECTED)]
    waited = dict(
        backs_off,
        summary="the client made no reconnect attempt while upgrades were "
        "refused: its next connection opened at 5.88 s, after the refusals",
    )
    assert contradictions([RECONNECT_PASS, waited]) == []


def test_a_stream_pass_beside_the_shared_no_stream_verdict_is_a_contradiction() -> None:
    nobody = verdict(
        "no-event-lost",
        "NOT-APPLICABLE",
        "the client never opened a user-data stream: it never contacted the fake",
    )
    found = contradictions([RECONNECT_PASS, nobody])
    assert [(fact, no["behaviour"]) for _, no, fact in found] == [(HAS_STREAM, "no-event-lost")]
    # A FAIL of a stream-only behaviour for that very reason says nothing more.
    shared = verdict("reconnects-after-drop", "FAIL", nobody["summary"])
    assert contradictions([shared, nobody]) == []


def test_no_events_file_beside_reported_events_is_a_contradiction() -> None:
    lost = verdict("no-event-lost", "PASS", "all 48 events sent on live connections were reported")
    none = verdict(
        "survives-bad-frame", "NOT-APPLICABLE", "the client reported no events (it writes no events file)"
    )
    assert [fact for *_, fact in contradictions([lost, none])] == [REPORTS_EVENTS]
    zero = verdict("no-event-lost", "PASS", "all 0 events sent on live connections were reported")
    assert contradictions([zero, none]) == []  # counting nothing states nothing (see unproven)


def test_a_pass_must_carry_evidence_and_count_something() -> None:
    assert unproven(RECONNECT_PASS) is None
    assert unproven(verdict("x", "PASS", "fine", evidence=[])) == "carries no evidence"
    assert unproven(verdict("x", "PASS", "fine", evidence=0)) == "carries no evidence"
    assert unproven({"behaviour": "x", "status": "PASS", "summary": "fine"}) == "carries no evidence field"
    zero = verdict("no-event-lost", "PASS", "all 0 events sent on live connections were reported")
    assert unproven(zero) == "counts nothing"
    rate = verdict(
        "stays-under-message-rate", "PASS", "0 messages on 0 connection(s), at most 0 in any 1.00 s"
    )
    assert unproven(rate) == "counts nothing"
    assert unproven(verdict("x", "FAIL", "all 0 events", evidence=[])) is None  # only PASSes must prove


def test_the_matrix_data_keeps_how_much_evidence_each_verdict_had() -> None:
    full = {
        "client": "c",
        "runs": [{"scenario": "s", "verdicts": [dict(RECONNECT_PASS, scenario="s", evidence=[{}, {}])]}],
    }
    once = compact(full)
    assert once["runs"][0]["verdicts"][0]["evidence"] == 2
    assert compact(once) == once  # re-saving the committed data keeps the count
    old = {
        "client": "c",
        "runs": [
            {
                "scenario": "s",
                "verdicts": [
                    {k: v for k, v in RECONNECT_PASS.items() if k != "evidence"} | {"scenario": "s"}
                ],
            }
        ],
    }
    assert "evidence" not in compact(old)["runs"][0]["verdicts"][0]  # unknown, not 0


def matrix_problems() -> list[str]:
    """Every unproven PASS and every contradiction of the committed matrix, one line each."""
    _, reports = load(MATRIX)
    problems = []
    for name, report in reports.items():
        for run in report["runs"]:
            where = f"{name} in {run['scenario']}"
            for v in run["verdicts"]:
                why = unproven(v)
                if why:
                    problems.append(f"{where}: PASS of {v['behaviour']} {why}: {v['summary']}")
            for yes, no, fact in contradictions(run["verdicts"]):
                problems.append(
                    f"{where}: {yes['behaviour']} says the client {fact} ({yes['summary']}), "
                    f"{no['behaviour']} that it did not ({no['summary']})"
                )
    return problems


def test_the_committed_matrix_proves_every_pass_and_contradicts_itself_nowhere() -> None:
    problems = matrix_problems()
    assert not problems, "\n".join(problems)
