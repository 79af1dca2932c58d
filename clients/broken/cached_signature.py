"""Broken client: lacks ``fresh-signature-on-reconnect``.

The spot reference client, except that it signs its ``userDataStream.subscribe.signature``
request once, at startup, and re-sends that same request (same timestamp, same signature)
on every later connection. After a reconnect the timestamp is older than its recvWindow,
Binance answers -1021 "Timestamp for this request is outside of the recvWindow." to every
retry, and the new connection never carries an event. Reconnecting itself works.

Mimics B3 ``wsapi-no-reauth-after-reconnect``: sammchardy/python-binance PR#1655 (user
socket bound to the old WebSocket API connection after a reconnect), and the bug fixed in
oliver-zehentleitner/unicorn-binance-websocket-api PR#411 (signature now recomputed on every
reconnect) and by the connectors' automatic re-logon (binance/binance-connector-js PR#504,
binance/binance-connector-python PR#422, binance/binance-connector-rust#54).

Run: ``python /abs/path/clients/broken/cached_signature.py``
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_spot import SpotReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "fresh-signature-on-reconnect"
SCENARIO = "spot/reconnect-needs-fresh-signature.yaml"


class CachedSignatureClient(SpotReferenceClient):
    _signed: dict[str, Any] | None = None

    def subscribe_request(self) -> dict[str, Any]:
        if self._signed is None:
            self._signed = super().subscribe_request()
        return self._signed


if __name__ == "__main__":
    sys.exit(CachedSignatureClient.main())
