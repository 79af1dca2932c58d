"""Broken client for the search: it checks its listenKey before the reconnect backoff, not after.

After a drop it PUTs its key at once, then sleeps out the backoff and reconnects with the
key it checked. When the key dies during that sleep (it expired, or another client of the
same API key deleted it), it reconnects on a dead key: Binance accepts the upgrade and
sends nothing, so it looks connected and hears nothing. The catalog's stale key
(listenkey/stale-key-reconnect) dies before the drop, which this client's early check
catches, so it passes the whole catalog; only a sequence (a drop, then an expiry while it
backs off) shows the flaw, which is what `binance-harness search` is for.

Mimics A7 ``lk-stale-key-on-reconnect`` in its sequence form (ccxt/binance-api-node PR#124:
the reconnecting socket reused the old key; JKorf/CryptoExchange.Net#60: the connect
succeeds and stays silent).

Run: ``python /abs/path/clients/broken/checks_key_before_backoff.py``
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What a search finds it lacking (tests/search/test_broken_found.py).
LACKS = "uses-current-listenkey"


class ChecksKeyBeforeBackoffClient(ReferenceClient):
    async def wait_to_reconnect(self, delay: float) -> None:
        await self.before_reconnect()  # the key is checked, then the wait begins
        await asyncio.sleep(delay)


if __name__ == "__main__":
    sys.exit(ChecksKeyBeforeBackoffClient.main())
