"""Profiles: which Binance product's rules the fake plays.

A profile is data, not code: the REST prefix and listenKey route, what PUT answers, which
WebSocket routes carry user data, the product's timers and limits, and the fields its
events add. The fronts read the active profile instead of hard-coding USD-M futures.
Facts: binance-reference.md §1 (listenKey table), §2 (connection rules table), §3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from fake_server.stream_control import FUTURES_ID_RANGE, SPOT_ID_RANGE

ProfileName = Literal["usdm", "coinm", "pm", "spot"]


@dataclass(frozen=True)
class Profile:
    name: ProfileName
    title: str
    #: REST prefix of the product: "/fapi", "/dapi", "/papi", "/api".
    rest_prefix: str
    #: POST/PUT/DELETE route of the listenKey; None where the product has none (spot, removed).
    listen_key_path: str | None
    #: What PUT answers: the key (fapi and dapi since 2024-04-25) or {} (PM still documents {}).
    put_returns_key: bool
    #: Whether listenKeyExpired carries `listenKey` (missing on PM; reference §3, §6.2).
    expired_has_key: bool
    #: Route names (fake_server.routes) on which user data flows for this product.
    user_routes: frozenset[str]
    #: REST snapshot routes a client resyncs from.
    snapshot_paths: frozenset[str]
    ping_interval: float
    pong_timeout: float
    #: Incoming WebSocket messages per second, pings and pongs included (reference §2).
    incoming_per_second: int
    max_streams: int
    symbol: str
    margin_asset: str
    #: REST routes by role: ping, time, exchange_info, account (and account_v3, um_account),
    #: open_orders, all_orders, position_risk (and position_risk_v3), balance (and
    #: balance_v3), leverage_bracket, order. A role the product lacks is absent (PM reads
    #: exchangeInfo from the futures API). Each is served in the product's own shape
    #: (fake_server/rest.py); every snapshot path is one of them (a test holds it).
    rest_paths: dict[str, str] = field(default_factory=dict)
    #: The account's `accountAlias` (balance routes; COIN-M events carry it as `i`).
    account_alias: str = "SgsR"
    #: Fields this product adds to futures events (COIN-M `i` account alias, PM `fs`).
    event_extras: dict[str, Any] = field(default_factory=dict)
    listen_key_ttl: float = 3600.0
    connection_life: float = 86400.0
    #: The fills-only TRADE_LITE event exists on USD-M only (added 2024-09-03, reference §0).
    trade_lite: bool = False
    #: Integer request ids the stream servers take on control messages: unsigned on the
    #: futures pages, signed 64-bit on the spot page (docs/fidelity.md "Request ids").
    stream_id_range: tuple[int, int] = FUTURES_ID_RANGE


USDM = Profile(
    name="usdm",
    title="USD-M futures",
    rest_prefix="/fapi",
    listen_key_path="/fapi/v1/listenKey",
    put_returns_key=True,
    expired_has_key=True,
    user_routes=frozenset({"private/ws", "private/stream"}),
    snapshot_paths=frozenset(
        {
            "/fapi/v2/account",
            "/fapi/v3/account",
            "/fapi/v1/openOrders",
            "/fapi/v1/allOrders",
            "/fapi/v1/order",
            "/fapi/v2/positionRisk",
            "/fapi/v3/positionRisk",
            "/fapi/v2/balance",
            "/fapi/v3/balance",
        }
    ),
    ping_interval=180.0,
    pong_timeout=600.0,
    incoming_per_second=10,
    max_streams=1024,  # 200 -> 1024 on 2025-07-02 (reference §0)
    symbol="BTCUSDT",
    margin_asset="USDT",
    trade_lite=True,
    rest_paths={
        "ping": "/fapi/v1/ping",
        "time": "/fapi/v1/time",
        "exchange_info": "/fapi/v1/exchangeInfo",
        "account": "/fapi/v2/account",
        "open_orders": "/fapi/v1/openOrders",
        "position_risk": "/fapi/v2/positionRisk",
        "order": "/fapi/v1/order",
        "account_v3": "/fapi/v3/account",
        "position_risk_v3": "/fapi/v3/positionRisk",
        "balance": "/fapi/v2/balance",
        "balance_v3": "/fapi/v3/balance",
        "all_orders": "/fapi/v1/allOrders",
        "leverage_bracket": "/fapi/v1/leverageBracket",
    },
)

COINM_ALIAS = "SfsR"

COINM = Profile(
    name="coinm",
    title="COIN-M futures",
    rest_prefix="/dapi",
    listen_key_path="/dapi/v1/listenKey",
    put_returns_key=True,  # the docs show {"listenKey"} (reference §6.3)
    expired_has_key=True,
    # dstream still serves user data on /ws/<key> and /stream?streams=<key> (reference §1 table).
    user_routes=frozenset({"ws", "stream"}),
    snapshot_paths=frozenset(
        {
            "/dapi/v1/account",
            "/dapi/v1/openOrders",
            "/dapi/v1/allOrders",
            "/dapi/v1/order",
            "/dapi/v1/positionRisk",
            "/dapi/v1/balance",
        }
    ),
    ping_interval=180.0,
    pong_timeout=600.0,
    incoming_per_second=10,
    max_streams=1024,  # docs say 1024; only USD-M has a changelog entry (reference §6.7)
    symbol="BTCUSD_PERP",
    margin_asset="BTC",
    rest_paths={
        "ping": "/dapi/v1/ping",
        "time": "/dapi/v1/time",
        "exchange_info": "/dapi/v1/exchangeInfo",
        "account": "/dapi/v1/account",
        "open_orders": "/dapi/v1/openOrders",
        "position_risk": "/dapi/v1/positionRisk",
        "order": "/dapi/v1/order",
        "balance": "/dapi/v1/balance",
        "all_orders": "/dapi/v1/allOrders",
    },
    account_alias=COINM_ALIAS,
    event_extras={"i": COINM_ALIAS},  # account alias (reference §3: COIN-M adds `i`)
)

PM = Profile(
    name="pm",
    title="Portfolio margin",
    rest_prefix="/papi",
    listen_key_path="/papi/v1/listenKey",
    put_returns_key=False,  # PM still documents {} (reference §6.3)
    expired_has_key=False,  # PM's listenKeyExpired has only e and E (reference §3)
    user_routes=frozenset({"pm/ws"}),
    snapshot_paths=frozenset(
        {
            "/papi/v1/account",
            "/papi/v1/balance",
            "/papi/v1/um/openOrders",
            "/papi/v1/um/order",
            "/papi/v1/um/positionRisk",
            "/papi/v1/um/account",
        }
    ),
    ping_interval=180.0,  # not stated for PM; futures values presumed (reference §6.15)
    pong_timeout=600.0,
    incoming_per_second=10,
    max_streams=1024,
    symbol="BTCUSDT",
    margin_asset="USDT",
    rest_paths={
        "ping": "/papi/v1/ping",
        "time": "/papi/v1/time",
        "account": "/papi/v1/account",
        "open_orders": "/papi/v1/um/openOrders",
        "position_risk": "/papi/v1/um/positionRisk",
        "order": "/papi/v1/um/order",
        "balance": "/papi/v1/balance",
        "um_account": "/papi/v1/um/account",
    },
    event_extras={"fs": "UM"},
)

SPOT = Profile(
    name="spot",
    title="Spot (WebSocket API user data stream)",
    rest_prefix="/api",
    listen_key_path=None,  # POST/PUT/DELETE /api/v3/userDataStream removed 2026-02-20: 410
    put_returns_key=False,
    expired_has_key=True,
    user_routes=frozenset({"ws-api"}),
    snapshot_paths=frozenset({"/api/v3/account", "/api/v3/openOrders", "/api/v3/allOrders", "/api/v3/order"}),
    stream_id_range=SPOT_ID_RANGE,
    ping_interval=20.0,  # 2025-02: 20 s pings, pong within 1 min (reference §0, §2)
    pong_timeout=60.0,
    incoming_per_second=5,
    max_streams=1024,
    symbol="BTCUSDT",
    margin_asset="USDT",
    rest_paths={
        "ping": "/api/v3/ping",
        "time": "/api/v3/time",
        "exchange_info": "/api/v3/exchangeInfo",
        "account": "/api/v3/account",
        "open_orders": "/api/v3/openOrders",
        "all_orders": "/api/v3/allOrders",
        "order": "/api/v3/order",
    },
)

PROFILES: dict[str, Profile] = {p.name: p for p in (USDM, COINM, PM, SPOT)}


def profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; known: {', '.join(PROFILES)}") from None
