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

On ``serverShutdown`` it opens the replacement connection before the old one closes.
Silence is never a reason to drop a connection (D2); after a server ping interval of it
(3 min on futures) it re-reads the state over REST, again every such period while
the silence lasts (E1). Reconnects never give up (F1). HTTP 451 (restricted location) is
permanent: it prints why and exits with status 3 instead of retrying (G1).
Each event reaches ``handle_event`` once and in order: repeats and order updates older than
one applied are dropped (H6, H5); a frame that is not JSON is skipped and the connection
kept (H1); events of types it does not know are delivered like the others (H2).
A ``Retry-After`` (429/418) is waited out in full: on REST by every loop, on a refused
upgrade by the reconnect.
With ``BINANCE_HARNESS_PROFILE=spot`` it runs the spot WebSocket API client instead
(``reference_spot.py``). Run it with the harness' environment (see docs/client-contract.md)::

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
import math
import os
import random
import re
import signal
import ssl
import sys
import time
import urllib.parse
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, NoReturn, Protocol, TextIO

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK, InvalidStatus, WebSocketException

LISTEN_KEY_PATH = "/fapi/v1/listenKey"
ACCOUNT_PATH = "/fapi/v2/account"
OPEN_ORDERS_PATH = "/fapi/v1/openOrders"
LISTEN_KEY_NOT_FOUND = -1125  # "This listenKey does not exist."
#: Seconds within which a key the server answered alive is used without a check: a PUT
#: adds nothing so soon after the POST or PUT that proved it.
KEY_FRESH = 0.25


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


def signed_query(secret: str, timestamp_ms: int, recv_window: int = 5000, params: str = "") -> str:
    """`params` (already url-encoded) come first; the signature covers the whole query."""
    query = f"{params}&" if params else ""
    query += f"timestamp={timestamp_ms}&recvWindow={recv_window}"
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


def event_key(payload: Mapping[str, Any]) -> str:
    """What makes two frames the same event: its type, its E and the ids it carries (order,
    execution type, trade). Binance's E never repeats on one stream; without an E, only the
    whole payload identifies it."""
    if "E" not in payload:
        return event_line(payload)
    order = payload.get("o")
    ids = order if isinstance(order, dict) else payload
    return json.dumps([payload.get("e"), payload["E"], ids.get("i"), ids.get("x"), ids.get("t")])


#: An order's statuses in the only order they can come: none goes back to an earlier one.
#: Any other status (FILLED, CANCELED, EXPIRED, ...) ends the order.
STATUS_RANK = {"NEW": 0, "PARTIALLY_FILLED": 1}
FINAL_RANK = 2


class OrderProgress:
    """The newest update applied to each of the last ``size`` orders, to refuse older ones.

    On one connection Binance orders events by E (reference §5), yet updates have been seen
    late and out of order (failure mode H5). An update with an older E than the one applied,
    or a status the order has already left (NEW after FILLED), would move the order back.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._newest: dict[Any, tuple[int, int]] = {}

    def is_stale(self, payload: Mapping[str, Any]) -> bool:
        """Whether ``payload`` is an order update older than one applied; if it is not, it
        becomes its order's newest."""
        kind, stamp = payload.get("e"), payload.get("E")
        order = payload.get("o") if kind == "ORDER_TRADE_UPDATE" else payload
        if kind not in ("ORDER_TRADE_UPDATE", "executionReport") or not isinstance(order, dict):
            return False
        if not isinstance(stamp, int) or "i" not in order:
            return False
        rank = STATUS_RANK.get(str(order.get("X")), FINAL_RANK)
        newest = self._newest.pop(order["i"], None)
        if newest is not None and (stamp < newest[0] or rank < newest[1]):
            self._newest[order["i"]] = newest
            return True
        self._newest[order["i"]] = (stamp, rank)  # (re)inserted last: dicts keep that order
        if len(self._newest) > self.size:
            del self._newest[next(iter(self._newest))]
        return False


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


