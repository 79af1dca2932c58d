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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pongless import PonglessClientConnection
from reference_client import ReferenceClient


class NoPongClient(ReferenceClient):
    connection_class = PonglessClientConnection


if __name__ == "__main__":
    sys.exit(NoPongClient.main())
