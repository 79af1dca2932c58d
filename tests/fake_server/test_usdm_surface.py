"""The USD-M surface beyond the profile's roles (fake_server/exchange/usdm_surface.py):
every route answers as Binance would rather than 404 -5000, market data agrees with itself,
settings change the account, and a position's economics are computed, not "0"."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import httpx
import pytest

from fake_server.exchange.account import Account
from fake_server.exchange.position_economics import economics
from fake_server.exchange.surface import SurfaceBackend
from fake_server.exchange.tape import MINUTE_MS, Tape
from fake_server.exchange.usdm_surface import usdm_routes
from fake_server.server import FakeBinance
from tests.fake_server._fake_helpers import WAIT, signed_query
from tests.fake_server.test_rest_snapshots import fake, ok, trade

ROUTES = sorted(
    {
        (r.method, r.path, r.security)
        for r in usdm_routes(SurfaceBackend(lambda: None, lambda: 0, lambda e: []))
    }  # type: ignore[arg-type,return-value]
)


async def call(f: FakeBinance, method: str, path: str, signed: bool, **params: Any) -> httpx.Response:
    headers = {"X-MBX-APIKEY": f.settings.credentials.api_key}
    query = (
        signed_query(f, timestamp=f.clock.epoch_ms(), **params)
        if signed
        else "&".join(f"{k}={v}" for k, v in params.items())
    )
    async with httpx.AsyncClient(base_url=f.rest_url, headers=headers, timeout=WAIT) as client:
        return await client.request(method, f"{path}?{query}")


async def answers_as_binance(profile: str, method: str, path: str, security: str) -> None:
    """One surface route, called with the profile's symbol on an account with a position:
    Binance's JSON (an answer or an error code), never a path error, with the IP's weight."""
    async with fake(profile) as f:
        trade(f, 2)
        r = await call(f, method, path, security == "SIGNED", symbol=f.account.symbol)
        assert '"code":-5000' not in r.text, (method, path, r.text)
        body = r.json()
        assert r.status_code == 200 or (r.status_code == 400 and body["code"] < 0), (method, path, r.text)
        assert "X-MBX-USED-WEIGHT-1M" in r.headers


@pytest.mark.parametrize(("method", "path", "security"), ROUTES)
async def test_every_surface_route_answers_binance_json_not_a_path_error(
    method: str, path: str, security: str
) -> None:
    await answers_as_binance("usdm", method, path, security)


async def test_klines_are_their_trades_and_the_book_sits_on_the_last_trade() -> None:
    async with fake() as f:
        klines = await ok_public(f, "/fapi/v1/klines", symbol="BTCUSDT", interval="1m", limit="5")
        last = klines[-2]  # a closed minute
        trades = await ok_public(
            f, "/fapi/v1/aggTrades", symbol="BTCUSDT", startTime=str(last[0]), endTime=str(last[6])
        )
        prices = [Decimal(t["p"]) for t in trades]
        assert (Decimal(last[1]), Decimal(last[4])) == (prices[0], prices[-1])
        assert (Decimal(last[2]), Decimal(last[3])) == (max(prices), min(prices))
        assert Decimal(last[5]) == sum(Decimal(t["q"]) for t in trades)
        book = await ok_public(f, "/fapi/v1/depth", symbol="BTCUSDT", limit="5")
        price = await ok_public(f, "/fapi/v1/ticker/price", symbol="BTCUSDT")
        assert book["bids"][0][0] == price["price"] < book["asks"][0][0]
        assert [b[0] for b in book["bids"]] == sorted((b[0] for b in book["bids"]), key=Decimal, reverse=True)


async def ok_public(f: FakeBinance, path: str, **params: str) -> Any:
    r = await call(f, "GET", path, False, **params)
    assert r.status_code == 200, r.text
    return r.json()


async def test_leverage_and_margin_type_change_what_the_snapshots_report() -> None:
    async with fake() as f:
        r = await call(f, "POST", "/fapi/v1/leverage", True, symbol="BTCUSDT", leverage="5")
        assert r.json() == {"leverage": 5, "maxNotionalValue": "20000000", "symbol": "BTCUSDT"}
        bad = await call(f, "POST", "/fapi/v1/leverage", True, symbol="BTCUSDT", leverage="126")
        assert (bad.status_code, bad.json()["code"]) == (400, -4028)
        r = await call(f, "POST", "/fapi/v1/marginType", True, symbol="BTCUSDT", marginType="ISOLATED")
        assert r.json() == {"code": 200, "msg": "success"}
        again = await call(f, "POST", "/fapi/v1/marginType", True, symbol="BTCUSDT", marginType="ISOLATED")
        assert again.json()["code"] == -4046
        risk = (await ok(f, "/fapi/v2/positionRisk"))[0]
        assert (risk["leverage"], risk["marginType"]) == ("5", "isolated")
        trade(f, 1)  # an open order: the margin type can no longer change
        busy = await call(f, "POST", "/fapi/v1/marginType", True, symbol="BTCUSDT", marginType="CROSSED")
        assert busy.json()["code"] == -4047


async def test_a_position_is_valued_at_the_mark() -> None:
    async with fake() as f:
        trade(f, 3)
        account = f.futures_account
        assert account.position != 0
        risk = (await ok(f, "/fapi/v2/positionRisk"))[0]
        amount, entry, mark = (Decimal(risk[k]) for k in ("positionAmt", "entryPrice", "markPrice"))
        assert Decimal(risk["notional"]) == amount * mark
        assert Decimal(risk["unRealizedProfit"]) == amount * (mark - entry)
        v3 = (await ok(f, "/fapi/v3/positionRisk"))[0]
        assert Decimal(v3["positionInitialMargin"]) == abs(amount * mark) / 20
        assert Decimal(v3["maintMargin"]) == abs(amount * mark) * Decimal("0.004")


def test_a_long_is_liquidated_below_its_entry_and_a_short_above() -> None:
    args = dict(mark=Decimal(65000), leverage=20, isolated=False, open_order_notional=Decimal(0))
    brackets = ((125, 0, 50_000, Decimal("0.004")),)
    long = economics(amount=Decimal(1), entry=Decimal(65000), wallet=Decimal(5000), brackets=brackets, **args)  # type: ignore[arg-type]
    short = economics(
        amount=Decimal(-1), entry=Decimal(65000), wallet=Decimal(5000), brackets=brackets, **args
    )  # type: ignore[arg-type]
    assert 0 < long.liquidation < 65000 < short.liquidation
    # At the liquidation price the margin balance equals the maintenance margin.
    balance = 5000 + (long.liquidation - 65000)
    assert abs(balance - long.liquidation * Decimal("0.004")) < 1


def test_the_tape_is_the_same_for_the_same_start_and_bars_merge_their_minutes() -> None:
    a, b = Tape(10**12), Tape(10**12)
    now = 10**12 + 3_600_000
    assert a.recent(now, 50) == b.recent(now, 50)
    hour = a.bar(now // 3_600_000 * 3_600_000 - 3_600_000, 3_600_000, now)
    minutes = a.bars(MINUTE_MS, now, hour.open_time, hour.close_time, 60) if hour else []
    assert hour is not None and hour.high == max(m.high for m in minutes)
    assert hour.volume == sum((m.volume for m in minutes), Decimal(0))
    assert Account("BTCUSDT", random.Random(0)).economics().notional == 0
