"""The symbol's public trade tape: the one source of the REST market-data answers (pure).

Binance's market-data routes (trades, aggTrades, klines, tickers, depth, open interest,
funding) all describe one stream of trades; a client can cross-check them (a kline's high is
the highest trade in it, the 24 h ticker's volume is the sum of the 1 m klines' volumes).
So the fake derives every one of them from a single deterministic tape rather than inventing
each answer: trade `i` happens at `origin + i * TRADE_MS` at a price that is a fixed function
of `i` (a sum of slow and fast waves around `BASE_PRICE`, on the symbol's 0.10 tick), so the
same run always shows the same market, prices move, and no state has to be kept.

The tape starts `HISTORY_MS` before the fake started (`origin`): a kline or trade query
before that finds nothing, as Binance answers for times before a symbol traded. That bounds
the work of a 1 d kline to the trades that exist (docs/fidelity.md "Market data").

One trade is one aggregate trade (`a == f == l`): the tape has no two trades at one price in
the same millisecond. Time comes in as Binance epoch milliseconds. A trade's quantity is a
number of the symbol's quantity steps (0.001 BTC on USD-M, one 100 USD contract on COIN-M)
and its value is what its `Contract` makes of it (USDT on USD-M, BTC on COIN-M): the volume
and value columns of a kline are those of its trades.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from fake_server.exchange.contract import LINEAR, Contract

#: One trade every 10 s: 6 per minute, 8,640 per day.
TRADE_MS = 10_000
MINUTE_MS = 60_000
#: How far back the tape reaches before the fake started.
HISTORY_MS = 2 * 86_400_000
BASE_PRICE = Decimal("65000.00")
TICK = Decimal("0.10")


@dataclass(frozen=True)
class Trade:
    id: int
    price: Decimal
    qty: Decimal
    time: int
    #: The buyer was the maker (the trade was a sell into the bid).
    buyer_maker: bool
    #: `qty` at `price` in the margin asset: USD-M's `quoteQty`, COIN-M's `baseQty`.
    value: Decimal


@dataclass(frozen=True)
class Bar:
    """The trades of one time slot, as a kline reports them."""

    open_time: int
    close_time: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    #: The trades' value in the margin asset (USD-M quote volume, COIN-M base volume).
    value: Decimal
    count: int
    taker_buy_volume: Decimal
    taker_buy_value: Decimal
    first_id: int
    last_id: int


def _unit(i: int, salt: str) -> float:
    """A fixed pseudo-random number in [0, 1) for trade `i` (same run, same value)."""
    digest = hashlib.blake2b(f"{salt}:{i}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@lru_cache(maxsize=65_536)
def trade_price(i: int) -> Decimal:
    """Trade `i`'s price: slow swings of about 1 %, faster ones of 0.2 %, and tick noise."""
    wave = 0.006 * math.sin(i / 1_700) + 0.004 * math.sin(i / 230) + 0.002 * math.sin(i / 29)
    noise = (_unit(i, "p") - 0.5) * 0.0004
    # A whole number of ticks: quantize(TICK) alone would keep 0.01s (TICK's exponent is -2).
    return (BASE_PRICE * Decimal(1 + wave + noise) / TICK).quantize(Decimal(1)) * TICK


def trade_steps(i: int) -> int:
    """Trade `i`'s size in quantity steps: 1 to 2,000."""
    return 1 + int(_unit(i, "q") * 2_000)


