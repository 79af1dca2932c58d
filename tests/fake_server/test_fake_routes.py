"""WebSocket path routing (fake_server/routes.py), without sockets.

Sources: binance-reference.md §1 table (USD-M user WS), §2 "URL forms" and "Futures
routing" (legacy unrouted `/ws` and `/stream` carry no private data since 2026-04-23).
"""

from __future__ import annotations

import pytest

from fake_server.routes import Route, parse

K1 = "k1" * 32
K2 = "k2" * 32


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (f"/private/ws/{K1}", Route("private", "private/ws", (K1,), False, None)),
        (f"/private/ws/{K1}/", Route("private", "private/ws", (K1,), False, None)),
        (f"/private/ws?listenKey={K1}", Route("private", "private/ws", (K1,), False, None)),
        (
            f"/private/ws?listenKey={K1}&events=ORDER_TRADE_UPDATE/ACCOUNT_UPDATE",
            Route(
                "private",
                "private/ws",
                (K1,),
                False,
                frozenset({"ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE"}),
            ),
        ),
        (
            f"/private/stream?listenKey={K1}&listenKey={K2}",
            Route("private", "private/stream", (K1, K2), True, None),
        ),
        (
            f"/private/stream?listenKey={K1}&events=ACCOUNT_UPDATE&listenKey={K2}&events=TRADE_LITE",
            Route("private", "private/stream", (K1, K2), True, frozenset({"ACCOUNT_UPDATE", "TRADE_LITE"})),
        ),
        (f"/ws/{K1}", Route("legacy", "ws", (K1,), False, None)),
        (f"/stream?streams={K1}", Route("legacy", "stream", (K1,), True, None)),
        (f"/stream?streams={K1}/{K2}", Route("legacy", "stream", (K1, K2), True, None)),
        ("/public/ws/btcusdt@bookTicker", Route("public", "public/ws")),
        ("/market/stream?streams=btcusdt@aggTrade", Route("public", "market/stream")),
    ],
)
def test_known_paths(target: str, expected: Route) -> None:
    assert parse(target) == expected


@pytest.mark.parametrize(
    "target", ["/", "/private", "/ws-fapi/v1", "/pm/ws/abc", "/fapi/v1/listenKey", "/wss/abc", "/api/v3"]
)
def test_unknown_paths_are_none(target: str) -> None:
    assert parse(target) is None


def test_private_and_legacy_kinds_decide_delivery() -> None:
    private = parse(f"/private/ws/{K1}")
    legacy = parse(f"/ws/{K1}")
    assert private is not None and private.kind == "private"
    assert legacy is not None and legacy.kind == "legacy"  # the front routes nothing to it


def test_events_filter() -> None:
    filtered = parse(f"/private/ws?listenKey={K1}&events=ACCOUNT_UPDATE")
    assert filtered is not None
    assert filtered.wants("ACCOUNT_UPDATE")
    assert not filtered.wants("ORDER_TRADE_UPDATE")
    unfiltered = parse(f"/private/ws/{K1}")
    assert unfiltered is not None and unfiltered.wants("ORDER_TRADE_UPDATE")