@cache
def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """The TLS settings for https/wss, trusting ``ca_file`` (None: the system's CAs).

    Built once per CA file, and in a thread (``run``): loading the system's CAs takes about
    0.3 s, during which a client run in the harness's own loop would hold up the fake.
    """
    return ssl.create_default_context(cafile=ca_file)


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
    #: The server's ping cadence (futures: 3 min); also our reconciliation period in silence.
    ping_interval: float = 180.0
    client_ping_interval: float = 20.0
    client_ping_timeout: float = 10.0
    backoff_initial: float = 0.25
    backoff_max: float = 30.0
    #: Seconds the connect and the WebSocket upgrade may take before we give up on them.
    open_timeout: float = 10.0
    #: The CA to trust for https/wss (only when the harness serves TLS).
    ca_file: str | None = None

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
            ping_interval=_env_float(env, "BINANCE_HARNESS_PING_INTERVAL", 180.0),
            client_ping_interval=_env_float(env, "BINANCE_HARNESS_CLIENT_PING_INTERVAL", 20.0),
            client_ping_timeout=_env_float(env, "BINANCE_HARNESS_CLIENT_PING_TIMEOUT", 10.0),
            backoff_initial=_env_float(env, "REFCLIENT_BACKOFF_INITIAL", 0.25),
            backoff_max=_env_float(env, "REFCLIENT_BACKOFF_MAX", 30.0),
            open_timeout=_env_float(env, "REFCLIENT_OPEN_TIMEOUT", 10.0),
            ca_file=env.get("SSL_CERT_FILE") or None,
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


class ClosingClientConnection(ClientConnection):
    """websockets' client connection, holding a close the server starts to ``close_timeout``.

    On the server's close frame websockets answers with its own and waits for the server to
    close TCP (RFC 6455 §7.1.1). It computes a deadline from ``close_timeout`` for that, but
    only a close or a send of ours enforces it: ``recv()`` waits for the TCP close as long
    as it takes, so a server that never closes (a close handshake left unfinished) holds
    the stream for ever, with no reconnect. Past the deadline the socket is dropped here,
    and ``recv()`` raises as after any close.
    """

    _close_timer: asyncio.TimerHandle | None = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.close_deadline is not None and self._close_timer is None:
            self._close_timer = self.loop.call_at(self.close_deadline, self.transport.abort)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._close_timer is not None:
            self._close_timer.cancel()
        super().connection_lost(exc)


#: How an in-process client prints: (line, "stdout" or "stderr"); the harness journals it.
Printer = Callable[[str, str], None]


class Contract(Protocol):
    """What the harness hands an in-process client (its ClientEnv): the contract's variables."""

    def as_environ(self) -> dict[str, str]: ...


#: How long a server answer may take at real speed; the contract's pong budget above it
#: means a time factor (see `ReferenceClient.answer_timeout`).
NORMAL_ANSWER_TIME = 10.0


# -------------------------------------------------------------------------- the client


