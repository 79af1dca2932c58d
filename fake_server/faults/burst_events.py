"""`burst_events`: failure mode H3, a few hundred account events written at once."""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.exchange.user_events import UserEvent
from fake_server.faults import Fault, register
from fake_server.faults.target import FaultTarget
from fake_server.schema import param

#: The largest burst: the events are made and written in one pass of the event loop, which
#: stalls everything else the fake does meanwhile (on a loaded 2-core machine 1,000 events
#: took 50 ms and 5,000 a quarter of a second). 2,000 is still far above any `events.rate`
#: and H3's "a few hundred".
MAX_BURST = 2000


@register
@dataclass(frozen=True)
class BurstEvents(Fault, name="burst_events", layer="payload"):
    """Make at least `count` account events at once (whole ticks of activity) and send them
    back to back, in one pass of the event loop: a burst far above any `events.rate`.

    The events are real activity (the REST snapshots agree); each is journaled with
    `fault: burst_events`.
    """

    count: int = param(300, doc="at least this many account events, sent back to back", ge=1, le=MAX_BURST)

    def apply(self, fake: FaultTarget) -> list[int]:
        fake.settle()
        events: list[UserEvent] = []
        while len(events) < self.count:
            events += fake.account.tick(fake.clock.epoch_ms())
        return fake.publish(events, fault=self.name)
