"""Broken client: lacks ``honours-retry-after``.

It reads neither the ``Retry-After`` of a 429/418 REST answer nor that of a refused
WebSocket upgrade: it retries on its own backoff (0.25 s doubling), which is sane against
a 503 and wrong against a rate limit, whose window it keeps hitting until the 429 becomes
a 418 ban. Everything else is the reference client's.

Mimics G3 ``rest-429-418-retry-after`` (binance/binance-connector-python#443: the
TooManyRequestsError carried no retry information; rotki/rotki PR#1860 added waiting on
Retry-After; sammchardy/python-binance#128: bans escalating from 5 min to 24 h) and G1
(ccxt/node-binance-api#233: websockets refused while the IP was banned).

Run: ``python /abs/path/clients/broken/ignores_retry_after.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "honours-retry-after"
SCENARIO = "http/retry-after.yaml"


class IgnoresRetryAfterClient(ReferenceClient):
    def honoured_wait(self, retry_after: float | None) -> float:
        return 0.0


if __name__ == "__main__":
    sys.exit(IgnoresRetryAfterClient.main())
