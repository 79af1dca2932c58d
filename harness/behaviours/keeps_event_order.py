"""keeps-event-order: an order's state never moves back, whatever order its updates arrive in.

Failure mode H5 (ws-vs-rest-race-and-ordering): updates applied in arrival order regress an
order when they come late or out of order (zhouaini528/binance-php#67: NEW two minutes
late; scalexm/trade-rs#9; ccxt/ccxt#18028). Binance orders one connection's events by E
(reference §5), and an order's status only moves forward (NEW, PARTIALLY_FILLED, then
FILLED, CANCELED or EXPIRED), so a client applies updates by E and status precedence, and
never goes FILLED -> NEW.

Reads the updates the `reorder_events` fault sent late (`event` entries with `held`) and
the client's ORDER_TRADE_UPDATEs in the order it reported them. FAIL when a reported update
of an order is older (lower E) or of an earlier status than one reported before it, or
when the last state reported for a reordered order is not its newest update. There is no
deadline, only `in_flight` (0.5 s, as in no-event-lost): an update sent this close to the
end of the run may not be handled yet. A stale update the client drops is not lost:
no-event-lost does not count it (its `superseded`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.applicability import not_arisen, too_late, went_deaf, without_events
from harness.behaviours import behaviour
from harness.behaviours.no_duplicate_delivery import client_event
from harness.record import RunRecord, brief
from harness.verdict import Verdict, failed, not_applicable, passed

#: Status precedence; any status not listed ends the order (FILLED, CANCELED, EXPIRED, ...).
RANK = {"NEW": 0, "PARTIALLY_FILLED": 1}
FINAL = 2


@dataclass(frozen=True)
class Params:
    #: An order's newest update sent this close (seconds) to the run's end is not required yet.
    in_flight: float = 0.5


def older(update: dict[str, Any], than: dict[str, Any]) -> bool:
    """Whether `update` comes before `than` in the order's life: a lower E or an earlier status."""
    e1, e2 = update.get("E"), than.get("E")
    earlier = isinstance(e1, int) and isinstance(e2, int) and e1 < e2
    return earlier or RANK.get(update["o"].get("X"), FINAL) < RANK.get(than["o"].get("X"), FINAL)


@behaviour(
    "keeps-event-order",
    asserts="for each order, the client never applies an older update after a newer one (by E, "
    "and never FILLED -> NEW), and the last state it reports is the order's newest",
    hint="apply order updates by E and status precedence, keyed by order id: drop (and log) an "
    "update older than the one applied instead of applying in arrival order (failure mode H5)",
    reports=(
        "H5 ws-vs-rest-race-and-ordering",
        "zhouaini528/binance-php#67",
        "scalexm/trade-rs#9",
        "ccxt/ccxt#18028",
    ),
    params=Params,
    evidence="journal: order updates sent late (`event` entries with `held`) and every update of "
    "those orders; the client's events file (ORDER_TRADE_UPDATE E, o.i, o.X, in reported order)",
    problem="applies order updates in arrival order, so a late NEW moves a filled order back",
    needs_stream=False,
)
def check(record: RunRecord, p: Params) -> Verdict:
    unread = without_events(record)
    if unread is not None:
        return unread
    held = [e for e in record.of("event") if e.get("held") and e["conns"]]
    if not held:
        return not_arisen(record, "no order update was sent out of order", ("reorder_events",))
    updates = [
        (n, ev)
        for n, ev in enumerate(record.client_events, 1)
        if ev.get("e") == "ORDER_TRADE_UPDATE" and isinstance(ev.get("o"), dict) and "i" in ev["o"]
    ]
    if not updates:
        return not_applicable("the client reports no ORDER_TRADE_UPDATE with its order id (o.i)")
    newest: dict[Any, tuple[int, dict[str, Any]]] = {}
    for n, ev in updates:
        before = newest.get(ev["o"]["i"])
        if before is not None and older(ev, before[1]):
            return failed(
                f"order {ev['o']['i']}: {ev['o'].get('X')} (E={ev.get('E')}) was applied after "
                f"{before[1]['o'].get('X')} (E={before[1].get('E')})",
                [brief(h) for h in held[:3]] + [client_event(*before), client_event(n, ev, stale=True)],
                held=len(held),
            )
        newest[ev["o"]["i"]] = (n, ev)
    what = f"the first update sent out of order (order {held[0].get('order_id')})"
    deaf = went_deaf(record, float(held[0]["t"]), what, held[0], p.in_flight, held=len(held))
    if deaf is not None:
        return deaf
    judged = 0
    for h in held:
        sent = [
            e
            for e in record.of("event")
            if e["e"] == "ORDER_TRADE_UPDATE" and e.get("order_id") == h["order_id"] and e["conns"]
        ]
        latest = max(sent, key=lambda e: e["E"] or 0)  # an order update always has its E
        if record.in_flight(latest, p.in_flight):
            continue
        judged += 1
        last = newest.get(h["order_id"])
        if last is None or last[1].get("E") != latest["E"]:
            shown = f"{last[1]['o'].get('X')} (E={last[1].get('E')})" if last else "nothing"
            return failed(
                f"order {h['order_id']}: the last state reported is {shown}, not its newest update "
                f"(E={latest['E']})",
                [brief(h), brief(latest)] + ([client_event(*last)] if last else []),
                held=len(held),
            )
    if not judged:
        return too_late(
            record, "the first update sent out of order came", held[0]["t"], p.in_flight, held[:1]
        )
    return passed(
        f"{len(held)} update(s) sent after a newer one of the same order; the client's "
        f"{len(updates)} order updates over {len(newest)} orders never went back, and each "
        f"reordered order ended at its newest update",
        [brief(h) for h in held[:3]]
        + [client_event(*newest[h["order_id"]]) for h in held if h["order_id"] in newest][:1],
        held=len(held),
        orders=len(newest),
    )
