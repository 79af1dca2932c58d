"""WebSocket path routing (fake_server/exchange/stream_routes.py), without sockets.

Sources: binance-reference.md §1 table (USD-M user WS), §2 "URL forms" and "Futures
routing" (legacy unrouted `/ws` and `/stream` carry no private data since 2026-04-23).
"""

from __future__ import annotations

import pytest

from fake_server.exchange.stream_routes import StreamRoute as Route
from fake_server.exchange.stream_routes import parse

K1 = "k1" * 32
K2 = "k2" * 32


ALL = frozenset({"ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE"})


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (f"/private/ws/{K1}", Route("private", "private/ws", (K1,), False, (None,), (K1,))),
        (f"/private/ws/{K1}/", Route("private", "private/ws", (K1,), False, (None,), (K1,))),
        (f"/private/ws?listenKey={K1}", Route("private", "private/ws", (K1,), False, (None,), (K1,))),
        (
            f"/private/ws?listenKey={K1}&events=ORDER_TRADE_UPDATE/ACCOUNT_UPDATE",
            Route("private", "private/ws", (K1,), False, (ALL,), (K1,)),
        ),
        (
            f"/private/stream?listenKey={K1}&listenKey={K2}",
            Route("private", "private/stream", (K1, K2), True, (None, None), (K1, K2)),
        ),
        (
            f"/private/stream?listenKey={K1}&events=ACCOUNT_UPDATE&listenKey={K2}&events=TRADE_LITE",
            Route(
                "private",
                "private/stream",
                (K1, K2),
                True,
                (frozenset({"ACCOUNT_UPDATE"}), frozenset({"TRADE_LITE"})),
                (K1, K2),
            ),
        ),
        (f"/ws/{K1}", Route("legacy", "ws", (K1,), False, (None,), (K1,))),
        (f"/stream?streams={K1}", Route("legacy", "stream", (K1,), True, (None,), (K1,))),
        (f"/stream?streams={K1}/{K2}", Route("legacy", "stream", (K1, K2), True, (None, None), (K1, K2))),
        ("/ws/btcusdt@depth", Route("legacy", "ws", streams=("btcusdt@depth",))),
        ("/public/ws/btcusdt@bookTicker", Route("public", "public/ws", streams=("btcusdt@bookTicker",))),
        (
            "/public/ws/bnbusdt@depth/ethusdt@depth",
            Route("public", "public/ws", streams=("bnbusdt@depth", "ethusdt@depth")),
        ),
        (
            "/market/stream?streams=btcusdt@aggTrade/btcusdt@markPrice",
            Route("market", "market/stream", wrapped=True, streams=("btcusdt@aggTrade", "btcusdt@markPrice")),
        ),
        ("/public", Route("public", "public")),
        ("/market/ws", Route("market", "market/ws")),
    ],
)
def test_known_paths(target: str, expected: Route) -> None:
    assert parse(target) == expected


@pytest.mark.parametrize(
    "target",
    [
        "/",
        "/private",
        "/private/nope",
        "/public/nope",
        "/ws-fapi/v1",
        "/pm/ws",
        "/ws-api/v2",
        "/fapi/v1/listenKey",
        "/wss/abc",
        "/api/v3",
    ],
)
def test_unknown_paths_are_none(target: str) -> None:
    assert parse(target) is None


def test_portfolio_margin_and_websocket_api_routes() -> None:
    assert parse("/pm/ws/abc") == Route("private", "pm/ws", ("abc",), False, (None,), ("abc",))
    assert parse("/ws-api/v3") == Route("wsapi", "ws-api")


def test_private_and_legacy_kinds_decide_delivery() -> None:
    private = parse(f"/private/ws/{K1}")
    legacy = parse(f"/ws/{K1}")
    assert private is not None and private.kind == "private"
    assert legacy is not None and legacy.kind == "legacy"  # the front routes nothing to it


def test_events_filter() -> None:
    filtered = parse(f"/private/ws?listenKey={K1}&events=ACCOUNT_UPDATE")
    assert filtered is not None
    assert filtered.wants(K1, "ACCOUNT_UPDATE")
    assert not filtered.wants(K1, "ORDER_TRADE_UPDATE")
    unfiltered = parse(f"/private/ws/{K1}")
    assert unfiltered is not None and unfiltered.wants(K1, "ORDER_TRADE_UPDATE")


@pytest.mark.parametrize(
    ("target", "filters"),
    [
        # Each key takes the events= that follow it ([DER] Important-WebSocket-Change-Notice).
        (f"/private/stream?listenKey={K1}&events=A/B&listenKey={K2}&events=C", ({"A", "B"}, {"C"})),
        (f"/private/stream?listenKey={K1}&listenKey={K2}&events=C", (None, {"C"})),
        # Choices: events= before any key filters the keys without their own; a repeated key
        # gets the union of its filters.
        (f"/private/stream?events=A&listenKey={K1}&listenKey={K2}&events=C", ({"A"}, {"C"})),
        (
            f"/private/stream?listenKey={K1}&events=A&listenKey={K2}&listenKey={K1}&events=B",
            ({"A", "B"}, None),
        ),
    ],
)
def test_events_filter_per_listen_key(target: str, filters: tuple[set[str] | None, ...]) -> None:
    route = parse(target)
    assert route is not None and route.listen_keys == (K1, K2)
    assert route.filters == tuple(None if f is None else frozenset(f) for f in filters)
    assert route.wants(K1, "A") is (filters[0] is None or "A" in filters[0])
    assert route.wants(K2, "A") is (filters[1] is None or "A" in filters[1])


def test_events_on_the_raw_path_form() -> None:
    route = parse(f"/private/ws/{K1}?events=ACCOUNT_UPDATE")
    assert route is not None and route.filters == (frozenset({"ACCOUNT_UPDATE"}),)
