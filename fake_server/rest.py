"""The REST front: a real HTTP server (aiohttp) on a loopback socket.

A real socket rather than an in-process mock because most SDKs use requests or aiohttp,
which respx cannot intercept (DESIGN.md "Choices already made"). One catch-all route
feeds our own routing table, so that every answer (including faults and the futures 404
body) passes through one place that journals it and adds Binance's headers.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import orjson
from aiohttp import web

from fake_server import errors
from fake_server.limits import Limited, take

if TYPE_CHECKING:
    from fake_server.server import FakeBinance

Answer = tuple[int, Any]  # (status, JSON-able body)
Handler = Callable[["Call"], Answer]

@dataclass
class Call:
    """One REST request, reduced to what handlers need."""

    method: str
    path: str
    query: dict[str, str]
    raw_query: str
    api_key: str | None
    peer: str


@dataclass
class HttpRule(Limited):
    """An active http_error fault: answer matching requests with this status/body/headers."""

    method: str = "*"  # "*" for any
    path: str = ""
    status: int = 500
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and self.path == path


class RestFront:
    def __init__(self, server: FakeBinance) -> None:
        self.server = server
        self.rules: list[HttpRule] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._weight_minute = -1
        self._weight_used = 0
        s = server
        self.routes: dict[tuple[str, str], tuple[int, Handler]] = {
            ("GET", "/fapi/v1/ping"): (1, lambda c: (200, {})),
            ("GET", "/fapi/v1/time"): (1, lambda c: (200, {"serverTime": s.clock.epoch_ms()})),
            ("GET", "/fapi/v1/exchangeInfo"): (1, lambda c: (200, s.exchange_info())),
            ("POST", "/fapi/v1/listenKey"): (1, self._keyed(s.rest_create_listen_key)),
            ("PUT", "/fapi/v1/listenKey"): (1, self._keyed(s.rest_keepalive)),
            ("DELETE", "/fapi/v1/listenKey"): (1, self._keyed(s.rest_delete_listen_key)),
            ("GET", "/fapi/v2/account"): (5, self._signed(lambda c: (200, s.account.account_snapshot()))),
            ("GET", "/fapi/v1/openOrders"): (
                1,
                self._signed(lambda c: (200, s.account.open_orders_snapshot())),
            ),
            ("GET", "/fapi/v2/positionRisk"): (
                5,
                self._signed(lambda c: (200, s.account.position_risk_snapshot())),
            ),
        }

    async def start(self, host: str) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # Authentication (reference §1: USER_STREAM routes need only X-MBX-APIKEY) ------------

    def _keyed(self, fn: Callable[[str], Answer]) -> Handler:
        def handler(call: Call) -> Answer:
            creds = self.server.settings.credentials
            if not call.api_key:
                return errors.api_key_format_invalid()
            if call.api_key != creds.api_key:
                return errors.invalid_api_key(call.peer)
            return fn(call.api_key)

        return handler

    def _signed(self, fn: Handler) -> Handler:
        """USER_DATA routes: API key, then `timestamp` and an HMAC-SHA256 `signature`."""

        def handler(call: Call) -> Answer:
            keyed = self._keyed(lambda _k: (200, None))(call)
            if keyed[0] != 200:
                return keyed
            if "timestamp" not in call.query or not call.query["timestamp"].isdigit():
                return errors.mandatory_parameter("timestamp")
            if "signature" not in call.query:
                return errors.mandatory_parameter("signature")
            payload = call.raw_query.rsplit("&signature=", 1)[0]
            secret = self.server.settings.credentials.api_secret.encode()
            expected = hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, call.query["signature"]):
                return errors.signature_invalid()
            now = self.server.clock.epoch_ms()
            ts = int(call.query["timestamp"])
            window = int(call.query.get("recvWindow", "5000") or 5000)
            if ts > now + 1000:
                return errors.ahead_of_server()
            if now - ts > window:
                return errors.outside_recv_window()
            return fn(call)

        return handler

    # Dispatch ---------------------------------------------------------------------------

    def _weight(self, weight: int) -> int:
        minute = int(self.server.clock.epoch_ms() // 60_000)
        if minute != self._weight_minute:
            self._weight_minute, self._weight_used = minute, 0
        self._weight_used += weight
        return self._weight_used

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        server = self.server
        server.settle()
        peer = request.remote or ""
        body_text = await request.text()
        query = dict(parse_qsl(request.query_string, keep_blank_values=True))
        # Binance reads parameters from the query string or a form body alike.
        if body_text and request.content_type == "application/x-www-form-urlencoded":
            query.update(parse_qsl(body_text, keep_blank_values=True))
        call = Call(
            request.method,
            request.path,
            query,
            request.query_string,
            request.headers.get("X-MBX-APIKEY"),
            peer,
        )
        rule = take(self.rules, server.clock.now(), lambda r: r.matches(call.method, call.path))
        weight, handler = self.routes.get((call.method, call.path), (1, None))
        used = self._weight(weight)
        headers = {"X-MBX-USED-WEIGHT-1M": str(used)}
        if rule is not None:
            status, text = rule.status, rule.body
            headers.update(rule.headers)
            headers.setdefault("Content-Type", _content_type(text))
        else:
            if handler is None:
                status, body = errors.path_invalid(call.method, call.path)
            else:
                status, body = handler(call)
            text = orjson.dumps(body).decode()
            headers["Content-Type"] = "application/json"
        server.journal.append(
            "rest",
            method=call.method,
            path=call.path,
            query={k: v for k, v in query.items() if k != "signature"},
            api_key=bool(call.api_key),
            status=status,
            body=text[:2000],
            fault=rule is not None,
        )
        return web.Response(status=status, text=text, headers=headers)


def _content_type(text: str) -> str:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return "application/json"
    return "text/html" if stripped.startswith("<") else "text/plain"
