"""USD-M account routes that read the fake account: its configuration, fees, income,
limits, and the asynchronous history downloads (pure).

Income rows come from the account's own fills (a COMMISSION row per fill, a REALIZED_PNL row
per fill that closed some position), so they add up to the wallet's changes. The download
routes (`income/asyn`, `order/asyn`, `trade/asyn`) hand out an id the `/id` routes know;
the fake has no file to link, so a download is "completed" with an empty `url`.
"""

from __future__ import annotations

from typing import Any, Protocol

from fake_server.exchange import binance_errors, rest_params
from fake_server.exchange.account import Account
from fake_server.exchange.orders import OrderRejected, check_symbol
from fake_server.exchange.rest_call import Call, RestAnswer

INCOME_TYPES = frozenset(
    {
        "TRANSFER",
        "WELCOME_BONUS",
        "REALIZED_PNL",
        "FUNDING_FEE",
        "COMMISSION",
        "INSURANCE_CLEAR",
        "REFERRAL_KICKBACK",
        "COMMISSION_REBATE",
        "API_REBATE",
        "CONTEST_REWARD",
        "CROSS_COLLATERAL_TRANSFER",
        "OPTIONS_PREMIUM_FEE",
        "OPTIONS_SETTLE_PROFIT",
        "INTERNAL_TRANSFER",
        "AUTO_EXCHANGE",
        "DELIVERED_SETTELMENT",
        "COIN_SWAP_DEPOSIT",
        "COIN_SWAP_WITHDRAW",
        "POSITION_LIMIT_INCREASE_FEE",
        "STRATEGY_UMFUTURES_TRANSFER",
        "FEE_RETURN",
        "BFUSD_REWARD",
    }
)
#: The ORDERS limits of exchangeInfo (GET rateLimit/order lists them).
ORDER_LIMITS = [
    {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 300},
    {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 1200},
]
#: A download's time range may not be longer than a year (the download pages).
YEAR_MS = 365 * 86_400_000
WEEK_MS = 7 * 86_400_000


class AccountBackend(Protocol):
    @property
    def futures_account(self) -> Account: ...
    def now_ms(self) -> int: ...


class AccountReads:
    def __init__(self, backend: AccountBackend) -> None:
        self.b = backend
        self._downloads: dict[str, int] = {}

    @property
    def account(self) -> Account:
        return self.b.futures_account

    def config(self, call: Call) -> RestAnswer:
        a = self.account
        return 200, {
            "feeTier": 0,
            "canTrade": True,
            "canDeposit": True,
            "canWithdraw": True,
            "dualSidePosition": a.dual_side,
            "updateTime": 0,
            "multiAssetsMargin": a.multi_assets,
            "tradeGroupId": -1,
        }

    def symbol_config(self, call: Call) -> RestAnswer:
        rest_params.symbol(call.query, self.account.symbol, mandatory=False)
        a = self.account
        return 200, [
            {
                "symbol": a.symbol,
                "marginType": a.margin_type_name,
                "isAutoAddMargin": "false",
                "leverage": a.leverage,
                "maxNotionalValue": str(a.max_notional()),
            }
        ]

    def commission_rate(self, call: Call) -> RestAnswer:
        check_symbol(call.query, self.account.symbol)
        return 200, {
            "symbol": self.account.symbol,
            "makerCommissionRate": format(self.account.contract.maker_fee, "f"),
            "takerCommissionRate": format(self.account.contract.taker_fee, "f"),
        }

    def trading_status(self, call: Call) -> RestAnswer:
        """No quantitative-rules indicator has tripped: an empty `indicators`."""
        rest_params.symbol(call.query, self.account.symbol, mandatory=False)
        return 200, {"indicators": {}, "updateTime": self.b.now_ms()}

    def get_fee_burn(self, call: Call) -> RestAnswer:
        return 200, {"feeBurn": self.account.fee_burn}

    def set_fee_burn(self, call: Call) -> RestAnswer:
        value = rest_params.choice(call.query, "feeBurn", ("true", "false"))
        self.account.fee_burn = value == "true"
        return 200, {"code": 200, "msg": "success"}

    def order_rate_limits(self, call: Call) -> RestAnswer:
        return 200, ORDER_LIMITS

    def multi_assets_mode(self, call: Call) -> RestAnswer:
        return 200, {"multiAssetsMargin": self.account.multi_assets}

    def position_mode(self, call: Call) -> RestAnswer:
        return 200, {"dualSidePosition": self.account.dual_side}

    def income(self, call: Call) -> RestAnswer:
        """The account's income: the last 7 days unless a window is sent, at most `limit`
        (default 100, max 1000), oldest first."""
        rest_params.symbol(call.query, self.account.symbol, mandatory=False)
        kind = call.query.get("incomeType") or None
        if kind is not None and kind not in INCOME_TYPES:
            raise OrderRejected(binance_errors.invalid_param("incomeType"))
        limit = rest_params.limit(call.query, 100, 1000)
        now = self.b.now_ms()
        start = rest_params.number(call.query, "startTime")
        end = rest_params.number(call.query, "endTime")
        low = start if start is not None else (end if end is not None else now) - WEEK_MS
        high = end if end is not None else now
        rows = [
            r
            for r in self._income_rows()
            if low <= r["time"] <= high and (kind is None or r["incomeType"] == kind)
        ]
        return 200, rows[:limit]

    def _income_rows(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for f in self.account.fills:
            base = {
                "symbol": self.account.symbol,
                "asset": self.account.contract.margin_asset,
                "info": "",
                "time": f.time,
                "tradeId": str(f.trade_id),
            }
            if f.realized:
                rows.append(
                    {
                        **base,
                        "incomeType": "REALIZED_PNL",
                        "income": format(f.realized, "f"),
                        "tranId": f.trade_id * 10,
                    }
                )
            rows.append(
                {
                    **base,
                    "incomeType": "COMMISSION",
                    "income": format(-f.commission, "f"),
                    "tranId": f.trade_id * 10 + 1,
                }
            )
        return rows

    # Downloads --------------------------------------------------------------------------

    def start_download(self, call: Call) -> RestAnswer:
        start = rest_params.number(call.query, "startTime")
        end = rest_params.number(call.query, "endTime")
        if start is None:
            raise OrderRejected(binance_errors.mandatory_parameter("startTime"))
        if end is None:
            raise OrderRejected(binance_errors.mandatory_parameter("endTime"))
        if end < start or end - start > YEAR_MS:
            raise OrderRejected(binance_errors.invalid_param("endTime"))
        download_id = str(700_000_000_000_000_000 + len(self._downloads) + 1)
        self._downloads[download_id] = self.b.now_ms()
        return 200, {"avgCostTimestampOfLast30d": 7241837, "downloadId": download_id}

    def download(self, call: Call) -> RestAnswer:
        download_id = rest_params.required(call.query, "downloadId")
        started = self._downloads.get(download_id)
        if started is None:
            raise OrderRejected(binance_errors.invalid_param("downloadId"))
        return 200, {
            "downloadId": download_id,
            "status": "completed",
            "url": "",
            "s3Link": None,
            "notified": True,
            "expirationTimestamp": started + WEEK_MS,
            "isExpired": None,
        }
