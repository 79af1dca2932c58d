"""`terminate_event_stream`: failure mode B2, a spot WebSocket API subscription ends while
the socket stays open."""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import Fault, register
from fake_server.faults.target import FaultTarget
from fake_server.journal_entries import EventEntry


@register
@dataclass(frozen=True)
class TerminateEventStream(
    Fault, name="terminate_event_stream", layer="binance", profiles=frozenset({"spot"})
):
    """End every spot WebSocket API user-data subscription now: `eventStreamTerminated`.

    Failure mode B2: the subscription ends while the socket stays open (the server sends
    `{"subscriptionId":N,"event":{"e":"eventStreamTerminated","E":..}}`, reference §2); a
    client must subscribe again. Touches only connections of the spot profile's /ws-api/v3.
    """

    def apply(self, fake: FaultTarget) -> list[int]:
        touched = []
        for conn in fake.connections():
            if conn.ws_api is None:
                continue
            messages = conn.ws_api.terminate_all()
            if messages and all(conn.send_json(m) for m in messages):
                touched.append(conn.id)
        fake.journal.append(
            EventEntry(kind="event", e="eventStreamTerminated", E=fake.clock.epoch_ms(), conns=touched)
        )
        return touched
