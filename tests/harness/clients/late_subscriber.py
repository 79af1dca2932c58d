"""The reference client, joining its user data the way Binance's own SDKs do: it opens a
bare `/private/stream`, and only 1 s later SUBSCRIBEs its listenKey as a stream name.

A fault aimed at "the user-data connection" by the handshake (`on: ws_open`) fires before
this client has a subscription; aimed by `on: user_stream_ready` it lands once user data
flows (tests/harness/test_user_stream_trigger.py).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from websockets.asyncio.client import ClientConnection

from clients.reference_client import ReferenceClient

#: How long after its handshake the client subscribes (Binance's SDKs wait on their own
#: connection bookkeeping first).
SUBSCRIBE_AFTER = 1.0


class LateSubscriber(ReferenceClient):
    def ws_url_for(self, key: str) -> str:
        return f"{self.config.ws_url}/private/stream"

    async def prepare_connection(self, ws: ClientConnection) -> None:
        await asyncio.sleep(SUBSCRIBE_AFTER)
        await ws.send(json.dumps({"method": "SUBSCRIBE", "params": [self.listen_key], "id": 1}))


if __name__ == "__main__":
    sys.exit(LateSubscriber.main())
