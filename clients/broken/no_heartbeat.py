"""Broken client: lacks ``detects-dead-connection``.

It sends no pings of its own and has no receive watchdog, so a half-open connection (the
peer gone, no FIN, no RST: a black-holed flow) is never noticed: the client waits on a
socket that will never deliver again. It still answers the server's pings, and
reconnects, renews and resyncs like the reference client once a close is actually
reported.

Mimics E2 ``half-open-network-loss`` (binance/binance-connector-python#227: hangs
forever after a network loss; x86y/dynasty#30).

Run: ``python /abs/path/clients/broken/no_heartbeat.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "detects-dead-connection"
SCENARIO = "heartbeats/half-open.yaml"
#: Checks it fails as a consequence of that lack (a client that never reconnects cannot
#: resync after a gap either).
ALSO_FAILS = ("reconnects-after-drop",)


class NoHeartbeatClient(ReferenceClient):
    def ping_settings(self) -> tuple[float | None, float | None]:
        return (
            None,
            None,
        )  # websockets' keepalive off: no client pings, no pong deadline


if __name__ == "__main__":
    sys.exit(NoHeartbeatClient.main())
