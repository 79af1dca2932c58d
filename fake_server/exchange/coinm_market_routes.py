"""COIN-M market-data routes: USD-M's (market_routes.py), from the same tape and mark price, in
COIN-M's shapes and parameters (pure).

The tape is the account's contract's (`Tape(contract=INVERSE)`): a trade's quantity is a
number of 100 USD contracts and its value, the kline and ticker "base" columns, is in BTC.
What differs from USD-M, each from its COIN-M page under
developers.binance.com/docs/derivatives/coin-margined-futures/market-data/rest-api/:
- answers name the `pair` (BTCUSD) next to the symbol; the tickers and Index Price and Mark
  Price always answer a list, with or without `symbol` or `pair`;
- trades carry `baseQty` (no `quoteQty`, no `isRPITrade`); funding history no `markPrice`,
  and its `symbol` is mandatory;
- open interest is in contracts, with the `pair` and `contractType`; its statistics take a
  `pair` and a `contractType` (ALL, CURRENT_QUARTER, NEXT_QUARTER, PERPETUAL) and count
  `sumOpenInterest` in BTC and `sumOpenInterestValue` in USD, as the page's example does;
- taker volumes (`/futures/data/takerBuySellVol`) are in contracts and their values in BTC;
- the long/short statistics name the pair; Top Trader Long/Short Ratio (Accounts) takes a
  `symbol`, the others a `pair`, and the positions one answers `longPosition`/`shortPosition`;
The fake lists no quarterly contract: a quarter's statistics answer `[]`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from fake_server.exchange import rest_params
from fake_server.exchange.coinm_fields import with_pair
from fake_server.exchange.market_routes import MarketData, decimals8, on_tick
from fake_server.exchange.rest_call import Call, RestAnswer
from fake_server.exchange.tape import Trade

#: The contract types the /futures/data statistics take on COIN-M.
STATISTICS_CONTRACTS = ("ALL", "CURRENT_QUARTER", "NEXT_QUARTER", "PERPETUAL")


class CoinmMarketData(MarketData):
    def _each_symbol(self, call: Call, one: Callable[[], dict[str, Any]]) -> RestAnswer:
        """Always a list: of the symbol, the pair's symbols, or every symbol (the fake's one)."""
        rest_params.symbol(call.query, self.symbol, mandatory=False)
        rest_params.symbol(call.query, self.pair, name="pair", mandatory=False)
        return 200, [one()]

    def depth(self, call: Call) -> RestAnswer:
        status, book = super().depth(call)
        return status, {
            "lastUpdateId": book.pop("lastUpdateId"),
            "symbol": self.symbol,
            "pair": self.pair,
            **book,
        }

    def _trade(self, t: Trade) -> dict[str, Any]:
        return {
            "id": t.id,
            "price": on_tick(t.price),
            "qty": format(t.qty, "f"),
            "baseQty": decimals8(t.value),
            "time": t.time,
            "isBuyerMaker": t.buyer_maker,
        }

    def _day_ticker(self) -> dict[str, Any]:
        return with_pair(super()._day_ticker(), self.pair, renamed={"quoteVolume": "baseVolume"})

    def _price_ticker(self) -> dict[str, Any]:
        return with_pair(super()._price_ticker(), self.pair, name="ps")

    def _book_ticker(self) -> dict[str, Any]:
        return with_pair(super()._book_ticker(), self.pair)

    def _premium(self) -> dict[str, Any]:
        return with_pair(super()._premium(), self.pair)

    def funding_rate_history(self, call: Call) -> RestAnswer:
        rest_params.symbol(call.query, self.symbol)
        return super().funding_rate_history(call)

    def _funding_row(self, time_ms: int, rate: Decimal, mark: Decimal) -> dict[str, Any]:
        return {"symbol": self.symbol, "fundingTime": time_ms, "fundingRate": decimals8(rate)}

    def open_interest_now(self, call: Call) -> RestAnswer:
        rest_params.symbol(call.query, self.symbol)
        now = self.b.now_ms()
        return 200, {
            "symbol": self.symbol,
            "pair": self.pair,
            "openInterest": format(self.open_interest(now), "f"),
            "contractType": "PERPETUAL",
            "time": now,
        }

    # /futures/data statistics ---------------------------------------------------------

    def _contract_type(self, call: Call) -> str:
        """The statistics' `contractType`: a quarter's have no data here (none is listed)."""
        chosen = rest_params.choice(call.query, "contractType", STATISTICS_CONTRACTS)
        assert chosen is not None
        return chosen

    def open_interest_hist(self, call: Call) -> RestAnswer:
        kind = self._contract_type(call)
        slots = self._slots(call, "pair")
        rows = []
        for t, _span in slots if "QUARTER" not in kind else []:
            contracts = self.open_interest(t)
            value_btc = self.b.futures_account.contract.value(contracts, self.b.tape.price_at(t))
            rows.append(
                {
                    "pair": self.pair,
                    "contractType": kind,
                    "sumOpenInterest": decimals8(value_btc),
                    "sumOpenInterestValue": decimals8(value_btc * self.b.tape.price_at(t)),
                    "timestamp": t,
                }
            )
        return 200, rows

    def taker_long_short(self, call: Call) -> RestAnswer:
        kind = self._contract_type(call)
        slots = self._slot_bars(call, "pair")
        return 200, [
            {
                "pair": self.pair,
                "contractType": kind,
                "takerBuyVol": format(bar.taker_buy_volume, "f"),
                "takerSellVol": format(bar.volume - bar.taker_buy_volume, "f"),
                "takerBuyVolValue": decimals8(bar.taker_buy_value),
                "takerSellVolValue": decimals8(bar.value - bar.taker_buy_value),
                "timestamp": t,
            }
            for t, bar in (slots if "QUARTER" not in kind else [])
        ]

    def _pair_ratios(self, call: Call, salt: int, symbol_param: str, side: str) -> RestAnswer:
        return 200, [
            {
                "pair": self.pair,
                "longShortRatio": ratio,
                f"long{side}": long,
                f"short{side}": short,
                "timestamp": t,
            }
            for t, ratio, long, short in self._shares(call, salt, symbol_param)
        ]

    def global_long_short(self, call: Call) -> RestAnswer:
        return self._pair_ratios(call, 7, "pair", "Account")

    def top_long_short_accounts(self, call: Call) -> RestAnswer:
        return self._pair_ratios(call, 11, "symbol", "Account")

    def top_long_short_positions(self, call: Call) -> RestAnswer:
        return self._pair_ratios(call, 13, "pair", "Position")
