"""Broken client for the search: a drop during its resync stops it from ever resyncing again.

After each connect it waits half a second for the stream's first events, then fetches the
REST snapshots, and skips a resync while one is "running". When the connection drops
during that half second the resync is cancelled with the connection, but its "running"
flag is never cleared, so every later reconnect skips the resync and what happened while
it was away is never reconciled. The catalog never drops a connection within half a
second of a reconnect, so it passes the whole catalog; only a sequence (a drop during the
resync) shows the flaw.

Mimics F5 ``gap-not-reconciled`` in its sequence form (hummingbot/hummingbot#7590: user
stream state never re-initialised after a network blip).

Run: ``python /abs/path/clients/broken_sequences/resync_flag_stuck.py``, or in-process
``--client python:clients.broken_sequences.resync_flag_stuck:ResyncFlagStuckClient.in_process``
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What a search finds it lacking (tests/search/test_search_runs.py).
LACKS = "resyncs-after-gap"
#: Seconds it lets the stream run before fetching the snapshots.
SETTLE = 0.5


class ResyncFlagStuckClient(ReferenceClient):
    _resyncing = False

    async def resync(self) -> None:
        if self._resyncing:
            self.log("resync: one is already running")
            return
        self._resyncing = True
        await asyncio.sleep(SETTLE)
        await super().resync()
        self._resyncing = False  # not reached when the resync is cancelled with its connection


if __name__ == "__main__":
    sys.exit(ResyncFlagStuckClient.main())
