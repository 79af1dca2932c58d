"""USD-M market-data routes, answered from the trade tape and the account's mark price (pure).

Every answer is derived from the same `Tape` (fake_server/exchange/tape.py), so they agree
with each other: a kline is its trades, the 24 h ticker is the last day's klines, the book's
best bid is the last trade's price, the taker buy/sell ratio is the klines' taker volumes.
The mark price is the account's (`Account.mark_price`, what positions are valued at); the
index price is the tape's last price less one basis point, so the premium, the funding rate
and the basis follow from those two. Shapes, parameters and weights: the USD-M "Market
Data" REST pages (docs/fidelity.md "Market data" lists each source and what is simplified).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

from fake_server.exchange import binance_errors, rest_params
from fake_server.exchange.account import Account
from fake_server.exchange.orders import OrderRejected
from fake_server.exchange.rest_call import Call, RestAnswer
from fake_server.exchange.tape import MINUTE_MS, TICK, Bar, Tape, Trade

#: Kline intervals and their lengths (a month is taken as 30 days: docs/fidelity.md).
INTERVALS = {
    "1m": 1,
    "3m": 3,
    "5m": 5,
    "15m": 15,
    "30m": 30,
    "1h": 60,
    "2h": 120,
    "4h": 240,
    "6h": 360,
    "8h": 480,
    "12h": 720,
    "1d": 1_440,
    "3d": 4_320,
    "1w": 10_080,
    "1M": 43_200,
}
#: The /futures/data statistics' periods.
PERIODS = {
    k: v for k, v in INTERVALS.items() if k in ("5m", "15m", "30m", "1h", "2h", "4h", "6h", "12h", "1d")
}
DEPTH_LIMITS = (5, 10, 20, 50, 100, 500, 1000)
FUNDING_MS = 8 * 3_600_000
#: The interest rate of USD-M's funding formula: 0.01 % per 8 h.
INTEREST = Decimal("0.0001")
#: The premium is clamped into the interest rate within +-0.05 %; the rate is capped.
CLAMP = Decimal("0.0005")
FUNDING_CAP = Decimal("0.02")
#: The index price sits this far under the tape's last price.
INDEX_DISCOUNT = Decimal("0.0001")
#: Open interest: a base that swings with the tape, in contracts (BTC).
OPEN_INTEREST = Decimal("80000")
_8 = Decimal("0.00000001")


class MarketBackend(Protocol):
    @property
    def tape(self) -> Tape: ...
    @property
    def futures_account(self) -> Account: ...
    def now_ms(self) -> int: ...


def decimals8(d: Decimal) -> str:
    """A price or amount with Binance's 8 decimals (mark and index prices, values, rates)."""
    return format(d.quantize(_8), "f")


def on_tick(d: Decimal) -> str:
    """A traded price on the symbol's tick (0.10)."""
    return format(d.quantize(TICK), "f")


def kline_weight(call: Call) -> int:
    """1 under 100 klines, 2 under 500, 5 up to 1000, 10 above (the default is 500)."""
    raw = call.query.get("limit", "")
    n = int(raw) if raw.isdigit() and len(raw) < 10 else 500
    return 1 if n < 100 else 2 if n < 500 else 5 if n <= 1000 else 10


def depth_weight(call: Call) -> int:
    """2 up to 50 levels, 5 for 100, 10 for 500, 20 for 1000 (the default is 500)."""
    raw = call.query.get("limit", "")
    n = int(raw) if raw.isdigit() and len(raw) < 10 else 500
    return 2 if n <= 50 else 5 if n <= 100 else 10 if n <= 500 else 20


def with_or_without_symbol(with_symbol: int, without: int) -> Callable[[Call], int]:
    return lambda call: with_symbol if call.query.get("symbol") else without


