"""Broken client: lacks ``no-event-lost``.

Its event handler only dispatches ``ORDER_TRADE_UPDATE``: every other event type,
notably ``ACCOUNT_UPDATE`` (and TRADE_LITE, MARGIN_CALL, ...), is silently dropped,
deterministically, on a perfectly healthy socket. Everything else is the reference
client's.

Mimics H2 ``unknown-event-type`` (ccxt/ccxt#16605 and #24484: balance updates ignored
because the handler only knew some event types).

Run: ``python /abs/path/clients/broken/loses_events.py``
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "no-event-lost"
SCENARIO = "drops/drop-1006.yaml"


class LosesEventsClient(ReferenceClient):
    def handle_event(self, payload: dict[str, Any]) -> None:
        if payload.get("e") == "ORDER_TRADE_UPDATE":
            super().handle_event(payload)


if __name__ == "__main__":
    sys.exit(LosesEventsClient.main())
