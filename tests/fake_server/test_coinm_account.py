"""The COIN-M account (fake_server/exchange/coinm_account.py): quantities in contracts of 100
USD, every value, margin, fee and PnL in BTC, and COIN-M's shapes in its answers and events.

Sources: Binance's "A Beginner's Guide to Futures Trading" (COIN-M unrealized PnL =
size x contract multiplier x direction x (1/entry - 1/mark)), the COIN-M pages (Exchange
Information, Position Information, Account Information, Query Order, All Orders, "Event:
Order Update") and the COIN-M SDK changelog for the later answer changes (module docstring).
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest

from fake_server.exchange.coinm_account import ORDER_UPDATE_FIELDS, CoinmAccount
from fake_server.exchange.contract import INVERSE, LINEAR
from fake_server.exchange.order_history import HistoryQuery
from fake_server.exchange.orders import OrderRejected, OrderRequest, parse_new_order
from fake_server.exchange.position_economics import economics
from tests.fake_server.test_rest_snapshots import fake, ok, trade

NOW = 1_800_000_000_000
#: Query Order and Current All Open Orders on COIN-M (non-trailing order).
QUERY_FIELDS = {
    "avgPrice", "clientOrderId", "cumBase", "executedQty", "orderId", "origQty", "origType", "price",
    "reduceOnly", "side", "positionSide", "status", "stopPrice", "closePosition", "symbol", "pair", "time",
    "timeInForce", "type", "updateTime", "workingType", "priceProtect", "priceMatch",
    "selfTradePreventionMode",
}  # fmt: skip
#: New, Cancel and Modify Order since the SDK's 9.0.0: no avgPrice, cumBase nor time; cumQty.
NEW_FIELDS = QUERY_FIELDS - {"avgPrice", "cumBase", "time"} | {"cumQty"}


def account() -> CoinmAccount:
    return CoinmAccount("BTCUSD_PERP", random.Random(1))


def test_events_carry_the_coin_m_order_fields_and_a_btc_balance() -> None:
    a = account()
    events = [e for i in range(6) for e in a.tick(NOW + i)]
    orders = [e["o"] for e in events if e["e"] == "ORDER_TRADE_UPDATE"]
    assert {o["x"] for o in orders} == {"NEW", "TRADE"}
    for o in orders:
        assert list(o) == list(ORDER_UPDATE_FIELDS)
        assert o["ma"] == o["N"] == "BTC"
        assert Decimal(o["q"]) == Decimal(o["q"]).to_integral_value()  # whole contracts
    updates = [e["a"] for e in events if e["e"] == "ACCOUNT_UPDATE"]
    assert updates and all([b["a"] for b in u["B"]] == ["BTC"] for u in updates)


def test_a_fill_pays_its_fee_in_btc_and_averages_its_entry_harmonically() -> None:
    a = account()
    a.mark_price = Decimal(50_000)
    a.submit(OrderRequest("BUY", "MARKET", Decimal(100)), NOW)
    a.mark_price = Decimal(40_000)
    a.submit(OrderRequest("BUY", "MARKET", Decimal(100)), NOW)
    # 200 contracts worth 100 / 50000 x 100 + 100 / 40000 x 100 BTC: entry 2 x 20000 / 0.45.
    assert a.entry_price == (Decimal(20_000) / Decimal("0.45")).quantize(Decimal("0.00000001"))
    fees = [f.commission for f in a.fills]
    assert fees == [Decimal("0.00010000"), Decimal("0.00012500")]  # 0.05 % of 0.2 and 0.25 BTC
    assert a.wallet == Decimal(1) - sum(fees)


def test_closing_realizes_the_inverse_pnl_in_btc() -> None:
    a = account()
    a.mark_price = Decimal(50_000)
    a.submit(OrderRequest("BUY", "MARKET", Decimal(100)), NOW)
    a.mark_price = Decimal(62_500)
    a.submit(OrderRequest("SELL", "MARKET", Decimal(100)), NOW)
    # 100 x 100 x (1/50000 - 1/62500) = 0.2 - 0.16 BTC.
    assert a.fills[-1].realized == Decimal("0.04")
    assert a.position == 0 and a.entry_price == 0


async def test_position_information_values_the_position_in_btc_at_the_mark() -> None:
    async with fake("coinm") as f:
        trade(f, 3)
        a = f.futures_account
        assert a.position != 0
        risk = (await ok(f, "/dapi/v1/positionRisk"))[0]
        info = await ok(f, "/dapi/v1/account")
    amount, entry, mark = (Decimal(risk[k]) for k in ("positionAmt", "entryPrice", "markPrice"))
    value = (amount * 100 / mark).quantize(Decimal("0.00000001"))
    assert Decimal(risk["notionalValue"]) == value
    assert Decimal(risk["unRealizedProfit"]) == (amount * 100 * (1 / entry - 1 / mark)).quantize(
        Decimal("0.00000001")
    )
    assert (risk["maxQty"], risk["marginType"], risk["leverage"]) == ("50", "cross", "20")
    position = info["positions"][0]
    assert Decimal(position["positionInitialMargin"]) == (abs(value) / 20).quantize(Decimal("0.00000001"))
    assert Decimal(position["maintMargin"]) == (abs(value) * Decimal("0.004")).quantize(Decimal("0.00000001"))
    assert set(info) == {
        "assets",
        "positions",
        "canDeposit",
        "canTrade",
        "canWithdraw",
        "feeTier",
        "updateTime",
    }
    assert info["assets"][0]["asset"] == "BTC"


@pytest.mark.parametrize("amount", [Decimal(2000), Decimal(-2000)])
def test_at_the_liquidation_price_the_margin_balance_is_the_maintenance_margin(amount: Decimal) -> None:
    kwargs: dict[str, Any] = dict(
        amount=amount, entry=Decimal(50_000), leverage=20, isolated=False, open_order_notional=Decimal(0)
    )
    wallet = Decimal("0.1")
    e = economics(mark=Decimal(50_000), wallet=wallet, contract=INVERSE, **kwargs)
    # Long: liquidated below the entry; short: above it (both within a few percent here).
    assert (e.liquidation < 50_000) == (amount > 0) and e.liquidation > 0
    at = economics(mark=e.liquidation, wallet=wallet, contract=INVERSE, **kwargs)
    assert abs(wallet + at.unrealized - at.maint) < Decimal("0.0000001")


def test_a_short_backed_by_more_than_its_value_cannot_be_liquidated() -> None:
    e = economics(
        amount=Decimal(-10),
        entry=Decimal(50_000),
        mark=Decimal(50_000),
        leverage=20,
        isolated=False,
        wallet=Decimal(1),
        open_order_notional=Decimal(0),
        contract=INVERSE,
    )
    assert e.liquidation == 0


def test_the_linear_contract_is_unchanged() -> None:
    assert LINEAR.value(Decimal("0.5"), Decimal(60_000)) == 30_000
    assert LINEAR.pnl(Decimal("-0.5"), Decimal(60_000), Decimal(62_000)) == -1000
    assert LINEAR.entry_after(Decimal(1), Decimal(60_000), Decimal(1), Decimal(62_000)) == 61_000


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"quantity": "0.5"}, -1111),  # whole contracts only
        ({"quantity": "1", "timeInForce": "GTD", "goodTillDate": "1"}, -1115),  # COIN-M has no GTD
    ],
)
def test_orders_are_checked_against_the_coin_m_filters(params: dict[str, str], code: int) -> None:
    order = {
        "symbol": "BTCUSD_PERP",
        "side": "BUY",
        "type": "LIMIT",
        "price": "60000.1",
        "timeInForce": "GTC",
    }
    with pytest.raises(OrderRejected) as refused:
        parse_new_order({**order, **params}, "BTCUSD_PERP", INVERSE.rules)
    assert refused.value.answer[1]["code"] == code


async def test_exchange_info_publishes_the_inverse_contract_and_its_filters() -> None:
    async with fake("coinm") as f:
        info = await ok(f, "/dapi/v1/exchangeInfo")
    assert set(info) == {"exchangeFilters", "rateLimits", "serverTime", "symbols", "timezone"}
    symbol = info["symbols"][0]
    assert (symbol["symbol"], symbol["pair"], symbol["contractSize"], symbol["marginAsset"]) == (
        "BTCUSD_PERP",
        "BTCUSD",
        100,
        "BTC",
    )
    filters = {x["filterType"]: x for x in symbol["filters"]}
    rules = INVERSE.rules
    assert Decimal(filters["PRICE_FILTER"]["tickSize"]) == rules.tick_size
    assert (
        Decimal(filters["LOT_SIZE"]["stepSize"]) == rules.step_size == Decimal(filters["LOT_SIZE"]["minQty"])
    )
    assert Decimal(filters["MARKET_LOT_SIZE"]["maxQty"]) == rules.market_max_qty
    assert "MIN_NOTIONAL" not in filters and set(symbol["timeInForce"]) == rules.time_in_force


def test_order_answers_have_the_coin_m_fields() -> None:
    a = account()
    body, _ = a.submit(OrderRequest("BUY", "LIMIT", Decimal(3), Decimal(60_000)), NOW)
    assert set(body) == NEW_FIELDS and body["pair"] == "BTCUSD"
    order = a.orders[body["orderId"]]
    assert set(a.order_fields(order, "query")) == QUERY_FIELDS
    history = a.all_orders_snapshot(HistoryQuery())
    assert set(history[-1]) == QUERY_FIELDS | {"cumQuote", "goodTillDate"}
    canceled, _ = a.cancel(body["orderId"], None, NOW)
    assert set(canceled) == NEW_FIELDS and canceled["status"] == "CANCELED"
