"""resyncs-after-gap: after a reconnect, the client fetches REST snapshots of its state.

Failure mode F5: Binance does not replay user events missed while disconnected (the fake
keeps trading through the gap and records who got nothing). A correct client reconciles
over REST after every (re)connect, after the new socket is up so no second gap opens
(failure-modes.md F5). Deadline: snapshot <= 10 s after the reconnect.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from harness.applicability import KEY_KILLERS, key_ttl_story, no_drop
from harness.behaviours import behaviour
from harness.record import ACCOUNT_EVENTS, RunRecord, brief, connection_drops, settled
from harness.refusals import explain, rest_refusals
from harness.verdict import Verdict, failed, fmt_s, not_applicable, passed


@dataclass(frozen=True)
class Params:
    within: float = 10.0  # seconds from the reconnect to a REST snapshot answered 200


@behaviour(
    "resyncs-after-gap",
    asserts="after each reconnect, the client fetches a REST snapshot (account, open orders, "
    "positions) within the deadline, once the new connection is open",
    hint="after every (re)connect, GET /fapi/v2/account and /fapi/v1/openOrders (after the new "
    "socket is up) and reconcile: events sent during the gap are never replayed (F5)",
    reports=(
        "F5 gap-not-reconciled",
        "oliver-zehentleitner/unicorn-binance-websocket-api#15",
        "hummingbot/hummingbot#7590",
    ),
    params=Params,
    evidence="journal: each user-data ws_open after a drop and the REST snapshot calls (account, openOrders, positionRisk) answered 200",
    problem="does not re-read its state over REST after a reconnect, so what happened during the gap is never seen",
    needs_stream=True,
)
def check(record: RunRecord, p: Params) -> Verdict:
    opens = record.user_opens()
    if len(opens) < 2:
        # What calls for a reconnect: a dropped connection, or a listenKey that died.
        causes = [d.hit for d in connection_drops(record)] + [
            e for e in record.of("listen_key") if e["action"] in ("expired", "deleted")
        ]
        if not causes:
            return no_drop(
                record,
                "the client was never made to reconnect (no connection dropped, no listenKey died)",
                KEY_KILLERS,
                key_ttl_story(record),
            )
        return failed(
            "the client never reconnected, so it never resynced after a gap",
            [brief(min(causes, key=lambda e: e["t"]))],
        )
    snapshots = record.snapshots()
    evidence, delays = [], []
    for prev, reopen in itertools.pairwise(opens):
        missed = [
            e
            for e in record.of("event")
            if e["e"] in ACCOUNT_EVENTS and not e["conns"] and prev["t"] < e["t"] < reopen["t"]
        ]
        snap = next((s for s in snapshots if s["t"] >= reopen["t"]), None)
        in_time = snap is not None and snap["t"] - reopen["t"] <= p.within
        if not in_time and not settled(record, reopen["t"] + p.within):
            continue
        if not in_time:
            late = f" (it came after {fmt_s(snap['t'] - reopen['t'])})" if snap else ""
            refused = rest_refusals(record, float(reopen["t"]), float(reopen["t"]) + p.within)
            why = f"; the fake refused its calls: {explain(refused)}" if refused else ""
            sent = (
                f"{len(missed)} events were sent during the gap"
                if missed
                else "no event happened to be sent during this gap, which a client cannot know without reading"
            )
            return failed(
                f"no REST snapshot within {fmt_s(p.within)} of reconnecting at "
                f"{fmt_s(reopen['t'])}; {sent}{late}{why}",
                [brief(reopen)]
                + [brief(e) for r in refused[:3] for e in r.evidence]
                + [brief(m) for m in missed[:3]],
                missed_events=len(missed),
            )
        assert snap is not None
        delays.append(snap["t"] - reopen["t"])
        evidence += [brief(reopen), brief(snap)]
    if not delays:
        # The reconnect itself is the client's doing: coming so late is judged by
        # reconnects-after-drop, not held against the harness (an ERROR) or the resync.
        return not_applicable(
            f"the client reconnected less than {fmt_s(p.within)} before the end of the run, "
            "too late to judge a resync (see reconnects-after-drop)"
        )
    return passed(
        f"resynced over REST after {len(delays)} reconnect(s), slowest {fmt_s(max(delays))} "
        f"after the new connection (deadline {fmt_s(p.within)})",
        evidence,
        resync_delays=[round(d, 3) for d in delays],
    )