class ReferenceClient:
    """A user-data-stream client that recovers from every fault the harness injects."""

    #: Connection class handed to websockets. Like the stock one it answers every server
    #: ping with a pong echoing its payload (Binance requires the echo since 2024-02-09),
    #: and it also gives up on a server's close that never completes (see the class).
    connection_class: type[ClientConnection] = ClosingClientConnection
    #: A dead peer must not hold a reconnect up: wait this long at most for its close.
    close_timeout: float = 1.0
    #: A connection that lived this long was healthy: the reconnect backoff starts again.
    healthy_after: float = 1.0
    #: Cap on the retry delay of a failed keepalive PUT: retry well before the key dies.
    keepalive_retry_cap: float = 5.0

    def __init__(
        self, config: Config, rng: random.Random | None = None, *, printer: Printer | None = None
    ) -> None:
        self.config = config
        self.rng = rng or random.Random()
        #: Where output goes when run in-process (``in_process``); None: stdout and stderr.
        self.printer = printer
        self._ssl: ssl.SSLContext | None = None
        self.listen_key: str | None = None
        self.connections_opened = 0
        self._ws: ClientConnection | None = None
        self._ws_key: str | None = None  # the listenKey the connection being read is bound to
        self._closing_ourselves = False  # set when we close the socket to switch keys
        # One POST at a time, whoever noticed the expiry first.
        self._key_lock = asyncio.Lock()
        self._key_generation = 0
        #: When the server last answered the key alive (its POST or a PUT), on the loop's clock.
        self._key_proven_at = -math.inf
        self._http: httpx.AsyncClient | None = None
        self._events: TextIO | None = None
        # Monotonic time before which no REST call goes: Binance's limits are per IP, so a
        # 429/418's Retry-After holds for every loop of the client, not only the one refused.
        self._rest_not_before = 0.0
        # Retry-After of the last refused handshake (418/429 while banned): the reconnect waits.
        self._handshake_retry_after: float | None = None
        # serverShutdown: the connection opened (and made ready) to take over before the
        # server closes the old one, and the task opening it.
        self._replacement: ClientConnection | None = None
        self._replacing: asyncio.Task[None] | None = None
        #: Tasks started beside the loops (``spawn``), ended with ``run``.
        self._tasks: set[asyncio.Task[None]] = set()
        # Recently handled events (event_key): during a replacement both connections carry
        # them, and the server may send one twice (H6).
        self._recent: deque[str] = deque(maxlen=256)
        # The newest update applied per order, to drop late older ones (is_stale, H5).
        self._orders = OrderProgress()
        # Loop time of the last data frame or reconciliation (reconcile_while_silent).
        self._last_news = 0.0
        # Set by give_up(): serve() ends everything and exits with status 3.
        self._gave_up = asyncio.Event()

    # ------------------------------------------------------------------ output

    def log(self, message: str) -> None:
        if self.printer is not None:
            self.printer(message, "stdout")
        else:
            print(message, flush=True)  # the harness timestamps lines as they arrive

    def warn(self, message: str) -> None:
        if self.printer is not None:
            self.printer(message, "stderr")
        else:
            print(message, file=sys.stderr, flush=True)

    # ------------------------------------------------------- policies (overridable)

    @property
    def open_timeout(self) -> float | None:
        """How long a connect and its upgrade may take (None: forever). A server that accepts
        TCP, or reads the upgrade, and never answers must not hold the reconnect loop: past
        this we close the attempt and retry with the backoff (E2). Also the bound on a
        WebSocket API request's answer (reference_spot.py)."""
        return self.config.open_timeout

    def new_backoff(self, maximum: float | None = None) -> Backoff:
        """Delay schedule for every retry loop (REST and reconnects)."""
        cap = self.config.backoff_max if maximum is None else min(maximum, self.config.backoff_max)
        return Backoff(self.config.backoff_initial, cap, rng=self.rng)

    def ping_settings(self) -> tuple[float | None, float | None]:
        """(interval, timeout) of our own pings: how a half-open socket gets noticed."""
        return self.config.client_ping_interval, self.config.client_ping_timeout

    def answer_timeout(self) -> float | None:
        """Seconds to wait for the server to answer a handshake or a REST call: `open_timeout`,
        or our pong budget when the contract gives a longer one. It is the same question (how
        long may the server take to answer?), and under a fast clock (a scenario's time
        factor) 10 s of Binance time are a few ms of wall time, less than the CPU work of an
        answer. None (no open timeout at all): wait for ever."""
        if self.open_timeout is None:
            return None
        budget = self.config.client_ping_timeout
        # Only a pong budget longer than Binance's usual 10 s says the clock runs fast: a
        # shorter one (a scenario's 0.5 s) must not stretch an open timeout set on purpose.
        return self.open_timeout if budget <= NORMAL_ANSWER_TIME else max(self.open_timeout, budget)

    def honoured_wait(self, retry_after: float | None) -> float:
        """Seconds to send nothing of a kind (REST, handshakes) after a Retry-After: all.

        Asking again sooner is what turns a 429 into a 418 ban (failure modes G3, G1).
        """
        return retry_after or 0.0

    def should_reconnect(self, ever_opened: bool) -> bool:
        """Reconnect after any close we did not ask for, clean (1000/1001) or not."""
        return True

    def should_resync(self, connection_number: int) -> bool:
        """Events sent while we were away are never replayed: re-read the state."""
        return True

    def data_timeout(self) -> float | None:
        """Silence after which we drop a connection ourselves: never (failure mode D2).

        A quiet account sends nothing for hours; liveness is judged by our pings
        (``ping_settings``), not by the absence of data.
        """
        return None

    def reconcile_period(self) -> float | None:
        """Re-read the state over REST after this much silence, and again while it lasts.

        A user stream can stall with the socket and its heartbeats healthy (failure mode E1),
        and silence is normal on it, so only REST tells. Rule: the server's ping interval,
        the cadence at which Binance itself checks the connection: 3 min on futures, within
        E1's "every <= 5 min", at a REST weight of 45 per period (a few % of the limit).
        """
        return self.config.ping_interval

    def reconnect_attempts_limit(self) -> int | None:
        """Failed connects in a row before giving up: none, retry for ever (failure mode F1)."""
        return None

    def is_permanent(self, status: int) -> bool:
        """HTTP 451 (restricted location) will not change by retrying: stop (G1)."""
        return status == 451

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

    async def on_server_shutdown(self, payload: dict[str, Any]) -> None:
        """serverShutdown: this connection closes soon. Open and ready its replacement now,
        so the switch leaves no gap, instead of waiting for the close (failure mode B4)."""
        self.log(f"serverShutdown E={payload.get('E')}: replacing the connection")
        old, key = self._ws, self.listen_key
        if old is not None and key is not None and self._replacing is None:
            self._replacing = self.spawn(self.replace_connection(old, key))

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

    async def rest(
        self, method: str, path: str, *, signed: bool = False, params: Mapping[str, str | int] | None = None
    ) -> Any:
        """One attempt: the JSON body on success, else print one line and raise."""
        assert self._http is not None
        url = self.config.rest_url + path
        wait = self._rest_not_before - time.monotonic()
        if wait > 0:  # another loop's call was told Retry-After: it holds for us too
            await asyncio.sleep(wait)
        query = urllib.parse.urlencode(params or {})
        if signed:
            url += "?" + signed_query(self.config.api_secret, int(time.time() * 1000), params=query)
        elif query:
            url += "?" + query
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
        if self.is_permanent(response.status_code):
            await self.give_up(f"REST {method} {path} answered HTTP {response.status_code}: not retrying")
        code = (parse_error_body(response.text) or (None, None))[0]
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        hold = time.monotonic() + self.honoured_wait(retry_after)
        self._rest_not_before = max(self._rest_not_before, hold)
        raise RestError(response.status_code, code, retry_after)

    async def give_up(self, why: str) -> NoReturn:
        """Stop the whole client on a permanent refusal; this call never returns.

        Every loop would otherwise retry what cannot succeed (failure mode G1: a 451
        reconnect loop) and bury the reason. serve() ends all tasks and exits with status 3,
        so an operator or supervisor sees a terminal failure, not a silent idle bot.
        """
        self.warn(f"giving up: {why}")
        self._gave_up.set()
        await asyncio.Event().wait()  # serve() cancels us
        raise AssertionError("unreachable")

    async def retry_sleep(self, backoff: Backoff, error: RestError | None) -> None:
        """Back off, and never come back sooner than a 429/418 Retry-After asks."""
        delay = backoff.next_delay()
        if error is not None:
            delay = max(delay, self.honoured_wait(error.retry_after))
        await asyncio.sleep(delay)

    async def rest_retrying(
        self, method: str, path: str, *, signed: bool = False, params: Mapping[str, str | int] | None = None
    ) -> Any:
        """Retry until it succeeds: a bot without state is worse than a late one."""
        backoff = self.new_backoff()
        while True:
            try:
                return await self.rest(method, path, signed=signed, params=params)
            except RestError as exc:
                await self.retry_sleep(backoff, exc)

    async def start_up(self) -> None:
        """What a bot does over REST before its stream opens: nothing here (see startup_bot.py)."""

    async def create_listen_key(self) -> str:
        backoff = self.new_backoff()
        while True:
            body = await self.rest_retrying("POST", LISTEN_KEY_PATH)
            key = body.get("listenKey") if isinstance(body, dict) else None
            if isinstance(key, str) and key:
                self.log(f"listenKey {key}")
                self._key_proven_at = asyncio.get_running_loop().time()
                return key
            self.warn(f"REST POST {LISTEN_KEY_PATH} failed: no listenKey in {str(body)[:200]}")
            await self.retry_sleep(backoff, None)

    async def check_listen_key(self) -> KeyState:
        """PUT extends the key's life; only its -1125 answer proves the key is gone."""
        try:
            await self.rest("PUT", LISTEN_KEY_PATH)
        except RestError as exc:
            return KeyState.GONE if exc.code == LISTEN_KEY_NOT_FOUND else KeyState.UNKNOWN
        self._key_proven_at = asyncio.get_running_loop().time()
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
                delay = self.keepalive_retry_delay(retry)
                continue
            retry.reset()
            delay = interval
            if state is KeyState.GONE:
                key = await self.renew_listen_key()
                if key is not None:
                    await self.use_listen_key(key)

    def keepalive_retry_delay(self, retry: Backoff) -> float:
        """After a failed keepalive (5xx, timeout): retry soon, not a whole interval later.

        One lost PUT must not cost the key: the next scheduled one may come after it died.
        """
        return retry.next_delay()

    async def use_listen_key(self, key: str) -> None:
        """Switch to ``key``. A socket bound to a dead key stays silent: close it."""
        self.listen_key = key
        ws = self._ws
        if ws is not None:
            self._closing_ourselves = True
            await ws.close(1000, "switching listenKey")

    async def on_listen_key_expired(self, payload: dict[str, Any]) -> None:
        """Nothing more arrives on this socket: get a key and reconnect with it.

        Unless the notice is stray: one naming a key we no longer use (a late or repeated
        notice, after we switched) is ignored, and when the POST hands back the very key this
        connection is bound to, that key is alive and the connection keeps serving it. A
        notice is not proof: tearing down a healthy stream on it loses the events of the gap.
        """
        named = payload.get("listenKey")
        if isinstance(named, str) and named != self.listen_key:
            self.log(f"listenKeyExpired E={payload.get('E')} for a key we no longer use: ignored")
            return
        self.log(f"listenKeyExpired E={payload.get('E')}")
        bound = self._ws_key
        key = await self.renew_listen_key()
        if key is not None and key == bound:
            self.log("the POST returned this connection's own key: it is alive, keeping the connection")
        elif key is not None:
            await self.use_listen_key(key)

    async def before_reconnect(self) -> None:
        """The drop may have been the key dying: check it, POST a new one if gone."""
        if await self.check_listen_key() is KeyState.GONE:
            key = await self.renew_listen_key()
            if key is not None:
                self.listen_key = key

    # ---------------------------------------------------------- announced closes

    async def replace_connection(self, old: ClientConnection, key: str) -> None:
        """Open a ready connection, then close ``old``: from then on the loop reads the new one.

        If the server closes ``old`` first, the loop waits for this task: it is the reconnect.
        """
        backoff = self.new_backoff()
        while True:
            try:
                self._replacement = await self.open_connection(key)
                break
            except (OSError, TimeoutError, WebSocketException) as exc:
                self.warn(f"replacement connect failed: {type(exc).__name__}: {exc}")
                await asyncio.sleep(backoff.next_delay())
        self.log("replacement ready, closing the old connection")
        self._closing_ourselves = True
        await old.close(1000, "replaced after serverShutdown")

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Start ``coro`` beside the loops; ``run`` cancels it if it is still going when it ends.

        A process would end such a task by exiting; a client run in someone else's loop
        (``in_process``) must, or it would go on reconnecting to a server long gone.
        """
        task = asyncio.create_task(coro)
        self._tasks.add(task)  # keep a reference until it is done
        task.add_done_callback(self._tasks.discard)
        return task

    def deliver(self, payload: dict[str, Any]) -> None:
        """Hand an event to ``handle_event`` once and in order: repeats (``is_duplicate``)
        and order updates older than one applied (``is_stale``) are dropped, and logged."""
        if self.is_duplicate(payload):
            self.log(f"dropping duplicate {payload.get('e')} E={payload.get('E')}")
        elif self.is_stale(payload):
            self.log(f"dropping stale {payload.get('e')} E={payload.get('E')}: a newer update was applied")
        else:
            self.handle_event(payload)

    def is_duplicate(self, payload: dict[str, Any]) -> bool:
        """The same event (same e, E and ids) is handled once: while a replacement overlaps
        the old connection both carry it (C3), and servers have sent one fill twice (H6,
        ccxt/ccxt#18028): counted twice, it doubles a position. Remembers the last 256."""
        key = event_key(payload)
        if key in self._recent:
            return True
        self._recent.append(key)
        return False

    def is_stale(self, payload: dict[str, Any]) -> bool:
        """An order update older than one already applied (by E, and never FILLED -> NEW)
        is dropped: applied in arrival order, it would move the order back (H5)."""
        return self._orders.is_stale(payload)

    async def on_bad_frame(self, message: str | bytes, exc: ValueError) -> None:
        """A frame that is not JSON (empty, an error page, binary) is logged and skipped:
        the stream around it is healthy, and tearing it down loses what follows (H1)."""
        self.warn(f"ignoring unparsable frame ({exc}): {message[:200]!r}")

    # ------------------------------------------------------------------ WebSocket

    def ws_url_for(self, key: str) -> str:
        return f"{self.config.ws_url}/private/ws/{key}"

    async def handle_frame(self, message: str | bytes) -> None:
        try:
            payload = unwrap(json.loads(message))
        except ValueError as exc:
            await self.on_bad_frame(message, exc)
            return
        if isinstance(payload, dict) and payload.get("e") == "listenKeyExpired":
            await self.on_listen_key_expired(payload)
        elif isinstance(payload, dict) and payload.get("e") == "serverShutdown":
            await self.on_server_shutdown(payload)
        elif is_user_event(payload):
            self.deliver(payload)
        else:
            self.log(f"ignoring non-event frame: {str(payload)[:200]}")

    async def open_connection(self, key: str) -> ClientConnection:
        """Handshake, then whatever the connection needs before it carries our events."""
        interval, timeout = self.ping_settings()
        url = self.ws_url_for(key)
        ws = await connect(
            url,
            # Our own CA file, not the process's SSL_CERT_FILE: in-process, that is the harness's.
            ssl=self._ssl if url.startswith("wss:") else None,
            ping_interval=interval,
            ping_timeout=timeout,
            close_timeout=self.close_timeout,
            open_timeout=self.answer_timeout(),
            # Loopback only: never route through a proxy taken from the environment.
            proxy=None,
            create_connection=self.connection_class,
        )
        try:
            await self.prepare_connection(ws)
        except BaseException:
            ws.transport.abort()  # half-prepared: useless, and nobody else will close it
            raise
        return ws

    async def prepare_connection(self, ws: ClientConnection) -> None:
        """Nothing here: the listenKey in the URL binds the stream (spot subscribes here)."""

    async def run_connection(self, key: str) -> bool:
        """Open one connection (or take the replacement already open) and read it until it
        closes. Return whether it opened."""
        opened = False
        try:
            ws, self._replacement = self._replacement or await self.open_connection(key), None
            async with ws:
                opened, self._ws, self._ws_key = True, ws, key
                self.connections_opened += 1
                self.log(f"connected #{self.connections_opened} {self.ws_url_for(key)}")
                resync = None
                if key != self.listen_key:  # the key changed while we were connecting
                    await self.use_listen_key(self.listen_key or key)
                elif self.should_resync(self.connections_opened):
                    # A task, so a slow or failing REST call never holds up the reading.
                    resync = asyncio.create_task(self.resync())
                self._last_news = asyncio.get_running_loop().time()
                watcher = asyncio.create_task(self.reconcile_while_silent())
                try:
                    async for message in self.frames(ws):
                        try:
                            await self.handle_frame(message)
                        except Exception as exc:
                            # One bad frame must not kill the stream.
                            self.warn(f"error handling frame: {exc!r}")
                finally:
                    watcher.cancel()
                    if resync is not None:
                        resync.cancel()
            self.log(f"connection closed: code={ws.close_code} reason={ws.close_reason!r}")
        except ConnectionClosed as exc:
            # Abnormal: no clean closing handshake (1006), or an error code (1008...).
            code = exc.rcvd.code if exc.rcvd is not None else 1006
            self.log(f"connection closed: code={code} ({exc})")
        except (OSError, TimeoutError, WebSocketException) as exc:
            self.warn(f"connect failed: {type(exc).__name__}: {exc}")
            if isinstance(exc, InvalidStatus):  # a refused upgrade may say when to come back
                self._handshake_retry_after = parse_retry_after(exc.response.headers.get("Retry-After"))
        finally:
            self._ws = self._ws_key = None
        return opened

    async def frames(self, ws: ClientConnection) -> AsyncIterator[str | bytes]:
        """The connection's data frames until it closes (``async for message in ws``), or
        until ``data_timeout()`` passes without one: then we close it ourselves."""
        timeout = self.data_timeout()
        while True:
            try:
                message = await asyncio.wait_for(ws.recv(), timeout)
            except ConnectionClosedOK:
                return
            except TimeoutError:
                self.log(f"no data for {timeout:g}s: closing the connection to reconnect")
                await ws.close(1000, "no data")
                return
            self._last_news = asyncio.get_running_loop().time()
            yield message

    async def reconcile_while_silent(self) -> None:
        """While the connection carries no data, resync every ``reconcile_period()``.

        The stream may be quiet or stalled (E1); we cannot tell, and need not: the REST
        snapshot shows any change the stream did not. The connection itself is kept.
        """
        period = self.reconcile_period()
        if period is None:
            return
        loop = asyncio.get_running_loop()
        while True:
            due = self._last_news + period
            if loop.time() < due:
                await asyncio.sleep(due - loop.time())
                continue
            self.log(f"no data for {period:g}s: reconciling over REST")
            await self.resync()
            self._last_news = loop.time()

    async def connection_loop(self) -> None:
        backoff = self.new_backoff()
        ever_opened = False
        failures = 0  # failed connects in a row
        while True:
            assert self.listen_key is not None
            started = asyncio.get_running_loop().time()
            if await self.run_connection(self.listen_key):
                # Reset the backoff only after a connection that stayed up: a server that
                # accepts and closes at once must not get a reconnect storm (F2).
                if asyncio.get_running_loop().time() - started >= self.healthy_after:
                    backoff.reset()
                ever_opened, failures = True, 0
            else:
                failures += 1
            limit = self.reconnect_attempts_limit()
            if limit is not None and failures >= limit:
                self.warn(f"Max reconnect retries reached ({failures}): giving up on the stream")
                await asyncio.Event().wait()
            if self._replacing is not None:
                # serverShutdown started the replacement: it is this reconnect (usually done
                # before the old connection closed; else it is still retrying).
                await self._replacing
                self._replacing, self._closing_ourselves = None, False
                continue
            if self._closing_ourselves:
                # A planned switch to a fresh key: go straight back, no backoff. Closing the
                # old connection can take the whole close timeout (a server that never
                # finishes its close), in which the fresh key may die too: a search found
                # this client reconnecting 0.54 s after its POST on a key killed right after
                # it. So a key not answered alive within KEY_FRESH is checked first.
                self._closing_ourselves = False
                if asyncio.get_running_loop().time() - self._key_proven_at > KEY_FRESH:
                    await self.before_reconnect()
                continue
            if not self.should_reconnect(ever_opened):
                self.log("not reconnecting")
                await asyncio.Event().wait()
            delay = max(backoff.next_delay(), self.honoured_wait(self._handshake_retry_after))
            self._handshake_retry_after = None
            self.log(f"reconnecting in {delay:.3f}s")
            await self.wait_to_reconnect(delay)

    async def wait_to_reconnect(self, delay: float) -> None:
        """Sleep out the backoff, then check the key: it may have died while we waited."""
        await asyncio.sleep(delay)
        await self.before_reconnect()

    # ------------------------------------------------------------------ lifetime

    def open_events_file(self) -> TextIO | None:
        """Append, one flushed line per event: a crash must not lose handled events."""
        if not self.config.events_file:
            return None
        return open(self.config.events_file, "a", encoding="utf-8")

    async def run(self) -> None:
        self._ssl = context = await asyncio.to_thread(tls_context, self.config.ca_file)
        async with httpx.AsyncClient(timeout=self.answer_timeout(), verify=context, trust_env=False) as http:
            self._http = http
            self._events = self.open_events_file()
            keepalive: asyncio.Task[None] | None = None
            try:
                await self.start_up()
                self.listen_key = await self.create_listen_key()
                keepalive = asyncio.create_task(self.keepalive_loop())
                await self.connection_loop()
            finally:
                for task in [keepalive, *self._tasks]:
                    if task is not None:
                        task.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await task
                if self._events is not None:
                    self._events.close()

    async def serve(self) -> int:
        """Run until SIGTERM/SIGINT, then close cleanly and return the exit status."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        return await self.run_until(stop)

    async def run_until(self, stop: asyncio.Event) -> int:
        """Run until ``stop`` is set, we give up, or we are cancelled; return the exit status.

        Cancelled (how the harness ends an in-process client), everything we started is
        cancelled and awaited before the cancellation goes on: nothing of ours outlives us.
        """
        runner = asyncio.create_task(self.run())
        stopper = asyncio.create_task(stop.wait())
        gave_up = asyncio.create_task(self._gave_up.wait())
        try:
            await asyncio.wait({runner, stopper, gave_up}, return_when=asyncio.FIRST_COMPLETED)
            if runner.done():
                runner.result()  # run() only returns on a bug: let the traceback show
                return 1
            self.log("gave up, stopping" if self._gave_up.is_set() else "signal received, stopping")
        finally:
            stopper.cancel()
            gave_up.cancel()
            if not runner.done():
                runner.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await runner
        return 3 if self._gave_up.is_set() else 0

    @classmethod
    async def in_process(cls, contract: Contract, printer: Printer) -> int:
        """Run in the caller's event loop: the harness's in-process mode (docs/in-process.md).

        The same client as ``main``, but the contract comes from ``contract`` instead of the
        environment, output goes to ``printer``, and the harness ends it by cancelling it
        instead of sending SIGTERM. Every subclass gets it: ``--client
        python:clients.broken.no_reconnect:NoReconnectClient.in_process``.
        """
        try:
            config = Config.from_env(contract.as_environ())
        except (KeyError, ValueError) as exc:
            printer(f"bad environment: {exc!r}", "stderr")
            return 2
        return await cls(config, printer=printer).run_until(asyncio.Event())

    @classmethod
    def main(cls) -> int:
        try:
            config = Config.from_env(os.environ)
        except (KeyError, ValueError) as exc:
            print(f"bad environment: {exc!r}", file=sys.stderr, flush=True)
            return 2
        return asyncio.run(cls(config).serve())


async def in_process(contract: Contract, printer: Printer) -> int:
    """The reference client in-process, spot included, as ``python reference_client.py``
    chooses it: ``--client python:clients.reference_client:in_process``."""
    if contract.as_environ().get("BINANCE_HARNESS_PROFILE") == "spot":
        from clients.reference_spot import SpotReferenceClient

        return await SpotReferenceClient.in_process(contract, printer)
    return await ReferenceClient.in_process(contract, printer)


if __name__ == "__main__":
    if os.environ.get("BINANCE_HARNESS_PROFILE") == "spot":
        # Spot has no listenKey since 2026-02-20: the WebSocket API client takes over.
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        from clients.reference_spot import SpotReferenceClient

        sys.exit(SpotReferenceClient.main())
    sys.exit(ReferenceClient.main())
