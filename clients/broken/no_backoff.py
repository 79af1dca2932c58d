"""Broken client: lacks ``backs-off``.

Every retry loop (reconnects, listenKey POST, keepalive PUT, resync GETs) waits a fixed
0.1 s, however long the fault lasts: against a refusing server that is ten attempts a
second, for ever.

Mimics F2 ``reconnect-storm`` (binance-exchange/node-binance-api#199: reconnects too
aggressive, high CPU; bitrich-info/xchange-stream#199: handshake 429 loop at 100 % CPU).

Run: ``python /abs/path/clients/broken/no_backoff.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import Backoff, ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "backs-off"
SCENARIO = "composite/maintenance-window.yaml"


class FixedDelay(Backoff):
    """A "backoff" that never grows."""

    def next_delay(self) -> float:
        return self.initial


class NoBackoffClient(ReferenceClient):
    def new_backoff(self, maximum: float | None = None) -> Backoff:
        return FixedDelay(0.1, 0.1)


if __name__ == "__main__":
    sys.exit(NoBackoffClient.main())
