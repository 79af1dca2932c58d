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

from harness.behaviours import behaviour
from harness.record import ACCOUNT_EVENTS, RunRecord, brief
from harness.verdict import Verdict, failed, not_applicable, passed


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
)
def check(record: RunRecord, p: Params) -> Verdict:
    if not record.client_events:
        return not_applicable("the client reported no events (it writes no events file)")
    aborts = {e["conn"]: e["t"] for e in record.of("ws_close") if e.get("how") in ("abort_rst", "abort_fin")}
    got = record.reported()
    stale = superseded(record, got)
    sent = []
    for e in record.of("event"):
        if e["e"] not in ACCOUNT_EVENTS or not e["conns"] or record.in_flight(e, p.in_flight):
            continue
        if e.get("copy") or (e["e"], e["E"]) in stale:
            continue
        if all(c in aborts and aborts[c] - e["t"] < p.in_flight for c in e["conns"]):
            continue
        sent.append(e)
    missing = [e for e in sent if (e["e"], e["E"]) not in got]
    if missing:
        kinds = sorted({m["e"] for m in missing})
        return failed(
            f"{len(missing)} of {len(sent)} events sent on live connections never reached the "
            f"client's handler ({', '.join(kinds)})",
            [brief(m) for m in missing[:5]],
            sent=len(sent),
            missing=len(missing),
        )
    return passed(f"all {len(sent)} events sent on live connections were reported", sent=len(sent))


def superseded(record: RunRecord, got: set[tuple[str, Any]]) -> set[tuple[str, Any]]:
    """Order updates the client did not report, sent after a newer update of the same order
    that it did report."""
    newest: dict[Any, Any] = {}  # order id -> the highest E reported so far, in wire order
    stale = set()
    for e in record.of("event"):
        if e["e"] != "ORDER_TRADE_UPDATE" or e.get("order_id") is None:
            continue
        key, order = (e["e"], e["E"]), e["order_id"]
        if key in got:
            newest[order] = max(newest.get(order, e["E"]), e["E"])
        elif e["E"] < newest.get(order, e["E"]):
            stale.add(key)
    return stale
