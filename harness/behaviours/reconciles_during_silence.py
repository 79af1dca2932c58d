"""reconciles-during-silence: while the user stream is stalled, the client re-reads its state
over REST, so a change the stream did not carry is seen within `period`.

Failure mode E1 (silent stall, socket open), the most reported silent failure after C3: the
user stream stops delivering with no close and no error, while heartbeats go on. Silence
is normal on a user stream, so neither a data watchdog (that is D2) nor the socket's health
tells a stall from a quiet account; only REST does. Users built canaries (an order placed
and cancelled every second, sammchardy/python-binance#712); the sound fix is a periodic
reconciliation of open orders and balances while nothing arrives.

Judged on the `stall_data` fault: every account event (ORDER_TRADE_UPDATE, TRADE_LITE,
ACCOUNT_UPDATE) made while a user-data connection was stalled and written to no connection
must be followed, within `period`, by a REST snapshot answered 200 (account, open orders,
positions). A client that reconnects and resyncs also passes: it saw the change. Default
`period`: 5 min, failure-modes.md E1's "periodic REST reconciliation (e.g. every <= 5 min)";
scenarios scale it with their timers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fake_server.journal_entries import FaultEntry
from harness.applicability import not_arisen, too_late
from harness.behaviours import behaviour
from harness.record import ACCOUNT_EVENTS, RunRecord, brief, settled
from harness.verdict import Verdict, error, failed, fmt_s, not_applicable, passed


@dataclass(frozen=True)
class Params:
    period: float = 300.0  # seconds from an unseen account change to a REST snapshot


def _stall_windows(record: RunRecord) -> list[tuple[FaultEntry, float, float]]:
    """(fault entry, start, end) of each user-data connection's stall."""
    user = record.user_conns()
    windows = []
    for hit in record.fault_hits("stall_data"):
        lasting = hit["params"].get("lasting")
        for conn in hit["conns"]:
            if conn not in user:
                continue
            close = record.close_of(conn)
            end = min(
                record.ended_at,
                close["t"] if close is not None else record.ended_at,
                hit["t"] + lasting if lasting is not None else record.ended_at,
            )
            windows.append((hit, float(hit["t"]), float(end)))
    return windows


@behaviour(
    "reconciles-during-silence",
    asserts="while a user-data stream is stalled (socket and heartbeats fine, no data), every "
    "account change it did not carry is followed by a REST snapshot within `period`",
    hint="while the user stream is silent, re-read open orders and balances over REST on a "
    "timer (e.g. every 5 min of silence): a stalled stream looks exactly like a quiet one (E1)",
    reports=(
        "E1 silent-stall-socket-open",
        "sammchardy/python-binance#712",
        "sammchardy/python-binance#1057",
        "oliver-zehentleitner/unicorn-binance-websocket-api#238",
    ),
    params=Params,
    evidence="journal: the stall_data fault, the account events made during the stall that "
    "reached no connection, and the REST snapshots (account, openOrders, positionRisk) after them",
    problem="trusts an open socket: when the user stream stalls it never checks over REST, so "
    "fills made meanwhile stay unknown",
    needs_stream=True,
)
def check(record: RunRecord, p: Params) -> Verdict:
    windows = _stall_windows(record)
    if not windows:
        return not_arisen(record, "no user-data connection was stalled", ("stall_data",))
    unseen = [
        (hit, e)
        for hit, start, end in windows
        for e in record.of("event")
        if e["e"] in ACCOUNT_EVENTS and not e["conns"] and start < e["t"] <= end
    ]
    if not unseen:
        rate = record.scenario.events.rate
        longest = max(b - a for _, a, b in windows)
        if rate <= 0 or longest >= 2 / rate:  # two ticks with no change: not the client's doing
            return error("the account changed nothing during the stall: the scenario needs events.rate > 0")
        return not_applicable(
            f"the account changed nothing during the stall, which lasted {fmt_s(longest)} at most: "
            f"the client's connection closed (or the run ended) before the next change",
            [brief(windows[0][0])],
        )
    snapshots = record.snapshots()
    lags, judged = [], 0
    proof: list[Mapping[str, Any]] = []  # the first change judged and the snapshot that saw it
    for hit, event in unseen:
        snap = next((s for s in snapshots if s["t"] > event["t"]), None)
        in_time = snap is not None and snap["t"] - event["t"] <= p.period
        if not in_time and not settled(record, event["t"] + p.period):
            continue
        judged += 1
        if not in_time:
            before = [s for s in snapshots if s["t"] <= event["t"]]
            late = f"; the next came {fmt_s(snap['t'] - event['t'])} after it" if snap else ""
            return failed(
                f"{event['e']} at {fmt_s(event['t'])}, made {fmt_s(event['t'] - hit['t'])} into "
                f"the stall and sent to no connection, was not followed by a REST snapshot "
                f"within {fmt_s(p.period)}{late}",
                [brief(hit), brief(event)] + ([brief(before[-1])] if before else []),
                unseen_changes=len(unseen),
                snapshots_in_stall=sum(1 for s in snapshots for _, a, b in windows if a < s["t"] <= b),
            )
        assert snap is not None
        lags.append(snap["t"] - event["t"])
        proof = proof or [brief(event), brief(snap)]
    if not lags:
        return too_late(
            record,
            "the first change unseen during the stall came",
            unseen[0][1]["t"],
            p.period,
            [unseen[0][1]],
        )
    stalled = sum(b - a for _, a, b in windows)
    in_stall = sum(1 for s in snapshots for _, a, b in windows if a < s["t"] <= b)
    return passed(
        f"{judged} account changes made during {fmt_s(stalled)} of stall were each followed by a "
        f"REST snapshot, at most {fmt_s(max(lags))} later (period {fmt_s(p.period)}); "
        f"{in_stall} snapshots during the stall",
        [brief(windows[0][0]), *proof],
        max_lag=round(max(lags), 3),
        snapshots_in_stall=in_stall,
    )
