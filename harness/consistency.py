"""Verdicts that cannot all be right: contradictions within one run, and PASSes that prove nothing.

A verdict's summary states facts about the client: "reconnected after 1 drop(s)", "it did
not reconnect at all", "reported all 48 known events", "never opened a user-data stream".
The verdicts of one (client, scenario) run judge one client in one run, so no two of them
may state opposite facts; when they do, one check misread the journal (the conformance
matrix once showed backs-off's "did not reconnect at all" beside a reconnects-after-drop
PASS). And a PASS must prove something: it carries evidence (issue 9) and does not count
nothing ("all 0 events ... were reported").

Pure: it reads verdicts as the JSON report and the matrix data hold them (dicts with
`behaviour`, `status`, `summary`, and `evidence` as a list, or as a count in the matrix
data), so a committed run can be checked without replaying it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.applicability import NO_STREAM
from harness.behaviours import load_all

VerdictData = Mapping[str, Any]

#: Facts a summary can state about the client.
RECONNECTED = "reconnected"
HAS_STREAM = "had a user-data stream"
REPORTS_EVENTS = "reports events"


@dataclass(frozen=True)
class Rule:
    """A summary matching `pattern` (of this behaviour and status, when given) states `fact`."""

    fact: str
    holds: bool
    pattern: str
    behaviour: str | None = None
    status: str | None = None


RULES: tuple[Rule, ...] = (
    Rule(
        RECONNECTED, False, r"did not reconnect at all|never reconnected|never tried again|made no attempt\b"
    ),
    Rule(RECONNECTED, True, r"^reconnected after", "reconnects-after-drop", "PASS"),
    Rule(RECONNECTED, True, r"after \d+ reconnect", "resyncs-after-gap", "PASS"),
    Rule(RECONNECTED, True, r"^the client reconnected less than", "resyncs-after-gap"),
    Rule(RECONNECTED, True, r"stream reopened after", "renews-expired-listenkey", "PASS"),
    Rule(RECONNECTED, True, r"stream on it after", "replaces-dead-listenkey", "PASS"),
    Rule(RECONNECTED, True, r"^reconnected on a live key", "uses-current-listenkey", "PASS"),
    Rule(RECONNECTED, True, r"after \d+ reconnect", "fresh-signature-on-reconnect", "PASS"),
    Rule(RECONNECTED, True, r"its next connection opened at"),
    Rule(HAS_STREAM, False, re.escape(NO_STREAM)),
    Rule(REPORTS_EVENTS, False, r"report(s|ed) no events|writes no events file"),
    Rule(REPORTS_EVENTS, True, r"^all [1-9]\d* events .* were reported", "no-event-lost", "PASS"),
    Rule(REPORTS_EVENTS, True, r"reported all [1-9]\d* known events", "tolerates-unknown-events", "PASS"),
    Rule(REPORTS_EVENTS, True, r"delivered the next event", "survives-bad-frame", "PASS"),
    Rule(REPORTS_EVENTS, True, r"went deaf after|it had reported"),
)


@dataclass(frozen=True)
class Claim:
    fact: str
    holds: bool
    verdict: VerdictData


def claims(verdict: VerdictData) -> list[Claim]:
    """The facts a verdict's summary states about the client."""
    summary, behaviour, status = str(verdict["summary"]), verdict["behaviour"], verdict["status"]
    out = [
        Claim(rule.fact, rule.holds, verdict)
        for rule in RULES
        if rule.behaviour in (None, behaviour)
        and rule.status in (None, status)
        and re.search(rule.pattern, summary)
    ]
    b = load_all().get(str(behaviour))
    # Judging a stream-only behaviour on its merits (PASS, or FAIL for another reason than
    # the shared one) says the client had a stream.
    if b is not None and b.needs_stream and status in ("PASS", "FAIL") and NO_STREAM not in summary:
        out.append(Claim(HAS_STREAM, True, verdict))
    return out


def contradictions(verdicts: Sequence[VerdictData]) -> list[tuple[VerdictData, VerdictData, str]]:
    """Pairs of verdicts of one run that state opposite facts: (says yes, says no, fact)."""
    said = [c for v in verdicts for c in claims(v)]
    out = []
    for fact in dict.fromkeys(c.fact for c in said):
        yes = [c.verdict for c in said if c.fact == fact and c.holds]
        no = [c.verdict for c in said if c.fact == fact and not c.holds]
        if yes and no:
            out.append((yes[0], no[0], fact))
    return out


_NOTHING = re.compile(r"\ball 0 \w|\b0 (of|events|messages|pings|error bodies)\b|\bnone of (the )?0\b")


def unproven(verdict: VerdictData) -> str | None:
    """Why a PASS proves nothing (no evidence; a count of zero), or None."""
    if verdict["status"] != "PASS":
        return None
    if _NOTHING.search(str(verdict["summary"])):
        return "counts nothing"
    evidence = verdict.get("evidence")
    if evidence is None:
        return "carries no evidence field"
    if not (evidence if isinstance(evidence, int) else len(evidence)):
        return "carries no evidence"
    return None
