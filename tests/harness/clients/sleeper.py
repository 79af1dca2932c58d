"""A client that creates a listenKey, sleeps SLEEPER_SECONDS on asyncio's clock, then sends
one keepalive: the gap between its two calls shows how fast its clock ran
(tests/harness/test_time_factor.py). Standard library only, so it starts quickly."""

from __future__ import annotations

import asyncio
import os
import urllib.request


def call(method: str) -> None:
    request = urllib.request.Request(
        os.environ["BINANCE_HARNESS_REST_URL"] + "/fapi/v1/listenKey",
        method=method,
        headers={"X-MBX-APIKEY": os.environ["BINANCE_HARNESS_API_KEY"]},
    )
    urllib.request.urlopen(request).read()


async def main() -> None:
    call("POST")
    await asyncio.sleep(float(os.environ["SLEEPER_SECONDS"]))
    call("PUT")
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
