"""A client the fake refuses: it joins `/private/stream` by a SUBSCRIBE whose id is a JSON
object (Binance takes an integer, a short string or null), and asks a REST route the fake
does not serve. It never gets a user-data stream, and every verdict must say why in the
fake's own words (issue 9): the SUBSCRIBE's error answer and the 404, from the journal.
"""

from __future__ import annotations

import asyncio
import json
import os

import httpx
from websockets.asyncio.client import connect


async def main() -> None:
    rest, ws_url = os.environ["BINANCE_HARNESS_REST_URL"], os.environ["BINANCE_HARNESS_WS_URL"]
    headers = {"X-MBX-APIKEY": os.environ["BINANCE_HARNESS_API_KEY"]}
    async with httpx.AsyncClient(trust_env=False) as http:
        key = (await http.post(f"{rest}/fapi/v1/listenKey", headers=headers)).json()["listenKey"]
        print((await http.get(f"{rest}/fapi/v9/account", headers=headers)).text, flush=True)
    async with connect(f"{ws_url}/private/stream", proxy=None) as ws:
        await ws.send(json.dumps({"method": "SUBSCRIBE", "params": [key], "id": {"request": 1}}))
        async for message in ws:
            print(message, flush=True)
    await asyncio.Event().wait()  # closed: stay alive, idle


if __name__ == "__main__":
    asyncio.run(main())
