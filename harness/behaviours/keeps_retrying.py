"""keeps-retrying: after an outage longer than a naive retry budget, the client is connected
again within `within` of the server's recovery.

Failure mode F1 (reconnect gives up): libraries that stop after N attempts ("Max reconnect
retries reached", sammchardy/python-binance#122) leave a bot alive but deaf until someone
restarts it, after every outage longer than their budget. The same lack shows in A5 (the
listenKey cannot be created for a while) and E4 (a maintenance window). A correct client
retries for as long as it runs, with capped backoff, so it is back within about one backoff
cap of the recovery.

The outage is read from the scenario's faults: each fault with a time window (`lasting`)
recovers at its start plus `lasting`; one limited to `times` answers recovers with the last
answer it refused. Recovery is the latest of these. The client is "connected again" at the
first moment from recovery on that a user-data connection is open (one opened before and
still open counts at once). Default `within`: 60 s, the backoff cap of failure-modes.md §6
(F1: "connected <= backoff cap after the server comes back").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from fake_server.journal_entries import FaultEntry, RestEntry, WsInvalidEntry, WsOpenEntry, WsRejectEntry
from harness.applicability import not_arisen, too_late
from harness.behaviours import behaviour
from harness.record import RunRecord, brief, fault_end, settled
from harness.verdict import Verdict, failed, fmt_s, passed


@dataclass(frozen=True)
class Params:
    within: float = 60.0  # seconds from the server's recovery to an open user-data connection


def _refusals(record: RunRecord) -> list[RestEntry | WsRejectEntry | WsInvalidEntry]:
    """Answers a fault made: refused upgrades, connections accepted and never answered (the
    `timeout` fault) and REST calls answered by a fault rule. (A refused TCP connect never
    reaches the fake, so `refuse_connections` leaves none.)"""
    return [
        e
        for e in record.of("ws_reject", "ws_invalid", "rest")
        if (e["kind"] in ("ws_reject", "ws_invalid") and e.get("why", "fault") == "fault")
        or (e["kind"] == "rest" and e.get("fault"))
    ]


def _bounded(params: dict[str, object]) -> bool:
    """Whether a fault with these parameters stops acting: after `lasting`, or `times` answers."""
    return params.get("lasting") is not None or params.get("times") is not None


def recovery(record: RunRecord) -> tuple[FaultEntry, float] | None:
    """(first outage fault, when the last one stopped refusing), or None without an outage."""
    ends: list[tuple[FaultEntry, float]] = []
    refusals = _refusals(record)
    for hit in record.fault_hits():
        if not _bounded(hit.get("params", {})):
            continue  # no end: not an outage the client can be judged to survive
        end = fault_end(hit, refusals)
        if end is None:  # fewer answers than `times`: it last refused at its last answer
            mine = [r for r in refusals if r["t"] >= hit["t"]]
            end = float(mine[-1]["t"]) if mine else float(hit["t"])
        ends.append((hit, end))
    if not ends:
        return None
    return ends[0][0], max(end for _, end in ends)


def connected_at(record: RunRecord, t: float) -> WsOpenEntry | None:
    """The user-data connection open at `t`, or else the first one opened after it."""
    for opened in record.user_opens():
        close = record.close_of(opened["conn"])
        if opened["t"] <= t and (close is None or close["t"] > t):
            return opened
    later = record.opens_after(t)
    return later[0] if later else None


@behaviour(
    "keeps-retrying",
    asserts="after an outage (refused handshakes or failing REST for a while), the client has "
    "a user-data connection open again within `within` of the server's recovery",
    hint="never stop reconnecting while the process runs: retry with capped exponential "
    "backoff (cap around 30-60 s) and jitter, and surface the outage meanwhile (F1)",
    reports=(
        "F1 reconnect-gives-up",
        "sammchardy/python-binance#122",
        "sammchardy/python-binance#1654",
        "ccxt/node-binance-api#86",
    ),
    params=Params,
    evidence="journal: the outage faults (their lasting/times), the refused attempts during "
    "the outage (ws_reject, fault rest answers), and the first user-data ws_open after recovery",
    problem="gives up reconnecting after a few failed attempts, so after a long outage it "
    "stays disconnected until restarted",
    needs_stream=True,
    deadline_from="recovery",
)
def check(record: RunRecord, p: Params) -> Verdict:
    found = recovery(record)
    if found is None:
        bounded = {s.fault.name for s in record.scenario.steps if _bounded(asdict(s.fault))}
        return not_arisen(record, "no outage with an end began (a fault with `lasting` or `times`)", bounded)
    first, recovered = found
    refused = [r for r in _refusals(record) if first["t"] <= r["t"] <= recovered]
    back = connected_at(record, recovered)
    deadline = recovered + p.within
    if back is not None and back["t"] <= deadline:
        took = max(0.0, back["t"] - recovered)
        return passed(
            f"connected again {fmt_s(took)} after the server recovered at {fmt_s(recovered)} "
            f"(deadline {fmt_s(p.within)}), after {len(refused)} refused attempts over the "
            f"{fmt_s(recovered - first['t'])} outage",
            [brief(first)] + [brief(r) for r in refused[-1:]] + [brief(back)],
            reconnect_after_recovery=round(took, 3),
            refused_attempts=len(refused),
        )
    if not settled(record, deadline):
        return too_late(record, "the server recovered", recovered, p.within, [])
    last = max((a["t"] for a in record.attempts() if a["t"] >= first["t"]), default=None)
    tried = f"its last attempt was at {fmt_s(last)}" if last is not None else "it made no attempt"
    return failed(
        f"not connected within {fmt_s(p.within)} after the server recovered at {fmt_s(recovered)}: "
        f"{len(refused)} refused attempts during the {fmt_s(recovered - first['t'])} outage, "
        f"then {tried}" + (f" (it connected {fmt_s(back['t'] - recovered)} after recovery)" if back else ""),
        [brief(first)] + [brief(r) for r in refused[-2:]],
        refused_attempts=len(refused),
    )
