"""Reference client for the Binance USD-M futures user data stream.

This is the client the harness expects to pass every behaviour. It is written to be
read: each recovery behaviour lives in one small method or attribute (the broken clients
in ``broken/`` override exactly one of them), and each says why it exists.

Lifecycle::

    POST listenKey ─► connect /private/ws/<key> ─► resync over REST ─► read events
      ▲                  ▲      │ any close we did not ask for
      │                  │      ▼
      │                  └─ PUT key (-1125: POST) ◄─ backoff 0.25 s × 2ⁿ ≤ 30 s, jitter
      └─ listenKeyExpired, or keepalive PUT answers -1125: POST, close socket ourselves

Run it with the harness' environment (see docs/client-contract.md)::

    python /abs/path/clients/reference_client.py
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import hashlib
import hmac
import html
import json
import os
import random
import re
import signal
import ssl
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TextIO

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

LISTEN_KEY_PATH = "/fapi/v1/listenKey"
ACCOUNT_PATH = "/fapi/v2/account"
OPEN_ORDERS_PATH = "/fapi/v1/openOrders"
LISTEN_KEY_NOT_FOUND = -1125  # "This listenKey does not exist."


# ------------------------------------------------------------------------ pure helpers


class Backoff:
    """Capped exponential backoff with jitter.

    The n-th delay (from 0) is ``min(maximum, initial * factor**n)`` times a random
    factor in [0.5, 1]. Jitter spreads out clients reconnecting after the same outage;
    keeping it to half the delay means that, below the cap, no delay is shorter than the
    previous one. The first delay is at most ``initial``: a one-off drop is repaired at
    once.
    """

    def __init__(
        self,
        initial: float,
        maximum: float,
        factor: float = 2.0,
        rng: random.Random | None = None,
    ) -> None:
        self.initial, self.maximum, self.factor = initial, maximum, factor
        self.rng = rng or random.Random()
        self.attempt = 0

    def next_delay(self) -> float:
        nominal = min(self.maximum, self.initial * self.factor**self.attempt)
        if nominal < self.maximum:  # stop counting at the cap, or factor**n overflows
            self.attempt += 1
        return nominal * self.rng.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.attempt = 0


def sign(query: str, secret: str) -> str:
    """Binance SIGNED endpoints: HMAC-SHA256 of the exact query string, hex encoded."""
    return hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()


def signed_query(secret: str, timestamp_ms: int, recv_window: int = 5000) -> str:
    query = f"timestamp={timestamp_ms}&recvWindow={recv_window}"
    return f"{query}&signature={sign(query, secret)}"


def parse_error_body(body: str) -> tuple[Any, Any] | None:
    """Binance's (code, msg) from a JSON error body; None if the body is not one."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if isinstance(data, dict) and ("code" in data or "msg" in data):
        return data.get("code"), data.get("msg")
    return None


def format_rest_error(method: str, path: str, status: int, body: str) -> str:
    """One line that carries everything needed to diagnose a failed call.

    A bare "404" is useless (see the forum thread); Binance explains itself in the body.
    """
    parsed = parse_error_body(body)
    title = re.search(r"<title>(.*?)</title>", body, re.IGNORECASE | re.DOTALL)
    if parsed is not None:
        detail = f"code={parsed[0]} msg={parsed[1]}"
    elif title is not None:  # a gateway's page (nginx, CloudFront): its title names the condition
        detail = "page=" + " ".join(html.unescape(title.group(1)).split())
    else:
        detail = "body=" + (" ".join(body[:200].split()) or "(empty)")
    return f"REST {method} {path} failed: HTTP {status} {detail}"


