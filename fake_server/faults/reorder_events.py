"""`reorder_events`: failure mode H5, an order's update held back and sent right after that
order's next update, so FILLED arrives before NEW.

Not what Binance documents (reference §5 "Ordering" promises order per connection): a fault
a scenario asks for, modelled on public reports of out-of-order updates. It rewrites the
account's next events on their way out (the `rewrite_events` point of faults/target.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fake_server.exchange.user_events import UserEvent
from fake_server.faults import Fault, register
from fake_server.faults.target import FaultTarget, Outgoing
from fake_server.journal_entries import EventNote
from fake_server.schema import param


def order_update(event: UserEvent) -> tuple[int, str] | None:
    """(order id, execution type) of an order update: futures ORDER_TRADE_UPDATE or spot
    executionReport; None for any other event."""
    if event.get("e") == "ORDER_TRADE_UPDATE" and isinstance(event.get("o"), dict):
        return int(event["o"]["i"]), str(event["o"]["x"])
    if event.get("e") == "executionReport":
        return int(event["i"]), str(event["x"])
    return None


@register
@dataclass(frozen=True)
class ReorderEvents(Fault, name="reorder_events", layer="payload"):
    """Hold back the next `count` order updates of execution type `x` (NEW: an order placed).

    Each is sent right after the next update of the same order (for a background order, its
    fill one tick later), so the client sees e.g. FILLED before NEW, with the older E last.
    Other events pass meanwhile. An order that never gets another update keeps its held
    update: it is never sent (nor journaled). The late send's journal entry has
    `fault: reorder_events`, `held: true` and `after` (the E it followed).
    """

    count: int = param(1, doc="how many order updates are held back (each is kept in memory)", ge=1, le=1000)
    x: str = param("NEW", doc="the execution type of the updates held back (NEW: an order placed)")

    def apply(self, fake: FaultTarget) -> list[int]:
        fake.rewrite_events(_Holds(self.count, self.x))
        return []


@dataclass
class _Holds:
    left: int
    x: str
    held: dict[int, Outgoing] = field(default_factory=dict)

    @property
    def spent(self) -> bool:
        return self.left <= 0 and not self.held

    def rewrite(self, outgoing: list[Outgoing]) -> list[Outgoing]:
        out: list[Outgoing] = []
        for event, note in outgoing:
            update = order_update(event)
            if update is None:
                out.append((event, note))
                continue
            order_id, x = update
            late = self.held.pop(order_id, None)
            if late is None and self.left > 0 and x == self.x:
                self.left -= 1
                self.held[order_id] = (event, note)
                continue
            out.append((event, note))
            if late is not None:
                held_event, held_note = late
                late_note: EventNote = {
                    **held_note,
                    "fault": ReorderEvents.name,
                    "held": True,
                    "after": event["E"],
                }
                out.append((held_event, late_note))
        return out
