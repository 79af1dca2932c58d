"""Broken client for the search: events that arrive late in a reconnect's resync are thrown away.

After a reconnect it fetches the REST snapshots and holds the stream's events meanwhile,
to apply them on top of the snapshot. Its hold is bounded, as a buffer must be: what
arrives after the resync has run `HOLD` seconds is dropped, reasoning that the snapshot,
still to come, will cover it. It does not: a fill is reported once, in its events, never in
a balance. A healthy REST API answers in milliseconds, so no catalog scenario sends an
event that late in a resync, and it passes the whole catalog; only a sequence (a drop, then
a slow or failing snapshot call while it reconnects) shows the flaw. The issue that asked
for it calls it a resync that races the first event.

Mimics F5 ``gap-not-reconciled`` in its sequence form: the reconcile after a reconnect is
itself a gap, and what arrives during it vanishes inside the client (judged by
`no-event-lost`, the check for events lost inside a client).

Run: ``python /abs/path/clients/broken_sequences/drops_events_during_resync.py``, or
in-process ``--client python:clients.broken_sequences.drops_events_during_resync:DropsEventsDuringResyncClient.in_process``
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What a search finds it lacking (tests/search/test_search_runs.py).
LACKS = "no-event-lost"
#: Seconds of a resync whose events it holds; later ones are dropped.
HOLD = 0.25


class DropsEventsDuringResyncClient(ReferenceClient):
    #: Events held while a reconnect's resync runs (None: no resync running).
    _held: list[dict[str, Any]] | None = None
    _resync_started = 0.0

    async def resync(self) -> None:
        if self.connections_opened <= 1:  # the start-up snapshot is not a reconnect's
            await super().resync()
            return
        self._held, self._resync_started = [], asyncio.get_running_loop().time()
        try:
            await super().resync()
        finally:
            held, self._held = self._held, None
            for payload in held:
                super().deliver(payload)

    def deliver(self, payload: dict[str, Any]) -> None:
        if self._held is None:
            super().deliver(payload)
        elif asyncio.get_running_loop().time() - self._resync_started <= HOLD:
            self._held.append(payload)
        else:
            self.log(f"event {payload.get('e')} E={payload.get('E')} late in the resync: dropped")


if __name__ == "__main__":
    sys.exit(DropsEventsDuringResyncClient.main())
