"""The REST front: a real HTTP server (aiohttp) on a loopback socket.

A real socket rather than an in-process mock because most SDKs use requests or aiohttp,
which respx cannot intercept (DESIGN.md "Choices already made"). One catch-all route
feeds our own routing table, so that every answer (including faults, the rate limiter and
the futures 404 body) passes through one place that journals it and adds Binance's headers.

Rules (binance-reference.md §1, §4, the USD-M "General Info" page):
- parameters come from the query string or, except on GET, an x-www-form-urlencoded body;
  a parameter in both is taken from the query string;
- SIGNED (TRADE, USER_DATA) routes: HMAC-SHA256 over `totalParams` = the query string
  concatenated with the body (no `&` between), hex, not case sensitive; `timestamp` must be
  less than serverTime + 1000 and at most `recvWindow` (default 5000, max 60000) old;
- every answer from Binance itself carries X-MBX-USED-WEIGHT-1M (per IP, weights.py);
  over the limit 429 then 418; order answers carry X-MBX-ORDER-COUNT-10S and -1M;
- the removed spot/margin listenKey routes answer nginx's 410 page: no JSON, no Binance
  header, no weight (nginx answers before the API sees the call; obs, reference §0).
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

from fake_server import errors, wallet
from fake_server.limits import Limited, take
from fake_server.order_history import parse_history_query
from fake_server.orders import OrderRejected, check_symbol, parse_new_order, parse_order_ref
from fake_server.profiles import Profile
from fake_server.spot_account import SpotAccount
from fake_server.weights import OrderCounts, RequestWeights

if TYPE_CHECKING:
    from fake_server.server import FakeBinance

Answer = tuple[int, Any]  # (status, JSON-able body)
Handler = Callable[["Call"], Answer]

#: Removed listenKey routes (every method): spot and margin since 2026-02-20 (reference §0,
#: observed 410 with nginx's page), and `/api/v1/userDataStream`, retired 2026-03-25 with
#: the other legacy `/api/v1` paths. What the retired `/api/v1` route answers is not
#: documented: the fake gives it the same nginx 410, as the same front serves it.
GONE_PATHS = frozenset(
    {
        "/api/v3/userDataStream",
        "/sapi/v1/userDataStream",
        "/sapi/v1/userDataStream/isolated",
        "/api/v1/userDataStream",
    }
)

#: Routes of Binance's other hosts that SDKs call at start-up, served on every profile
#: because the fake is all of Binance's hosts on one port (a client pointed at it for every
#: host sends them here), by what they answer: python-binance's `AsyncClient.create()` pings
#: the spot API and reads its time (python-binance 1.0.37 `async_client.py:106-111`); ccxt
#: loads the wallet's coins and the margin pairs before its markets (fake_server/wallet.py).
SHARED_PATHS = {
    "/api/v3/ping": "ping",
    "/api/v3/time": "time",
    "/sapi/v1/capital/config/getall": "wallet_coins",
    "/sapi/v1/margin/allPairs": "margin_pairs",
}

#: The balance route's weight where a product's page differs from USD-M's 5.
BALANCE_WEIGHTS = {"coinm": 1, "pm": 20}

#: USD-M order routes, where the 503 -1008 "throttled" answer can happen (General Info).
ORDER_ROUTES = frozenset({"/fapi/v1/order", "/fapi/v1/batchOrders", "/fapi/v1/order/test"})

#: The maximum `recvWindow` (reference §4).
MAX_RECV_WINDOW = 60_000


@dataclass
class Call:
    """One REST request, reduced to what handlers need."""

    method: str
    path: str
    #: Parameters of the query string and of a form body (the query string wins).
    query: dict[str, str]
    #: The query string as sent (percent-encoding kept): what the client signed.
    raw_query: str
    api_key: str | None
    peer: str
    #: The x-www-form-urlencoded body as sent ("" for none or another content type).
    raw_body: str = ""


@dataclass(frozen=True)
class Route:
    """A served route: its request weight (fixed, or from the call) and its handler."""

    weight: int | Callable[[Call], int]
    handler: Handler
    #: Order placement: a success carries X-MBX-ORDER-COUNT-10S/-1M.
    places_orders: bool = False

    def weight_of(self, call: Call) -> int:
        return self.weight(call) if callable(self.weight) else self.weight


@dataclass
class HttpRule(Limited):
    """An active HTTP fault: answer matching requests with this status/body/headers."""

    method: str = "*"  # "*" for any
    path: str = ""  # "*" for any
    status: int = 500
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    #: Run the route's handler anyway and throw its answer away: the request took effect
    #: (e.g. the order was placed) although the client is told it failed.
    executed: bool = False
    #: False for answers made in front of Binance (CloudFront, nginx): no X-MBX-* header
    #: and no weight counted.
    binance_headers: bool = True
    #: Whether the call counts toward the IP's weight (503 B and D "not counted").
    counts_weight: bool = True
    #: A further condition on the call, e.g. -1008 spares reduce-only orders.
    applies: Callable[[Call], bool] | None = None

    def matches(self, call: Call) -> bool:
        return (
            self.method in ("*", call.method)
            and self.path in ("*", call.path)
            and (self.applies is None or self.applies(call))
        )


class RestFront:
    def __init__(self, server: FakeBinance) -> None:
        self.server = server
        self.rules: list[HttpRule] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.weights = RequestWeights(server.settings.rest_limits)
        self.order_counts = OrderCounts()
        self.routes = self._routes(server.profile)

    def _routes(self, profile: Profile) -> dict[tuple[str, str], Route]:
        """The served routes of the product, by their role in `profile.rest_paths`, plus
        the calls SDKs make to Binance's other hosts at start-up (`SHARED_PATHS`).

        Weights: the page of each route (POST order: 0 on the IP limit); where a product's
        page gives another weight for the same role, the product's own.
        """
        s = self.server
        paths = profile.rest_paths
        ping = Route(1, lambda c: (200, {}))
        server_time = Route(1, lambda c: (200, {"serverTime": s.clock.epoch_ms()}))
        by_role: dict[str, list[tuple[str, Route]]] = {
            "ping": [("GET", ping)],
            "time": [("GET", server_time)],
            "exchange_info": [("GET", Route(1, lambda c: (200, s.exchange_info())))],
            "account": [("GET", Route(5, self._signed(lambda c: (200, s.account.account_snapshot()))))],
            "account_v3": [("GET", Route(5, self._signed(self._account_v3)))],
            "um_account": [("GET", Route(5, self._signed(self._um_account)))],
            "open_orders": [
                ("GET", Route(lambda c: 1 if c.query.get("symbol") else 40, self._signed(self._open_orders)))
            ],
            "all_orders": [("GET", Route(self._all_orders_weight, self._signed(self._all_orders)))],
            "position_risk": [("GET", Route(5, self._signed(self._position_risk)))],
            "position_risk_v3": [("GET", Route(5, self._signed(self._position_risk_v3)))],
            "balance": [("GET", Route(BALANCE_WEIGHTS.get(profile.name, 5), self._signed(self._balance)))],
            "balance_v3": [("GET", Route(5, self._signed(self._balance)))],
            "leverage_bracket": [("GET", Route(1, self._signed(self._leverage_bracket)))],
            "order": [
                ("POST", Route(0, self._signed(self._new_order), places_orders=True)),
                ("DELETE", Route(1, self._signed(self._cancel_order))),
                ("GET", Route(1, self._signed(self._query_order))),
            ],
        }
        if profile.name == "spot":
            # The spot profile places no orders (a known gap); it answers queries of its own.
            by_role["order"] = [("GET", Route(4, self._signed(self._spot_query_order)))]
        routes = {
            (method, paths[role]): route
            for role, served in by_role.items()
            if role in paths
            for method, route in served
        }
        shared = {
            "ping": ping,
            "time": server_time,
            "wallet_coins": Route(10, self._signed(lambda c: (200, wallet.coins(s.account)))),
            "margin_pairs": Route(1, self._keyed(lambda _key: (200, wallet.margin_pairs(s.account)))),
        }
        for path, role in SHARED_PATHS.items():
            routes.setdefault(("GET", path), shared[role])
        if profile.listen_key_path is not None:
            for method, handler in (
                ("POST", s.rest_create_listen_key),
                ("PUT", s.rest_keepalive),
                ("DELETE", s.rest_delete_listen_key),
            ):
                routes[(method, profile.listen_key_path)] = Route(1, self._keyed(handler))
        return routes

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
        """TRADE and USER_DATA routes: API key, `timestamp`, `recvWindow`, HMAC `signature`."""

        def handler(call: Call) -> Answer:
            keyed = self._keyed(lambda _k: (200, None))(call)
            if keyed[0] != 200:
                return keyed
            timestamp = call.query.get("timestamp", "")
            if not timestamp.isdigit():
                return errors.mandatory_parameter("timestamp")
            signature = call.query.get("signature", "")
            if not signature:
                return errors.mandatory_parameter("signature")
            secret = self.server.settings.credentials.api_secret
            if not hmac.compare_digest(sign(secret, call.raw_query, call.raw_body), signature.lower()):
                return errors.signature_invalid()
            raw_window = call.query.get("recvWindow", "")
            if raw_window and not raw_window.isdigit():
                return errors.malformed_param("recvWindow")
            window = int(raw_window) if raw_window else 5000
            if window > MAX_RECV_WINDOW:
                return errors.recv_window_too_large()
            now, ts = self.server.clock.epoch_ms(), int(timestamp)
            # Processed only if timestamp < serverTime + 1000 and serverTime - timestamp
            # <= recvWindow (the USD-M "Timing Security" logic, verbatim).
            if ts >= now + 1000:
                return errors.ahead_of_server()
            if now - ts > window:
                return errors.outside_recv_window()
            return fn(call)

        return handler

    # Orders -------------------------------------------------------------------------------

    def _new_order(self, call: Call) -> Answer:
        account = self.server.futures_account
        try:
            request = parse_new_order(call.query, account.symbol, account.rules)
            body, events = account.submit(request, self.server.clock.epoch_ms())
        except OrderRejected as rejected:
            return rejected.answer
        self.server.publish(events)
        return 200, body

    def _cancel_order(self, call: Call) -> Answer:
        account = self.server.futures_account
        try:
            order_id, client_id = parse_order_ref(call.query, account.symbol)
            body, events = account.cancel(order_id, client_id, self.server.clock.epoch_ms())
        except OrderRejected as rejected:
            return rejected.answer
        self.server.publish(events)
        return 200, body

    def _query_order(self, call: Call) -> Answer:
        account = self.server.futures_account
        try:
            order_id, client_id = parse_order_ref(call.query, account.symbol)
            return 200, account.query(order_id, client_id)
        except OrderRejected as rejected:
            return rejected.answer

    def _wrong_symbol(self, call: Call) -> Answer | None:
        """Binance's answer to an optional `symbol` the exchange does not list, if sent."""
        if "symbol" not in call.query:
            return None
        try:
            check_symbol(call.query, self.server.account.symbol)
        except OrderRejected as rejected:
            return rejected.answer
        return None

    def _open_orders(self, call: Call) -> Answer:
        return self._wrong_symbol(call) or (200, self.server.account.open_orders_snapshot())

    def _position_risk(self, call: Call) -> Answer:
        return 200, self.server.futures_account.position_risk_snapshot()

    def _position_risk_v3(self, call: Call) -> Answer:
        return 200, self.server.futures_account.position_risk_v3_snapshot()

    def _account_v3(self, call: Call) -> Answer:
        return 200, self.server.futures_account.account_v3_snapshot()

    def _um_account(self, call: Call) -> Answer:
        return 200, self.server.futures_account.um_account_snapshot()

    def _balance(self, call: Call) -> Answer:
        """The product's balance shape; portfolio margin answers one object, not a list,
        when `asset` is sent (Query Account Balance page)."""
        profile = self.server.profile
        balances = self.server.futures_account.balance_snapshot(profile.name, profile.account_alias)
        if profile.name == "pm" and call.query.get("asset"):
            return 200, next((b for b in balances if b["asset"] == call.query["asset"]), {})
        return 200, balances

    def _leverage_bracket(self, call: Call) -> Answer:
        """A list of symbols' brackets; with `symbol`, that symbol's object alone (the
        Notional and Leverage Brackets page: "OR (if symbol sent)")."""
        brackets = self.server.futures_account.leverage_brackets()
        if "symbol" not in call.query:
            return 200, [brackets]
        return self._wrong_symbol(call) or (200, brackets)

    def _all_orders_weight(self, call: Call) -> int:
        """USD-M 5; COIN-M 20 with `symbol`, 40 with `pair`; spot 20 (each product's page)."""
        product = self.server.profile.name
        if product == "coinm":
            return 20 if call.query.get("symbol") else 40
        return 20 if product == "spot" else 5

    def _all_orders(self, call: Call) -> Answer:
        account = self.server.account
        try:
            query = parse_history_query(call.query, account.symbol)
        except OrderRejected as rejected:
            return rejected.answer
        return 200, account.all_orders_snapshot(query)

    def _spot_query_order(self, call: Call) -> Answer:
        account = self.server.account
        assert isinstance(account, SpotAccount)
        try:
            order_id, client_id = parse_order_ref(call.query, account.symbol)
        except OrderRejected as rejected:
            return rejected.answer
        found = account.query(order_id, client_id)
        return (200, found) if found is not None else errors.order_does_not_exist()

    # Dispatch ---------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        server = self.server
        server.settle()
        body_text = await request.text()
        # GET parameters "must be sent as a query string"; POST, PUT and DELETE may use an
        # x-www-form-urlencoded body too (USD-M General Info).
        form = (
            bool(body_text)
            and request.method != "GET"
            and request.content_type == "application/x-www-form-urlencoded"
        )
        raw_query = request.rel_url.raw_query_string
        params = dict(parse_qsl(body_text, keep_blank_values=True)) if form else {}
        params.update(parse_qsl(raw_query, keep_blank_values=True))  # the query string wins
        call = Call(
            request.method,
            request.path,
            params,
            raw_query,
            request.headers.get("X-MBX-APIKEY"),
            request.remote or "",
            body_text if form else "",
        )
        now_ms = server.clock.epoch_ms()
        route = self.routes.get((call.method, call.path))
        weight = route.weight_of(call) if route is not None else 1
        rule = take(self.rules, server.clock.now(), lambda r: r.matches(call))
        headers: dict[str, str] = {}
        note: dict[str, Any] = {"weight": 0, "used_weight": None, "banned_until": None, "executed": None}
        if rule is not None:
            status, text = rule.status, rule.body
            note["executed"] = False
            if rule.executed and route is not None:
                # The backend did the work; only the answer is lost.
                done, _ = route.handler(call)
                note["executed"] = done < 400
                if done < 400 and route.places_orders:
                    self.order_counts.add(call.api_key or "", now_ms)
            if rule.binance_headers:
                admission = self.weights.admit(call.peer, weight if rule.counts_weight else 0, now_ms)
                note.update(weight=admission.weight, used_weight=admission.used)
                headers["X-MBX-USED-WEIGHT-1M"] = str(admission.used)
            headers.update(rule.headers)
            if not any(name.lower() == "content-type" for name in headers):
                headers["Content-Type"] = _content_type(text)
        elif call.path in GONE_PATHS:
            status, text = 410, errors.GONE_HTML
            headers.update({"Content-Type": "text/html", "Server": "nginx"})
        else:
            admission = self.weights.admit(call.peer, weight, now_ms)
            note.update(
                weight=admission.weight, used_weight=admission.used, banned_until=admission.banned_until
            )
            headers["X-MBX-USED-WEIGHT-1M"] = str(admission.used)
            body: Any
            if admission.outcome == "limited":
                status, body = errors.too_many_requests(self.weights.limits.weight_per_minute)
                headers["Retry-After"] = str(admission.retry_after)
            elif admission.outcome == "banned":
                assert admission.banned_until is not None
                status, body = errors.ip_banned(admission.banned_until)
                headers["Retry-After"] = str(admission.retry_after)
            elif route is None:
                status, body = errors.path_invalid(call.method, call.path)
            else:
                status, body = route.handler(call)
                if status == 200 and route.places_orders:
                    counts = self.order_counts.add(call.api_key or "", now_ms)
                    headers["X-MBX-ORDER-COUNT-10S"] = str(counts["10S"])
                    headers["X-MBX-ORDER-COUNT-1M"] = str(counts["1M"])
            text = orjson.dumps(body).decode()
            headers["Content-Type"] = "application/json"
        server.journal.append(
            "rest",
            method=call.method,
            path=call.path,
            query={k: v for k, v in params.items() if k != "signature"},
            api_key=bool(call.api_key),
            status=status,
            body=text[:2000],
            fault=rule is not None,
            ip=call.peer,
            **note,
        )
        # Bytes, so that Content-Type goes out exactly as set (nginx's page is "text/html").
        return web.Response(status=status, body=text.encode(), headers=headers)


def sign(secret: str, raw_query: str, raw_body: str = "") -> str:
    """Binance's HMAC-SHA256 signature: hex of `totalParams`, the query string concatenated
    with the body, each without its `signature` parameter."""
    payload = _without_signature(raw_query) + _without_signature(raw_body)
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def _without_signature(raw: str) -> str:
    return "&".join(p for p in raw.split("&") if not p.startswith("signature=")) if raw else ""


def _content_type(text: str) -> str:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return "application/json"
    return "text/html" if stripped.startswith("<") else "text/plain"
