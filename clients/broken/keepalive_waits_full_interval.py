"""Broken client: lacks ``retries-failed-keepalive``.

When a keepalive PUT fails for a passing reason (HTTP 500 -1000, a timeout, a reset), it
logs the error and waits a whole keepalive interval before the next PUT, so one lost
request leaves the key to lapse before the next attempt. Everything else (the timer
itself, -1125 handling, reconnects) is the reference client's.

Mimics A4 ``lk-keepalive-transient-error``: sonvister/Binance#72 (PUT got 500 -1000, the
next one 30 min later -1125, the socket never restarted), ccxt/node-binance-api#168 (a
try/catch around the PUT swallowed the failure; the stream died overnight) and
JKorf/Binance.Net#31 (-1000 during an exchange outage).

Run: ``python /abs/path/clients/broken/keepalive_waits_full_interval.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import Backoff, ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "retries-failed-keepalive"
SCENARIO = "listenkey/keepalive-error.yaml"


class KeepaliveWaitsFullIntervalClient(ReferenceClient):
    def keepalive_retry_delay(self, retry: Backoff) -> float:
        return self.config.keepalive_interval  # "it will work next time"


if __name__ == "__main__":
    sys.exit(KeepaliveWaitsFullIntervalClient.main())
