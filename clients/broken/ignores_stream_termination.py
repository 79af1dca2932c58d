"""Broken client: lacks ``resubscribes-after-termination``.

The spot reference client, except that ``eventStreamTerminated`` is only logged: the socket
is still open and answering pings, so the client believes its stream is fine and never
subscribes again. It hears nothing more until the connection happens to drop. Everything
else (subscribing on every connection, reconnects, resyncs) is the reference client's.

Mimics B2 ``wsapi-event-stream-terminated`` (binance/binance-connector-js#535: after
subscribing through the WebSocket API the client got ``eventStreamTerminated`` and events
stopped, with the socket still open).

Run: ``python /abs/path/clients/broken/ignores_stream_termination.py``
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_spot import SpotReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "resubscribes-after-termination"
SCENARIO = "spot/event-stream-terminated.yaml"


class IgnoresStreamTerminationClient(SpotReferenceClient):
    async def on_stream_terminated(self, event: dict[str, Any]) -> None:
        self.log(f"eventStreamTerminated E={event.get('E')} (ignored: the socket is still open)")


if __name__ == "__main__":
    sys.exit(IgnoresStreamTerminationClient.main())
