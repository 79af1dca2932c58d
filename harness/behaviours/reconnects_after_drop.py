"""reconnects-after-drop: after the server ends a user-data connection, the client opens a new one.

Failure modes C1 (1006, no close frame) and C2 (a clean 1000/1001 close treated as final):
only a close the client itself initiated is final. Deadline: first reconnect <= 5 s
(failure-modes.md §6).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.applicability import no_drop, too_late
from harness.behaviours import behaviour
from harness.record import RunRecord, brief, connection_drops, settled
from harness.verdict import Verdict, failed, fmt_s, passed


@dataclass(frozen=True)
class Params:
    within: float = 5.0  # seconds from the end of the dropped connection to the next open


@behaviour(
    "reconnects-after-drop",
    asserts="after the server drops or closes a user-data connection (any code), the client "
    "opens a new one within the deadline",
    hint="reconnect on every close you did not initiate, 1006 and clean 1000/1001 alike, "
    "with a first retry within a few seconds (failure modes C1, C2)",
    reports=(
        "C1 drop-1006-no-close-frame",
        "C2 close-1000-1001-treated-as-final",
        "binance/binance-connector-python#180",
        "sammchardy/python-binance#1608",
    ),
    params=Params,
    evidence="journal: the fault (or server close) that ended a user-data connection, its ws_close, and the next user-data ws_open",
    problem="does not reconnect after the server drops or closes its user-data connection (a 1006 drop, or a clean 1000/1001 close), so events silently stop",
    needs_stream=True,
)
def check(record: RunRecord, p: Params) -> Verdict:
    drops = connection_drops(record)
    if not drops:
        return no_drop(record)
    delays, evidence = [], []
    for drop in drops:
        close = drop.close
        if close is None:
            # Still open at the end (a half-open socket the client replaced without closing
            # it): the replacement is the reconnect, timed from the fault.
            nxt = record.opens_after(drop.hit["t"])
            if nxt and nxt[0]["t"] - drop.hit["t"] <= p.within:
                delays.append(nxt[0]["t"] - drop.hit["t"])
                evidence += [brief(drop.hit), brief(nxt[0])]
                continue
            if not settled(record, drop.hit["t"] + p.within):
                continue
            return failed(
                f"connection {drop.conn} was hit by {drop.cause} and was neither ended nor "
                f"replaced within {fmt_s(p.within)}",
                [brief(drop.hit)] + [brief(o) for o in nxt[:1]],
            )
        # The next connection: opened after the close, or after the fault and before the
        # close (a replacement made ready first, as after serverShutdown), counted as 0 s.
        nxt = [o for o in record.opens_after(drop.hit["t"]) if o["conn"] != drop.conn]
        in_time = bool(nxt) and nxt[0]["t"] - close["t"] <= p.within
        if not in_time and not settled(record, close["t"] + p.within):
            continue  # too close to the end of the run to judge
        evidence.append(brief(close))
        if not in_time:
            late = f" (it came {fmt_s(nxt[0]['t'] - close['t'])} later)" if nxt else ""
            return failed(
                f"no new connection within {fmt_s(p.within)} after connection {drop.conn} "
                f"ended with {close['code']} ({close['how']}){late}",
                evidence + ([brief(nxt[0])] if nxt else []),
            )
        delays.append(max(0.0, nxt[0]["t"] - close["t"]))
        evidence.append(brief(nxt[0]))
    if not delays:
        first = drops[0].close or drops[0].hit
        return too_late(record, f"connection {drops[0].conn} was dropped", first["t"], p.within, [first])
    return passed(
        f"reconnected after {len(delays)} drop(s), slowest {fmt_s(max(delays))} (deadline {fmt_s(p.within)})",
        evidence,
        reconnect_delays=[round(d, 3) for d in delays],
    )
