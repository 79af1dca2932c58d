"""Broken client: lacks ``answers-server-ping``.

It never answers the server's pings (its WebSocket connection is
:class:`pongless.PonglessClientConnection`). It still sends its own pings and watches
for their pongs, so it detects a dead connection, and everything else is the reference
client's: the server's pong deadline (futures: 10 min; 1008 "Pong timeout") ends each
connection, and the client then reconnects, again and again.

Mimics D1 ``server-ping-unanswered`` (binance/binance-connector-rust#74: pings answered
on market streams but not on the user-data stream; ccxt/php-binance-api#453: 1008 "Pong
timeout").

Run: ``python /abs/path/clients/broken/no_pong.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.pongless import PonglessClientConnection
from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "answers-server-ping"
SCENARIO = "heartbeats/server-pings.yaml"


class NoPongClient(ReferenceClient):
    connection_class = PonglessClientConnection


if __name__ == "__main__":
    sys.exit(NoPongClient.main())
