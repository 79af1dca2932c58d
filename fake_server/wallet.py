"""The `sapi` host's lists ccxt reads at start-up: the wallet's coins and the margin pairs.

ccxt's binance classes (binanceusdm included) load currencies before markets whenever an API
key is set: `load_markets` calls `fetch_currencies` (ccxt 4.5.90
`async_support/base/exchange.py:321-334`), which calls `GET /sapi/v1/capital/config/getall`
(SIGNED) and, with its default option `fetchMargins: true`, `GET /sapi/v1/margin/allPairs`
(`async_support/binance.py:3157-3193`, the option at `:1386`). If either fails,
`load_markets` fails, and with it `watch_orders`. The fake serves every Binance host on one
port, so a client pointed at it for all hosts sends these calls here.

Shapes and weights: Binance's "All Coins' Information (USER_DATA)" page (weight 10) and "Get
All Cross Margin Pairs (MARKET_DATA)" (weight 1, API key only). The fake lists the coins of
its one symbol with one network each, and that symbol as the one margin pair; `free` and
`locked` are the spot account's balances on the spot profile and 0 elsewhere (the futures
profiles model no spot wallet).
"""

from __future__ import annotations

from typing import Any

from fake_server.account import Account
from fake_server.spot_account import SpotAccount

#: Display names of the coins the fake's symbols use.
NAMES = {"BTC": "Bitcoin", "USDT": "TetherUS", "ETH": "Ethereum", "BNB": "BNB"}


def coin(asset: str, free: str = "0", locked: str = "0") -> dict[str, Any]:
    """One entry of the coin list, with one network (the coin's own chain)."""
    return {
        "coin": asset,
        "depositAllEnable": True,
        "withdrawAllEnable": True,
        "name": NAMES.get(asset, asset),
        "free": free,
        "locked": locked,
        "freeze": "0",
        "withdrawing": "0",
        "ipoing": "0",
        "ipoable": "0",
        "storage": "0",
        "isLegalMoney": False,
        "trading": True,
        "networkList": [
            {
                "network": asset,
                "coin": asset,
                "withdrawIntegerMultiple": "0.00000001",
                "isDefault": True,
                "depositEnable": True,
                "withdrawEnable": True,
                "depositDesc": "",
                "withdrawDesc": "",
                "specialTips": "",
                "specialWithdrawTips": "",
                "name": NAMES.get(asset, asset),
                "resetAddressStatus": False,
                "addressRegex": "^[0-9A-Za-z]{26,62}$",
                "memoRegex": "",
                "withdrawFee": "0",
                "withdrawMin": "0",
                "withdrawMax": "9999999999",
                "withdrawInternalMin": "0",
                "depositDust": "0",
                "minConfirm": 1,
                "unLockConfirm": 0,
                "sameAddress": False,
                "withdrawTag": False,
                "estimatedArrivalTime": 1,
                "busy": False,
                "contractAddressUrl": "",
                "contractAddress": "",
            }
        ],
    }


def _base(account: Account | SpotAccount) -> str:
    return account.symbol.removesuffix("USDT").removesuffix("USD_PERP")


def coins(account: Account | SpotAccount) -> list[dict[str, Any]]:
    """The coin list of the account's symbol: the spot balances where there are some."""
    if isinstance(account, SpotAccount):
        return [coin(b["asset"], b["free"], b["locked"]) for b in account.account_snapshot()["balances"]]
    return [coin(_base(account)), coin("USDT")]


def margin_pairs(account: Account | SpotAccount) -> list[dict[str, Any]]:
    """`GET /sapi/v1/margin/allPairs`: the symbol as a cross-margin pair (quoted in USDT)."""
    base = _base(account)
    return [
        {
            "base": base,
            "id": 351637150141315861,
            "isBuyAllowed": True,
            "isMarginTrade": True,
            "isSellAllowed": True,
            "quote": "USDT",
            "symbol": f"{base}USDT",
        }
    ]
