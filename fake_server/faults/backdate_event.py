"""`backdate_event`: an account event whose E (event time) goes backwards on the connection.

Binance stamps each event with E, its generation time, and orders one connection's events of
the same type strictly by E; across types it says to order by E, since different services
stamp them (binance-reference.md §5 "Ordering"). Its older user-data docs said it plainly:
payloads "are not guaranteed to be in order during heavy periods; make sure to order your
updates using E" (binance-exchange/binance-java-api#162,
oliver-zehentleitner/unicorn-binance-websocket-api#135). So an event may arrive with an E
below the one before it. A client that takes E for a sequence number (drops whatever is not
newer than the last E it saw, or dedupes by E alone) loses such an event; one that applies
it blindly over a newer state of the same thing moves back.

This fault rewrites the account's next events on their way out (the `rewrite_events` point
of faults/target.py), as `duplicate_event` and `reorder_events` do: the event is the real one
(the REST snapshots agree), only its stamp moves.
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import Fault, register
from fake_server.faults.common import CountedRewrite
from fake_server.faults.target import FaultTarget, Outgoing
from fake_server.journal_entries import EventNote
from fake_server.schema import param


@register
@dataclass(frozen=True)
class BackdateEvent(Fault, name="backdate_event", layer="payload"):
    """Send the next `count` account events of type `event_type` with E set `by` ms below the E
    of the event the account made just before each (its own E when there is none), and T no
    later.

    On the wire: the same event (same fields, ids, amounts) with `E` (and `T`, when it was
    later than the new E) lowered, so E goes down from the previous frame. With `by` shorter
    than the time between two events of the type, each type's own E order still holds, as
    Binance documents; the order across types is what breaks. Journaled with the E sent,
    `fault: backdate_event` and `backdated_from` (the E it was made with).
    """

    count: int = param(1, doc="how many of the next events of the type are backdated", ge=1, le=1000)
    event_type: str = param(
        "ACCOUNT_UPDATE", doc="the type of the events backdated (e.g. ORDER_TRADE_UPDATE)"
    )
    by: int = param(100, doc="milliseconds below the E of the event sent before it", ge=1, le=3_600_000)

    def apply(self, fake: FaultTarget) -> list[int]:
        # The account's last stamp is the E of the last event it made, sent or not.
        fake.rewrite_events(_Backdates(self.count, self.event_type, self.by, fake.account.update_ms or None))
        return []


@dataclass
class _Backdates(CountedRewrite):
    by: int = 1
    last: int | None = None  # the E of the account's last event before the next one

    def rewrite(self, outgoing: list[Outgoing]) -> list[Outgoing]:
        out: list[Outgoing] = []
        for event, note in outgoing:
            stamp = event.get("E")
            if isinstance(stamp, int) and self.takes(event):
                moved = (stamp if self.last is None else self.last) - self.by
                event = {**event, "E": moved}
                if isinstance(event.get("T"), int):
                    event["T"] = min(event["T"], moved)
                note = EventNote(**note, fault=BackdateEvent.name, backdated_from=stamp)
            if isinstance(event.get("E"), int):
                self.last = event["E"]
            out.append((event, note))
        return out
