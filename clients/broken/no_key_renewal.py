"""Broken client: lacks ``renews-expired-listenkey``.

It never POSTs for a new listenKey after startup: a ``listenKeyExpired`` event is logged
and otherwise ignored, and a keepalive (or pre-reconnect) PUT answered with -1125 leaves
it on the old key, which it keeps PUTting on schedule. Its keepalive timer itself is the
reference one, so a key that is kept alive never expires; only a key that dies anyway is
never replaced.

Mimics A2 ``lk-expired-event-ignored``
(oliver-zehentleitner/unicorn-binance-websocket-api#275) and A3 ``lk-keepalive-1125``
(binance/binance-connector-js#41: 400 -1125 every 30 min, forever).

Run: ``python /abs/path/clients/broken/no_key_renewal.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "renews-expired-listenkey"
SCENARIO = "listenkey/expired.yaml"
#: Checks it fails as a consequence of that lack (a client that never reconnects cannot
#: resync after a gap either).
ALSO_FAILS = ("resyncs-after-gap",)


class NoKeyRenewalClient(ReferenceClient):
    async def renew_listen_key(self) -> str | None:
        self.log(f"keeping listenKey {self.listen_key}")
        return None  # callers then carry on with the old key


if __name__ == "__main__":
    sys.exit(NoKeyRenewalClient.main())
