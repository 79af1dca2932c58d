"""`oversized_event`: an account event far larger than usual, in one frame."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from fake_server.exchange.user_events import UserEvent
from fake_server.faults import Fault, register
from fake_server.faults.target import FaultTarget
from fake_server.schema import param

#: The field that makes the event large: undocumented, so a client must carry it (H2).
PAD = "pad"
#: Past 16 MiB (Autobahn's largest message, case 9.1.6) a bigger event says nothing more,
#: and it is built in memory and framed in one write.
MAX_SIZE = 16 * 2**20


@register
@dataclass(frozen=True)
class OversizedEvent(
    Fault,
    name="oversized_event",
    layer="websocket",
    mirrors="Autobahn case family 9 (limits/performance: 9.1 text messages of growing size)",
):
    """Send one tick of account activity now, its first event padded with an undocumented
    field (`pad`, a string of `x`) until its JSON is `size` bytes.

    On the wire: one text frame, `81 7f <size in 8 bytes> {..., "pad":"xxx..."}` (`81 7e
    <2 bytes>` below 64 KiB; a little longer with the profile's extra fields, or on a
    combined stream, which wraps it), then the tick's other events as usual. Binance's messages can
    outgrow a client's limit: binance-connector-java#171's client stopped on a 73,728-byte
    `!markPrice@arr` push, over Jetty's 65,536-byte default. A client whose limit is below
    `size` fails the connection (close 1009 "message too big") and loses the event; the
    websockets library's default limit is 1 MiB, Node's ws's 100 MiB. Journaled as the
    events' `event` entries, `fault: oversized_event`, the padded one with `size`.
    """

    size: int = param(2**17, doc="bytes of JSON the first event is padded to", ge=1024, le=MAX_SIZE)

    def apply(self, fake: FaultTarget) -> list[int]:
        fake.settle()
        first, *rest = fake.account.tick(fake.clock.epoch_ms())
        padded = _padded(first, self.size)
        reached = set(fake.publish([padded], fault=self.name, size=len(orjson.dumps(padded))))
        reached.update(fake.publish(rest, fault=self.name))
        return sorted(reached)


def _padded(event: UserEvent, size: int) -> UserEvent:
    """`event` with a `pad` field making its JSON `size` bytes (or as small as it can be)."""
    bare = len(orjson.dumps({**event, PAD: ""}))
    return {**event, PAD: "x" * max(0, size - bare)}
