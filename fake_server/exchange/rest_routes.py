"""Binance's REST routes as the fake serves them: weights, authentication and handlers.

Pure: a handler takes a `Call` (the request reduced to what handlers need) and returns a
`RestAnswer` (status, JSON body); the REST front (fake_server/fronts/rest.py) does the HTTP,
the request-weight limiter, the headers, the faults and the journal around it. A new route
goes here: a role in `Profile.rest_paths` (fake_server/exchange/profiles.py) and a
`RestRoute` in `RestApi._routes`.

Rules (binance-reference.md §1, §4, the USD-M "General Info" page):
- parameters come from the query string or, except on GET, an x-www-form-urlencoded body;
  a parameter in both is taken from the query string (the front builds the `Call`);
- SIGNED (TRADE, USER_DATA) routes: HMAC-SHA256 over `totalParams` = the query string
  concatenated with the body (no `&` between), hex, not case sensitive; `timestamp` must be
  less than serverTime + 1000 and at most `recvWindow` (default 5000, max 60000) old;
- USER_STREAM routes (the listenKey) need only the X-MBX-APIKEY header;
- the removed spot/margin listenKey routes answer nginx's 410 page (`GONE_PATHS`): no JSON,
  no Binance header, no weight (nginx answers before the API sees the call; obs, reference §0).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any, Protocol

from fake_server.exchange import binance_errors, wallet
from fake_server.exchange.account import Account
from fake_server.exchange.coinm_account import CoinmAccount
from fake_server.exchange.coinm_surface import coinm_routes
from fake_server.exchange.order_history import parse_history_query
from fake_server.exchange.orders import OrderRejected, check_symbol, parse_new_order, parse_order_ref
from fake_server.exchange.param_formats import long_value
from fake_server.exchange.profiles import Profile
from fake_server.exchange.rest_call import Call, Handler, RestAnswer, RestRoute
from fake_server.exchange.settings import Settings
from fake_server.exchange.spot_account import SpotAccount
from fake_server.exchange.surface import SurfaceBackend, SurfaceRoute
from fake_server.exchange.usdm_surface import usdm_routes
from fake_server.exchange.user_events import UserEvent


class EpochClock(Protocol):
    def epoch_ms(self) -> int:
        """Binance's milliseconds now."""
        ...

    def outside_recv_window(self, age_ms: float, window_ms: int) -> bool:
        """Whether a signed request that old is refused (fake_server/clock.py)."""
        ...


class RestBackend(Protocol):
    """What the handlers need from the exchange around them (FakeBinance provides it)."""

    @property
    def clock(self) -> EpochClock: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def profile(self) -> Profile: ...
    @property
    def account(self) -> Account | SpotAccount: ...
    @property
    def futures_account(self) -> Account: ...
    def publish(self, events: list[UserEvent]) -> list[int]: ...
    def exchange_info(self) -> dict[str, Any]: ...
    def rest_create_listen_key(self, api_key: str) -> RestAnswer: ...
    def rest_keepalive(self, api_key: str) -> RestAnswer: ...
    def rest_delete_listen_key(self, api_key: str) -> RestAnswer: ...


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
#: loads the wallet's coins and the margin pairs before its markets (fake_server/exchange/wallet.py).
SHARED_PATHS = {
    "/api/v3/ping": "ping",
    "/api/v3/time": "time",
    "/sapi/v1/capital/config/getall": "wallet_coins",
    "/sapi/v1/margin/allPairs": "margin_pairs",
}

#: The routes of a product's Postman collection beyond its roles (usdm_surface.py, coinm_surface.py).
SURFACES: dict[str, Callable[[SurfaceBackend], list[SurfaceRoute]]] = {
    "usdm": usdm_routes,
    "coinm": coinm_routes,
}

#: The balance route's weight where a product's page differs from USD-M's 5.
BALANCE_WEIGHTS = {"coinm": 1, "pm": 20}

