"""Broken client: lacks ``survives-bad-frame``, and keeps its socket while it does.

Its reader stops at the first frame that is not JSON: ``on_bad_frame`` never returns, so
the loop that reads the connection waits on it for good. Nothing closes the socket (the
library underneath still holds it, and the client's own pings go on), so the connection
looks healthy to the server, but no event reaches the handler again: it went deaf. Unlike
``crashes_on_bad_frame.py``, which ends the connection, this is the case where only the
events file shows the lack. Everything else is the reference client's.

Mimics H1 ``non-json-ws-frame`` as seen in an SDK whose message task died on an empty frame
while the socket stayed open (issue 9 of this project; hummingbot/hummingbot#4627 for the
same parse error).

Run: ``python /abs/path/clients/broken/deaf_after_bad_frame.py``
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "survives-bad-frame"
SCENARIO = "payload/bad-frames.yaml"
#: Checks it fails as a consequence: every event after the bad frame is lost.
ALSO_FAILS = ("no-event-lost",)


class DeafAfterBadFrameClient(ReferenceClient):
    async def on_bad_frame(self, message: str | bytes, exc: ValueError) -> None:
        self.warn(f"message handler failed: {exc}")
        await asyncio.Event().wait()  # the reader never comes back


if __name__ == "__main__":
    sys.exit(DeafAfterBadFrameClient.main())