def unwrap(payload: Any) -> Any:
    """Combined streams wrap events as {"stream": .., "data": ..}: return the event."""
    if isinstance(payload, dict) and "stream" in payload and "data" in payload:
        return payload["data"]
    return payload


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (Binance sends seconds on 429/418)."""
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def is_user_event(payload: Any) -> bool:
    """An event to deliver: a JSON object with an ``e`` that is not a control signal."""
    return isinstance(payload, dict) and "e" in payload and payload["e"] != "listenKeyExpired"


def event_line(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":")) + "\n"


def snapshot_summary(account: Any, orders: Any) -> str:
    """A one-line digest of the REST snapshots, tolerant of any shape."""
    account = account if isinstance(account, dict) else {}
    positions = account.get("positions")
    positions = positions if isinstance(positions, list) else []
    open_positions = sum(
        1 for p in positions if isinstance(p, dict) and str(p.get("positionAmt", "0")).strip("0.-")
    )
    orders_count = len(orders) if isinstance(orders, list) else "?"
    balance = account.get("totalWalletBalance")
    return f"walletBalance={balance} positions={open_positions} openOrders={orders_count}"


def _env_float(env: Mapping[str, str], name: str, default: float) -> float:
    value = env.get(name, "").strip()
    return float(value) if value else default


@dataclass(frozen=True)
class Config:
    """What the client reads from the environment (names: the harness contract)."""

    rest_url: str
    ws_url: str
    api_key: str = ""
    api_secret: str = ""
    events_file: str | None = None
    keepalive_interval: float = 1800.0
    client_ping_interval: float = 20.0
    client_ping_timeout: float = 10.0
    backoff_initial: float = 0.25
    backoff_max: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Config:
        ttl = _env_float(env, "BINANCE_HARNESS_LISTEN_KEY_TTL", 3600.0)
        return cls(
            rest_url=env["BINANCE_HARNESS_REST_URL"].rstrip("/"),
            ws_url=env["BINANCE_HARNESS_WS_URL"].rstrip("/"),
            api_key=env.get("BINANCE_HARNESS_API_KEY", ""),
            api_secret=env.get("BINANCE_HARNESS_API_SECRET", ""),
            events_file=env.get("BINANCE_HARNESS_EVENTS_FILE") or None,
            # A key lives TTL seconds; refresh at half of it: one lost PUT is harmless.
            keepalive_interval=_env_float(env, "BINANCE_HARNESS_KEEPALIVE_INTERVAL", min(1800.0, ttl / 2)),
            client_ping_interval=_env_float(env, "BINANCE_HARNESS_CLIENT_PING_INTERVAL", 20.0),
            client_ping_timeout=_env_float(env, "BINANCE_HARNESS_CLIENT_PING_TIMEOUT", 10.0),
            backoff_initial=_env_float(env, "REFCLIENT_BACKOFF_INITIAL", 0.25),
            backoff_max=_env_float(env, "REFCLIENT_BACKOFF_MAX", 30.0),
        )


class RestError(Exception):
    """A REST call that did not succeed; already printed when raised."""

    def __init__(self, status: int | None, code: Any = None, retry_after: float | None = None):
        super().__init__(f"HTTP {status} code={code}")
        self.status, self.code, self.retry_after = status, code, retry_after


class KeyState(enum.Enum):
    """What a keepalive PUT says about our listenKey."""

    ALIVE = "alive"
    GONE = "gone"  # -1125: the key does not exist any more, POST for a new one
    UNKNOWN = "unknown"  # the check itself failed (5xx, timeout...): try again soon


# -------------------------------------------------------------------------- the client


class ReferenceClient:
    """A user-data-stream client that recovers from every fault the harness injects."""

    #: Connection class handed to websockets. The stock one answers every server ping
    #: with a pong echoing its payload (Binance requires the echo since 2024-02-09).
    connection_class: type[ClientConnection] = ClientConnection
    #: A dead peer must not hold a reconnect up: wait this long at most for its close.
    close_timeout: float = 1.0
    open_timeout: float = 10.0
    #: Cap on the retry delay of a failed keepalive PUT: retry well before the key dies.
    keepalive_retry_cap: float = 5.0

    def __init__(self, config: Config, rng: random.Random | None = None) -> None:
        self.config = config
        self.rng = rng or random.Random()
        self.listen_key: str | None = None
        self.connections_opened = 0
        self._ws: ClientConnection | None = None
        self._closing_ourselves = False  # set when we close the socket to switch keys
        # One POST at a time, whoever noticed the expiry first.
        self._key_lock = asyncio.Lock()
        self._key_generation = 0
        self._http: httpx.AsyncClient | None = None
        self._events: TextIO | None = None

    # ------------------------------------------------------------------ output

    def log(self, message: str) -> None:
        print(message, flush=True)  # the harness timestamps lines as they arrive

    def warn(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    # ------------------------------------------------------- policies (overridable)

    def new_backoff(self, maximum: float | None = None) -> Backoff:
        """Delay schedule for every retry loop (REST and reconnects)."""
        cap = self.config.backoff_max if maximum is None else min(maximum, self.config.backoff_max)
        return Backoff(self.config.backoff_initial, cap, rng=self.rng)

    def ping_settings(self) -> tuple[float | None, float | None]:
        """(interval, timeout) of our own pings: how a half-open socket gets noticed."""
        return self.config.client_ping_interval, self.config.client_ping_timeout

    def should_reconnect(self, ever_opened: bool) -> bool:
        """Reconnect after any close we did not ask for, clean (1000/1001) or not."""
        return True

    def should_resync(self, connection_number: int) -> bool:
        """Events sent while we were away are never replayed: re-read the state."""
        return True

    def describe_rest_failure(self, method: str, path: str, status: int, body: str) -> str:
        """The line for a failed call: Binance's code and msg are the diagnosis."""
        return format_rest_error(method, path, status, body)

    def handle_event(self, payload: dict[str, Any]) -> None:
        """Deliver one user-data event (here: record it and print a short line)."""
        if self._events is not None:
            try:
                self._events.write(event_line(payload))
                self._events.flush()
            except OSError as exc:
                self.warn(f"cannot write events file: {exc}")
        self.log(f"event {payload.get('e')} E={payload.get('E')}")

    async def renew_listen_key(self) -> str | None:
        """POST for a key after the old one died (Binance may return the same string).

        The keepalive timer and the event reader can notice the same death at once: the
        lock and the generation count let the second one find the work done (and get
        None: no switch needed).
        """
        seen = self._key_generation
        async with self._key_lock:
            if self._key_generation != seen:
                return None
            key = await self.create_listen_key()
            self._key_generation += 1
            return key

    # ------------------------------------------------------------------ REST

    async def rest(self, method: str, path: str, *, signed: bool = False) -> Any:
        """One attempt: the JSON body on success, else print one line and raise."""
        assert self._http is not None
        url = self.config.rest_url + path
        if signed:
            url += "?" + signed_query(self.config.api_secret, int(time.time() * 1000))
        try:
            response = await self._http.request(method, url, headers={"X-MBX-APIKEY": self.config.api_key})
        except httpx.HTTPError as exc:
            self.warn(f"REST {method} {path} failed: {type(exc).__name__}: {exc}")
            raise RestError(None) from exc
        if response.is_success:
            try:
                return response.json()
            except ValueError:  # e.g. an HTML page with a 200: not an answer we can use
                self.warn(self.describe_rest_failure(method, path, response.status_code, response.text))
                raise RestError(response.status_code) from None
        self.warn(self.describe_rest_failure(method, path, response.status_code, response.text))
        code = (parse_error_body(response.text) or (None, None))[0]
        raise RestError(
            response.status_code,
            code,
            parse_retry_after(response.headers.get("Retry-After")),
        )

    async def retry_sleep(self, backoff: Backoff, error: RestError | None) -> None:
        """Back off, and never come back sooner than a 429/418 Retry-After asks."""
        delay = backoff.next_delay()
        if error is not None and error.retry_after is not None:
            delay = max(delay, error.retry_after)
        await asyncio.sleep(delay)

    async def rest_retrying(self, method: str, path: str, *, signed: bool = False) -> Any:
        """Retry until it succeeds: a bot without state is worse than a late one."""
        backoff = self.new_backoff()
        while True:
            try:
                return await self.rest(method, path, signed=signed)
            except RestError as exc:
                await self.retry_sleep(backoff, exc)

    async def create_listen_key(self) -> str:
        backoff = self.new_backoff()
        while True:
            body = await self.rest_retrying("POST", LISTEN_KEY_PATH)
            key = body.get("listenKey") if isinstance(body, dict) else None
            if isinstance(key, str) and key:
                self.log(f"listenKey {key}")
                return key
            self.warn(f"REST POST {LISTEN_KEY_PATH} failed: no listenKey in {str(body)[:200]}")
            await self.retry_sleep(backoff, None)

    async def check_listen_key(self) -> KeyState:
        """PUT extends the key's life; only its -1125 answer proves the key is gone."""
        try:
            await self.rest("PUT", LISTEN_KEY_PATH)
        except RestError as exc:
            return KeyState.GONE if exc.code == LISTEN_KEY_NOT_FOUND else KeyState.UNKNOWN
        return KeyState.ALIVE

    async def resync(self) -> None:
        """Fetch the snapshots that cover whatever we missed while disconnected."""
        account = await self.rest_retrying("GET", ACCOUNT_PATH, signed=True)
        orders = await self.rest_retrying("GET", OPEN_ORDERS_PATH, signed=True)
        self.log(f"resync: {snapshot_summary(account, orders)}")

    # ------------------------------------------------------------- listenKey upkeep

    async def keepalive_loop(self) -> None:
        """PUT the key on a fixed timer: traffic keeps no listenKey alive."""
        interval = self.config.keepalive_interval
        retry = self.new_backoff(min(self.keepalive_retry_cap, interval))
        delay = interval
        while True:
            await asyncio.sleep(delay)
            state = await self.check_listen_key()
            if state is KeyState.UNKNOWN:
                delay = retry.next_delay()  # retry soon, not a whole interval later
                continue
            retry.reset()
            delay = interval
            if state is KeyState.GONE:
                key = await self.renew_listen_key()
                if key is not None:
                    await self.use_listen_key(key)

    async def use_listen_key(self, key: str) -> None:
        """Switch to ``key``. A socket bound to a dead key stays silent: close it."""
        self.listen_key = key
        ws = self._ws
        if ws is not None:
            self._closing_ourselves = True
            await ws.close(1000, "switching listenKey")

    async def on_listen_key_expired(self, payload: dict[str, Any]) -> None:
        """Nothing more arrives on this socket: get a key and reconnect with it."""
        self.log(f"listenKeyExpired E={payload.get('E')}")
        key = await self.renew_listen_key()
        if key is not None:
            await self.use_listen_key(key)

    async def before_reconnect(self) -> None:
        """The drop may have been the key dying: check it, POST a new one if gone."""
        if await self.check_listen_key() is KeyState.GONE:
            key = await self.renew_listen_key()
            if key is not None:
                self.listen_key = key

    # ------------------------------------------------------------------ WebSocket

    def ws_url_for(self, key: str) -> str:
        return f"{self.config.ws_url}/private/ws/{key}"

    async def handle_frame(self, message: str | bytes) -> None:
        try:
            payload = unwrap(json.loads(message))
        except ValueError as exc:
            self.warn(f"ignoring unparsable frame ({exc}): {message[:200]!r}")
            return
        if isinstance(payload, dict) and payload.get("e") == "listenKeyExpired":
            await self.on_listen_key_expired(payload)
        elif is_user_event(payload):
            self.handle_event(payload)
        else:
            self.log(f"ignoring non-event frame: {str(payload)[:200]}")

    async def run_connection(self, key: str) -> bool:
        """Open one connection and read it until it closes. Return whether it opened."""
        interval, timeout = self.ping_settings()
        opened = False
        try:
            async with connect(
                self.ws_url_for(key),
                ping_interval=interval,
                ping_timeout=timeout,
                close_timeout=self.close_timeout,
                open_timeout=self.open_timeout,
                # Loopback only: never route through a proxy taken from the environment.
                proxy=None,
                create_connection=self.connection_class,
            ) as ws:
                opened, self._ws = True, ws
                self.connections_opened += 1
                self.log(f"connected #{self.connections_opened} {self.ws_url_for(key)}")
                resync = None
                if key != self.listen_key:  # the key changed while we were connecting
                    await self.use_listen_key(self.listen_key or key)
                elif self.should_resync(self.connections_opened):
                    # A task, so a slow or failing REST call never holds up the reading.
                    resync = asyncio.create_task(self.resync())
                try:
                    async for message in ws:
                        try:
                            await self.handle_frame(message)
                        except Exception as exc:
                            # One bad frame must not kill the stream.
                            self.warn(f"error handling frame: {exc!r}")
                finally:
                    if resync is not None:
                        resync.cancel()
            self.log(f"connection closed: code={ws.close_code} reason={ws.close_reason!r}")
        except ConnectionClosed as exc:
            # Abnormal: no clean closing handshake (1006), or an error code (1008...).
            code = exc.rcvd.code if exc.rcvd is not None else 1006
            self.log(f"connection closed: code={code} ({exc})")
        except (OSError, TimeoutError, WebSocketException) as exc:
            self.warn(f"connect failed: {type(exc).__name__}: {exc}")
        finally:
            self._ws = None
        return opened

    async def connection_loop(self) -> None:
        backoff = self.new_backoff()
        ever_opened = False
        while True:
            assert self.listen_key is not None
            if await self.run_connection(self.listen_key):
                backoff.reset()
                ever_opened = True
            if self._closing_ourselves:
                # A planned switch to a fresh key: go straight back, no backoff.
                self._closing_ourselves = False
                continue
            if not self.should_reconnect(ever_opened):
                self.log("not reconnecting")
                await asyncio.Event().wait()
            delay = backoff.next_delay()
            self.log(f"reconnecting in {delay:.3f}s")
            await asyncio.sleep(delay)
            await self.before_reconnect()

    # ------------------------------------------------------------------ lifetime

    def open_events_file(self) -> TextIO | None:
        """Append, one flushed line per event: a crash must not lose handled events."""
        if not self.config.events_file:
            return None
        return open(self.config.events_file, "a", encoding="utf-8")

    async def run(self) -> None:
        context = ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE") or None)
        async with httpx.AsyncClient(timeout=10.0, verify=context, trust_env=False) as http:
            self._http = http
            self._events = self.open_events_file()
            keepalive: asyncio.Task[None] | None = None
            try:
                self.listen_key = await self.create_listen_key()
                keepalive = asyncio.create_task(self.keepalive_loop())
                await self.connection_loop()
            finally:
                if keepalive is not None:
                    keepalive.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await keepalive
                if self._events is not None:
                    self._events.close()

    async def serve(self) -> int:
        """Run until SIGTERM/SIGINT, then close cleanly and return the exit status."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        runner = asyncio.create_task(self.run())
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if runner.done():
            runner.result()  # run() only returns on a bug: let the traceback show
            return 1
        self.log("signal received, stopping")
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        return 0

    @classmethod
    def main(cls) -> int:
        try:
            config = Config.from_env(os.environ)
        except (KeyError, ValueError) as exc:
            print(f"bad environment: {exc!r}", file=sys.stderr, flush=True)
            return 2
        return asyncio.run(cls(config).serve())


if __name__ == "__main__":
    sys.exit(ReferenceClient.main())
