"""`duplicate_event`: failure mode H6, the next account event(s) sent twice, back to back,
same bytes.

Binance promises one ordered stream of well-formed events per connection (reference §5
"Ordering"); this is not what Binance documents but a fault a scenario asks for, modelled
on public reports of duplicate deliveries. It rewrites the account's next events on their
way out (the `rewrite_events` point of faults/target.py).
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
class DuplicateEvent(Fault, name="duplicate_event", layer="payload"):
    """Send each of the next `count` account events twice in a row: same payload, same E and ids.

    `event_type` (e.g. ORDER_TRADE_UPDATE) limits it to events of that type. The second
    copy's journal entry has `fault: duplicate_event` and `copy: 2`.
    """

    count: int = param(1, doc="how many of the next account events are sent twice", ge=1, le=10_000)
    event_type: str | None = param(None, doc="only events of this type (e.g. ORDER_TRADE_UPDATE); none: any")

    def apply(self, fake: FaultTarget) -> list[int]:
        fake.rewrite_events(_Duplicates(self.count, self.event_type))
        return []


class _Duplicates(CountedRewrite):
    def rewrite(self, outgoing: list[Outgoing]) -> list[Outgoing]:
        out: list[Outgoing] = []
        for event, note in outgoing:
            out.append((event, note))
            if self.takes(event):
                copy_note: EventNote = {**note, "fault": DuplicateEvent.name, "copy": 2}
                out.append((event, copy_note))
        return out
