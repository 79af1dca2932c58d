"""A small USD-M user-data-stream bot: the kind of client a user tests with binance-stream-harness.

It gets a listenKey, streams its account events, and recovers the way Binance asks:
reconnect after any close it did not ask for (doubling backoff), fetch an account snapshot
after every connect (events sent while it was away are not replayed), a new listenKey on
`listenKeyExpired`, and on HTTP 429/418 it waits the whole Retry-After before asking again.
No keepalive PUT: a real bot needs one every 30 minutes; these tests never run that long.

    python bot.py                  as a harness client (reads BINANCE_HARNESS_* variables)
    python bot.py --no-reconnect   the same bot with its reconnect removed (it must fail)

Its tests (tests/) run it on a thread against the `binance_fake` fixture.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect


class Bot:
    def __init__(
        self,
        rest_url: str,
        ws_url: str,
        api_key: str,
        api_secret: str,
        *,
        reconnect: bool = True,
        on_event: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.rest_url, self.ws_url = rest_url, ws_url
        self.api_key, self.api_secret = api_key, api_secret
        self.reconnect = reconnect
        self.on_event = on_event
        self.stopping = threading.Event()
        # What a test asserts on: the bot's own view of its stream.
        self.events: list[dict[str, Any]] = []
        self.listen_keys: list[str] = []
        self.connections = 0
        self.snapshots = 0
        self.waited_retry_after: list[float] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.rest_url, headers={"X-MBX-APIKEY": self.api_key}, timeout=5) as http:
            key = self.new_listen_key(http)
            delay = 0.25
            while key is not None and not self.stopping.is_set():
                try:
                    key = self.stream(http, key)
                    delay = 0.25
                except (ConnectionClosed, InvalidStatus, OSError) as exc:
                    print(f"bot: stream ended: {exc!r}", flush=True)
                if not self.reconnect:
                    self.stopping.wait()  # stays alive, as a real bot's process would, but deaf
                    return
                self.stopping.wait(delay)
                delay = min(delay * 2, 30.0)

    def stream(self, http: httpx.Client, key: str | None) -> str | None:
        """Read events until the connection ends; the key to use next (a new one after expiry)."""
        # close_timeout: a server that never finishes its close must not hold the reconnect.
        with connect(f"{self.ws_url}/private/ws/{key}", open_timeout=5, close_timeout=1) as ws:
            self.connections += 1
            self.snapshot(http)
            while not self.stopping.is_set():
                try:
                    raw = ws.recv(timeout=0.2)
                except TimeoutError:
                    if ws.protocol.close_rcvd is not None:
                        # The server's close frame came and its TCP close never did: websockets'
                        # recv() would wait for it for ever. Treat it as the drop it is.
                        raise OSError("the server never finished its closing handshake") from None
                    continue
                event = json.loads(raw)
                if event.get("e") == "listenKeyExpired":
                    return self.new_listen_key(http)
                self.events.append(event)
                if self.on_event is not None:
                    self.on_event(event)
        return None

    def new_listen_key(self, http: httpx.Client) -> str | None:
        while not self.stopping.is_set():
            answer = http.post("/fapi/v1/listenKey")
            if answer.status_code in (418, 429):
                wait = float(answer.headers.get("Retry-After", "1"))
                print(f"bot: {answer.status_code} {answer.text}; waiting {wait:g} s", flush=True)
                self.waited_retry_after.append(wait)
                self.stopping.wait(wait)
                continue
            if answer.status_code != 200:
                print(f"bot: POST listenKey: HTTP {answer.status_code} {answer.text}", flush=True)
                self.stopping.wait(1.0)
                continue
            key = str(answer.json()["listenKey"])
            self.listen_keys.append(key)
            return key
        return None

    def snapshot(self, http: httpx.Client) -> None:
        """The account as it is now: what was missed while disconnected is not replayed."""
        query = f"timestamp={int(time.time() * 1000)}&recvWindow=5000"
        signature = hmac.new(self.api_secret.encode(), query.encode(), hashlib.sha256).hexdigest()
        answer = http.get(f"/fapi/v2/account?{query}&signature={signature}")
        if answer.status_code == 200:
            self.snapshots += 1
        else:
            print(f"bot: account snapshot: HTTP {answer.status_code} {answer.text}", flush=True)


def main() -> None:
    """As a harness client: the fake's addresses from the environment, events to its file."""
    env = os.environ
    events_file = env.get("BINANCE_HARNESS_EVENTS_FILE")
    out = open(events_file, "a", encoding="utf-8") if events_file else None  # noqa: SIM115

    def report(event: dict[str, Any]) -> None:
        if out is not None:
            out.write(json.dumps(event) + "\n")
            out.flush()

    bot = Bot(
        env["BINANCE_HARNESS_REST_URL"],
        env["BINANCE_HARNESS_WS_URL"],
        env["BINANCE_HARNESS_API_KEY"],
        env["BINANCE_HARNESS_API_SECRET"],
        reconnect="--no-reconnect" not in sys.argv,
        on_event=report,
    )
    signal.signal(signal.SIGTERM, lambda *_: bot.stopping.set())
    bot.run()


if __name__ == "__main__":
    main()
