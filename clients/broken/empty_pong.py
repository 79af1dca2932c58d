"""Broken client: lacks ``echoes-ping-payload``.

It answers every server ping at once, but with an empty pong instead of one echoing the
ping's payload (its WebSocket connection is :class:`pongless.EmptyPongClientConnection`),
the way the legacy python ``binance-connector`` (<= 3.12) did (binance-reference.md §5).
Binance requires the echo since 2024-02-09 and unsolicited pongs do not keep a connection
alive (reference §2), so the server's pong deadline ends each connection with 1008 "Pong
timeout", and the client reconnects, again and again. Everything else is the reference
client's.

Mimics D1 ``server-ping-unanswered`` (hummingbot/hummingbot PR#7310: Binance needs a pong
for each ping; ccxt/php-binance-api#453 and ruby-jp/websocket-client-simple#28: 1008 "Pong
timeout" on connections that did send something back).

Run: ``python /abs/path/clients/broken/empty_pong.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.pongless import EmptyPongClientConnection
from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "echoes-ping-payload"
SCENARIO = "heartbeats/server-pings.yaml"
#: Checks it fails as a consequence: its pongs come in time but do not count, so the
#: server closes its connections with 1008 "Pong timeout", which answers-server-ping judges.
ALSO_FAILS = ("answers-server-ping",)


class EmptyPongClient(ReferenceClient):
    connection_class = EmptyPongClientConnection


if __name__ == "__main__":
    sys.exit(EmptyPongClient.main())
