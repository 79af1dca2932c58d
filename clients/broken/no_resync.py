"""Broken client: lacks ``resyncs-after-gap``.

It fetches the REST snapshots (``/fapi/v2/account``, ``/fapi/v1/openOrders``) once, on
its first connection at startup, and never again: after a reconnect, or a switch to a
renewed key, whatever happened while it was away is never reconciled. It reconnects,
renews and keeps the key alive like the reference client.

Mimics F5 ``gap-not-reconciled`` (oliver-zehentleitner/unicorn-binance-websocket-api#15:
events sent while disconnected are gone; hummingbot/hummingbot#7590: perp user stream
state never re-initialised after a network blip).

Run: ``python /abs/path/clients/broken/no_resync.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "resyncs-after-gap"
SCENARIO = "drops/drop-1006.yaml"


class NoResyncClient(ReferenceClient):
    def should_resync(self, connection_number: int) -> bool:
        return connection_number == 1  # startup snapshot only


if __name__ == "__main__":
    sys.exit(NoResyncClient.main())