class Tape:
    def __init__(self, started_ms: int, contract: Contract = LINEAR) -> None:
        #: The first trade's time: a minute boundary, HISTORY_MS before the fake started.
        self.origin = (started_ms - HISTORY_MS) // MINUTE_MS * MINUTE_MS
        self.contract = contract
        self._step = contract.rules.step_size
        self._bars: dict[int, Bar] = {}

    # Trades ---------------------------------------------------------------------------

    def trade(self, i: int) -> Trade:
        price = trade_price(i)
        qty = (trade_steps(i) * self._step).quantize(self._step)
        value = self.contract.value(qty, price)
        return Trade(i + 1, price, qty, self.origin + i * TRADE_MS, _unit(i, "m") < 0.5, value)

    def last_index(self, now_ms: int) -> int:
        """The index of the last trade at or before `now_ms` (-1 before the first)."""
        return -1 if now_ms < self.origin else (now_ms - self.origin) // TRADE_MS

    def index_at_or_after(self, time_ms: int) -> int:
        return max(0, -(-(time_ms - self.origin) // TRADE_MS))

    def last(self, now_ms: int) -> Trade:
        return self.trade(max(0, self.last_index(now_ms)))

    def recent(self, now_ms: int, limit: int) -> list[Trade]:
        last = self.last_index(now_ms)
        return [self.trade(i) for i in range(max(0, last - limit + 1), last + 1)]

    def from_id(self, trade_id: int, now_ms: int, limit: int) -> list[Trade]:
        last = self.last_index(now_ms)
        first = max(0, trade_id - 1)
        return [self.trade(i) for i in range(first, min(last, first + limit - 1) + 1)]

    def between(self, start_ms: int, end_ms: int, now_ms: int, limit: int) -> list[Trade]:
        first = self.index_at_or_after(start_ms)
        last = min(self.last_index(min(end_ms, now_ms)), first + limit - 1)
        return [self.trade(i) for i in range(first, last + 1)]

    # Bars ---------------------------------------------------------------------------

    def _minute(self, open_time: int, now_ms: int) -> Bar | None:
        """The 1 m bar opening at `open_time`, up to `now_ms`; None when it has no trade."""
        closed = open_time + MINUTE_MS - 1 <= now_ms
        if closed and open_time in self._bars:
            return self._bars[open_time]
        first = self.index_at_or_after(open_time)
        last = self.last_index(min(open_time + MINUTE_MS - 1, now_ms))
        if last < first:
            return None
        bar = merge(
            [self._single(self.trade(i), open_time) for i in range(first, last + 1)], open_time, MINUTE_MS
        )
        if closed:
            self._bars[open_time] = bar
        return bar

    @staticmethod
    def _single(t: Trade, open_time: int) -> Bar:
        taker_buy = Decimal(0) if t.buyer_maker else t.qty
        return Bar(
            open_time,
            open_time + MINUTE_MS - 1,
            t.price,
            t.price,
            t.price,
            t.price,
            t.qty,
            t.value,
            1,
            taker_buy,
            Decimal(0) if t.buyer_maker else t.value,
            t.id,
            t.id,
        )

    def bar(self, open_time: int, span_ms: int, now_ms: int) -> Bar | None:
        """The bar of `span_ms` opening at `open_time`: its 1 m bars merged."""
        minutes = [
            m
            for start in range(max(open_time, self.origin), min(open_time + span_ms, now_ms + 1), MINUTE_MS)
            if (m := self._minute(start, now_ms)) is not None
        ]
        return merge(minutes, open_time, span_ms) if minutes else None

    def bars(self, span_ms: int, now_ms: int, start: int | None, end: int | None, limit: int) -> list[Bar]:
        """Klines: the bars of `span_ms` in [start, end], at most `limit`, oldest first;
        without `start`, the `limit` most recent."""
        last_open = min(end if end is not None else now_ms, now_ms) // span_ms * span_ms
        first_open = self.origin // span_ms * span_ms
        if start is not None:
            opens = range(max(first_open, -(-start // span_ms) * span_ms), last_open + 1, span_ms)[:limit]
        else:
            opens = range(max(first_open, last_open - (limit - 1) * span_ms), last_open + 1, span_ms)
        return [b for o in opens if (b := self.bar(o, span_ms, now_ms)) is not None]

    def price_at(self, time_ms: int) -> Decimal:
        """The last trade price at `time_ms` (the first trade's before the tape starts)."""
        return trade_price(max(0, self.last_index(time_ms)))


def merge(bars: list[Bar], open_time: int, span_ms: int) -> Bar:
    return Bar(
        open_time,
        open_time + span_ms - 1,
        bars[0].open,
        max(b.high for b in bars),
        min(b.low for b in bars),
        bars[-1].close,
        sum((b.volume for b in bars), Decimal(0)),
        sum((b.value for b in bars), Decimal(0)),
        sum(b.count for b in bars),
        sum((b.taker_buy_volume for b in bars), Decimal(0)),
        sum((b.taker_buy_value for b in bars), Decimal(0)),
        bars[0].first_id,
        bars[-1].last_id,
    )
