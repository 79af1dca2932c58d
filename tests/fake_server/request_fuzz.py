"""Random REST and control-API requests, and how to tell a planned answer from a crash.

Shared by the Hypothesis test (tests/fake_server/test_request_fuzz.py) and the measuring
script (scripts/fuzz_requests.py), so both send the same kinds of requests. Requests go
over a raw socket, not httpx, so that a path, query or header may carry any bytes a
careless or hostile caller could send.

An answer of 500 is a crash when its body is aiohttp's own error page or the control API's
"internal error" (the two ways an exception reaches the caller); a 500 a fault was asked
to send (`http_error` with status 500) is planned, and is not counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_from_bytes

import orjson
from hypothesis import strategies as st

from fake_server.clock import Clock
from fake_server.exchange.settings import EventFlow, Settings
from fake_server.faults import load_all
from fake_server.journal import Journal
from fake_server.schema import params_of
from fake_server.server import FakeBinance

#: Generous: a request that takes longer is counted as unanswered.
TIMEOUT = 5.0

METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
REST_PATHS = [
    "/fapi/v1/listenKey",
    "/fapi/v1/order",
    "/fapi/v2/account",
    "/fapi/v3/account",
    "/fapi/v1/allOrders",
    "/fapi/v1/openOrders",
    "/fapi/v2/balance",
    "/fapi/v1/leverageBracket",
    "/fapi/v1/time",
    "/api/v3/userDataStream",
    "/sapi/v1/capital/config/getall",
]
REST_PARAMS = [
    "timestamp",
    "recvWindow",
    "signature",
    "symbol",
    "orderId",
    "origClientOrderId",
    "quantity",
    "price",
    "side",
    "type",
    "timeInForce",
    "goodTillDate",
    "limit",
    "startTime",
    "endTime",
    "newClientOrderId",
    "reduceOnly",
]
CONTROL_PATHS = ["/v1", "/v1/faults", "/v1/events", "/v1/listen-key/expire", "/v1/account", "/v1/journal"]
CONTENT_TYPES = [
    None,
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=bogus",
    "application/json",
    "application/json; charset=latin-1",
    "text/plain",
    "multipart/form-data",
]

#: Values that broke the fake once, or are near a limit, plus random text and bytes.
_TEXT = st.text(max_size=40)
_NASTY = st.sampled_from(
    ["", "²", "٣", "9" * 5000, "9" * 20, "9" * 21, "-1", "1e30", "NaN", "inf", "0x10", " 1", "1.5", "é"]
)
_VALUE = st.one_of(_NASTY, _TEXT, st.integers(-(2**70), 2**70).map(str))


@dataclass(frozen=True)
class FuzzRequest:
    method: str
    target: bytes
    headers: dict[str, bytes] = field(default_factory=dict)
    body: bytes = b""


def _encode(pairs: list[tuple[str, str]], raw: bytes | None) -> bytes:
    text = "&".join(f"{quote_from_bytes(k.encode())}={quote_from_bytes(v.encode())}" for k, v in pairs)
    return text.encode() + (b"&" + raw if raw else b"")


@st.composite
def rest_requests(draw: st.DrawFn, api_key: str, secret: str) -> FuzzRequest:
    """Any method on a served (or random) path, with Binance's parameters given random values."""
    method = draw(st.one_of(st.sampled_from(METHODS), st.text("ABCXYZ", min_size=1, max_size=8)))
    path = draw(
        st.one_of(st.sampled_from(REST_PATHS), _TEXT.map(lambda t: "/" + quote_from_bytes(t.encode())))
    )
    names = st.one_of(st.sampled_from(REST_PARAMS), _TEXT)
    pairs = draw(st.lists(st.tuples(names, _VALUE), max_size=6))
    if draw(st.booleans()):  # a fresh timestamp, so that signed routes look further
        pairs.append(("timestamp", str(int(time.time() * 1000))))
    raw = draw(
        st.one_of(st.none(), st.binary(max_size=20).map(lambda b: b.replace(b"&", b"").replace(b" ", b"")))
    )
    query = _encode(pairs, raw)
    if draw(st.booleans()):
        query += b"&signature=" + hmac.new(secret.encode(), query, hashlib.sha256).hexdigest().encode()
    headers: dict[str, bytes] = {}
    key = draw(st.sampled_from([api_key, None, "", "wrong", "é"]))
    if key is not None:
        headers["X-MBX-APIKEY"] = key.encode()
    content_type = draw(st.sampled_from(CONTENT_TYPES))
    if content_type is not None:
        headers["Content-Type"] = content_type.encode()
    if draw(st.integers(0, 9)) == 0:
        headers["Content-Encoding"] = b"gzip"
    body = draw(
        st.one_of(
            st.just(b""),
            st.lists(st.tuples(names, _VALUE), max_size=4).map(lambda p: _encode(p, None)),
            st.binary(max_size=64),
        )
    )
    in_body = draw(st.booleans()) and method != "GET"
    target = path.encode() + (b"" if in_body and not query else b"?" + query)
    return FuzzRequest(method, target, headers, body if in_body or draw(st.booleans()) else b"")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | _TEXT | _NASTY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)


