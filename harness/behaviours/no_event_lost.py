"""no-event-lost: every user event the fake sent on a live connection reaches the client's handler.

Events sent while a client was connected must not vanish inside the client (slow consumer
overflow H3, unknown event types dropped H2, handlers that swallow what they do not
expect). Events sent during a gap are not counted here: they are for resyncs-after-gap.
Identity is (e, E): the fake's E is strictly increasing. Applies only to clients that
report events (docs/client-contract.md); otherwise NOT-APPLICABLE.

Two sends are not owed: the second copy of an event the server sent twice (`copy`, H6: the
event itself is owed once), and an order update that reached the client after a newer
update of the same order it reported (H5: dropping it is keeping the order's state right,
see keeps-event-order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fake_server.journal_entries import Entry, EventEntry
from harness.applicability import went_deaf, without_events
from harness.behaviours import behaviour
from harness.record import RunRecord, brief
from harness.verdict import Verdict, failed, fmt_s, not_applicable, passed


@dataclass(frozen=True)
class Params:
    #: Events written this close (seconds) before the server aborted their connection (TCP
    #: FIN or RST with no close frame: the kernel may drop what was in flight), or before the
    #: run ended (the client may not have handled them yet), are not counted.
    in_flight: float = 0.5


@behaviour(
    "no-event-lost",
    asserts="every account event the fake wrote to a live user-data connection is reported by the client",
    hint="hand every event to your handler, including types you do not act on, and never "
    "drop events from a full queue silently (failure modes H2, H3)",
    reports=(
        "H2 unknown-event-type",
        "H3 slow-consumer-overflow",
        "ccxt/go-binance#612",
        "sammchardy/python-binance#1647",
    ),
    params=Params,
    evidence="journal: user events sent on each connection; the client's events file (each event's e and E)",
    problem="loses some of the events the server delivered on a live connection",
    needs_stream=False,
)
def check(record: RunRecord, p: Params) -> Verdict:
    unread = without_events(record)
    if unread is not None:
        return unread
    got = record.reported()
    stale = superseded(record, got)
    sent = [e for e in record.owed_events(p.in_flight) if (e["e"], e["E"]) not in stale]
    if not sent:
        return not_applicable(
            "no account event was written to a live user-data connection early enough to judge "
            f"(the client reported {len(record.client_events)} events)"
        )
    missing = [e for e in sent if (e["e"], e["E"]) not in got]
    if missing:
        kinds = sorted({m["e"] for m in missing})
        what, cause = _cause(record, missing[0])
        deaf = went_deaf(
            record, float(missing[0]["t"]), what, cause, p.in_flight, sent=len(sent), missing=len(missing)
        )
        if deaf is not None:
            deaf.summary += f"; it had reported the {len(sent) - len(missing)} events before"
            return deaf
        return failed(
            f"{len(missing)} of {len(sent)} events sent on live connections never reached the "
            f"client's handler ({', '.join(kinds)})",
            [brief(m) for m in missing[:5]],
            sent=len(sent),
            missing=len(missing),
        )
    return passed(
        f"all {len(sent)} events sent on live connections were reported, the first at "
        f"{fmt_s(float(sent[0]['t']))} and the last at {fmt_s(float(sent[-1]['t']))}",
        [brief(sent[0]), brief(sent[-1])],
        sent=len(sent),
    )


def _cause(record: RunRecord, event: EventEntry) -> tuple[str, Entry]:
    """What came just before the first event the client missed (the latest fault, if any),
    in words and as its journal entry."""
    faults = [h for h in record.fault_hits() if h["t"] <= event["t"]]
    if faults:
        return f"the scenario's {faults[-1]['name']} at {fmt_s(float(faults[-1]['t']))}", faults[-1]
    return f"the {event['e']} event at {fmt_s(float(event['t']))}", event


def superseded(record: RunRecord, got: set[tuple[str, Any]]) -> set[tuple[str, Any]]:
    """Order updates the client did not report, sent after a newer update of the same order
    that it did report."""
    newest: dict[Any, Any] = {}  # order id -> the highest E reported so far, in wire order
    stale = set()
    for e in record.of("event"):
        stamp = e["E"]
        if e["e"] != "ORDER_TRADE_UPDATE" or e.get("order_id") is None or stamp is None:
            continue
        key, order = (e["e"], stamp), e["order_id"]
        if key in got:
            newest[order] = max(newest.get(order, stamp), stamp)
        elif stamp < newest.get(order, stamp):
            stale.add(key)
    return stale
