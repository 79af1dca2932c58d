"""The fake COIN-M account: the futures account of account.py in an inverse contract, shown in
COIN-M's shapes (pure).

The state machine is the futures account's: orders rest and fill the same way, fills move the
position and the wallet, the snapshots read the state the events describe. What differs:
- the arithmetic: quantities are contracts of 100 USD; values, margins, fees and PnL are in
  BTC, the margin asset (`INVERSE`, fake_server/exchange/contract.py);
- the answers: the COIN-M pages' fields (`pair`, `cumBase`, `maxQty`, `notionalValue`,
  `qtyCap`), and ORDER_TRADE_UPDATE with COIN-M's `o` fields (`ma`, the margin asset; none of
  USD-M's `si`, `ss`, `gtd`). The account alias `i` goes onto every event in the server
  (profiles.py `event_extras`); TRADE_LITE is USD-M's only (`Profile.trade_lite`).

Sources: the COIN-M pages under developers.binance.com/docs/derivatives/coin-margined-futures/
(Query Order, Current All Open Orders, All Orders, Cancel Order, Account Information,
Position Information, Account Trade List, Notional Bracket for Pair / for Symbol, "Event:
Order Update"), with the later response changes Binance's own COIN-M SDK records
(binance-sdk-derivatives-trading-coin-futures CHANGELOG: 9.0.0, 2026-07-15, `avgPrice` and
`cumBase` leave the New/Cancel/Modify Order answers; 12.0.0, 2026-08-07, All Orders gains
`cumQuote` and `goodTillDate`, Account Trade List `quoteQty`). Position Information also
carries `notionalValue` and `isolatedWallet`: its REST page's example (from 2020) lacks them,
the same request's WebSocket API page (`account.position`) shows them.
"""

from __future__ import annotations

import random
from typing import Any

from fake_server.exchange.account import Account, Shape
from fake_server.exchange.account import amount_text as _s
from fake_server.exchange.coinm_fields import with_pair
from fake_server.exchange.contract import INVERSE
from fake_server.exchange.futures_order import Fill, Order
from fake_server.exchange.order_history import HistoryQuery, select

#: ORDER_TRADE_UPDATE's `o` on COIN-M ("Event: Order Update"), in the page's order; `AP` and
#: `cr` come with trailing stops only, which the fake does not place.
ORDER_UPDATE_FIELDS = (
    "s", "c", "S", "o", "f", "q", "p", "ap", "sp", "x", "X", "i", "l", "z", "L", "ma", "N",
    "n", "T", "t", "rp", "b", "a", "m", "R", "wt", "ot", "ps", "cp", "pP", "V", "pm", "er",
)  # fmt: skip
#: Of a "query" order's fields, the ones New, Cancel and Modify Order no longer answer.
_QUERY_ONLY = ("avgPrice", "cumBase", "time")


class CoinmAccount(Account):
    CAP_FIELD = "maxQty"
    NOTIONAL_FIELD = "notionalValue"
    BRACKET_BOUNDS = ("qtyCap", "qtylFloor")
    #: ORDER_TRADE_UPDATE's `o` in ORDER_UPDATE_FIELDS, with `ma`.
    COINM_EVENTS = True

    def __init__(self, symbol: str, rng: random.Random, *, first_order_id: int = 4_000_000_001) -> None:
        super().__init__(symbol, rng, INVERSE, first_order_id=first_order_id)

    @property
    def pair(self) -> str:
        """BTCUSD for BTCUSD_PERP (and for a quarterly BTCUSD_260925)."""
        return self.symbol.partition("_")[0]

    # Orders --------------------------------------------------------------------------

    def order_fields(self, o: Order, shape: Shape) -> dict[str, Any]:
        """USD-M's fields with `cumBase` (the filled contracts' BTC) for `cumQuote`, the
        `pair` after the symbol, and no `goodTillDate`."""
        fields = with_pair(super().order_fields(o, "query"), self.pair, renamed={"cumQuote": "cumBase"})
        fields["cumBase"] = _s(self.contract.value(o.executed, o.avg_price))
        del fields["goodTillDate"]
        if shape != "query":
            for name in _QUERY_ONLY:
                del fields[name]
            fields["cumQty"] = fields["executedQty"]
        return fields

    def all_orders_snapshot(self, query: HistoryQuery) -> list[dict[str, Any]]:
        """`GET /dapi/v1/allOrders`: the Query Order fields, with `cumQuote` (the filled
        contracts' USD) and `goodTillDate`."""
        return [
            {
                **self.order_fields(o, "query"),
                "cumQuote": _s(o.executed * (self.contract.size or 1)),
                "goodTillDate": o.good_till_date,
            }
            for o in select(self.orders.values(), query)
        ]

    def trade_row(self, f: Fill) -> dict[str, Any]:
        """One fill as GET /dapi/v1/userTrades lists it: `baseQty` its BTC, `quoteQty` its USD."""
        return {
            "symbol": self.symbol,
            "id": f.trade_id,
            "orderId": f.order_id,
            "pair": self.pair,
            "side": f.side,
            "price": _s(f.price),
            "qty": _s(f.qty),
            "realizedPnl": _s(f.realized),
            "marginAsset": self.contract.margin_asset,
            "baseQty": _s(self.contract.value(f.qty, f.price)),
            "quoteQty": _s(f.qty * (self.contract.size or 1)),
            "commission": _s(f.commission),
            "commissionAsset": self.contract.margin_asset,
            "time": f.time,
            "positionSide": "BOTH",
            "buyer": f.side == "BUY",
            "maker": f.maker,
        }

    # REST snapshots -----------------------------------------------------------------

    def account_snapshot(self) -> dict[str, Any]:
        """`GET /dapi/v1/account`: the BTC asset and the symbol's position."""
        e = self.economics()
        return {
            "assets": [self._asset()],
            "positions": [
                {
                    **self._position_margins(),
                    "positionAmt": _s(self.position),
                    "isolated": self.isolated,
                    "positionSide": "BOTH",
                    "entryPrice": _s(self.entry_price),
                    "breakEvenPrice": _s(self.entry_price),
                    "maxQty": str(self.max_notional()),
                    "updateTime": self.update_ms,
                    "notionalValue": _s(e.notional),
                }
            ],
            "canDeposit": True,
            "canTrade": True,
            "canWithdraw": True,
            "feeTier": 0,
            "updateTime": self.update_ms,
        }

    def pair_brackets(self) -> dict[str, Any]:
        """The pair's entry of `GET /dapi/v1/leverageBracket` (v1: by pair)."""
        return {"pair": self.pair, "brackets": self.bracket_rows()}
