"""Broken client: lacks ``survives-bad-frame``.

A frame that is not JSON (empty, an error page, binary) is treated as the stream failing:
``on_bad_frame`` logs hummingbot's line and closes the connection, and the connection loop
reconnects (with the reference backoff, where hummingbot waits 5 s). Everything else is the
reference client's.

Mimics H1 ``non-json-ws-frame``: hummingbot/hummingbot#4627 ("Unexpected error while
listening to user stream ... Expecting value: line 1 column 1 (char 0)" on the Binance and
Binance US connectors, the listener restarted after 5 s each time).

Run: ``python /abs/path/clients/broken/crashes_on_bad_frame.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "survives-bad-frame"
SCENARIO = "payload/bad-frames.yaml"
#: Checks it may fail as a consequence: events in flight when it drops the connection.
ALSO_FAILS = ("no-event-lost",)


class CrashesOnBadFrameClient(ReferenceClient):
    async def on_bad_frame(self, message: str | bytes, exc: ValueError) -> None:
        self.warn(f"Unexpected error while listening to user stream. Retrying after 5 seconds... {exc}")
        ws = self._ws
        if ws is not None:
            await ws.close(1000, "restarting listener")


if __name__ == "__main__":
    sys.exit(CrashesOnBadFrameClient.main())
