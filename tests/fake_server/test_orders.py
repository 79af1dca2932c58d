"""Orders a bot places on the fake, and the fills it sees on its own user stream.

Sources: the USD-M New Order, Cancel Order, Query Order and Current All Open Orders pages
(parameters, answers, weights, newOrderRespType), the USD-M error-code page (codes and
messages), General Info "Order Rate Limits" (X-MBX-ORDER-COUNT-*), binance-reference.md §3
(ORDER_TRADE_UPDATE, TRADE_LITE and ACCOUNT_UPDATE fields; "unfilled or cancelled orders
produce no event") and §5 (E strictly increasing on a connection).
"""

from __future__ import annotations

import itertools
import random
from decimal import Decimal
from typing import Any

import httpx
import pytest

from fake_server.exchange.account import Account
from fake_server.exchange.orders import RULES, OrderRequest
from tests.fake_server._fake_helpers import (
    StartFake,
    new_listen_key,
    nothing_within,
    recv_json,
    rest,
    signed_query,
    tick,
    ws_connect,
)
from tests.fake_server.test_fake_account import REFERENCE_O_FIELDS, TRAILING_ONLY

#: TRADE_LITE fields, binance-reference.md §3.
TRADE_LITE_FIELDS = {"e", "E", "T", "s", "q", "p", "m", "c", "S", "L", "l", "t", "i"}
#: The New Order answer of the USD-M page (non-trailing order).
NEW_ORDER_FIELDS = {
    "clientOrderId", "cumQty", "cumQuote", "executedQty", "orderId", "avgPrice", "origQty", "price",
    "reduceOnly", "side", "positionSide", "status", "stopPrice", "closePosition", "symbol", "timeInForce",
    "type", "origType", "updateTime", "workingType", "priceProtect", "priceMatch",
    "selfTradePreventionMode", "goodTillDate",
}  # fmt: skip
QUERY_FIELDS = NEW_ORDER_FIELDS - {"cumQty"} | {"time"}


async def signed(
    client: httpx.AsyncClient, fake: Any, method: str, path: str, **params: Any
) -> httpx.Response:
    query = signed_query(fake, **params, timestamp=fake.clock.epoch_ms())
    return await client.request(method, f"{path}?{query}")


def order(**params: Any) -> dict[str, Any]:
    return {"symbol": "BTCUSDT", **params}


