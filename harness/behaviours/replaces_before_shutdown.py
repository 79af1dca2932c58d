"""replaces-before-shutdown: after serverShutdown, a replacement is ready before the old connection closes.

Failure mode B4 (server-shutdown-event): Binance announces a planned close with
`serverShutdown` and keeps serving for a while (reference §2); the documented reaction is to
open a new connection at once. Libraries that ignore the notice take the hard close later
and lose the events of the gap (c9s/bbgo PR#2552, binance-connector-python PR#506 and
binance-connector-go PR#102 added handlers). The check wants, for each user-data connection
the notice reached, another user-data connection that carries the user's events (its
handshake on a listenKey route; its subscription on the spot WebSocket API) opened after the
notice and ready before the old connection closed, whoever closed it. Deadline: ready <= 5 s
after the notice (failure-modes.md §6: first reconnect <= 5 s; [PY] reconnects 5 s after
the notice), and in every case before the close; scenarios scale it below their grace period.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fake_server.journal_entries import EventEntry, WsOpenEntry
from harness.applicability import not_arisen, too_late
from harness.behaviours import behaviour
from harness.behaviours.resubscribes_after_termination import unsent_events
from harness.record import RunRecord, brief, ready_at, settled
from harness.verdict import Verdict, failed, fmt_s, passed


@dataclass(frozen=True)
class Params:
    within: float = 5.0  # serverShutdown -> a replacement connection ready (and before the close)


def replacement(record: RunRecord, notice: EventEntry) -> tuple[WsOpenEntry, float] | None:
    """The first user-data connection opened after the notice (not one it reached) to be
    ready, with the time it was."""
    ready = [
        (o, t)
        for o in record.opens_after(notice["t"])
        if o["conn"] not in notice["conns"] and (t := ready_at(record, o)) is not None
    ]
    return min(ready, key=lambda r: r[1], default=None)


@behaviour(
    "replaces-before-shutdown",
    asserts="after serverShutdown, the client has a replacement user-data connection (and its "
    "subscription) ready within the deadline and before the old connection closes",
    hint="on serverShutdown open the new connection (and subscribe) at once, switch over when it "
    "is ready and only then close the old one; drop the duplicates of the overlap (failure mode B4)",
    reports=(
        "B4 server-shutdown-event",
        "c9s/bbgo PR#2552",
        "binance/binance-connector-python PR#506",
        "binance/binance-connector-go PR#102",
    ),
    params=Params,
    evidence="journal: the serverShutdown notice and the connections it reached, the replacement's "
    "ws_open (and WebSocket API subscription), and the old connection's ws_close",
    problem="waits for the server to close a connection it announced as shutting down, so events "
    "are lost in the gap before it reconnects",
    needs_stream=True,
)
def check(record: RunRecord, p: Params) -> Verdict:
    user = record.user_conns()
    notices = [
        e
        for e in record.of("event")
        if e["e"] == "serverShutdown" and user.intersection(e["conns"]) and e["t"] < record.ended_at
    ]
    if not notices:
        return not_arisen(record, "no serverShutdown reached a user-data connection", ("server_shutdown",))
    evidence: list[dict[str, Any]] = []
    delays, leads = [], []
    for notice in notices:
        t0 = notice["t"]
        found = replacement(record, notice)
        for conn in sorted(user.intersection(notice["conns"])):
            close = record.close_of(conn)
            ready_t = None if found is None else found[1]
            before_close = ready_t is not None and (close is None or ready_t <= close["t"])
            in_time = before_close and ready_t is not None and ready_t - t0 <= p.within
            if not in_time and close is None and not settled(record, t0 + p.within):
                continue  # still open and the run ended too soon to judge
            if not before_close and close is not None:
                lost = unsent_events(record, close["t"], ready_t if ready_t is not None else record.ended_at)
                after = f"was ready only {fmt_s(ready_t - close['t'])} after it" if ready_t else "never came"
                return failed(
                    f"connection {conn} closed ({close['code']}, {close['how']}) {fmt_s(close['t'] - t0)} "
                    f"after serverShutdown and the replacement {after}: {len(lost)} events went to "
                    "nobody in the switch",
                    [brief(notice), brief(close)] + ([brief(found[0])] if found else []),
                    unsent_events=len(lost),
                )
            if not in_time:
                late = f" (it was ready after {fmt_s(ready_t - t0)})" if ready_t is not None else ""
                return failed(
                    f"no replacement for connection {conn} ready within {fmt_s(p.within)} of "
                    f"serverShutdown{late}",
                    [brief(notice)] + ([brief(found[0])] if found else []),
                )
            assert found is not None and ready_t is not None
            delays.append(ready_t - t0)
            if close is not None:
                leads.append(close["t"] - ready_t)
            evidence += [brief(notice), brief(found[0])] + ([brief(close)] if close else [])
    if not delays:
        return too_late(record, "serverShutdown came", notices[0]["t"], p.within, notices[:1])
    lead = f", {fmt_s(min(leads))} before the old connection closed" if leads else ""
    return passed(
        f"replacement ready {fmt_s(max(delays))} after serverShutdown{lead} (deadline {fmt_s(p.within)})",
        evidence,
        replace_delays=[round(d, 3) for d in delays],
        lead_before_close=[round(x, 3) for x in leads],
    )
