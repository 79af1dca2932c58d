"""The REST snapshot routes SDKs call at start-up and on resync, on every profile.

Sources: each route's Binance page (shape, weight, the "only symbols with a position or open
orders" rule of the v3 routes, the object-not-list answer of leverageBracket and PM's
balance when a symbol or asset is sent), and the SDK call sites listed in docs/fidelity.md
"REST routes the SDKs call". The numbers must agree across versions and with the events,
or a client that resyncs through v3 sees another account than one that uses v2.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from fake_server.clock import Clock
from fake_server.exchange.profiles import PROFILES
from fake_server.exchange.rest_routes import SHARED_PATHS
from fake_server.exchange.settings import EventFlow, Settings
from fake_server.journal import Journal
from fake_server.server import FakeBinance
from tests.fake_server._fake_helpers import EPOCH_MS, WAIT, signed_query


@contextlib.asynccontextmanager
async def fake(profile: str = "usdm") -> AsyncIterator[FakeBinance]:
    clock = Clock(epoch_ms=EPOCH_MS)
    settings = Settings(profile=profile, events=EventFlow(rate=0))
    async with FakeBinance(settings, clock, Journal(clock)) as f:
        yield f


def trade(f: FakeBinance, ticks: int) -> None:
    """`ticks` units of background activity: the first places an order, each next one fills
    the open order and places another (so a position and fills exist after two)."""
    for _ in range(ticks):
        f.publish(f.account.tick(f.clock.epoch_ms()))


async def get(f: FakeBinance, path: str, **params: Any) -> httpx.Response:
    headers = {"X-MBX-APIKEY": f.settings.credentials.api_key}
    query = signed_query(f, timestamp=f.clock.epoch_ms(), **params)
    async with httpx.AsyncClient(base_url=f.rest_url, headers=headers, timeout=WAIT) as client:
        return await client.get(f"{path}?{query}")


async def ok(f: FakeBinance, path: str, **params: Any) -> Any:
    r = await get(f, path, **params)
    assert r.status_code == 200, (path, r.status_code, r.text)
    return r.json()


PROFILE_PATHS = sorted(
    {
        (name, path)
        for name, p in PROFILES.items()
        for path in (*p.snapshot_paths, *p.rest_paths.values(), *SHARED_PATHS)
    }
)


@pytest.mark.parametrize(("profile", "path"), PROFILE_PATHS)
async def test_every_path_a_profile_lists_is_served(profile: str, path: str) -> None:
    """Every snapshot path and role path of every profile answers 200 when called as a
    client does (signed, with the symbol and an existing order's id), never 404 -5000."""
    async with fake(profile) as f:
        trade(f, 1)
        order_id = next(iter(f.account.open_orders))
        r = await get(f, path, symbol=f.account.symbol, orderId=order_id)
        assert r.status_code != 404 and '"code":-5000' not in r.text, (path, r.text)
        assert r.status_code == 200, (path, r.text)
        served = next(f.journal.of("rest", path=path))
        assert (served["status"], served["weight"] > 0) == (200, True)


@pytest.mark.parametrize("profile", ["usdm", "coinm", "pm"])
async def test_the_listen_key_path_of_every_futures_profile_is_served(profile: str) -> None:
    async with fake(profile) as f:
        lk_path = f.profile.listen_key_path
        assert lk_path is not None
        headers = {"X-MBX-APIKEY": f.settings.credentials.api_key}
        async with httpx.AsyncClient(base_url=f.rest_url, headers=headers, timeout=WAIT) as client:
            for method in ("POST", "PUT", "DELETE"):
                r = await client.request(method, lk_path)
                assert r.status_code == 200, (method, r.text)


NEW_USDM_ROUTES = [
    "/fapi/v3/account",
    "/fapi/v3/positionRisk",
    "/fapi/v2/balance",
    "/fapi/v3/balance",
    "/fapi/v1/allOrders",
    "/fapi/v1/leverageBracket",
]


@pytest.mark.parametrize("path", NEW_USDM_ROUTES)
async def test_new_routes_are_signed_like_the_others(path: str) -> None:
    async with fake() as f:
        headers = {"X-MBX-APIKEY": f.settings.credentials.api_key}
        async with httpx.AsyncClient(base_url=f.rest_url, headers=headers, timeout=WAIT) as client:
            unsigned = await client.get(f"{path}?symbol=BTCUSDT")
            bad = await client.get(f"{path}?symbol=BTCUSDT&timestamp={f.clock.epoch_ms()}&signature=00")
        assert (unsigned.status_code, unsigned.json()["code"]) == (400, -1102)
        assert (bad.status_code, bad.json()["code"]) == (400, -1022)


@pytest.mark.parametrize(
    ("profile", "path", "params", "weight"),
    [
        ("usdm", "/fapi/v3/account", {}, 5),
        ("usdm", "/fapi/v3/positionRisk", {}, 5),
        ("usdm", "/fapi/v2/balance", {}, 5),
        ("usdm", "/fapi/v3/balance", {}, 5),
        ("usdm", "/fapi/v1/allOrders", {"symbol": "BTCUSDT"}, 5),
        ("usdm", "/fapi/v1/leverageBracket", {}, 1),
        ("coinm", "/dapi/v1/balance", {}, 1),
        ("coinm", "/dapi/v1/allOrders", {"symbol": "BTCUSD_PERP"}, 20),
        ("pm", "/papi/v1/balance", {}, 20),
        ("pm", "/papi/v1/um/account", {}, 5),
        ("spot", "/api/v3/allOrders", {"symbol": "BTCUSDT"}, 20),
        ("usdm", "/sapi/v1/capital/config/getall", {}, 10),
        ("usdm", "/api/v3/ping", {}, 1),
    ],
)
async def test_route_weights_follow_each_page(
    profile: str, path: str, params: dict[str, str], weight: int
) -> None:
    async with fake(profile) as f:
        r = await get(f, path, **params)
        assert r.status_code == 200, r.text
        assert r.headers["X-MBX-USED-WEIGHT-1M"] == str(weight)


async def test_v3_account_balances_and_positions_agree_with_v2_and_the_events() -> None:
    async with fake() as f:
        trade(f, 6)
        v2 = await ok(f, "/fapi/v2/account")
        v3 = await ok(f, "/fapi/v3/account")
        v2_risk = (await ok(f, "/fapi/v2/positionRisk"))[0]
        v3_risk = (await ok(f, "/fapi/v3/positionRisk"))[0]
        balances = [await ok(f, "/fapi/v2/balance"), await ok(f, "/fapi/v3/balance")]
        last = [e for e in f.journal.of("event", e="ACCOUNT_UPDATE")][-1]
    assert last is not None
    wallet = v2["totalWalletBalance"]
    assert wallet != "10000"  # fees moved it: the check below compares live numbers
    assert {k: v for k, v in v2.items() if k.startswith("total") or k.endswith("Balance")} == {
        k: v for k, v in v3.items() if k.startswith("total") or k.endswith("Balance")
    }
    assert v3["assets"][0] == {k: v for k, v in v2["assets"][0].items() if k != "marginAvailable"}
    assert v3["positions"][0]["positionAmt"] == v2["positions"][0]["positionAmt"] == v2_risk["positionAmt"]
    assert set(v3["positions"][0]) == {
        "symbol",
        "positionSide",
        "positionAmt",
        "unrealizedProfit",
        "isolatedMargin",
        "notional",
        "isolatedWallet",
        "initialMargin",
        "maintMargin",
        "updateTime",
    }
    same = (
        "symbol",
        "positionAmt",
        "entryPrice",
        "breakEvenPrice",
        "markPrice",
        "positionSide",
        "updateTime",
    )
    assert {k: v3_risk[k] for k in same} == {k: v2_risk[k] for k in same}
    assert v3_risk["marginAsset"] == "USDT" and "leverage" not in v3_risk
    assert balances[0] == balances[1]
    assert [(b["asset"], b["balance"], b["availableBalance"]) for b in balances[0]] == [
        ("USDT", wallet, v2["availableBalance"])
    ]
    # Cross margin: what is available is the margin balance less the margin in use.
    margin_balance = Decimal(v2["totalWalletBalance"]) + Decimal(v2["totalUnrealizedProfit"])
    assert Decimal(v2["totalMarginBalance"]) == margin_balance
    assert Decimal(v2["availableBalance"]) == margin_balance - Decimal(v2["totalInitialMargin"])
    assert Decimal(v2["totalInitialMargin"]) > 0  # the open orders hold margin


async def test_v3_routes_list_the_symbol_only_with_a_position_or_an_open_order() -> None:
    async with fake() as f:
        assert (await ok(f, "/fapi/v3/positionRisk")) == []
        assert (await ok(f, "/fapi/v3/account"))["positions"] == []
        assert len(await ok(f, "/fapi/v2/positionRisk")) == 1  # v2 lists every symbol
        trade(f, 1)  # an open order, no position yet
        assert [p["positionAmt"] for p in await ok(f, "/fapi/v3/positionRisk")] == ["0"]


async def test_leverage_brackets_are_a_list_or_with_a_symbol_one_object() -> None:
    async with fake() as f:
        listed = await ok(f, "/fapi/v1/leverageBracket")
        one = await ok(f, "/fapi/v1/leverageBracket", symbol="BTCUSDT")
        wrong = await get(f, "/fapi/v1/leverageBracket", symbol="ETHUSDT")
        max_notional = (await ok(f, "/fapi/v2/account"))["positions"][0]["maxNotional"]
        leverage = int((await ok(f, "/fapi/v2/positionRisk"))[0]["leverage"])
    assert listed == [one] and one["symbol"] == "BTCUSDT"
    assert (wrong.status_code, wrong.json()) == (400, {"code": -1121, "msg": "Invalid symbol."})
    brackets = one["brackets"]
    assert [b["bracket"] for b in brackets] == list(range(1, len(brackets) + 1))
    for before, after in itertools.pairwise(brackets):
        # Contiguous tiers, leverage falling, and `cum` keeping the margin continuous.
        assert after["notionalFloor"] == before["notionalCap"]
        assert after["initialLeverage"] < before["initialLeverage"]
        step = after["notionalFloor"] * (after["maintMarginRatio"] - before["maintMarginRatio"])
        assert after["cum"] == pytest.approx(before["cum"] + step)
    allowed = [b["notionalCap"] for b in brackets if b["initialLeverage"] >= leverage]
    assert str(max(allowed)) == max_notional


async def test_all_orders_pages_through_open_and_done_orders() -> None:
    async with fake() as f:
        trade(f, 5)  # 5 orders: 4 filled, 1 open
        ids = sorted(f.account.orders)
        everything = await ok(f, "/fapi/v1/allOrders", symbol="BTCUSDT")
        from_third = await ok(f, "/fapi/v1/allOrders", symbol="BTCUSDT", orderId=ids[2], limit=2)
        latest = await ok(f, "/fapi/v1/allOrders", symbol="BTCUSDT", limit=2)
        one = await ok(f, "/fapi/v1/order", symbol="BTCUSDT", orderId=ids[0])
        missing = await get(f, "/fapi/v1/allOrders")
        too_many = await get(f, "/fapi/v1/allOrders", symbol="BTCUSDT", limit=1001)
    assert [o["orderId"] for o in everything] == ids
    assert [o["status"] for o in everything] == ["FILLED"] * 4 + ["NEW"]
    assert everything[0] == one  # the Query Order shape, the same numbers
    assert [o["orderId"] for o in from_third] == ids[2:4]
    assert [o["orderId"] for o in latest] == ids[-2:]
    assert missing.json() == {
        "code": -1102,
        "msg": "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
    }
    assert too_many.json() == {"code": -1130, "msg": "Data sent for parameter 'limit' is not valid."}


async def test_coinm_balance_carries_the_alias_of_its_events() -> None:
    async with fake("coinm") as f:
        trade(f, 3)
        balance = (await ok(f, "/dapi/v1/balance"))[0]
        account = await ok(f, "/dapi/v1/account")
        orders = await ok(f, "/dapi/v1/allOrders", symbol="BTCUSD_PERP")
    assert balance["accountAlias"] == f.profile.event_extras["i"]
    assert set(balance) == {
        "accountAlias",
        "asset",
        "balance",
        "withdrawAvailable",
        "crossWalletBalance",
        "crossUnPnl",
        "availableBalance",
        "updateTime",
    }
    # COIN-M's account has no totals: its one asset, BTC, is its margin.
    assert balance["asset"] == account["assets"][0]["asset"] == "BTC"
    assert balance["balance"] == account["assets"][0]["walletBalance"]
    assert len(orders) == 3


async def test_portfolio_margin_balance_and_um_account() -> None:
    async with fake("pm") as f:
        trade(f, 3)
        balances = await ok(f, "/papi/v1/balance")
        usdt = await ok(f, "/papi/v1/balance", asset="USDT")
        um = await ok(f, "/papi/v1/um/account")
        risk = (await ok(f, "/papi/v1/um/positionRisk"))[0]
    assert balances == [usdt]
    assert usdt["totalWalletBalance"] == usdt["umWalletBalance"] == um["assets"][0]["crossWalletBalance"]
    assert um["positions"][0]["positionAmt"] == risk["positionAmt"]


async def test_spot_order_queries_find_open_and_filled_orders() -> None:
    async with fake("spot") as f:
        trade(f, 3)
        ids = sorted(f.account.orders)
        everything = await ok(f, "/api/v3/allOrders", symbol="BTCUSDT")
        first = await ok(f, "/api/v3/order", symbol="BTCUSDT", orderId=ids[0])
        unknown = await get(f, "/api/v3/order", symbol="BTCUSDT", orderId=1)
        open_orders = await ok(f, "/api/v3/openOrders")
    assert [o["orderId"] for o in everything] == ids
    assert first == everything[0] and first["status"] == "FILLED"
    assert open_orders == [everything[-1]]
    assert (unknown.status_code, unknown.json()) == (400, {"code": -2013, "msg": "Order does not exist."})


@pytest.mark.parametrize("profile", ["usdm", "spot"])
async def test_wallet_coin_list_names_the_symbols_coins(profile: str) -> None:
    async with fake(profile) as f:
        coins = await ok(f, "/sapi/v1/capital/config/getall")
    assert {c["coin"] for c in coins} == {"BTC", "USDT"}
    assert all(c["networkList"] and c["networkList"][0]["coin"] == c["coin"] for c in coins)
    if profile == "spot":
        assert {c["coin"]: c["free"] for c in coins} == {"BTC": "1.00000000", "USDT": "100000.00000000"}


async def test_a_route_the_fake_lacks_is_journaled_with_what_a_verdict_quotes() -> None:
    """ "GET /fapi/v9/account answered 404" comes from one `rest` entry: method, path,
    status and Binance's body."""
    async with fake() as f:
        r = await get(f, "/fapi/v9/account")
        entry = next(f.journal.of("rest", path="/fapi/v9/account"))
    assert r.status_code == 404
    assert (entry["method"], entry["status"]) == ("GET", 404)
    assert entry["body"] == '{"code":-5000,"msg":"Path /fapi/v9/account, Method GET is invalid"}'
    assert "signature" not in entry["query"] and "timestamp" in entry["query"]
