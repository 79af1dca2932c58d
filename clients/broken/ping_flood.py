"""Broken client: lacks ``stays-under-message-rate``.

It sends its own ping every 50 ms (20 a second) on the user-data socket, to "detect a dead
connection fast". Binance counts pings, pongs and control frames alike, 10 a second on
futures, and cuts the connection with 1008 "Too many requests" about half a second in;
the client reconnects (the reference's loop) and gets cut again. Everything else is the
reference client's.

Mimics C4 ``close-1008-too-many-requests``
(https://dev.binance.vision/t/why-my-websocket-connections-not-getting-trades-after-some-time/363:
bursts of pong frames to every socket got them cut; hummingbot/hummingbot#7044: 1008 on
the user stream socket; binance/binance-connector-js#530).

Run: ``python /abs/path/clients/broken/ping_flood.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "stays-under-message-rate"
SCENARIO = "limits/message-rate.yaml"

PING_EVERY = 0.05  # seconds


class PingFloodClient(ReferenceClient):
    def ping_settings(self) -> tuple[float | None, float | None]:
        return PING_EVERY, self.config.client_ping_timeout


if __name__ == "__main__":
    sys.exit(PingFloodClient.main())
