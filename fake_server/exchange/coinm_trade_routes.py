"""COIN-M trading and account routes: USD-M's (trade_routes.py, account_routes.py) on the
COIN-M account, where the COIN-M pages differ (pure).

The account (coinm_account.py) already answers in COIN-M's shapes (orders, trades, leverage
`maxQty`, BTC amounts); here are only the parameters and lists that differ:
- Account Trade List takes a `symbol` or a `pair` ("Either symbol or pair must be sent");
- Get Income History's `tranId` is a string (its page's example, "9689322392");
- the brackets are listed by pair (`GET /dapi/v1/leverageBracket`, the "Notional Bracket for
  Pair" page) or by symbol (`GET /dapi/v2/leverageBracket`), each a list, in base-asset
  quantities (`qtyCap`, `qtylFloor`); a pair or symbol the fake does not list is -1121.
"""

from __future__ import annotations

from typing import Any

from fake_server.exchange import rest_params
from fake_server.exchange.account_routes import AccountReads
from fake_server.exchange.coinm_account import CoinmAccount
from fake_server.exchange.rest_call import Call, RestAnswer
from fake_server.exchange.trade_routes import Trading


class CoinmTrading(Trading):
    def _check_market(self, params: dict[str, str]) -> None:
        rest_params.symbol_or_pair(params, self.account.symbol, self.account.pair)


class CoinmAccountReads(AccountReads):
    @property
    def coinm_account(self) -> CoinmAccount:
        account = self.account
        assert isinstance(account, CoinmAccount)
        return account

    def _income_rows(self) -> list[dict[str, Any]]:
        return [{**row, "tranId": str(row["tranId"])} for row in super()._income_rows()]

    def pair_brackets(self, call: Call) -> RestAnswer:
        rest_params.symbol(call.query, self.account.pair, name="pair", mandatory=False)
        return 200, [self.coinm_account.pair_brackets()]

    def symbol_brackets(self, call: Call) -> RestAnswer:
        rest_params.symbol(call.query, self.account.symbol, mandatory=False)
        return 200, [self.account.leverage_brackets()]