async def test_market_order_fills_at_the_mark_and_the_stream_shows_every_step(start_fake: StartFake) -> None:
    fake = await start_fake()
    key = await new_listen_key(fake)
    async with ws_connect(fake, f"/private/ws/{key}") as ws, rest(fake) as client:
        placed = await signed(
            client, fake, "POST", "/fapi/v1/order",
            **order(side="BUY", type="MARKET", quantity="0.002", newClientOrderId="bot-1"),
        )  # fmt: skip
        events = [await recv_json(ws) for _ in range(4)]
        got = await signed(client, fake, "GET", "/fapi/v1/order", **order(origClientOrderId="bot-1"))
        risk = await signed(client, fake, "GET", "/fapi/v2/positionRisk")
    assert placed.status_code == 200
    body = placed.json()
    assert set(body) == NEW_ORDER_FIELDS
    # ACK (the default) answers the order as accepted, before its fill.
    assert (body["status"], body["executedQty"], body["type"], body["clientOrderId"]) == (
        "NEW",
        "0",
        "MARKET",
        "bot-1",
    )
    assert (placed.headers["X-MBX-ORDER-COUNT-1M"], placed.headers["X-MBX-ORDER-COUNT-10S"]) == ("1", "1")
    assert placed.headers["X-MBX-USED-WEIGHT-1M"] == "1"  # the listenKey POST; an order weighs 0
    new, lite, trade, update = events
    assert [e["e"] for e in events] == [
        "ORDER_TRADE_UPDATE",
        "TRADE_LITE",
        "ORDER_TRADE_UPDATE",
        "ACCOUNT_UPDATE",
    ]
    assert (new["o"]["x"], new["o"]["X"], new["o"]["i"], new["o"]["o"]) == (
        "NEW",
        "NEW",
        body["orderId"],
        "MARKET",
    )
    assert set(lite) == TRADE_LITE_FIELDS
    assert (lite["i"], lite["c"], lite["L"], lite["l"], lite["m"]) == (
        body["orderId"],
        "bot-1",
        "65000",
        "0.002",
        False,
    )
    assert set(trade["o"]) == REFERENCE_O_FIELDS - TRAILING_ONLY
    assert (trade["o"]["x"], trade["o"]["X"], trade["o"]["ap"], trade["o"]["n"]) == (
        "TRADE",
        "FILLED",
        "65000",
        "0.065",
    )
    assert trade["o"]["t"] == lite["t"] and trade["T"] == lite["T"] == update["T"]
    assert update["a"]["P"][0]["pa"] == "0.002" and update["a"]["B"][0]["wb"] == "9999.935"
    assert [e["E"] for e in events] == sorted({e["E"] for e in events})
    assert got.json()["status"] == "FILLED" and set(got.json()) == QUERY_FIELDS
    assert (got.json()["avgPrice"], got.json()["cumQuote"], got.json()["executedQty"]) == (
        "65000",
        "130",
        "0.002",
    )
    assert (risk.json()[0]["positionAmt"], risk.json()[0]["markPrice"]) == ("0.002", "65000")
    journaled = [(e["e"], e.get("x")) for e in fake.journal.of("event")]
    oid = body["orderId"]
    assert [e.get("order_id") for e in fake.journal.of("event")] == [oid, oid, oid, None]
    assert journaled == [
        ("ORDER_TRADE_UPDATE", "NEW"),
        ("TRADE_LITE", None),
        ("ORDER_TRADE_UPDATE", "TRADE"),
        ("ACCOUNT_UPDATE", None),
    ]


