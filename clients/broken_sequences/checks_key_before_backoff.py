"""Broken client for the search: it checks its listenKey before the reconnect backoff, not after.

After a drop it PUTs its key at once and builds the reconnect from that key, then sleeps
out the backoff (at least half a second) and reconnects with it. When the key dies during
that sleep (it expired, or another client of the same API key deleted it), it reconnects on
a dead key: Binance accepts the upgrade and sends nothing, so it looks connected and hears
nothing. Even a keepalive that renewed the key during the sleep is lost: the reconnect was
built before it. The catalog's stale key (listenkey/stale-key-reconnect) dies before the
drop, which this client's early check catches, so it passes the whole catalog; only a
sequence (a drop, then an expiry while it backs off) shows the flaw, which is what
`binance-harness search` is for.

Its sleep is at least `MIN_WAIT`, where the reference client's first one is 0.125-0.25 s
at random: with that the flaw's window was one jittered backoff, so a schedule that hit it
reproduced only when the jitter was long enough (a flaky find), and the default search
rarely hit it at all. Half a second is still shorter than many SDKs' reconnect delays.

Mimics A7 ``lk-stale-key-on-reconnect`` in its sequence form (ccxt/binance-api-node PR#124:
the reconnecting socket reused the old key; JKorf/CryptoExchange.Net#60: the connect
succeeds and stays silent).

Run: ``python /abs/path/clients/broken_sequences/checks_key_before_backoff.py``, or in-process
``--client python:clients.broken_sequences.checks_key_before_backoff:ChecksKeyBeforeBackoffClient.in_process``
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What a search finds it lacking (tests/search/test_search_runs.py).
LACKS = "uses-current-listenkey"


#: Seconds it waits before a reconnect, at least.
MIN_WAIT = 0.5


class ChecksKeyBeforeBackoffClient(ReferenceClient):
    async def wait_to_reconnect(self, delay: float) -> None:
        await self.before_reconnect()  # the key is checked, then the wait begins
        key = self.listen_key
        await asyncio.sleep(max(delay, MIN_WAIT))
        self.listen_key = key  # the reconnect was built with the key checked before the wait


if __name__ == "__main__":
    sys.exit(ChecksKeyBeforeBackoffClient.main())
