"""Broken client: lacks ``replaces-before-shutdown``.

The futures reference client, except that ``serverShutdown`` is only logged: it keeps
reading the old connection until the server closes it after the grace period, and only
then reconnects (promptly, with its usual backoff). The events sent between the close and
the new connection are lost to the stream (a resync can only paper over them).

Mimics B4 ``server-shutdown-event``: libraries without a handler for the notice
(c9s/bbgo PR#2552, binance/binance-connector-python PR#506 and binance/binance-connector-go
PR#102 added one in 2026).

Run: ``python /abs/path/clients/broken/ignores_server_shutdown.py``
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "replaces-before-shutdown"
SCENARIO = "lifecycle/server-shutdown.yaml"


class IgnoresServerShutdownClient(ReferenceClient):
    async def on_server_shutdown(self, payload: dict[str, Any]) -> None:
        self.log(f"serverShutdown E={payload.get('E')} (ignored: waiting for the close)")


if __name__ == "__main__":
    sys.exit(IgnoresServerShutdownClient.main())