async def test_result_resp_type_answers_the_filled_order(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        r = await signed(
            client, fake, "POST", "/fapi/v1/order",
            **order(side="SELL", type="MARKET", quantity="0.01", newOrderRespType="RESULT"),
        )  # fmt: skip
    assert (r.json()["status"], r.json()["executedQty"], r.json()["avgPrice"], r.json()["cumQty"]) == (
        "FILLED", "0.01", "65000", "0.01",
    )  # fmt: skip


async def test_resting_limit_is_listed_and_a_cancel_sends_only_canceled(start_fake: StartFake) -> None:
    fake = await start_fake()
    key = await new_listen_key(fake)
    async with ws_connect(fake, f"/private/ws/{key}") as ws, rest(fake) as client:
        placed = await signed(
            client, fake, "POST", "/fapi/v1/order",
            **order(side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.002", price="60000", newClientOrderId="rest-1"),
        )  # fmt: skip
        new = await recv_json(ws)
        listed = await signed(client, fake, "GET", "/fapi/v1/openOrders", symbol="BTCUSDT")
        canceled = await signed(client, fake, "DELETE", "/fapi/v1/order", **order(origClientOrderId="rest-1"))
        event = await recv_json(ws)
        assert await nothing_within(ws, 0.2)  # no ACCOUNT_UPDATE for a cancel
        again = await signed(
            client, fake, "DELETE", "/fapi/v1/order", **order(orderId=placed.json()["orderId"])
        )
        got = await signed(client, fake, "GET", "/fapi/v1/order", **order(orderId=placed.json()["orderId"]))
        after = await signed(client, fake, "GET", "/fapi/v1/openOrders")
    oid = placed.json()["orderId"]
    assert placed.json()["status"] == "NEW" and placed.json()["price"] == "60000"
    assert (new["o"]["x"], new["o"]["b"], new["o"]["a"]) == ("NEW", "120", "0")
    assert [o["orderId"] for o in listed.json()] == [oid] and set(listed.json()[0]) == QUERY_FIELDS
    assert canceled.status_code == 200 and set(canceled.json()) == NEW_ORDER_FIELDS
    assert (canceled.json()["status"], canceled.json()["orderId"]) == ("CANCELED", oid)
    assert "X-MBX-ORDER-COUNT-1M" not in canceled.headers
    assert (event["e"], event["o"]["x"], event["o"]["X"], event["o"]["i"]) == (
        "ORDER_TRADE_UPDATE",
        "CANCELED",
        "CANCELED",
        oid,
    )
    assert (again.status_code, again.json()) == (400, {"code": -2011, "msg": "Unknown order sent."})
    assert got.json()["status"] == "CANCELED"
    assert after.json() == []
    assert [e["e"] for e in fake.journal.of("event")] == ["ORDER_TRADE_UPDATE", "ORDER_TRADE_UPDATE"]


async def test_limit_through_the_mark_fills_at_once_at_the_mark(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        r = await signed(
            client, fake, "POST", "/fapi/v1/order",
            **order(side="SELL", type="LIMIT", timeInForce="GTC", quantity="0.002", price="60000", newOrderRespType="RESULT"),
        )  # fmt: skip
    assert (r.json()["status"], r.json()["avgPrice"], r.json()["price"]) == ("FILLED", "65000", "60000")
    trade = next(e for e in fake.journal.of("event") if e.get("x") == "TRADE")
    assert trade["order_id"] == r.json()["orderId"]


async def test_resting_limit_fills_at_its_price_when_the_mark_reaches_it(start_fake: StartFake) -> None:
    fake = await start_fake()
    key = await new_listen_key(fake)
    async with ws_connect(fake, f"/private/ws/{key}") as ws, rest(fake) as client:
        await signed(
            client, fake, "POST", "/fapi/v1/order",
            **order(side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.002", price="64000"),
        )  # fmt: skip
        await recv_json(ws)  # NEW
        assert fake.account.move_mark(Decimal("64500"), fake.clock.epoch_ms()) == []  # not there yet
        fake.publish(fake.account.move_mark(Decimal("63990.5"), fake.clock.epoch_ms()))
        lite, trade, update = [await recv_json(ws) for _ in range(3)]
    assert (lite["e"], lite["L"], lite["m"]) == ("TRADE_LITE", "64000", True)  # a maker fill, at its price
    assert (trade["o"]["X"], trade["o"]["n"]) == ("FILLED", "0.0256")  # 0.02 % maker fee
    assert update["a"]["P"][0]["ep"] == "64000"


async def test_client_and_background_orders_share_ids_and_one_e_sequence(start_fake: StartFake) -> None:
    fake = await start_fake()
    (background,) = tick(fake)
    async with rest(fake) as client:
        mine = await signed(
            client, fake, "POST", "/fapi/v1/order", **order(side="BUY", type="MARKET", quantity="0.002")
        )
    made = tick(fake)  # fills the background order, places the next one
    assert mine.json()["orderId"] == background["o"]["i"] + 1
    assert made[-1]["o"]["i"] == background["o"]["i"] + 2
    stamps = [e["E"] for e in fake.journal.of("event")]
    assert all(a < b for a, b in itertools.pairwise(stamps))
    assert len(stamps) == 1 + 4 + 4  # NEW; client NEW + fill (3); background fill (3) + NEW


async def test_ioc_that_does_not_reach_the_mark_expires(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        r = await signed(
            client, fake, "POST", "/fapi/v1/order",
            **order(side="BUY", type="LIMIT", timeInForce="IOC", quantity="0.002", price="60000"),
        )  # fmt: skip
    assert r.json()["status"] == "NEW"  # ACK
    assert [(e["e"], e.get("x")) for e in fake.journal.of("event")] == [
        ("ORDER_TRADE_UPDATE", "NEW"),
        ("ORDER_TRADE_UPDATE", "EXPIRED"),
    ]


REJECTIONS: list[tuple[dict[str, Any], int, str]] = [
    ({"side": "BUY", "quantity": "0.002"}, -1102, "Mandatory parameter 'type' was not sent, was empty/null, or malformed."),
    ({"type": "MARKET", "quantity": "0.002"}, -1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed."),
    ({"side": "HOLD", "type": "MARKET", "quantity": "0.002"}, -1117, "Invalid side."),
    ({"side": "BUY", "type": "ICEBERG", "quantity": "0.002"}, -1116, "Invalid orderType."),
    ({"side": "BUY", "type": "STOP_MARKET", "quantity": "0.002"}, -4120, "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead."),
    ({"side": "BUY", "type": "MARKET"}, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed."),
    ({"side": "BUY", "type": "MARKET", "quantity": "abc"}, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed."),
    ({"side": "BUY", "type": "MARKET", "quantity": "0.002", "price": "65000"}, -1106, "Parameter 'price' sent when not required."),
    ({"side": "BUY", "type": "LIMIT", "quantity": "0.002", "price": "60000"}, -1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed."),
    ({"side": "BUY", "type": "LIMIT", "timeInForce": "GTE", "quantity": "0.002", "price": "60000"}, -1115, "Invalid timeInForce."),
    ({"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.002"}, -1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed."),
    ({"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.002", "price": "60000.05"}, -4014, "Price not increased by tick size."),
    ({"side": "BUY", "type": "MARKET", "quantity": "0.0025"}, -1111, "Precision is over the maximum defined for this asset."),
    ({"side": "BUY", "type": "MARKET", "quantity": "-1"}, -4003, "Quantity less than zero."),
    ({"side": "BUY", "type": "MARKET", "quantity": "121"}, -4005, "Quantity greater than max quantity."),
    ({"side": "BUY", "type": "MARKET", "quantity": "0.001"}, -4164, "Order's notional must be no smaller than 100 (unless you choose reduce only)"),
    ({"side": "BUY", "type": "MARKET", "quantity": "0.002", "newClientOrderId": "bad id!"}, -4015, "Client order id is not valid."),
    ({"side": "BUY", "type": "MARKET", "quantity": "0.002", "positionSide": "LONG"}, -4061, "Order's position side does not match user's setting."),
    ({"side": "BUY", "type": "MARKET", "quantity": "0.002", "newOrderRespType": "FULL"}, -1136, "Invalid newOrderRespType."),
    ({"side": "BUY", "type": "MARKET", "quantity": "0.002", "reduceOnly": "true"}, -2022, "ReduceOnly Order is rejected."),
    ({"side": "BUY", "type": "LIMIT", "timeInForce": "GTX", "quantity": "0.002", "price": "66000"}, -5022, "Due to the order could not be executed as maker, the Post Only order will be rejected."),
    ({"side": "BUY", "type": "LIMIT", "timeInForce": "FOK", "quantity": "0.002", "price": "60000"}, -5021, "Due to the order could not be filled immediately, the FOK order has been rejected."),
    ({"symbol": "ETHUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.002"}, -1121, "Invalid symbol."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("params", "code", "msg"), REJECTIONS, ids=[str(r[1]) + "-" + str(i) for i, r in enumerate(REJECTIONS)]
)
async def test_rejected_orders_answer_the_real_code_and_message(
    start_fake: StartFake, params: dict[str, Any], code: int, msg: str
) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        r = await signed(client, fake, "POST", "/fapi/v1/order", **order(**params))
    assert (r.status_code, r.json()) == (400, {"code": code, "msg": msg})
    assert "X-MBX-ORDER-COUNT-1M" not in r.headers
    assert list(fake.journal.of("event")) == []


async def test_lookups_need_an_id_and_unknown_orders_do_not_exist(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        neither = await signed(client, fake, "GET", "/fapi/v1/order", symbol="BTCUSDT")
        unknown = await signed(client, fake, "GET", "/fapi/v1/order", **order(orderId=123))
        no_symbol = await signed(client, fake, "DELETE", "/fapi/v1/order", orderId=123)
    assert neither.json() == {
        "code": -1102,
        "msg": "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!",
    }
    assert (unknown.status_code, unknown.json()) == (400, {"code": -2013, "msg": "Order does not exist."})
    assert no_symbol.json()["code"] == -1102 and "'symbol'" in no_symbol.json()["msg"]


async def test_client_order_id_must_be_unique_among_open_orders(start_fake: StartFake) -> None:
    fake = await start_fake()
    resting = order(
        side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.002", price="60000", newClientOrderId="dup"
    )
    async with rest(fake) as client:
        first = await signed(client, fake, "POST", "/fapi/v1/order", **resting)
        second = await signed(client, fake, "POST", "/fapi/v1/order", **resting)
        await signed(client, fake, "DELETE", "/fapi/v1/order", **order(origClientOrderId="dup"))
        third = await signed(client, fake, "POST", "/fapi/v1/order", **resting)
    assert first.status_code == 200
    assert second.json() == {"code": -4116, "msg": "clientOrderId is duplicated"}
    assert third.status_code == 200 and third.headers["X-MBX-ORDER-COUNT-1M"] == "2"


async def test_orders_without_a_client_id_get_a_generated_one(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        r = await signed(
            client, fake, "POST", "/fapi/v1/order", **order(side="BUY", type="MARKET", quantity="0.002")
        )
    cid = r.json()["clientOrderId"]
    assert len(cid) == 22 and cid.isalnum()


# The pure account -------------------------------------------------------------------------


def test_a_background_fill_moves_the_mark_and_fills_the_client_orders_it_reaches() -> None:
    account = Account("BTCUSDT", random.Random(1))
    assert account.move_mark(Decimal("70000"), 1_000) == []
    account.submit(OrderRequest("BUY", "LIMIT", Decimal("0.002"), Decimal("66000")), 1_000)  # rests
    account.tick(1_001)  # places a background order (64000-66000)
    events = account.tick(1_002)  # fills it: the mark drops below 66000
    kinds = [(e["e"], e.get("o", {}).get("x"), e.get("i") or e.get("o", {}).get("i")) for e in events]
    background, client = kinds[0][2], kinds[3][2]
    assert [k[:2] for k in kinds] == [
        ("TRADE_LITE", None), ("ORDER_TRADE_UPDATE", "TRADE"), ("ACCOUNT_UPDATE", None),
        ("TRADE_LITE", None), ("ORDER_TRADE_UPDATE", "TRADE"), ("ACCOUNT_UPDATE", None),
        ("ORDER_TRADE_UPDATE", "NEW"),
    ]  # fmt: skip
    assert background != client and account.open_orders.keys() == {events[-1]["o"]["i"]}
    assert events[3]["L"] == "66000" and Decimal(events[0]["L"]) == account.mark_price < 66000


async def test_symbol_rules_are_the_published_filters(start_fake: StartFake) -> None:
    fake = await start_fake()
    filters = {f["filterType"]: f for f in fake.exchange_info()["symbols"][0]["filters"]}
    assert Decimal(filters["PRICE_FILTER"]["tickSize"]) == RULES.tick_size
    assert Decimal(filters["PRICE_FILTER"]["minPrice"]) == RULES.min_price
    assert Decimal(filters["PRICE_FILTER"]["maxPrice"]) == RULES.max_price
    assert Decimal(filters["LOT_SIZE"]["stepSize"]) == RULES.step_size
    assert Decimal(filters["LOT_SIZE"]["minQty"]) == RULES.min_qty
    assert Decimal(filters["LOT_SIZE"]["maxQty"]) == RULES.max_qty
    assert Decimal(filters["MARKET_LOT_SIZE"]["maxQty"]) == RULES.market_max_qty
    assert Decimal(filters["MIN_NOTIONAL"]["notional"]) == RULES.min_notional


def test_done_background_orders_are_forgotten_after_a_while(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("fake_server.exchange.account.BACKGROUND_HISTORY", 3)
    account = Account("BTCUSDT", random.Random(1))
    account.move_mark(Decimal("70000"), 0)
    body, _ = account.submit(OrderRequest("BUY", "LIMIT", Decimal("0.002"), Decimal("60000")), 0)
    for i in range(10):
        account.tick(1_000 + i)
    done = [o for o in account.orders.values() if o.status == "FILLED"]
    assert len(done) == 3 and len(account.open_orders) == 2
    assert account.query(body["orderId"], None)["status"] == "NEW"  # client orders are all kept
