"""Market streams: payload fields, id chains, routing by path category, combined wrapping.

Sources: [DER] usds-margined-futures/websocket-market-streams pages (scraped 2026-05-28):
Aggregate-Trade-Streams, Individual-Symbol-Book-Ticker-Streams, Diff-Book-Depth-Streams,
Mark-Price-Stream, Important-WebSocket-Change-Notice (which stream belongs to /public and
which to /market; unrouted connections get /public data only); binance-reference.md §2
("URL forms": raw vs combined, lower-case symbols; "Futures routing").
"""

from __future__ import annotations

import random
from itertools import pairwise
from typing import Any

import pytest

from fake_server.exchange.market import Market, carries, spec
from tests.fake_server._fake_helpers import WAIT, last_conn, nothing_within, recv_json, ws_connect
from tests.fake_server._stream_helpers import StartStreamFake, is_, request

FIELDS = {
    "aggTrade": {"e", "E", "s", "a", "p", "q", "nq", "f", "l", "T", "m"},
    "bookTicker": {"e", "u", "E", "T", "s", "b", "B", "a", "A"},
    "depthUpdate": {"e", "E", "T", "s", "U", "u", "pu", "b", "a"},
    "markPriceUpdate": {"e", "E", "s", "p", "ap", "i", "P", "r", "T"},
}
RATE = 100.0  # market pushes per second in these tests


# Pure generator ---------------------------------------------------------------------------------


def test_stream_names_kinds_and_categories() -> None:
    assert spec("btcusdt@aggTrade") is not None
    for name, category in [
        ("btcusdt@aggTrade", "market"),
        ("btcusdt@markPrice", "market"),
        ("btcusdt@markPrice@1s", "market"),
        ("btcusdt@bookTicker", "public"),
        ("btcusdt@depth", "public"),
        ("btcusdt@depth@100ms", "public"),
        ("btcusdt@depth@500ms", "public"),
    ]:
        s = spec(name)
        assert s is not None and (s.symbol, s.category) == ("BTCUSDT", category)
    for bad in [
        "BTCUSDT@aggTrade",
        "btcusdt@trade",
        "btcusdt@depth@250ms",
        "btcusdt@depth5",
        "!bookTicker",
        "x",
    ]:
        assert spec(bad) is None


@pytest.mark.parametrize(
    ("route_kind", "public", "market"),
    [("public", True, False), ("market", False, True), ("legacy", True, False), ("private", False, False)],
)
def test_a_connection_gets_only_its_path_category(route_kind: str, public: bool, market: bool) -> None:
    assert carries(route_kind, "btcusdt@depth") is public
    assert carries(route_kind, "btcusdt@bookTicker") is public
    assert carries(route_kind, "btcusdt@aggTrade") is market
    assert carries(route_kind, "btcusdt@markPrice@1s") is market


def run(names: list[str], ticks: int, now_ms: int = 1_800_000_000_000) -> dict[str, list[dict[str, Any]]]:
    """Every tick in the same millisecond: ids and E must still increase."""
    m = Market(random.Random(7))
    out: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    for _ in range(ticks):
        for name, event in m.tick(names, now_ms).items():
            out[name].append(event)
    return out


def test_payloads_have_exactly_the_documented_fields() -> None:
    names = ["btcusdt@aggTrade", "btcusdt@bookTicker", "btcusdt@depth", "btcusdt@markPrice"]
    for name, events in run(names, 3).items():
        for event in events:
            assert set(event) == FIELDS[event["e"]], name
            assert event["s"] == "BTCUSDT"


def test_depth_updates_chain_on_every_stream() -> None:
    names = ["btcusdt@depth", "btcusdt@depth@100ms", "btcusdt@bookTicker", "ethusdt@depth"]
    out = run(names, 50)
    for name in ("btcusdt@depth", "btcusdt@depth@100ms", "ethusdt@depth"):
        events = out[name]
        assert len(events) == 50
        for prev, cur in pairwise(events):
            assert cur["pu"] == prev["u"]
            assert cur["U"] == prev["u"] + 1
        assert all(e["U"] <= e["u"] for e in events)
    # The book ids are the symbol's: bookTicker's u is the depth streams' latest u.
    assert [e["u"] for e in out["btcusdt@bookTicker"]] == [e["u"] for e in out["btcusdt@depth"]]


def test_a_stream_subscribed_later_continues_the_book() -> None:
    m = Market(random.Random(3))
    first = [m.tick(["btcusdt@bookTicker"], 0)["btcusdt@bookTicker"]["u"] for _ in range(3)]
    depth = m.tick(["btcusdt@depth", "btcusdt@bookTicker"], 0)["btcusdt@depth"]
    assert depth["pu"] == first[-1] and depth["U"] == first[-1] + 1 and depth["u"] > first[-1]


def test_ids_and_event_times_strictly_increase_and_t_precedes_e() -> None:
    names = ["btcusdt@aggTrade", "btcusdt@bookTicker", "btcusdt@depth", "btcusdt@markPrice@1s"]
    out = run(names, 30)
    for events in out.values():
        assert all(b["E"] > a["E"] for a, b in pairwise(events))
    trades = out["btcusdt@aggTrade"]
    assert all(b["a"] == a["a"] + 1 and b["f"] == a["l"] + 1 for a, b in pairwise(trades))
    assert all(t["f"] <= t["l"] and t["T"] <= t["E"] for t in trades)
    assert all(b["u"] > a["u"] for a, b in pairwise(out["btcusdt@bookTicker"]))
    marks = out["btcusdt@markPrice@1s"]
    assert all(m["T"] > m["E"] and m["T"] % (8 * 3600 * 1000) == 0 for m in marks)


