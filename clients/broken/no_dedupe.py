"""Broken client: lacks ``no-duplicate-delivery``.

Every event goes to the application as it arrives: ``is_duplicate`` always says no, so an
event the server sends twice (same e, E and ids) is handled, and booked, twice. Everything
else is the reference client's.

Mimics H6 ``duplicate-events``: ccxt/ccxt#18028 (the same FILL delivered twice on the
futures testnet), binance-exchange/node-binance-api#47 (``execution_update`` fired twice),
JKorf/Binance.Net#414.

Run: ``python /abs/path/clients/broken/no_dedupe.py``
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "no-duplicate-delivery"
SCENARIO = "payload/duplicate-events.yaml"


class NoDedupeClient(ReferenceClient):
    def is_duplicate(self, payload: dict[str, Any]) -> bool:
        return False


if __name__ == "__main__":
    sys.exit(NoDedupeClient.main())
