"""no-duplicate-delivery: an event the server sends twice reaches the application once.

Failure mode H6 (duplicate-events): the same fill delivered twice is booked twice, a double
position or a duplicate copy-trade (ccxt/ccxt#18028, binance-exchange/node-binance-api#47,
JKorf/Binance.Net#414). Servers do send an event twice, and two connections carry the same
events while a replacement overlaps the old one (C3, B4), so a client must handle events
idempotently, by their identity. The fake's E never repeats, so an event's identity is
(e, E); its ids (order, execution type, trade) come with it.

Reads the account events' `event` entries with `copy` (sent again by the `duplicate_event`
fault; a lifecycle notice sent twice is no event a handler reports) and those written to
two connections of the client at once (a replacement that overlaps the old connection,
e.g. a rotation before Binance's 24 h cut), and counts each identity in the client's
events file: an event sent twice must be reported exactly once, and no event more than
once. There is no deadline, only `in_flight` (0.5 s, as in
no-event-lost): a duplicated event sent this close to the end of the run may not be handled
yet, so its absence is not judged.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from harness.applicability import not_arisen, too_late, went_deaf, without_events
from harness.behaviours import behaviour
from harness.record import ACCOUNT_EVENTS, RunRecord, brief
from harness.verdict import Verdict, failed, passed


@dataclass(frozen=True)
class Params:
    #: A duplicated event sent this close (seconds) to the run's end is not required yet.
    in_flight: float = 0.5


def client_event(line: int, event: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A line of the client's events file as evidence (`line` counts from 1)."""
    order = event.get("o")
    ids = {k: order[k] for k in ("i", "X") if k in order} if isinstance(order, dict) else {}
    return {"kind": "client_event", "line": line, "e": event.get("e"), "E": event.get("E"), **ids, **extra}


@behaviour(
    "no-duplicate-delivery",
    asserts="an event the server sends twice (same e, E and ids) reaches the client's handler "
    "once, and no event is handled twice",
    hint="handle events idempotently: remember the identity (e, E, order id, execution type, "
    "trade id) of recent events and drop a repeat (failure mode H6)",
    reports=(
        "H6 duplicate-events",
        "ccxt/ccxt#18028",
        "binance-exchange/node-binance-api#47",
        "JKorf/Binance.Net#414",
    ),
    params=Params,
    evidence="journal: events sent twice (`event` entries with `copy`) and their connections; "
    "the client's events file (how many times each e, E was reported)",
    problem="hands the same event to the application twice when the server sends it twice",
    needs_stream=False,
)
def check(record: RunRecord, p: Params) -> Verdict:
    unread = without_events(record)
    if unread is not None:
        return unread
    # Account events only: a lifecycle notice sent twice (listenKeyExpired, serverShutdown) is
    # not something the handler reports.
    copies = [
        e
        for e in record.of("event")
        if e["conns"] and (e.get("copy") or len(e["conns"]) > 1) and e["e"] in ACCOUNT_EVENTS
    ]
    if not copies:
        timers = record.scenario.timers
        overlap = (
            "no event was written to two connections at once: the client replaced no connection "
            "before its cut with an overlap"
            if timers.connection_life < record.scenario.duration
            else None
        )
        return not_arisen(record, "no event was sent twice", ("duplicate_event",), timer=overlap)
    counts = Counter((str(ev.get("e")), ev.get("E")) for ev in record.client_events if "E" in ev)
    first_line: dict[tuple[str, Any], tuple[int, dict[str, Any]]] = {}
    for n, ev in enumerate(record.client_events, 1):
        first_line.setdefault((str(ev.get("e")), ev.get("E")), (n, ev))
    repeated = [key for key, times in counts.items() if times > 1]
    if repeated:
        e, stamp = repeated[0]
        return failed(
            f"{len(repeated)} event(s) reached the handler more than once, e.g. {e} E={stamp} "
            f"{counts[repeated[0]]} times; the server had sent {len(copies)} event(s) twice",
            [brief(c) for c in copies[:3]]
            + [client_event(*first_line[key], times=counts[key]) for key in repeated[:3]],
            repeated=len(repeated),
            sent_twice=len(copies),
        )
    what = f"the first event sent twice ({copies[0]['e']} E={copies[0]['E']})"
    deaf = went_deaf(record, float(copies[0]["t"]), what, copies[0], p.in_flight, sent_twice=len(copies))
    if deaf is not None:
        return deaf
    judged = [c for c in copies if not record.in_flight(c, p.in_flight)]
    if not judged:
        return too_late(record, "the first event sent twice came", copies[0]["t"], p.in_flight, copies[:1])
    never = [c for c in judged if counts[(c["e"], c["E"])] == 0]
    if never:
        return failed(
            f"{len(never)} of the {len(judged)} events sent twice never reached the handler, not even once",
            [brief(c) for c in never[:5]],
            sent_twice=len(judged),
            never=len(never),
        )
    return passed(
        f"each of the {len(judged)} events sent twice reached the handler once; "
        f"none of the {len(record.client_events)} reported events was handled twice",
        [brief(c) for c in judged[:3]]
        + [client_event(*first_line[(judged[0]["e"], judged[0]["E"])], times=1)],
        sent_twice=len(judged),
        reported=len(record.client_events),
    )
