"""detects-dead-connection: a connection that went silent (half-open) is noticed and ended.

Failure modes D3 and E2: TCP stays open but nothing comes back, not even pongs. Only a
client that pings on its own and times out notices; the others wait forever. Deadline:
the client's ping interval plus its ping timeout (failure-modes.md §6 default 60 s;
scenarios shorten it along with the timers they tell the client).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.applicability import not_arisen, too_late
from harness.behaviours import behaviour
from harness.record import RunRecord, brief, settled
from harness.verdict import Verdict, failed, fmt_s, passed


@dataclass(frozen=True)
class Params:
    within: float = 60.0  # seconds from the connection going silent to the client ending it


@behaviour(
    "detects-dead-connection",
    asserts="after a user-data connection goes silent with TCP still open, the client ends it "
    "(or replaces it) within the deadline",
    hint="send your own pings and treat a missing pong (or a long silence with no server "
    "ping) as a dead connection: close it and reconnect (failure modes D3, E2)",
    reports=(
        "D3 pings-go-unanswered-1011",
        "E2 half-open-network-loss",
        "binance/binance-connector-python#227",
        "oliver-zehentleitner/unicorn-binance-websocket-api#211",
    ),
    params=Params,
    evidence="journal: the half_open fault entry and the client's next handshake (ws_open or ws_reject) after it",
    problem="does not notice a dead (half-open) connection: nothing closes it, and it waits for data that never comes",
    needs_stream=True,
)
def check(record: RunRecord, p: Params) -> Verdict:
    hits = [h for h in record.fault_hits("half_open") if h["conns"]]
    if not hits:
        return not_arisen(record, "no user-data connection went half-open", ("half_open",))
    detections, evidence = [], []
    for hit in hits:
        for conn in hit["conns"]:
            close = record.close_of(conn)
            replaced = record.opens_after(hit["t"])
            ends = [e["t"] for e in ([close] if close else []) + replaced[:1]]
            if not ends:
                if not settled(record, hit["t"] + p.within):
                    continue
                return failed(
                    f"connection {conn} stayed on a dead socket for the remaining "
                    f"{fmt_s(record.ended_at - hit['t'])} of the run (deadline {fmt_s(p.within)})",
                    [brief(hit)],
                )
            took = min(ends) - hit["t"]
            evidence += [brief(hit)] + ([brief(close)] if close else [])
            if took > p.within:
                return failed(
                    f"connection {conn} was noticed dead only after {fmt_s(took)} "
                    f"(deadline {fmt_s(p.within)})",
                    evidence,
                )
            detections.append(took)
    if not detections:
        return too_late(record, "the connection went silent", hits[0]["t"], p.within, hits[:1])
    return passed(
        f"dead connection noticed after {fmt_s(max(detections))} (deadline {fmt_s(p.within)})",
        evidence,
        detection_times=[round(d, 3) for d in detections],
    )
