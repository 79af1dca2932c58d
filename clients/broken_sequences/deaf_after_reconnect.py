"""Broken client for the search: it ignores `listenKeyExpired` for a second after a reconnect.

It attaches its expiry handler only once a new connection has been up for a second (after
its resync has had time to finish), so an expiry that arrives right after a reconnect goes
unnoticed: the key is dead, nothing more arrives, and the client waits on a silent socket.
An expiry on a settled connection (listenkey/expired) is handled like the reference
client does, so it passes the whole catalog; only a sequence (a drop, then an expiry just
after the reconnect) shows the flaw.

Mimics A2 ``lk-expired-event-ignored`` in its sequence form: a client whose handlers are
wired up a moment after the socket opens loses what arrives in between.

Run: ``python /abs/path/clients/broken_sequences/deaf_after_reconnect.py``, or in-process
``--client python:clients.broken_sequences.deaf_after_reconnect:DeafAfterReconnectClient.in_process``
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from websockets.asyncio.client import ClientConnection

from clients.reference_client import ReferenceClient

#: What a search finds it lacking (tests/search/test_search_runs.py).
LACKS = "renews-expired-listenkey"
#: Seconds after a handshake before it listens for listenKeyExpired.
DEAF_FOR = 1.0


class DeafAfterReconnectClient(ReferenceClient):
    _opened_at = 0.0

    async def open_connection(self, key: str) -> ClientConnection:
        ws = await super().open_connection(key)
        self._opened_at = asyncio.get_running_loop().time()
        return ws

    async def on_listen_key_expired(self, payload: dict[str, Any]) -> None:
        age = asyncio.get_running_loop().time() - self._opened_at
        if self.connections_opened > 1 and age < DEAF_FOR:
            self.log(f"listenKeyExpired {age:.2f}s after a reconnect: handler not attached yet")
            return
        await super().on_listen_key_expired(payload)


if __name__ == "__main__":
    sys.exit(DeafAfterReconnectClient.main())