def _fault_bodies() -> st.SearchStrategy[object]:
    faults = load_all()
    names = sorted(faults)
    by_fault = {name: sorted(params_of(cls)) for name, cls in faults.items()}
    return st.sampled_from(names).flatmap(
        lambda name: st.fixed_dictionaries(
            {
                "fault": st.just(name),
                "params": st.dictionaries(st.sampled_from(by_fault[name] or ["x"]), _JSON, max_size=3),
            }
        )
    )


_CONTROL_BODIES = st.one_of(
    _fault_bodies(),
    st.fixed_dictionaries({"type": st.sampled_from(["tick", "raw", "x"]), "count": _JSON, "event": _JSON}),
    st.fixed_dictionaries({"type": st.just("raw"), "event": st.fixed_dictionaries({"e": _TEXT, "E": _JSON})}),
    st.dictionaries(st.sampled_from(["wallet_balance", "balance_change", "reason"]), _JSON, min_size=1),
    _JSON,
)


@st.composite
def control_requests(draw: st.DrawFn) -> FuzzRequest:
    """Any method on a control route (or a random path), mostly JSON, now and then not."""
    method = draw(st.sampled_from(METHODS))
    path = draw(
        st.one_of(st.sampled_from(CONTROL_PATHS), _TEXT.map(lambda t: "/" + quote_from_bytes(t.encode())))
    )
    pairs = draw(st.lists(st.tuples(st.sampled_from(["since", "limit", "kind"]), _VALUE), max_size=3))
    # A long-poll may last 300 s: only waits that end at once, or are refused.
    pairs += draw(
        st.lists(
            st.tuples(st.just("wait"), st.sampled_from(["0", "0.01", "-1", "nan", "x", "301"])), max_size=1
        )
    )
    query = _encode(pairs, None)
    headers: dict[str, bytes] = {}
    content_type = draw(st.sampled_from(["application/json", "application/json", None, "text/plain"]))
    if content_type is not None:
        headers["Content-Type"] = content_type.encode()
    if draw(st.integers(0, 9)) == 0:
        headers["Host"] = draw(st.sampled_from([b"evil.example", b"localhost", b"[::1]", b"\xff"]))
    if draw(st.integers(0, 19)) == 0:
        headers["Content-Encoding"] = b"gzip"
    body: bytes
    try:
        body = orjson.dumps(draw(_CONTROL_BODIES))
    except TypeError:  # a number beyond 64 bits: send it as text, as a caller might
        body = b'{"count": 100000000000000000000000}'
    if draw(st.integers(0, 9)) == 0:
        body = draw(st.binary(max_size=64))
    return FuzzRequest(method, path.encode() + (b"?" + query if query else b""), headers, body)


@dataclass
class Answer:
    status: int | None
    body: bytes

    @property
    def crashed(self) -> bool:
        """A 500 that an exception produced, not one a fault was asked to send."""
        return self.status == 500 and (
            b"Server got itself in trouble" in self.body or b'"error":"internal error' in self.body
        )


def send(host: str, port: int, request: FuzzRequest, timeout: float = TIMEOUT) -> Answer:
    """Send `request` as raw HTTP/1.1 on a new connection; its status (None: no answer)."""
    lines = [request.method.encode() + b" " + request.target + b" HTTP/1.1"]
    headers = {"Host": f"{host}:{port}".encode(), **request.headers}
    lines += [name.encode() + b": " + value for name, value in headers.items()]
    lines += [b"Content-Length: " + str(len(request.body)).encode(), b"Connection: close"]
    data = b"\r\n".join(lines) + b"\r\n\r\n" + request.body
    received = bytearray()
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(data)
            while chunk := sock.recv(65536):
                received += chunk
    except OSError:
        if not received:
            return Answer(None, b"")
    head, _, body = bytes(received).partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    try:
        return Answer(int(parts[1]), body)
    except (IndexError, ValueError):
        return Answer(None, bytes(received))


class TracebackCounter(logging.Handler):
    """Counts log records that carry a traceback: how aiohttp, asyncio and the control API
    report an exception that escaped a handler."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)


@contextlib.contextmanager
def fake_in_thread(**settings: Any) -> Iterator[FakeBinance]:
    """A FakeBinance with its control API, on its own event loop in a daemon thread, for a
    synchronous caller (Hypothesis runs examples one by one, synchronously)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    clock = Clock()
    fake = FakeBinance(
        Settings(events=EventFlow(rate=0), control_api=True, **settings), clock, Journal(clock)
    )
    asyncio.run_coroutine_threadsafe(fake.start(), loop).result(TIMEOUT * 6)
    try:
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(TIMEOUT * 6)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(TIMEOUT)
        loop.close()