class MarketData:
    def __init__(self, backend: MarketBackend) -> None:
        self.b = backend

    @property
    def symbol(self) -> str:
        return self.b.futures_account.symbol

    @property
    def pair(self) -> str:
        """The symbol's pair (USD-M: the symbol; COIN-M: BTCUSD of BTCUSD_PERP)."""
        return self.b.futures_account.pair

    def _listed(self, name: str) -> str:
        """What a `symbol` or `pair` parameter must be to name the fake's one market."""
        return self.pair if name == "pair" else self.symbol

    # Prices ------------------------------------------------------------------------

    def index_price(self, time_ms: int) -> Decimal:
        return (self.b.tape.price_at(time_ms) * (1 - INDEX_DISCOUNT)).quantize(_8)

    def mark_price(self) -> Decimal:
        return self.b.futures_account.mark_price

    def funding_rate(self, mark: Decimal, index: Decimal) -> Decimal:
        """USD-M's formula: premium + clamp(interest - premium, +-0.05 %), capped."""
        premium = (mark - index) / index
        rate = premium + min(CLAMP, max(-CLAMP, INTEREST - premium))
        return min(FUNDING_CAP, max(-FUNDING_CAP, rate)).quantize(_8)

    def fundings(self, now: int) -> list[tuple[int, Decimal, Decimal]]:
        """Settled fundings (time, rate, mark price at the time): every 8 h of the tape,
        valued with the tape's price as the mark (the account's mark has no history)."""
        tape = self.b.tape
        first = -(-tape.origin // FUNDING_MS) * FUNDING_MS
        out = []
        for t in range(first, now + 1, FUNDING_MS):
            mark = tape.price_at(t)
            out.append((t, self.funding_rate(mark, self.index_price(t)), mark))
        return out

    def open_interest(self, time_ms: int) -> Decimal:
        slot = time_ms // 300_000
        swing = Decimal(slot % 97) * 25 - Decimal(slot % 13) * 40
        account = self.b.futures_account
        return (OPEN_INTEREST + swing + abs(account.position)).quantize(account.rules.step_size)

    # Handlers ----------------------------------------------------------------------

    def _interval(
        self, params: dict[str, str], name: str = "interval", table: dict[str, int] = INTERVALS
    ) -> int:
        raw = params.get(name, "")
        if not raw:
            raise OrderRejected(binance_errors.mandatory_parameter(name))
        if raw not in table:
            raise OrderRejected(
                binance_errors.invalid_interval()
                if name == "interval"
                else binance_errors.invalid_param(name)
            )
        return table[raw] * MINUTE_MS

    def _bars(self, params: dict[str, str], symbol_param: str = "symbol") -> list[Bar]:
        rest_params.symbol(params, self._listed(symbol_param), name=symbol_param)
        span = self._interval(params)
        limit = rest_params.limit(params, 500, 1500)
        start = rest_params.number(params, "startTime")
        end = rest_params.number(params, "endTime")
        return self.b.tape.bars(span, self.b.now_ms(), start, end, limit)

    def klines(self, call: Call) -> RestAnswer:
        return 200, self._kline_rows(self._bars(call.query))

    @staticmethod
    def _kline_rows(bars: list[Bar]) -> list[list[Any]]:
        return [
            [
                b.open_time,
                on_tick(b.open),
                on_tick(b.high),
                on_tick(b.low),
                on_tick(b.close),
                format(b.volume, "f"),
                b.close_time,
                decimals8(b.value),
                b.count,
                format(b.taker_buy_volume, "f"),
                decimals8(b.taker_buy_value),
                "0",
            ]
            for b in bars
        ]

    def continuous_klines(self, call: Call) -> RestAnswer:
        rest_params.choice(
            call.query, "contractType", ("PERPETUAL", "CURRENT_QUARTER", "NEXT_QUARTER", "TRADIFI_PERPETUAL")
        )
        if call.query["contractType"] != "PERPETUAL":
            # The fake lists no quarterly contract: no klines, as for a pair without one.
            rest_params.symbol(call.query, self.pair, name="pair")
            self._interval(call.query)
            return 200, []
        return 200, self._kline_rows(self._bars(call.query, "pair"))

    def _price_klines(self, call: Call, scale: Callable[[Decimal], Decimal], symbol_param: str) -> RestAnswer:
        rows = [
            [
                b.open_time,
                decimals8(scale(b.open)),
                decimals8(scale(b.high)),
                decimals8(scale(b.low)),
                decimals8(scale(b.close)),
                "0",
                b.close_time,
                "0",
                b.count,
                "0",
                "0",
                "0",
            ]
            for b in self._bars(call.query, symbol_param)
        ]
        return 200, rows

    def mark_price_klines(self, call: Call) -> RestAnswer:
        return self._price_klines(call, lambda p: p, "symbol")

    def index_price_klines(self, call: Call) -> RestAnswer:
        return self._price_klines(call, lambda p: p * (1 - INDEX_DISCOUNT), "pair")

    def premium_index_klines(self, call: Call) -> RestAnswer:
        return self._price_klines(call, lambda p: INDEX_DISCOUNT / (1 - INDEX_DISCOUNT), "symbol")

    def _book(self, levels: int) -> dict[str, Any]:
        now = self.b.now_ms()
        tape = self.b.tape
        last = tape.last_index(now)
        best_bid = tape.price_at(now)
        update_id = 5_000_000_000 + max(0, last) * 7
        step = self.b.futures_account.rules.step_size
        qty = [Decimal(1 + (update_id * 31 + i * 17) % 4_000) * step for i in range(2 * levels)]
        return {
            "lastUpdateId": update_id,
            "E": now,
            "T": tape.origin + max(0, last) * 10_000,
            "bids": [[on_tick(best_bid - TICK * i), format(qty[2 * i], "f")] for i in range(levels)],
            "asks": [
                [on_tick(best_bid + TICK * (i + 1)), format(qty[2 * i + 1], "f")] for i in range(levels)
            ],
        }

    def depth(self, call: Call) -> RestAnswer:
        rest_params.symbol(call.query, self.symbol)
        return 200, self._book(rest_params.limit(call.query, 500, 1000, DEPTH_LIMITS))

    def rpi_depth(self, call: Call) -> RestAnswer:
        rest_params.symbol(call.query, self.symbol)
        return 200, self._book(rest_params.limit(call.query, 1000, 1000, (1000,)))

    def _trade(self, t: Trade) -> dict[str, Any]:
        return {
            "id": t.id,
            "price": on_tick(t.price),
            "qty": format(t.qty, "f"),
            "quoteQty": decimals8(t.value),
            "time": t.time,
            "isBuyerMaker": t.buyer_maker,
            # The tape has no Retail Price Improvement orders, so no trade is an RPI one.
            "isRPITrade": False,
        }

    def trades(self, call: Call) -> RestAnswer:
        rest_params.symbol(call.query, self.symbol)
        limit = rest_params.limit(call.query, 500, 1000)
        return 200, [self._trade(t) for t in self.b.tape.recent(self.b.now_ms(), limit)]

    def historical_trades(self, call: Call) -> RestAnswer:
        rest_params.symbol(call.query, self.symbol)
        limit = rest_params.limit(call.query, 100, 500)
        from_id = rest_params.number(call.query, "fromId")
        now = self.b.now_ms()
        found = (
            self.b.tape.recent(now, limit) if from_id is None else self.b.tape.from_id(from_id, now, limit)
        )
        return 200, [self._trade(t) for t in found]

    def agg_trades(self, call: Call) -> RestAnswer:
        rest_params.symbol(call.query, self.symbol)
        limit = rest_params.limit(call.query, 500, 1000)
        from_id = rest_params.number(call.query, "fromId")
        start = rest_params.number(call.query, "startTime")
        end = rest_params.number(call.query, "endTime")
        now, tape = self.b.now_ms(), self.b.tape
        if from_id is not None:
            found = tape.from_id(from_id, now, limit)
        elif start is not None or end is not None:
            found = tape.between(start or 0, end if end is not None else now, now, limit)
        else:
            found = tape.recent(now, limit)
        return 200, [
            {
                "a": t.id,
                "p": on_tick(t.price),
                "q": format(t.qty, "f"),
                "f": t.id,
                "l": t.id,
                "T": t.time,
                "m": t.buyer_maker,
            }
            for t in found
        ]

    def _each_symbol(self, call: Call, one: Callable[[], dict[str, Any]]) -> RestAnswer:
        """An object with `symbol`, a list of every symbol's without it."""
        if rest_params.symbol(call.query, self.symbol, mandatory=False) is None:
            return 200, [one()]
        return 200, one()

    def ticker_24hr(self, call: Call) -> RestAnswer:
        return self._each_symbol(call, self._day_ticker)

    def _day_ticker(self) -> dict[str, Any]:
        now = self.b.now_ms()
        opened = ((now - 86_400_000) // MINUTE_MS + 1) * MINUTE_MS
        day = self.b.tape.bar(opened, now - opened + 1, now)
        last = self.b.tape.last(now)
        assert day is not None
        change = day.close - day.open
        return {
            "symbol": self.symbol,
            "priceChange": on_tick(change),
            "priceChangePercent": format((change / day.open * 100).quantize(Decimal("0.001")), "f"),
            "weightedAvgPrice": on_tick(self.b.futures_account.contract.average_price(day.volume, day.value)),
            "lastPrice": on_tick(last.price),
            "lastQty": format(last.qty, "f"),
            "openPrice": on_tick(day.open),
            "highPrice": on_tick(day.high),
            "lowPrice": on_tick(day.low),
            "volume": format(day.volume, "f"),
            "quoteVolume": decimals8(day.value),
            "openTime": day.open_time,
            "closeTime": now,
            "firstId": day.first_id,
            "lastId": day.last_id,
            "count": day.count,
        }

    def ticker_price(self, call: Call) -> RestAnswer:
        return self._each_symbol(call, self._price_ticker)

    def _price_ticker(self) -> dict[str, Any]:
        last = self.b.tape.last(self.b.now_ms())
        return {"symbol": self.symbol, "price": on_tick(last.price), "time": last.time}

    def book_ticker(self, call: Call) -> RestAnswer:
        return self._each_symbol(call, self._book_ticker)

    def _book_ticker(self) -> dict[str, Any]:
        book = self._book(1)
        return {
            "symbol": self.symbol,
            "bidPrice": book["bids"][0][0],
            "bidQty": book["bids"][0][1],
            "askPrice": book["asks"][0][0],
            "askQty": book["asks"][0][1],
            "time": book["T"],
            "lastUpdateId": book["lastUpdateId"],
        }

    def premium_index(self, call: Call) -> RestAnswer:
        return self._each_symbol(call, self._premium)

    def _premium(self) -> dict[str, Any]:
        now = self.b.now_ms()
        index = self.index_price(now)
        settled = self.fundings(now)
        return {
            "symbol": self.symbol,
            "markPrice": decimals8(self.mark_price()),
            "indexPrice": decimals8(index),
            "estimatedSettlePrice": decimals8(index),
            "lastFundingRate": decimals8(settled[-1][1]) if settled else "0.00010000",
            "interestRate": decimals8(INTEREST),
            "nextFundingTime": (now // FUNDING_MS + 1) * FUNDING_MS,
            "time": now,
        }

    def funding_rate_history(self, call: Call) -> RestAnswer:
        rest_params.symbol(call.query, self.symbol, mandatory=False)
        limit = rest_params.limit(call.query, 100, 1000)
        start = rest_params.number(call.query, "startTime")
        end = rest_params.number(call.query, "endTime")
        rows = [
            self._funding_row(t, rate, mark)
            for t, rate, mark in self.fundings(self.b.now_ms())
            if (start is None or t >= start) and (end is None or t <= end)
        ]
        return 200, rows[:limit] if start is not None else rows[-limit:]

    def _funding_row(self, time_ms: int, rate: Decimal, mark: Decimal) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "fundingTime": time_ms,
            "fundingRate": decimals8(rate),
            "markPrice": decimals8(mark),
        }

    def funding_info(self, call: Call) -> RestAnswer:
        return 200, [
            {
                "symbol": self.symbol,
                "adjustedFundingRateCap": decimals8(FUNDING_CAP),
                "adjustedFundingRateFloor": decimals8(-FUNDING_CAP),
                "fundingIntervalHours": FUNDING_MS // 3_600_000,
                "disclaimer": False,
            }
        ]

    def open_interest_now(self, call: Call) -> RestAnswer:
        rest_params.symbol(call.query, self.symbol)
        now = self.b.now_ms()
        return 200, {"openInterest": format(self.open_interest(now), "f"), "symbol": self.symbol, "time": now}

    # /futures/data statistics --------------------------------------------------------

    def _slots(self, call: Call, symbol_param: str = "symbol") -> list[tuple[int, int]]:
        """(start, span) of the periods asked for: at most `limit` (default 30, max 500),
        the latest first-to-last, only where the tape has trades."""
        rest_params.symbol(call.query, self._listed(symbol_param), name=symbol_param)
        span = self._interval(call.query, "period", PERIODS)
        limit = rest_params.limit(call.query, 30, 500)
        start = rest_params.number(call.query, "startTime")
        end = rest_params.number(call.query, "endTime")
        now, origin = self.b.now_ms(), self.b.tape.origin
        last = min(end if end is not None else now, now) // span * span - span
        first = max(
            -(-origin // span) * span,
            (start // span * span) if start is not None else last - (limit - 1) * span,
        )
        slots = [(t, span) for t in range(first, last + 1, span)]
        return slots[:limit] if start is not None else slots[-limit:]

    def open_interest_hist(self, call: Call) -> RestAnswer:
        rows = []
        for t, _span in self._slots(call):
            oi = self.open_interest(t)
            rows.append(
                {
                    "symbol": self.symbol,
                    "sumOpenInterest": format(oi, "f"),
                    "sumOpenInterestValue": decimals8(oi * self.b.tape.price_at(t)),
                    "CMCCirculatingSupply": "19875000.00",
                    "timestamp": t,
                }
            )
        return 200, rows

    def _shares(self, call: Call, salt: int, symbol_param: str = "symbol") -> list[tuple[int, str, str, str]]:
        """(time, long/short ratio, long share, short share) of each period: a fixed function
        of the period, different for each statistic (`salt`)."""
        rows = []
        for t, _span in self._slots(call, symbol_param):
            long_share = Decimal(4_000 + (t // 300_000 * salt) % 2_000) / 10_000
            short_share = 1 - long_share
            ratio = (long_share / short_share).quantize(Decimal("0.0001"))
            rows.append((t, format(ratio, "f"), format(long_share, "f"), format(short_share, "f")))
        return rows

    def _ratio_rows(self, call: Call, salt: int) -> RestAnswer:
        return 200, [
            {
                "symbol": self.symbol,
                "longShortRatio": ratio,
                "longAccount": long,
                "shortAccount": short,
                "timestamp": t,
            }
            for t, ratio, long, short in self._shares(call, salt)
        ]

    def global_long_short(self, call: Call) -> RestAnswer:
        return self._ratio_rows(call, 7)

    def top_long_short_accounts(self, call: Call) -> RestAnswer:
        return self._ratio_rows(call, 11)

    def top_long_short_positions(self, call: Call) -> RestAnswer:
        return self._ratio_rows(call, 13)

    def _slot_bars(self, call: Call, symbol_param: str = "symbol") -> list[tuple[int, Bar]]:
        """The tape's trades of each period asked for, where it has some."""
        now = self.b.now_ms()
        return [
            (t, bar) for t, span in self._slots(call, symbol_param) if (bar := self.b.tape.bar(t, span, now))
        ]

    def taker_long_short(self, call: Call) -> RestAnswer:
        rows = []
        for t, bar in self._slot_bars(call):
            buy, sell = bar.taker_buy_volume, bar.volume - bar.taker_buy_volume
            ratio = (buy / sell).quantize(Decimal("0.0001")) if sell else Decimal(0)
            rows.append(
                {
                    "buySellRatio": format(ratio, "f"),
                    "buyVol": format(buy, "f"),
                    "sellVol": format(sell, "f"),
                    "timestamp": t,
                }
            )
        return 200, rows

    def basis(self, call: Call) -> RestAnswer:
        rest_params.choice(call.query, "contractType", ("PERPETUAL", "CURRENT_QUARTER", "NEXT_QUARTER"))
        rows = []
        for t, _span in self._slots(call, "pair"):
            futures = self.b.tape.price_at(t)
            index = self.index_price(t)
            rows.append(
                {
                    "indexPrice": decimals8(index),
                    "contractType": call.query["contractType"],
                    "basisRate": format(((futures - index) / index).quantize(Decimal("0.0001")), "f"),
                    "futuresPrice": on_tick(futures),
                    "annualizedBasisRate": "",
                    "basis": decimals8(futures - index),
                    "pair": self.pair,
                    "timestamp": t,
                }
            )
        return 200, rows

    def delivery_price(self, call: Call) -> RestAnswer:
        """Deliveries of the pair's quarterly contracts: the fake lists none, so none."""
        rest_params.symbol(call.query, self.pair, name="pair")
        return 200, []

    # Index and exchange-wide data --------------------------------------------------------

    def constituents(self, call: Call) -> RestAnswer:
        """Asked by the index's symbol: the pair (BTCUSDT on USD-M, BTCUSD on COIN-M)."""
        rest_params.symbol(call.query, self.pair)
        now = self.b.now_ms()
        index = self.index_price(now)
        return 200, {
            "symbol": self.pair,
            "time": now,
            "constituents": [
                {
                    "exchange": "binance",
                    "symbol": self.symbol,
                    "price": decimals8(index),
                    "weight": "1.00000000",
                },
            ],
        }

    def asset_index(self, call: Call) -> RestAnswer:
        """The Multi-Assets mode's index of the margin assets: BTC valued at the index."""
        asked = call.query.get("symbol")
        base = self.symbol.removesuffix("USDT")
        name = f"{base}USD"
        if asked and asked != name:
            return binance_errors.invalid_symbol()
        now = self.b.now_ms()
        index = self.index_price(now)
        entry = {
            "symbol": name,
            "time": now,
            "index": decimals8(index),
            "bidBuffer": "0.05000000",
            "askBuffer": "0.05000000",
            "bidRate": decimals8(index * Decimal("0.95")),
            "askRate": decimals8(index * Decimal("1.05")),
            "autoExchangeBidBuffer": "0.02500000",
            "autoExchangeAskBuffer": "0.02500000",
            "autoExchangeBidRate": decimals8(index * Decimal("0.975")),
            "autoExchangeAskRate": decimals8(index * Decimal("1.025")),
        }
        return 200, entry if asked else [entry]

    def index_info(self, call: Call) -> RestAnswer:
        """Composite indexes (DEFIUSDT and the like): the fake lists none."""
        if call.query.get("symbol"):
            return binance_errors.invalid_symbol()
        return 200, []

    def insurance_balance(self, call: Call) -> RestAnswer:
        now = self.b.now_ms()
        fund = {
            "symbols": [self.symbol],
            "assets": [
                {"asset": "USDT", "marginBalance": "1000000000.00000000", "updateTime": now - now % 3_600_000}
            ],
        }
        return self._each_symbol(call, lambda: fund)

    def adl_risk(self, call: Call) -> RestAnswer:
        now = self.b.now_ms()
        return self._each_symbol(
            call, lambda: {"symbol": self.symbol, "adlRisk": "low", "updateTime": now - now % 1_800_000}
        )

    def trading_schedule(self, call: Call) -> RestAnswer:
        """Trading sessions of the TradFi perpetuals: the fake lists none (BTCUSDT trades
        around the clock), so no market has a schedule."""
        return 200, {"updateTime": self.b.now_ms(), "marketSchedules": {}}
