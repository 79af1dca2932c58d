"""Broken client: lacks ``keeps-event-order``.

It applies order updates in the order they arrive: ``is_stale`` always says no, so a NEW
that comes after its order's FILLED moves the order back to open. Everything else is the
reference client's.

Mimics H5 ``ws-vs-rest-race-and-ordering``: zhouaini528/binance-php#67 (a NEW event two
minutes after the order was submitted), scalexm/trade-rs#9 (the stream and REST race on
one order), ccxt/ccxt#18028 (REST and WebSocket threads applying the same order).

Run: ``python /abs/path/clients/broken/applies_in_arrival_order.py``
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "keeps-event-order"
SCENARIO = "payload/out-of-order.yaml"


class AppliesInArrivalOrderClient(ReferenceClient):
    def is_stale(self, payload: dict[str, Any]) -> bool:
        return False


if __name__ == "__main__":
    sys.exit(AppliesInArrivalOrderClient.main())
