"""Broken client: lacks ``tolerates-unknown-events``.

It decodes events into a closed set of types, like a serde enum with no catch-all
variant: an event of any other type (a new one, or MARGIN_CALL, whose ``p`` is an array
where TRADE_LITE's is a string) is a decode error, the stream task ends with it, and the
connection is torn down (the connection loop then reconnects). Everything else is the
reference client's.

Mimics H2 ``unknown-event-type``: ccxt/go-binance#612 ("json: cannot unmarshal string into
Go struct field ... of type []futures.WsPosition" when TRADE_LITE appeared),
oliver-zehentleitner/unicorn-fy#50 (TRADE_LITE crashed the stream),
nautechsystems/nautilus_trader#1184 (unknown enum value).

Run: ``python /abs/path/clients/broken/strict_parser.py``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient, unwrap

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "tolerates-unknown-events"
SCENARIO = "payload/unknown-events.yaml"
#: Checks it may fail as a consequence: events in flight when it drops the connection.
ALSO_FAILS = ("no-event-lost",)

#: The only event types its decoder has variants for.
KNOWN_EVENTS = frozenset(
    {"ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE", "TRADE_LITE", "listenKeyExpired", "serverShutdown"}
)


class UnknownVariant(ValueError):
    """The decode error of an event type the closed set does not have."""


class StrictParserClient(ReferenceClient):
    async def handle_frame(self, message: str | bytes) -> None:
        try:
            decode(message)
        except UnknownVariant as exc:
            self.warn(f"user data stream failed: data did not match any variant of UserDataEvent: {exc}")
            ws = self._ws
            if ws is not None:
                await ws.close(1011, "decode error")
            return
        await super().handle_frame(message)


def decode(message: str | bytes) -> None:
    """Raise UnknownVariant for a JSON event whose type is not in the closed set."""
    try:
        payload = unwrap(json.loads(message))
    except ValueError:
        return  # not JSON: the reference handling applies
    if isinstance(payload, dict) and "e" in payload and payload["e"] not in KNOWN_EVENTS:
        raise UnknownVariant(f"unknown variant `{payload['e']}`, expected one of {sorted(KNOWN_EVENTS)}")


if __name__ == "__main__":
    sys.exit(StrictParserClient.main())