#: USD-M order routes, where the 503 -1008 "throttled" answer can happen (General Info).
ORDER_ROUTES = frozenset({"/fapi/v1/order", "/fapi/v1/batchOrders", "/fapi/v1/order/test"})

#: The maximum `recvWindow` (reference §4).
MAX_RECV_WINDOW = 60_000


class RestApi:
    """The routes of one product (`backend.profile`), by (method, path)."""

    def __init__(self, backend: RestBackend) -> None:
        self.backend = backend
        self.routes = self._routes(backend.profile)

    def _routes(self, profile: Profile) -> dict[tuple[str, str], RestRoute]:
        """The served routes of the product, by their role in `profile.rest_paths`, plus
        the calls SDKs make to Binance's other hosts at start-up (`SHARED_PATHS`).

        Weights: the page of each route (POST order: 0 on the IP limit); where a product's
        page gives another weight for the same role, the product's own.
        """
        s = self.backend
        paths = profile.rest_paths
        ping = RestRoute(1, lambda c: (200, {}))
        server_time = RestRoute(1, lambda c: (200, {"serverTime": s.clock.epoch_ms()}))
        by_role: dict[str, list[tuple[str, RestRoute]]] = {
            "ping": [("GET", ping)],
            "time": [("GET", server_time)],
            "exchange_info": [("GET", RestRoute(1, lambda c: (200, s.exchange_info())))],
            "account": [("GET", RestRoute(5, self._signed(lambda c: (200, s.account.account_snapshot()))))],
            "account_v3": [("GET", RestRoute(5, self._signed(self._account_v3)))],
            "um_account": [("GET", RestRoute(5, self._signed(self._um_account)))],
            "open_orders": [
                (
                    "GET",
                    RestRoute(lambda c: 1 if c.query.get("symbol") else 40, self._signed(self._open_orders)),
                )
            ],
            "all_orders": [("GET", RestRoute(self._all_orders_weight, self._signed(self._all_orders)))],
            "position_risk": [("GET", RestRoute(5, self._signed(self._position_risk)))],
            "position_risk_v3": [("GET", RestRoute(5, self._signed(self._position_risk_v3)))],
            "balance": [
                ("GET", RestRoute(BALANCE_WEIGHTS.get(profile.name, 5), self._signed(self._balance)))
            ],
            "balance_v3": [("GET", RestRoute(5, self._signed(self._balance)))],
            "leverage_bracket": [("GET", RestRoute(1, self._signed(self._leverage_bracket)))],
            "order": [
                ("POST", RestRoute(0, self._signed(self._new_order), places_orders=True)),
                ("DELETE", RestRoute(1, self._signed(self._cancel_order))),
                ("GET", RestRoute(1, self._signed(self._query_order))),
            ],
        }
        if profile.name == "spot":
            # The spot profile places no orders (a known gap); it answers queries of its own.
            by_role["order"] = [("GET", RestRoute(4, self._signed(self._spot_query_order)))]
        routes = {
            (method, paths[role]): route
            for role, served in by_role.items()
            if role in paths
            for method, route in served
        }
        shared = {
            "ping": ping,
            "time": server_time,
            "wallet_coins": RestRoute(10, self._signed(lambda c: (200, wallet.coins(s.account)))),
            "margin_pairs": RestRoute(1, self._keyed(lambda _key: (200, wallet.margin_pairs(s.account)))),
        }
        for path, role in SHARED_PATHS.items():
            routes.setdefault(("GET", path), shared[role])
        surface_routes = SURFACES.get(profile.name)
        if surface_routes is not None:
            surface = SurfaceBackend(lambda: s.futures_account, s.clock.epoch_ms, s.publish)
            for served in surface_routes(surface):
                routes.setdefault((served.method, served.path), self._surface(served))
        if profile.listen_key_path is not None:
            for method, handler in (
                ("POST", s.rest_create_listen_key),
                ("PUT", s.rest_keepalive),
                ("DELETE", s.rest_delete_listen_key),
            ):
                routes[(method, profile.listen_key_path)] = RestRoute(1, self._keyed(handler))
        return routes

    def _surface(self, served: SurfaceRoute) -> RestRoute:
        """A route of a product's surface (`SURFACES`), behind its security type; a refusal
        it raises is its answer."""

        def answered(call: Call) -> RestAnswer:
            try:
                return served.handler(call)
            except OrderRejected as rejected:
                return rejected.answer

        def keyed(call: Call) -> RestAnswer:
            return self._keyed(lambda _key: answered(call))(call)

        handler: Handler = {"SIGNED": self._signed(answered), "MARKET_DATA": keyed}.get(
            served.security, answered
        )
        return RestRoute(served.weight, handler, places_orders=served.places_orders)

    # Authentication (reference §1: USER_STREAM routes need only X-MBX-APIKEY) ------------

    def _keyed(self, fn: Callable[[str], RestAnswer]) -> Handler:
        def handler(call: Call) -> RestAnswer:
            creds = self.backend.settings.credentials
            if not call.api_key:
                return binance_errors.api_key_format_invalid()
            if call.api_key != creds.api_key:
                return binance_errors.invalid_api_key(call.peer)
            return fn(call.api_key)

        return handler

    def _signed(self, fn: Handler) -> Handler:
        """TRADE and USER_DATA routes: API key, `timestamp`, `recvWindow`, HMAC `signature`."""

        def handler(call: Call) -> RestAnswer:
            keyed = self._keyed(lambda _k: (200, None))(call)
            if keyed[0] != 200:
                return keyed
            raw_timestamp = call.query.get("timestamp", "")
            if not raw_timestamp:
                return binance_errors.mandatory_parameter("timestamp")
            ts = long_value(raw_timestamp)
            if ts is None:
                return binance_errors.malformed_param("timestamp")
            signature = call.query.get("signature", "")
            if not signature:
                return binance_errors.mandatory_parameter("signature")
            secret = self.backend.settings.credentials.api_secret
            # Bytes: compare_digest refuses str with non-ASCII characters.
            expected = sign(secret, call.raw_query, call.raw_body).encode()
            if not hmac.compare_digest(expected, signature.lower().encode()):
                return binance_errors.signature_invalid()
            raw_window = call.query.get("recvWindow", "")
            window = long_value(raw_window) if raw_window else 5000
            if window is None:
                return binance_errors.malformed_param("recvWindow")
            if window > MAX_RECV_WINDOW:
                return binance_errors.recv_window_too_large()
            now = self.backend.clock.epoch_ms()
            # Processed only if timestamp < serverTime + 1000 and serverTime - timestamp
            # <= recvWindow (the USD-M "Timing Security" logic, verbatim), the window in
            # wall time at a time factor (the clock says why).
            if ts >= now + 1000:
                return binance_errors.ahead_of_server()
            if self.backend.clock.outside_recv_window(now - ts, window):
                return binance_errors.outside_recv_window()
            return fn(call)

        return handler

    # Orders -------------------------------------------------------------------------------

    def _new_order(self, call: Call) -> RestAnswer:
        account = self.backend.futures_account
        try:
            request = parse_new_order(call.query, account.symbol, account.rules)
            if account.dual_side:
                # Hedge mode: the fake has no LONG/SHORT positions (docs/fidelity.md).
                raise OrderRejected(binance_errors.position_side_not_match())
            body, events = account.submit(request, self.backend.clock.epoch_ms())
        except OrderRejected as rejected:
            return rejected.answer
        self.backend.publish(events)
        return 200, body

    def _cancel_order(self, call: Call) -> RestAnswer:
        account = self.backend.futures_account
        try:
            order_id, client_id = parse_order_ref(call.query, account.symbol)
            body, events = account.cancel(order_id, client_id, self.backend.clock.epoch_ms())
        except OrderRejected as rejected:
            return rejected.answer
        self.backend.publish(events)
        return 200, body

    def _query_order(self, call: Call) -> RestAnswer:
        account = self.backend.futures_account
        try:
            order_id, client_id = parse_order_ref(call.query, account.symbol)
            return 200, account.query(order_id, client_id)
        except OrderRejected as rejected:
            return rejected.answer

    def _wrong_symbol(self, call: Call) -> RestAnswer | None:
        """Binance's answer to an optional `symbol` the exchange does not list, if sent."""
        if "symbol" not in call.query:
            return None
        try:
            check_symbol(call.query, self.backend.account.symbol)
        except OrderRejected as rejected:
            return rejected.answer
        return None

    def _open_orders(self, call: Call) -> RestAnswer:
        return self._wrong_symbol(call) or (200, self.backend.account.open_orders_snapshot())

    def _position_risk(self, call: Call) -> RestAnswer:
        return 200, self.backend.futures_account.position_risk_snapshot()

    def _position_risk_v3(self, call: Call) -> RestAnswer:
        return 200, self.backend.futures_account.position_risk_v3_snapshot()

    def _account_v3(self, call: Call) -> RestAnswer:
        return 200, self.backend.futures_account.account_v3_snapshot()

    def _um_account(self, call: Call) -> RestAnswer:
        return 200, self.backend.futures_account.um_account_snapshot()

    def _balance(self, call: Call) -> RestAnswer:
        """The product's balance shape; portfolio margin answers one object, not a list,
        when `asset` is sent (Query Account Balance page)."""
        profile = self.backend.profile
        balances = self.backend.futures_account.balance_snapshot(profile.name, profile.account_alias)
        if profile.name == "pm" and call.query.get("asset"):
            return 200, next((b for b in balances if b["asset"] == call.query["asset"]), {})
        return 200, balances

    def _leverage_bracket(self, call: Call) -> RestAnswer:
        """A list of symbols' brackets; with `symbol`, that symbol's object alone (the
        Notional and Leverage Brackets page: "OR (if symbol sent)")."""
        brackets = self.backend.futures_account.leverage_brackets()
        if "symbol" not in call.query:
            return 200, [brackets]
        return self._wrong_symbol(call) or (200, brackets)

    def _all_orders_weight(self, call: Call) -> int:
        """USD-M 5; COIN-M 20 with `symbol`, 40 with `pair`; spot 20 (each product's page)."""
        product = self.backend.profile.name
        if product == "coinm":
            return 20 if call.query.get("symbol") else 40
        return 20 if product == "spot" else 5

    def _all_orders(self, call: Call) -> RestAnswer:
        account = self.backend.account
        # COIN-M takes the pair instead of the symbol ("Either symbol or pair must be sent").
        pair = account.pair if isinstance(account, CoinmAccount) else None
        try:
            query = parse_history_query(call.query, account.symbol, pair)
        except OrderRejected as rejected:
            return rejected.answer
        return 200, account.all_orders_snapshot(query)

    def _spot_query_order(self, call: Call) -> RestAnswer:
        account = self.backend.account
        assert isinstance(account, SpotAccount)
        try:
            order_id, client_id = parse_order_ref(call.query, account.symbol)
        except OrderRejected as rejected:
            return rejected.answer
        found = account.query(order_id, client_id)
        return (200, found) if found is not None else binance_errors.order_does_not_exist()


def sign(secret: str, raw_query: str, raw_body: str = "") -> str:
    """Binance's HMAC-SHA256 signature: hex of `totalParams`, the query string concatenated
    with the body, each without its `signature` parameter."""
    payload = _without_signature(raw_query) + _without_signature(raw_body)
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def _without_signature(raw: str) -> str:
    return "&".join(p for p in raw.split("&") if not p.startswith("signature=")) if raw else ""
