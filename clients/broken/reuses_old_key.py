"""Broken client: lacks ``uses-current-listenkey``.

After a drop it reconnects with the listenKey it had, never checking it first: when the
key died while it was offline, Binance accepts the upgrade and sends nothing, so it looks
connected and hears nothing. (Its keepalive timer would notice the -1125 half an interval
later; in the scenario that interval is longer than the run, as Binance's 30 min are.)

Mimics A7 ``lk-stale-key-on-reconnect``: JKorf/CryptoExchange.Net#60 (the library author
confirms the connect succeeds and stays silent), ccxt/binance-api-node PR#124 (the
reconnecting socket reused the old key), sammchardy/python-binance PR#134 and PR#180 (the
key may change; start a new socket when it does).

Run: ``python /abs/path/clients/broken/reuses_old_key.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "uses-current-listenkey"
SCENARIO = "listenkey/stale-key-reconnect.yaml"


class ReusesOldKeyClient(ReferenceClient):
    async def before_reconnect(self) -> None:
        return None  # the key we had is the key we use


if __name__ == "__main__":
    sys.exit(ReusesOldKeyClient.main())
