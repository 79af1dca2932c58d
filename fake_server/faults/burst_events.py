"""`burst_events`: failure mode H3, a few hundred account events written at once."""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.exchange.user_events import UserEvent
from fake_server.faults import Fault, register
from fake_server.faults.target import FaultTarget
from fake_server.schema import param


@register
@dataclass(frozen=True)
class BurstEvents(Fault, name="burst_events", layer="payload"):
    """Make at least `count` account events at once (whole ticks of activity) and send them
    back to back, in one pass of the event loop: a burst far above any `events.rate`.

    The events are real activity (the REST snapshots agree); each is journaled with
    `fault: burst_events`.
    """

    count: int = param(300, doc="at least this many account events, sent back to back", ge=1)

    def apply(self, fake: FaultTarget) -> list[int]:
        fake.settle()
        events: list[UserEvent] = []
        while len(events) < self.count:
            events += fake.account.tick(fake.clock.epoch_ms())
        return fake.publish(events, fault=self.name)
