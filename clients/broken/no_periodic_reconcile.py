"""Broken client: lacks ``reconciles-during-silence``.

It reads the REST snapshots only when a connection opens (as the reference client does
after every reconnect), never while a connection stays open. When the user stream stalls
with the socket and its heartbeats healthy, nothing closes, nothing reconnects, and every
fill made meanwhile stays unknown to it until some later event or restart. Everything else
is the reference client's.

Mimics E1 ``silent-stall-socket-open`` (sammchardy/python-binance#712 and #1057: the user
stream stops with no error and no close; users built order canaries to notice;
UBWA#238: two hours of user messages missing, no disconnect seen).

Run: ``python /abs/path/clients/broken/no_periodic_reconcile.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "reconciles-during-silence"
SCENARIO = "stalls/silent-stall.yaml"


class NoPeriodicReconcileClient(ReferenceClient):
    def reconcile_period(self) -> float | None:
        return None  # trusts an open socket: no REST check while it stays up


if __name__ == "__main__":
    sys.exit(NoPeriodicReconcileClient.main())
