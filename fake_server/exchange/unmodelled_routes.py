"""USD-M routes Binance serves that the fake does not model, answered as Binance answers
an account that has nothing there (pure).

Not a 404: a client that calls these must meet Binance's shapes and refusals, not a path
error Binance never gives. So each checks its mandatory parameters and symbol like Binance,
then answers for an account without the feature's state (docs/fidelity.md "Unmodelled
routes" gives each answer and its source):
- Algo (conditional) orders: none exist, so lists are empty, one by id is -2013 (-2011 to
  cancel), and placing one is refused -1116 "Invalid orderType.": the fake supports no
  conditional type;
- Convert: the pair list is the symbol's; quotes are not offered (-1102 without an amount;
  -1130 for any quote id, none having been given);
- the portfolio-margin account info of a classic account: zeros;
- the TradFi-perps agreement (`stock/contract`): signed as accepted.
"""

from __future__ import annotations

from typing import Protocol

from fake_server.exchange import binance_errors, rest_params
from fake_server.exchange.account import Account
from fake_server.exchange.orders import OrderRejected, check_symbol
from fake_server.exchange.rest_call import Call, RestAnswer


class UnmodelledBackend(Protocol):
    @property
    def futures_account(self) -> Account: ...


def _algo_ref(call: Call) -> None:
    if not call.query.get("algoId") and not call.query.get("clientAlgoId"):
        raise OrderRejected(binance_errors.either_param("algoId", "clientAlgoId"))


class Unmodelled:
    def __init__(self, backend: UnmodelledBackend) -> None:
        self.b = backend

    @property
    def symbol(self) -> str:
        return self.b.futures_account.symbol

    # Algo orders ---------------------------------------------------------------------

    def place_algo(self, call: Call) -> RestAnswer:
        rest_params.choice(call.query, "algoType", ("CONDITIONAL",))
        check_symbol(call.query, self.symbol)
        rest_params.choice(call.query, "side", ("BUY", "SELL"))
        rest_params.required(call.query, "type")
        return 400, binance_errors.error(-1116, "Invalid orderType.")

    def query_algo(self, call: Call) -> RestAnswer:
        _algo_ref(call)
        return binance_errors.order_does_not_exist()

    def cancel_algo(self, call: Call) -> RestAnswer:
        _algo_ref(call)
        return binance_errors.unknown_order_sent()

    def cancel_all_algo(self, call: Call) -> RestAnswer:
        check_symbol(call.query, self.symbol)
        return 200, {"code": 200, "msg": "The operation of cancel all open order is done."}

    def open_algo(self, call: Call) -> RestAnswer:
        rest_params.symbol(call.query, self.symbol, mandatory=False)
        return 200, []

    def all_algo(self, call: Call) -> RestAnswer:
        check_symbol(call.query, self.symbol)
        return 200, []

    # Convert -------------------------------------------------------------------------

    def convert_pairs(self, call: Call) -> RestAnswer:
        base = self.symbol.removesuffix("USDT")
        pairs = [
            {
                "fromAsset": base,
                "toAsset": "USDT",
                "fromAssetMinAmount": "0.0004",
                "fromAssetMaxAmount": "50",
                "toAssetMinAmount": "20",
                "toAssetMaxAmount": "2500000",
            },
            {
                "fromAsset": "USDT",
                "toAsset": base,
                "fromAssetMinAmount": "20",
                "fromAssetMaxAmount": "2500000",
                "toAssetMinAmount": "0.0004",
                "toAssetMaxAmount": "50",
            },
        ]
        wanted_from, wanted_to = call.query.get("fromAsset"), call.query.get("toAsset")
        return 200, [
            p
            for p in pairs
            if (not wanted_from or p["fromAsset"] == wanted_from)
            and (not wanted_to or p["toAsset"] == wanted_to)
        ]

    def quote(self, call: Call) -> RestAnswer:
        rest_params.required(call.query, "fromAsset")
        rest_params.required(call.query, "toAsset")
        if not call.query.get("fromAmount") and not call.query.get("toAmount"):
            raise OrderRejected(binance_errors.either_param("fromAmount", "toAmount"))
        return binance_errors.invalid_param("fromAsset")

    def accept_quote(self, call: Call) -> RestAnswer:
        rest_params.required(call.query, "quoteId")
        return binance_errors.invalid_param("quoteId")

    def convert_status(self, call: Call) -> RestAnswer:
        if not call.query.get("orderId") and not call.query.get("quoteId"):
            raise OrderRejected(binance_errors.either_param("orderId", "quoteId"))
        return binance_errors.order_does_not_exist()

    # Others ---------------------------------------------------------------------------

    def pm_account_info(self, call: Call) -> RestAnswer:
        asset = rest_params.required(call.query, "asset")
        return 200, {"maxWithdrawAmountUSD": "0", "asset": asset, "maxWithdrawAmount": "0"}

    def stock_contract(self, call: Call) -> RestAnswer:
        return 200, {"code": 200, "msg": "success"}