def test_unknown_names_are_skipped() -> None:
    assert run(["BTCUSDT@depth", "btcusdt@kline_1m"], 2) == {"BTCUSDT@depth": [], "btcusdt@kline_1m": []}


# Through sockets --------------------------------------------------------------------------------


async def recv_n(ws: Any, n: int) -> list[Any]:
    return [await recv_json(ws) for _ in range(n)]


async def test_public_raw_connection_gets_bare_depth_updates_that_chain(
    start_stream: StartStreamFake,
) -> None:
    fake = await start_stream(market_rate=RATE)
    async with ws_connect(fake, "/public/ws/btcusdt@depth@100ms") as ws:
        conn = last_conn(fake, "/public/ws/btcusdt@depth@100ms")
        events = await recv_n(ws, 10)
    assert all(set(e) == FIELDS["depthUpdate"] for e in events)
    assert all(b["pu"] == a["u"] and b["E"] > a["E"] for a, b in pairwise(events))
    journaled = [e for e in fake.journal.of("market") if conn in e["conns"]][:10]
    assert [(j["stream"], j["E"], j["u"], j["pu"]) for j in journaled] == [
        ("btcusdt@depth@100ms", e["E"], e["u"], e["pu"]) for e in events
    ]


async def test_combined_connection_wraps_with_the_stream_name(start_stream: StartStreamFake) -> None:
    fake = await start_stream(market_rate=RATE)
    path = "/market/stream?streams=btcusdt@aggTrade/btcusdt@markPrice"
    async with ws_connect(fake, path) as ws:
        got = await recv_n(ws, 6)
    assert {m["stream"] for m in got} == {"btcusdt@aggTrade", "btcusdt@markPrice"}
    kinds = {"btcusdt@aggTrade": "aggTrade", "btcusdt@markPrice": "markPriceUpdate"}
    assert all(set(m) == {"stream", "data"} and m["data"]["e"] == kinds[m["stream"]] for m in got)


async def test_set_property_combined_wraps_a_raw_connection(start_stream: StartStreamFake) -> None:
    fake = await start_stream(market_rate=RATE)
    async with ws_connect(fake, "/public/ws") as ws:
        assert await request(ws, {"method": "SET_PROPERTY", "params": ["combined", True], "id": 1}) == {
            "result": None,
            "id": 1,
        }
        assert await request(ws, {"method": "SUBSCRIBE", "params": ["btcusdt@bookTicker"], "id": 2}) == {
            "result": None,
            "id": 2,
        }
        got = await recv_json(ws)
    assert got["stream"] == "btcusdt@bookTicker" and set(got["data"]) == FIELDS["bookTicker"]


async def test_subscribe_and_unsubscribe_at_runtime(start_stream: StartStreamFake) -> None:
    fake = await start_stream(market_rate=RATE)
    async with ws_connect(fake, "/public") as ws:
        conn = last_conn(fake, "/public")
        assert await nothing_within(ws, 0.1)
        await request(ws, {"method": "SUBSCRIBE", "params": ["ethusdt@bookTicker"], "id": 1})
        assert (await recv_json(ws))["s"] == "ETHUSDT"
        await ws.send('{"method":"UNSUBSCRIBE","params":["ethusdt@bookTicker"],"id":2}')
        await fake.journal.wait_for(is_("ws_frame", conn=conn, dir="out", method="UNSUBSCRIBE"), WAIT)
        unsubscribed_at = fake.clock.now()
        # Any push queued before the answer may still arrive; read up to the answer.
        while (await recv_json(ws)).get("id") != 2:
            pass
        assert await nothing_within(ws, 0.1)
    later = [e for e in fake.journal.of("market") if e["t"] > unsubscribed_at]
    assert all(conn not in e["conns"] for e in later)


@pytest.mark.parametrize(
    ("path", "silent"),
    [
        ("/public/ws/btcusdt@depth/btcusdt@aggTrade", "btcusdt@aggTrade"),
        ("/market/ws/btcusdt@markPrice/btcusdt@bookTicker", "btcusdt@bookTicker"),
        ("/ws/btcusdt@bookTicker/btcusdt@markPrice", "btcusdt@markPrice"),
        ("/stream?streams=btcusdt@depth/btcusdt@aggTrade", "btcusdt@aggTrade"),
    ],
)
async def test_a_path_gets_only_its_category(start_stream: StartStreamFake, path: str, silent: str) -> None:
    fake = await start_stream(market_rate=RATE)
    async with ws_connect(fake, path) as ws:
        got = await recv_n(ws, 12)
    names = {m["stream"] for m in got} if "stream" in got[0] else {m["e"] for m in got}
    assert len(names) == 1
    assert silent not in names and not any(silent.endswith(n) for n in names)


async def test_private_and_upper_case_subscriptions_get_no_market_data(start_stream: StartStreamFake) -> None:
    fake = await start_stream(market_rate=RATE)
    async with (
        ws_connect(fake, "/private/ws/k") as private,
        ws_connect(fake, "/public/ws/BTCUSDT@depth") as upper,
        ws_connect(fake, "/public/ws/btcusdt@depth") as control,
    ):
        await request(private, {"method": "SUBSCRIBE", "params": ["btcusdt@depth"], "id": 1})
        await recv_n(control, 5)  # the market is pushing
        assert await nothing_within(private, 0.1)
        assert await nothing_within(upper, 0.05)
