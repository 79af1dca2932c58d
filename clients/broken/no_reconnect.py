"""Broken client: lacks ``reconnects-after-drop``.

When the socket closes, for any reason it did not ask for (1006 abnormal, clean
1000/1001, 1008, 1011), it logs "not reconnecting" and stays alive but idle, the way a
read loop that simply ends leaves a bot running and deaf. Failed *first* connects are
still retried, and every other behaviour (keepalive, renewal, pings, resync) is the
reference client's.

Mimics C1 ``drop-1006-no-close-frame`` and C2 ``close-1000-1001-treated-as-final``
(sammchardy/python-binance#1608 and #975: user socket silent after a 1001 while the
keepalive kept running).

Run: ``python /abs/path/clients/broken/no_reconnect.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "reconnects-after-drop"
SCENARIO = "drops/drop-1006.yaml"
#: Checks it fails as a consequence of that lack (a client that never reconnects cannot
#: resync after a gap either).
ALSO_FAILS = ("resyncs-after-gap",)


class NoReconnectClient(ReferenceClient):
    def should_reconnect(self, ever_opened: bool) -> bool:
        return not ever_opened  # once a connection has opened, a close is taken as final


if __name__ == "__main__":
    sys.exit(NoReconnectClient.main())
