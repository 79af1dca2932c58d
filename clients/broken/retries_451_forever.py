"""Broken client: lacks ``stops-on-restricted-location``.

It treats HTTP 451 (Binance's "Service unavailable from a restricted location") like any
other failed call: it prints the error and retries with its backoff, for as long as it
runs. Nothing can change the answer (the caller's location decides it), so the loop only
adds load and buries the one line that explains the problem among retries. Everything else
is the reference client's.

Mimics G1 ``handshake-rejected-403-451`` (binance/binance-connector-python#201: 451 on
Kubernetes, in a reconnect loop; jptsantossilva/BEC#22 and ccxt/ccxt#15872: restricted
location).

Run: ``python /abs/path/clients/broken/retries_451_forever.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "stops-on-restricted-location"
SCENARIO = "http/restricted-location-451.yaml"


class Retries451ForeverClient(ReferenceClient):
    def is_permanent(self, status: int) -> bool:
        return False  # every failure is worth another try


if __name__ == "__main__":
    sys.exit(Retries451ForeverClient.main())
