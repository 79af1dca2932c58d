"""USD-M market streams, as a pure generator (time passed in, randomness from a seeded Random).

Streams and payloads follow [DER] usds-margined-futures/websocket-market-streams (scraped
2026-05-28; binance-reference.md source key [DER]). Field names are Binance's, nothing else
is added:

- `<symbol>@aggTrade` (category /market): `e,E,s,a,p,q,nq,f,l,T,m`. `a` increases by one per
  event; `f..l` are the trade ids it aggregates and continue from the previous `l`.
- `<symbol>@bookTicker` (/public): `e,u,E,T,s,b,B,a,A`; `u` is the order-book update id.
- `<symbol>@depth`, `@depth@500ms`, `@depth@100ms` (/public): `e,E,T,s,U,u,pu,b,a`. Each
  stream chains: an update's `pu` is the `u` of the previous update on that stream and its
  `U` is `pu + 1`, which is what a client's local order book checks ("How to manage a local
  order book correctly"). The ids are the symbol's book ids, shared by its depth streams
  and its bookTicker.
- `<symbol>@markPrice`, `@markPrice@1s` (/market): `e,E,s,p,ap,i,P,r,T`; `T` is the next
  funding time (the next 8-hour boundary).

Stream names must be lower-case (reference §2): `BTCUSDT@aggTrade` is not a stream here and
stays silent. Any lower-case symbol gets data; `s` is its upper-case form. Ids and event
times (`E`) strictly increase on every stream, even when ticks fall in the same millisecond;
`T <= E`. Every stream ticks at the one rate the settings give (`EventFlow.market_rate`),
whatever speed its name asks for: a scenario about reconnects and gaps needs the chain
rules, not Binance's cadence.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

MarketEvent = dict[str, Any]
Category = Literal["public", "market"]
Kind = Literal["aggTrade", "bookTicker", "depth", "markPrice"]

_NAME = re.compile(r"^([a-z0-9]+)@(aggTrade|bookTicker|depth(?:@100ms|@500ms)?|markPrice(?:@1s)?)$")
CATEGORY: dict[Kind, Category] = {
    "aggTrade": "market",
    "markPrice": "market",
    "bookTicker": "public",
    "depth": "public",
}
#: Which categories a connection gets, by its route kind (reference §2 "Futures routing":
#: since 2026-04-23 a connection without a routed path gets only public-category streams).
ROUTE_CATEGORIES: dict[str, frozenset[Category]] = {
    "public": frozenset({"public"}),
    "market": frozenset({"market"}),
    "legacy": frozenset({"public"}),
    "private": frozenset(),
}
FUNDING_INTERVAL_MS = 8 * 3600 * 1000
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class StreamSpec:
    name: str
    symbol: str  # upper case, as in the payload's `s`
    kind: Kind

    @property
    def category(self) -> Category:
        return CATEGORY[self.kind]


def spec(name: str) -> StreamSpec | None:
    """The market stream a name denotes, or None (unknown or upper-case names)."""
    match = _NAME.match(name)
    if match is None:
        return None
    kind: Kind = match.group(2).split("@")[0]  # type: ignore[assignment]
    return StreamSpec(name, match.group(1).upper(), kind)


def carries(route_kind: str, name: str) -> bool:
    """Whether a connection of `route_kind` gets data for stream `name`."""
    s = spec(name)
    return s is not None and s.category in ROUTE_CATEGORIES.get(route_kind, frozenset())


@dataclass
class _Symbol:
    price: Decimal
    book_id: int
    agg_id: int
    trade_id: int


@dataclass
class _Stream:
    last_e: int = 0
    last_u: int = 0


class Market:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._symbols: dict[str, _Symbol] = {}
        self._streams: dict[str, _Stream] = {}

    def tick(self, names: Iterable[str], now_ms: int) -> dict[str, MarketEvent]:
        """One push on each of `names` (unknown names are skipped), keyed by stream name."""
        specs = [s for s in (spec(n) for n in dict.fromkeys(names)) if s is not None]
        symbols: dict[str, _Symbol] = {}
        for s in specs:
            sym = symbols[s.symbol] = self._symbol(s.symbol)
            if s.name not in self._streams:
                # A new stream's chain starts at the book as it is before this tick's move.
                self._streams[s.name] = _Stream(last_u=sym.book_id)
        for sym in symbols.values():
            self._move(sym)
        events: dict[str, MarketEvent] = {}
        for s in specs:
            stream = self._streams[s.name]
            stamp = max(now_ms, stream.last_e + 1)
            stream.last_e = stamp
            events[s.name] = self._event(s, symbols[s.symbol], stream, stamp)
        return events

    def _symbol(self, symbol: str) -> _Symbol:
        sym = self._symbols.get(symbol)
        if sym is None:
            price = (
                Decimal(65_000) if symbol == "BTCUSDT" else Decimal(self._rng.randrange(1_000, 500_000)) / 100
            )
            sym = self._symbols[symbol] = _Symbol(
                price=price,
                book_id=self._rng.randrange(1_000_000_000, 2_000_000_000),
                agg_id=self._rng.randrange(100_000_000, 200_000_000),
                trade_id=self._rng.randrange(1_000_000_000, 2_000_000_000),
            )
        return sym

    def _move(self, sym: _Symbol) -> None:
        """The symbol's market moves once per tick: price walk, book updates."""
        step = Decimal(self._rng.randrange(-50, 51)) / 10
        sym.price = max(Decimal("0.10"), sym.price + step).quantize(_CENT)
        sym.book_id += self._rng.randrange(1, 6)

    def _event(self, s: StreamSpec, sym: _Symbol, stream: _Stream, stamp: int) -> MarketEvent:
        rng = self._rng
        if s.kind == "depth":
            first = stream.last_u + 1
            previous = stream.last_u
            stream.last_u = sym.book_id
            return {
                "e": "depthUpdate",
                "E": stamp,
                "T": stamp - 1,
                "s": s.symbol,
                "U": first,
                "u": sym.book_id,
                "pu": previous,
                "b": [[_p(sym.price - Decimal(i) / 10), _q(rng)] for i in range(1, rng.randrange(2, 4))],
                "a": [[_p(sym.price + Decimal(i) / 10), _q(rng)] for i in range(1, rng.randrange(2, 4))],
            }
        if s.kind == "bookTicker":
            return {
                "e": "bookTicker",
                "u": sym.book_id,
                "E": stamp,
                "T": stamp - 1,
                "s": s.symbol,
                "b": _p(sym.price - Decimal("0.1")),
                "B": _q(rng),
                "a": _p(sym.price),
                "A": _q(rng),
            }
        if s.kind == "aggTrade":
            sym.agg_id += 1
            first_trade = sym.trade_id + 1
            sym.trade_id += rng.randrange(1, 4)
            qty = _q(rng)
            return {
                "e": "aggTrade",
                "E": stamp,
                "s": s.symbol,
                "a": sym.agg_id,
                "p": _p(sym.price),
                "q": qty,
                "nq": qty,
                "f": first_trade,
                "l": sym.trade_id,
                "T": stamp - 1,
                "m": rng.random() < 0.5,
            }
        index = sym.price - Decimal("1.5")
        return {
            "e": "markPriceUpdate",
            "E": stamp,
            "s": s.symbol,
            "p": _p8(sym.price),
            "ap": _p8(sym.price),
            "i": _p8(index),
            "P": _p8(index),
            "r": "0.00010000",
            "T": (stamp // FUNDING_INTERVAL_MS + 1) * FUNDING_INTERVAL_MS,
        }


def _p(price: Decimal) -> str:
    return format(price.quantize(_CENT), "f")


def _p8(price: Decimal) -> str:
    return format(price.quantize(Decimal("0.00000001")), "f")


def _q(rng: random.Random) -> str:
    return format(Decimal(rng.randrange(1, 5000)) / 1000, "f")
