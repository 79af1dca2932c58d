"""Broken client: lacks ``replaces-dead-listenkey``.

It reads a keepalive answered 400 -1125 "This listenKey does not exist." as a passing
failure, like a 5xx: it retries the PUT on the same key (soon, then on schedule) and never
POSTs for a new key, while the socket bound to the dead key stays open and silent. A
``listenKeyExpired`` push is still handled like the reference client does; the fault it
meets is a key that dies silently, so only the keepalive could have told it.

Mimics A3 ``lk-keepalive-1125``: binance/binance-connector-js#41 (400 every 30 min,
"impossible to stop this error", a restart needed), ocho011/ict_2025#73 (the keepalive
loop keeps failing, no recovery) and sammchardy/python-binance#28.

Run: ``python /abs/path/clients/broken/retries_dead_key.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import LISTEN_KEY_PATH, KeyState, ReferenceClient, RestError

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "replaces-dead-listenkey"
SCENARIO = "listenkey/dead-key-1125.yaml"


class RetriesDeadKeyClient(ReferenceClient):
    async def check_listen_key(self) -> KeyState:
        try:
            await self.rest("PUT", LISTEN_KEY_PATH)
        except RestError:
            return KeyState.UNKNOWN  # -1125 included: "try again later"
        return KeyState.ALIVE


if __name__ == "__main__":
    sys.exit(RetriesDeadKeyClient.main())
