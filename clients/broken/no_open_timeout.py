"""Broken client: lacks ``abandons-hung-handshake``.

It opens its WebSocket with no connect or handshake timeout (websockets' ``open_timeout`` is
None): an upgrade that the server reads and never answers holds its reconnect loop forever,
with no error, no retry and a process that looks alive. Everything else is the reference
client's.

Mimics E2 ``half-open-network-loss`` at connect time: pmxt-dev/pmxt#253 (a Binance feed's
connection promise with no timeout "never settles"), x86y/dynasty#30 (websockets "hang
indefinitely"; its PR#28 added a 30 s timeout), altangent/ccxws#245 (the opening-handshake
timeouts a timeout turns a hang into).

Run: ``python /abs/path/clients/broken/no_open_timeout.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "abandons-hung-handshake"
SCENARIO = "reconnect/upgrade-hangs.yaml"
#: Stuck in the hung handshake, it never opens the connection that replaces the dropped one.
ALSO_FAILS = ("reconnects-after-drop",)


class NoOpenTimeoutClient(ReferenceClient):
    @property
    def open_timeout(self) -> float | None:
        return None  # wait for the 101 as long as it takes


if __name__ == "__main__":
    sys.exit(NoOpenTimeoutClient.main())
