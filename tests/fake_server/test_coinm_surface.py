"""The COIN-M surface beyond the profile's roles (fake_server/exchange/coinm_surface.py): every
route answers as Binance would rather than 404 -5000, market data agrees with itself in
contracts and BTC, trading routes change the COIN-M account and push its events on the
dstream user stream, and the answers have the COIN-M pages' fields."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from fake_server.exchange.coinm_surface import coinm_routes
from fake_server.exchange.surface import SurfaceBackend
from tests.fake_server._fake_helpers import recv_until, ws_connect
from tests.fake_server.test_rest_snapshots import fake, ok, trade
from tests.fake_server.test_usdm_surface import answers_as_binance, call, ok_public

ROUTES = sorted(
    {
        (r.method, r.path, r.security)
        for r in coinm_routes(SurfaceBackend(lambda: None, lambda: 0, lambda e: []))  # type: ignore[arg-type,return-value]
    }
)
SATOSHI = Decimal("0.00000001")


@pytest.mark.parametrize(("method", "path", "security"), ROUTES)
async def test_every_surface_route_answers_binance_json_not_a_path_error(
    method: str, path: str, security: str
) -> None:
    await answers_as_binance("coinm", method, path, security)


async def test_klines_count_contracts_and_their_btc_and_the_tickers_name_the_pair() -> None:
    async with fake("coinm") as f:
        klines = await ok_public(f, "/dapi/v1/klines", symbol="BTCUSD_PERP", interval="1m", limit="5")
        last = klines[-2]  # a closed minute
        trades = await ok_public(f, "/dapi/v1/historicalTrades", symbol="BTCUSD_PERP", limit="500")
        inside = [t for t in trades if last[0] <= t["time"] <= last[6]]
        assert inside and Decimal(last[5]) == sum(Decimal(t["qty"]) for t in inside)
        for t in inside:  # 100 USD a contract, valued at its price, in BTC
            assert Decimal(t["baseQty"]) == (Decimal(t["qty"]) * 100 / Decimal(t["price"])).quantize(SATOSHI)
        assert Decimal(last[7]) == sum(Decimal(t["baseQty"]) for t in inside)
        book = await ok_public(f, "/dapi/v1/depth", symbol="BTCUSD_PERP", limit="5")
        prices = await ok_public(f, "/dapi/v1/ticker/price", pair="BTCUSD")
        tickers = await ok_public(f, "/dapi/v1/ticker/24hr", symbol="BTCUSD_PERP")
        unknown = await call(f, "GET", "/dapi/v1/ticker/price", False, symbol="BTCUSD_200925")
    assert (book["symbol"], book["pair"]) == ("BTCUSD_PERP", "BTCUSD")
    assert prices == [{**prices[0], "symbol": "BTCUSD_PERP", "ps": "BTCUSD"}]
    assert book["bids"][0][0] == prices[0]["price"] < book["asks"][0][0]
    assert isinstance(tickers, list) and "baseVolume" in tickers[0] and "quoteVolume" not in tickers[0]
    assert (unknown.status_code, unknown.json()["code"]) == (400, -1121)


async def test_leverage_answers_max_qty_and_brackets_are_listed_by_pair_and_by_symbol() -> None:
    async with fake("coinm") as f:
        r = await call(f, "POST", "/dapi/v1/leverage", True, symbol="BTCUSD_PERP", leverage="10")
        by_pair = await ok(f, "/dapi/v1/leverageBracket", pair="BTCUSD")
        by_symbol = await ok(f, "/dapi/v2/leverageBracket", symbol="BTCUSD_PERP")
        risk = (await ok(f, "/dapi/v1/positionRisk"))[0]
    assert r.json() == {"leverage": 10, "maxQty": "100", "symbol": "BTCUSD_PERP"}
    assert (risk["leverage"], risk["maxQty"]) == ("10", "100")
    assert by_pair[0]["pair"] == "BTCUSD" and by_symbol[0]["symbol"] == "BTCUSD_PERP"
    assert by_pair[0]["brackets"] == by_symbol[0]["brackets"]
    assert set(by_pair[0]["brackets"][0]) == {
        "bracket",
        "initialLeverage",
        "qtyCap",
        "qtylFloor",
        "maintMarginRatio",
        "cum",
    }


async def test_trade_list_and_income_are_the_fills_in_btc_by_symbol_or_pair() -> None:
    async with fake("coinm") as f:
        trade(f, 3)
        fills = list(f.futures_account.fills)
        by_symbol = await ok(f, "/dapi/v1/userTrades", symbol="BTCUSD_PERP")
        by_pair = await ok(f, "/dapi/v1/userTrades", pair="BTCUSD")
        income = await ok(f, "/dapi/v1/income")
        neither = await call(f, "GET", "/dapi/v1/userTrades", True)
    assert by_symbol == by_pair and [t["id"] for t in by_symbol] == [x.trade_id for x in fills]
    assert {(t["marginAsset"], t["commissionAsset"], t["pair"]) for t in by_symbol} == {
        ("BTC", "BTC", "BTCUSD")
    }
    fees = [r for r in income if r["incomeType"] == "COMMISSION"]
    assert [Decimal(r["income"]) for r in fees] == [-x.commission for x in fills]
    assert all(r["asset"] == "BTC" and isinstance(r["tranId"], str) for r in income)
    assert (neither.status_code, neither.json()["code"]) == (400, -1102)


async def test_a_batch_of_orders_pushes_coin_m_order_events_with_the_account_alias() -> None:
    async with fake("coinm") as f:
        r = await call(f, "POST", "/dapi/v1/listenKey", False)
        assert r.status_code == 200, r.text
        key = r.json()["listenKey"]
        async with ws_connect(f, f"/ws/{key}") as ws:
            mark = f.futures_account.mark_price
            orders: list[dict[str, Any]] = [
                {"symbol": "BTCUSD_PERP", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "2", "price": str((mark - 500).quantize(Decimal("0.1")))},
                {"symbol": "BTCUSD_PERP", "side": "BUY", "type": "MARKET", "quantity": "3"},
            ]  # fmt: skip
            placed = await call(f, "POST", "/dapi/v1/batchOrders", True, batchOrders=json.dumps(orders))
            assert placed.status_code == 200, placed.text
            events = await recv_until(ws, lambda e: e["e"] == "ACCOUNT_UPDATE")
    answers = placed.json()
    assert [a["status"] for a in answers] == ["NEW", "NEW"] and all(a["pair"] == "BTCUSD" for a in answers)
    kinds = [(e["e"], e.get("o", {}).get("x")) for e in events]
    assert kinds == [
        ("ORDER_TRADE_UPDATE", "NEW"),
        ("ORDER_TRADE_UPDATE", "NEW"),
        ("ORDER_TRADE_UPDATE", "TRADE"),
        ("ACCOUNT_UPDATE", None),
    ]  # no TRADE_LITE on COIN-M
    assert all(e["i"] == "SfsR" for e in events)
    fill = events[2]["o"]
    assert (fill["ma"], fill["N"], fill["l"]) == ("BTC", "BTC", "3") and "gtd" not in fill
    assert events[3]["a"]["P"][0]["pa"] == "3" and events[3]["a"]["B"][0]["a"] == "BTC"


async def test_open_interest_counts_the_position_in_contracts() -> None:
    async with fake("coinm") as f:
        before = await ok_public(f, "/dapi/v1/openInterest", symbol="BTCUSD_PERP")
        trade(f, 3)
        after = await ok_public(f, "/dapi/v1/openInterest", symbol="BTCUSD_PERP")
        quarter = await ok_public(
            f, "/futures/data/openInterestHist", pair="BTCUSD", contractType="CURRENT_QUARTER", period="5m"
        )
    assert (before["pair"], before["contractType"]) == ("BTCUSD", "PERPETUAL")
    assert Decimal(after["openInterest"]) - Decimal(before["openInterest"]) == abs(f.futures_account.position)
    assert quarter == []  # the fake lists no quarterly contract
