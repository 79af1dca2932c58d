"""Broken client: lacks ``keeps-listenkey-alive``.

It never sends a keepalive PUT: the key lives only as long as its TTL after the POST, the
way ccxt.pro refreshed the key only when ``watch_orders`` was called again, so an idle
watcher went deaf after an hour (ccxt/ccxt#6760), and python-binance sent no keepalive for
authenticated streams before v1.0.6 (sammchardy/python-binance#825, #712: "stops after
1-4 h, no error"). It still reacts to ``listenKeyExpired`` like the reference client
(POST, reconnect), so it recovers after each lapse: only the proactive part is missing,
and the events sent while the key was dead are gone.

Run: ``python /abs/path/clients/broken/no_keepalive.py``
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "keeps-listenkey-alive"
SCENARIO = "listenkey/keepalive-error.yaml"


class NoKeepaliveClient(ReferenceClient):
    async def keepalive_loop(self) -> None:
        await asyncio.Event().wait()  # no timer: the key is refreshed by nothing


if __name__ == "__main__":
    sys.exit(NoKeepaliveClient.main())
