"""backs-off: while every reconnect attempt fails, attempts are spaced out, more and more.

Failure modes F2 (reconnect storm) and E4 (maintenance window): a client that retries in a
tight loop hammers a recovering server and earns bans; one with a fixed short delay does
too at scale. Judged on consecutive refused handshakes: no gap under `min_gap`, and the
last gap at least `growth` times the first (exponential backoff with jitter passes; a
fixed delay does not). Three gaps are needed: with jitter of up to half the delay, two
consecutive delays of a doubling backoff may differ by less than x2. Defaults from failure-modes.md §6 (>= 1 s floor is for a real
client; scenarios shorten time, so the floor here is a hot-loop guard).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from fake_server.journal_entries import WsRejectEntry
from harness.applicability import not_arisen
from harness.behaviours import behaviour
from harness.record import RunRecord, brief
from harness.verdict import Verdict, failed, fmt_s, not_applicable, passed


@dataclass(frozen=True)
class Params:
    min_gap: float = 0.05  # seconds; below this between failed attempts is a hot loop
    growth: float = 1.5  # last gap / first gap; a doubling backoff with half jitter gives >= 2
    #: With too few failed attempts to see growth, every gap must be at least this long.
    patient_gap: float = 1.0


@behaviour(
    "backs-off",
    asserts="while reconnect attempts keep failing, the gaps between them never fall under "
    "min_gap and grow (last gap >= growth x first gap, judged over 3 gaps or more)",
    hint="retry with capped exponential backoff and jitter (e.g. 0.5 s doubling to 30-60 s), "
    "reset only after a connection succeeded (failure modes F2, E4)",
    reports=("F2 reconnect-storm", "E4 maintenance-window", "nautechsystems/nautilus_trader#1989"),
    params=Params,
    evidence="journal: the timestamps of the client's failed handshakes (ws_reject) and REST retries during the outage",
    problem="retries at a fixed or tight pace while the server refuses it, instead of backing off",
    needs_stream=False,
)
def check(record: RunRecord, p: Params) -> Verdict:
    attempts = record.attempts()
    # The longest run of consecutive refused handshakes is where backoff shows.
    runs: list[list[WsRejectEntry]] = [[]]
    for a in attempts:
        if a["kind"] == "ws_reject":
            runs[-1].append(a)
        elif runs[-1]:
            runs.append([])
    refused = max(runs, key=len)
    if not refused:
        hits = record.fault_hits("reject_handshake")
        if not hits or record.never_connected():
            return not_arisen(record, "no handshake was refused", ("reject_handshake",))
        back = record.opens_after(float(hits[0]["t"]))
        after = (
            f"its next connection opened at {fmt_s(float(back[0]['t']))}, after the refusals"
            if back
            else "it did not reconnect at all (see reconnects-after-drop)"
        )
        return not_applicable(
            f"the client made no reconnect attempt while upgrades were refused: {after}; "
            "no gap between failed attempts shows its backoff",
            [brief(hits[0])] + [brief(o) for o in back[:1]],
        )
    if len(refused) < 2:
        return not_applicable(
            "only 1 refused attempt: the client waited out the refusals (or gave up), so no "
            "gap between failed attempts shows its backoff"
        )
    times = [float(a["t"]) for a in refused]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    evidence = [brief(a) for a in refused[:6]]
    if gaps and min(gaps) < p.min_gap:
        return failed(
            f"{len(refused)} refused attempts, some only {fmt_s(min(gaps))} apart "
            f"(floor {fmt_s(p.min_gap)}): a reconnect loop with no delay",
            evidence,
            gaps=[round(g, 3) for g in gaps],
        )
    if len(gaps) < 3:
        # Jittered exponential backoff needs three gaps to show its growth reliably.
        if gaps and min(gaps) < p.patient_gap:
            return failed(
                f"only {len(refused)} refused attempts, {fmt_s(min(gaps))} apart: too few to "
                f"show a growing delay, and closer than {fmt_s(p.patient_gap)}",
                evidence,
                gaps=[round(g, 3) for g in gaps],
            )
    elif gaps[-1] < p.growth * gaps[0]:
        return failed(
            f"{len(refused)} refused attempts with gaps from {fmt_s(gaps[0])} to {fmt_s(gaps[-1])}:"
            f" the delay does not grow (want x{p.growth:g})",
            evidence,
            gaps=[round(g, 3) for g in gaps],
        )
    if len(gaps) < 3:
        return passed(
            f"only {len(refused)} refused attempts, each at least {fmt_s(min(gaps))} after the last "
            f"(patient enough: >= {fmt_s(p.patient_gap)})",
            evidence,
            gaps=[round(g, 3) for g in gaps],
        )
    return passed(
        f"{len(refused)} refused attempts, gaps grew from {fmt_s(gaps[0])} to {fmt_s(gaps[-1])}",
        evidence,
        gaps=[round(g, 3) for g in gaps],
    )
