"""What Binance answers each request of its USD-M Postman collection, played in order on a
fresh account: the expectation table tests/postman/test_collections.py holds the fake to.

One row per request of "Binance Derivatives Trading USDS Futures API" (binance/binance-api-postman),
in the collection's order, which matters: the listenKey keepalive and close come before the
start (no key yet: -1125), the margin type is changed to ISOLATED before Multi-Assets mode is
asked for (-4168), and nothing ever opens an order or a position (every order list is empty).

Each row gives the HTTP status and the answer's shape (tests/postman/expectations.py). The
source is the request's page under `DOCS` (its "Response Example"; for an error, the
parameter the collection leaves empty against the page's "Mandatory" column and the USD-M
error-code page). Where the answer depends on what the fake models rather than on Binance
alone, the row says so and docs/fidelity.md "USD-M REST surface" has the reason. Deviations
from a page's example, each a choice:

- `bookTicker` may carry `lastUpdateId`, which the page's example lacks and the live API sends.
- `GET /fapi/v2/account` has both `feeBurn` and `canTrade`: the page's example puts `canTrade`
  inside `feeBurn`'s comment (a typo), and Binance's own connectors model both.
- The page's example of `leverageBracket` has `notionalCoef`, "only appears when user's
  symbol bracket is adjusted": only the top level of each item is checked, so it is not here.
"""

from __future__ import annotations

from tests.postman.expectations import (
    EMPTY,
    SUCCESS,
    Error,
    Items,
    JsonType,
    Obj,
    Row,
    Rows,
    download_rows,
    listen_key_rows,
)

#: The pages' common prefix; a row's `page` is the rest.
DOCS = "https://developers.binance.com/docs/derivatives/usds-margined-futures/"

#: The order book (and the RPI one).
BOOK = Obj({"lastUpdateId": int, "E": int, "T": int, "bids": list, "asks": list})
#: Recent and old trades.
TRADES = Items(
    {
        "id": int,
        "price": str,
        "qty": str,
        "quoteQty": str,
        "time": int,
        "isBuyerMaker": bool,
        "isRPITrade": bool,
    }
)
#: Price tickers, v1 and v2.
PRICES = Items({"symbol": str, "price": str, "time": int})
#: The three long/short ratio statistics.
RATIOS = Items(
    {"symbol": str, "longShortRatio": str, "longAccount": str, "shortAccount": str, "timestamp": int}
)
#: Balances, v2 and v3.
BALANCES = Items(
    {
        "accountAlias": str,
        "asset": str,
        "balance": str,
        "crossWalletBalance": str,
        "crossUnPnl": str,
        "availableBalance": str,
        "maxWithdrawAmount": str,
        "marginAvailable": bool,
        "updateTime": int,
    }
)
#: The account's totals, v3's whole answer and the end of v2's.
ACCOUNT_TOTALS: dict[str, JsonType] = {
    **dict.fromkeys(
        (
            "totalInitialMargin",
            "totalMaintMargin",
            "totalWalletBalance",
            "totalUnrealizedProfit",
            "totalMarginBalance",
            "totalPositionInitialMargin",
            "totalOpenOrderInitialMargin",
            "totalCrossWalletBalance",
            "totalCrossUnPnl",
            "availableBalance",
            "maxWithdrawAmount",
        ),
        str,
    ),
    "assets": list,
    "positions": list,
}

ROWS: tuple[Row, ...] = (
    Row(
        "Compressed/Aggregate Trades List",
        "GET /fapi/v1/aggTrades",
        200,
        Items({"a": int, "p": str, "q": str, "f": int, "l": int, "T": int, "m": bool}),
        "market-data/rest-api/Compressed-Aggregate-Trades-List",
    ),
    Row(
        "Multi-Assets Mode Asset Index",
        "GET /fapi/v1/assetIndex",
        200,
        Items(
            {
                "symbol": str,
                "time": int,
                "index": str,
                "bidBuffer": str,
                "askBuffer": str,
                "bidRate": str,
                "askRate": str,
                "autoExchangeBidBuffer": str,
                "autoExchangeAskBuffer": str,
                "autoExchangeBidRate": str,
                "autoExchangeAskRate": str,
            }
        ),
        "market-data/rest-api/Multi-Assets-Mode-Asset-Index",
    ),
    Row(
        "Query Index Price Constituents",
        "GET /fapi/v1/constituents",
        200,
        Obj({"symbol": str, "time": int, "constituents": list}),
        "market-data/rest-api/Index-Constituents",
    ),
    Row(
        "Continuous Contract Kline/Candlestick Data",
        "GET /fapi/v1/continuousKlines",
        200,
        Rows(12),
        "market-data/rest-api/Continuous-Contract-Kline-Candlestick-Data",
    ),
    Row(
        "Order Book",
        "GET /fapi/v1/depth",
        200,
        BOOK,
        "market-data/rest-api/Order-Book",
    ),
    Row(
        "Exchange Information",
        "GET /fapi/v1/exchangeInfo",
        200,
        Obj(
            {
                "timezone": str,
                "serverTime": int,
                "futuresType": str,
                "rateLimits": list,
                "exchangeFilters": list,
                "assets": list,
                "symbols": list,
            }
        ),
        "market-data/rest-api/Exchange-Information",
    ),
    Row(
        "Get Funding Rate Info",
        "GET /fapi/v1/fundingInfo",
        200,
        Items(
            {
                "symbol": str,
                "adjustedFundingRateCap": str,
                "adjustedFundingRateFloor": str,
                "fundingIntervalHours": int,
                "disclaimer": bool,
            }
        ),
        "market-data/rest-api/Get-Funding-Rate-Info",
    ),
    Row(
        "Get Funding Rate History",
        "GET /fapi/v1/fundingRate",
        200,
        Items({"symbol": str, "fundingTime": int, "fundingRate": str, "markPrice": str}),
        "market-data/rest-api/Get-Funding-Rate-History",
    ),
    Row(
        "Old Trades Lookup (MARKET_DATA)",
        "GET /fapi/v1/historicalTrades",
        200,
        TRADES,
        "market-data/rest-api/Old-Trades-Lookup",
    ),
    Row(
        "Composite Index Symbol Information",
        "GET /fapi/v1/indexInfo",
        200,
        EMPTY,
        "market-data/rest-api/Composite-Index-Symbol-Information",
        "the fake lists no composite index (fidelity: market data)",
    ),
    Row(
        "Index Price Kline/Candlestick Data",
        "GET /fapi/v1/indexPriceKlines",
        200,
        Rows(12),
        "market-data/rest-api/Index-Price-Kline-Candlestick-Data",
    ),
    Row(
        "Query Insurance Fund Balance Snapshot",
        "GET /fapi/v1/insuranceBalance",
        200,
        Items({"symbols": list, "assets": list}),
        "market-data/rest-api/Insurance-Fund-Balance",
    ),
    Row(
        "Kline/Candlestick Data",
        "GET /fapi/v1/klines",
        200,
        Rows(12),
        "market-data/rest-api/Kline-Candlestick-Data",
    ),
    Row(
        "Mark Price Kline/Candlestick Data",
        "GET /fapi/v1/markPriceKlines",
        200,
        Rows(12),
        "market-data/rest-api/Mark-Price-Kline-Candlestick-Data",
    ),
    Row(
        "Open Interest",
        "GET /fapi/v1/openInterest",
        200,
        Obj({"openInterest": str, "symbol": str, "time": int}),
        "market-data/rest-api/Open-Interest",
    ),
    Row("Test Connectivity", "GET /fapi/v1/ping", 200, Obj({}), "market-data/rest-api/Test-Connectivity"),
    Row(
        "Mark Price",
        "GET /fapi/v1/premiumIndex",
        200,
        Items(
            {
                "symbol": str,
                "markPrice": str,
                "indexPrice": str,
                "estimatedSettlePrice": str,
                "lastFundingRate": str,
                "interestRate": str,
                "nextFundingTime": int,
                "time": int,
            }
        ),
        "market-data/rest-api/Mark-Price",
    ),
    Row(
        "Premium index Kline Data",
        "GET /fapi/v1/premiumIndexKlines",
        200,
        Rows(12),
        "market-data/rest-api/Premium-Index-Kline-Data",
    ),
    Row(
        "RPI Order Book",
        "GET /fapi/v1/rpiDepth",
        200,
        BOOK,
        "market-data/rest-api/Order-Book-RPI",
    ),
    Row(
        "ADL Risk",
        "GET /fapi/v1/symbolAdlRisk",
        200,
        Items({"symbol": str, "adlRisk": str, "updateTime": int}),
        "market-data/rest-api/ADL-Risk",
    ),
    Row(
        "24hr Ticker Price Change Statistics",
        "GET /fapi/v1/ticker/24hr",
        200,
        Items(
            {
                "symbol": str,
                "priceChange": str,
                "priceChangePercent": str,
                "weightedAvgPrice": str,
                "lastPrice": str,
                "lastQty": str,
                "openPrice": str,
                "highPrice": str,
                "lowPrice": str,
                "volume": str,
                "quoteVolume": str,
                "openTime": int,
                "closeTime": int,
                "firstId": int,
                "lastId": int,
                "count": int,
            }
        ),
        "market-data/rest-api/24hr-Ticker-Price-Change-Statistics",
    ),
    Row(
        "Symbol Order Book Ticker",
        "GET /fapi/v1/ticker/bookTicker",
        200,
        Items(
            {"symbol": str, "bidPrice": str, "bidQty": str, "askPrice": str, "askQty": str, "time": int},
            optional={"lastUpdateId": int},
        ),
        "market-data/rest-api/Symbol-Order-Book-Ticker",
    ),
    Row(
        "Symbol Price Ticker",
        "GET /fapi/v1/ticker/price",
        200,
        PRICES,
        "market-data/rest-api/Symbol-Price-Ticker",
    ),
    Row(
        "Check Server Time",
        "GET /fapi/v1/time",
        200,
        Obj({"serverTime": int}),
        "market-data/rest-api/Check-Server-Time",
    ),
    Row(
        "Recent Trades List",
        "GET /fapi/v1/trades",
        200,
        TRADES,
        "market-data/rest-api/Recent-Trades-List",
    ),
    Row(
        "Trading Schedule",
        "GET /fapi/v1/tradingSchedule",
        200,
        Obj({"updateTime": int, "marketSchedules": dict}),
        "market-data/rest-api/Trading-Schedule",
    ),
    Row(
        "Symbol Price Ticker V2",
        "GET /fapi/v2/ticker/price",
        200,
        PRICES,
        "market-data/rest-api/Symbol-Price-Ticker-v2",
    ),
    Row(
        "Basis",
        "GET /futures/data/basis",
        200,
        Items(
            {
                "indexPrice": str,
                "contractType": str,
                "basisRate": str,
                "futuresPrice": str,
                "annualizedBasisRate": str,
                "basis": str,
                "pair": str,
                "timestamp": int,
            }
        ),
        "market-data/rest-api/Basis",
    ),
    Row(
        "Quarterly Contract Settlement Price",
        "GET /futures/data/delivery-price",
        200,
        EMPTY,
        "market-data/rest-api/Delivery-Price",
        "the fake lists no quarterly contract (fidelity: market data)",
    ),
    Row(
        "Long/Short Ratio",
        "GET /futures/data/globalLongShortAccountRatio",
        200,
        RATIOS,
        "market-data/rest-api/Long-Short-Ratio",
    ),
    Row(
        "Open Interest Statistics",
        "GET /futures/data/openInterestHist",
        200,
        Items(
            {
                "symbol": str,
                "sumOpenInterest": str,
                "sumOpenInterestValue": str,
                "CMCCirculatingSupply": str,
                "timestamp": int,
            }
        ),
        "market-data/rest-api/Open-Interest-Statistics",
    ),
    Row(
        "Taker Buy/Sell Volume",
        "GET /futures/data/takerlongshortRatio",
        200,
        Items({"buySellRatio": str, "buyVol": str, "sellVol": str, "timestamp": int}),
        "market-data/rest-api/Taker-BuySell-Volume",
    ),
    Row(
        "Top Trader Long/Short Account Ratio (MARKET_DATA)",
        "GET /futures/data/topLongShortAccountRatio",
        200,
        RATIOS,
        "market-data/rest-api/Top-Long-Short-Account-Ratio",
    ),
    Row(
        "Top Trader Long/Short Position Ratio (MARKET_DATA)",
        "GET /futures/data/topLongShortPositionRatio",
        200,
        RATIOS,
        "market-data/rest-api/Top-Trader-Long-Short-Ratio",
    ),
    Row(
        "Position ADL Quantile Estimation (USER_DATA)",
        "GET /fapi/v1/adlQuantile",
        200,
        EMPTY,
        "trade/rest-api/Position-ADL-Quantile-Estimation",
    ),
    Row(
        "Cancel All Algo Open Orders (TRADE)",
        "DELETE /fapi/v1/algoOpenOrders",
        200,
        SUCCESS,
        "trade/rest-api/Cancel-All-Algo-Open-Orders",
    ),
    Row(
        "Cancel Algo Order (TRADE)",
        "DELETE /fapi/v1/algoOrder",
        400,
        Error(-1102),
        "trade/rest-api/Cancel-Algo-Order",
    ),
    Row(
        "New Algo Order (TRADE)",
        "POST /fapi/v1/algoOrder",
        400,
        Error(-1121),
        "trade/rest-api/New-Algo-Order",
        "the fake lists one symbol, so the collection's BNBUSDT is unknown (fidelity: one symbol)",
    ),
    Row(
        "Query Algo Order (USER_DATA)",
        "GET /fapi/v1/algoOrder",
        400,
        Error(-1102),
        "trade/rest-api/Query-Algo-Order",
    ),
    Row(
        "Query All Algo Orders (USER_DATA)",
        "GET /fapi/v1/allAlgoOrders",
        200,
        EMPTY,
        "trade/rest-api/Query-All-Algo-Orders",
    ),
    Row(
        "Cancel All Open Orders (TRADE)",
        "DELETE /fapi/v1/allOpenOrders",
        200,
        SUCCESS,
        "trade/rest-api/Cancel-All-Open-Orders",
    ),
    Row("All Orders (USER_DATA)", "GET /fapi/v1/allOrders", 200, EMPTY, "trade/rest-api/All-Orders"),
    Row(
        "Cancel Multiple Orders (TRADE)",
        "DELETE /fapi/v1/batchOrders",
        400,
        Error(-1102),
        "trade/rest-api/Cancel-Multiple-Orders",
    ),
    Row(
        "Modify Multiple Orders (TRADE)",
        "PUT /fapi/v1/batchOrders",
        400,
        Error(-1102),
        "trade/rest-api/Modify-Multiple-Orders",
    ),
    Row(
        "Place Multiple Orders (TRADE)",
        "POST /fapi/v1/batchOrders",
        400,
        Error(-1102),
        "trade/rest-api/Place-Multiple-Orders",
    ),
    Row(
        "Auto-Cancel All Open Orders (TRADE)",
        "POST /fapi/v1/countdownCancelAll",
        200,
        Obj({"symbol": str, "countdownTime": str}),
        "trade/rest-api/Auto-Cancel-All-Open-Orders",
    ),
    Row(
        "User's Force Orders (USER_DATA)",
        "GET /fapi/v1/forceOrders",
        200,
        EMPTY,
        "trade/rest-api/Users-Force-Orders",
        "the fake never liquidates (fidelity: trading settings)",
    ),
    Row(
        "Change Initial Leverage (TRADE)",
        "POST /fapi/v1/leverage",
        200,
        Obj({"leverage": int, "maxNotionalValue": str, "symbol": str}),
        "trade/rest-api/Change-Initial-Leverage",
    ),
    Row(
        "Change Margin Type (TRADE)",
        "POST /fapi/v1/marginType",
        200,
        SUCCESS,
        "trade/rest-api/Change-Margin-Type",
    ),
    Row(
        "Change Multi-Assets Mode (TRADE)",
        "POST /fapi/v1/multiAssetsMargin",
        400,
        Error(-4168),
        "trade/rest-api/Change-Multi-Assets-Mode",
        "the margin type was just set to ISOLATED (fidelity: multiAssetsMargin -4168)",
    ),
    Row(
        "Current All Algo Open Orders (USER_DATA)",
        "GET /fapi/v1/openAlgoOrders",
        200,
        EMPTY,
        "trade/rest-api/Current-All-Algo-Open-Orders",
    ),
    Row(
        "Query Current Open Order (USER_DATA)",
        "GET /fapi/v1/openOrder",
        400,
        Error(-1102),
        "trade/rest-api/Query-Current-Open-Order",
    ),
    Row(
        "Current All Open Orders (USER_DATA)",
        "GET /fapi/v1/openOrders",
        200,
        EMPTY,
        "trade/rest-api/Current-All-Open-Orders",
    ),
    Row("Cancel Order (TRADE)", "DELETE /fapi/v1/order", 400, Error(-1102), "trade/rest-api/Cancel-Order"),
    Row("Modify Order (TRADE)", "PUT /fapi/v1/order", 400, Error(-1102), "trade/rest-api/Modify-Order"),
    Row("New Order (TRADE)", "POST /fapi/v1/order", 400, Error(-1102), "trade/rest-api/New-Order"),
    Row("Query Order (USER_DATA)", "GET /fapi/v1/order", 400, Error(-1102), "trade/rest-api/Query-Order"),
    Row("Test Order (TRADE)", "POST /fapi/v1/order/test", 400, Error(-1102), "trade/rest-api/New-Order-Test"),
    Row(
        "Get Order Modify History (USER_DATA)",
        "GET /fapi/v1/orderAmendment",
        200,
        EMPTY,
        "trade/rest-api/Get-Order-Modify-History",
    ),
    Row(
        "Modify Isolated Position Margin (TRADE)",
        "POST /fapi/v1/positionMargin",
        400,
        Error(-4051),
        "trade/rest-api/Modify-Isolated-Position-Margin",
        "no position, so no isolated margin to add to (fidelity: position economics)",
    ),
    Row(
        "Get Position Margin Change History (TRADE)",
        "GET /fapi/v1/positionMargin/history",
        200,
        EMPTY,
        "trade/rest-api/Get-Position-Margin-Change-History",
    ),
    Row(
        "Change Position Mode (TRADE)",
        "POST /fapi/v1/positionSide/dual",
        200,
        SUCCESS,
        "trade/rest-api/Change-Position-Mode",
    ),
    Row(
        "Futures TradFi Perps Contract (USER_DATA)",
        "POST /fapi/v1/stock/contract",
        200,
        SUCCESS,
        "trade/rest-api/TradFi-Perps",
    ),
    Row(
        "Account Trade List (USER_DATA)",
        "GET /fapi/v1/userTrades",
        200,
        EMPTY,
        "trade/rest-api/Account-Trade-List",
    ),
    Row(
        "Position Information V2 (USER_DATA)",
        "GET /fapi/v2/positionRisk",
        200,
        Items(
            {
                "symbol": str,
                "positionAmt": str,
                "entryPrice": str,
                "breakEvenPrice": str,
                "markPrice": str,
                "unRealizedProfit": str,
                "liquidationPrice": str,
                "leverage": str,
                "maxNotionalValue": str,
                "marginType": str,
                "isolatedMargin": str,
                "isAutoAddMargin": str,
                "positionSide": str,
                "notional": str,
                "isolatedWallet": str,
                "updateTime": int,
            }
        ),
        "trade/rest-api/Position-Information-V2",
    ),
    Row(
        "Position Information V3 (USER_DATA)",
        "GET /fapi/v3/positionRisk",
        200,
        EMPTY,
        "trade/rest-api/Position-Information-V3",
    ),
    Row(
        "Classic Portfolio Margin Account Information (USER_DATA)",
        "GET /fapi/v1/pmAccountInfo",
        200,
        Obj({"maxWithdrawAmountUSD": str, "asset": str, "maxWithdrawAmount": str}),
        "portfolio-margin-endpoints",
    ),
    *listen_key_rows("/fapi/v1/listenKey"),
    Row(
        "Accept the offered quote (USER_DATA)",
        "POST /fapi/v1/convert/acceptQuote",
        400,
        Error(-1130),
        "convert/Accept-Quote",
        "quote id 1 was never given (fidelity: unmodelled routes, Convert)",
    ),
    Row(
        "List All Convert Pairs",
        "GET /fapi/v1/convert/exchangeInfo",
        200,
        Items(
            {
                "fromAsset": str,
                "toAsset": str,
                "fromAssetMinAmount": str,
                "fromAssetMaxAmount": str,
                "toAssetMinAmount": str,
                "toAssetMaxAmount": str,
            }
        ),
        "convert",
    ),
    Row(
        "Send Quote Request (USER_DATA)",
        "POST /fapi/v1/convert/getQuote",
        400,
        Error(-1102),
        "convert/Send-quote-request",
    ),
    Row(
        "Order status (USER_DATA)",
        "GET /fapi/v1/convert/orderStatus",
        400,
        Error(-1102),
        "convert/Order-Status",
    ),
    Row(
        "Futures Account Configuration (USER_DATA)",
        "GET /fapi/v1/accountConfig",
        200,
        Obj(
            {
                "feeTier": int,
                "canTrade": bool,
                "canDeposit": bool,
                "canWithdraw": bool,
                "dualSidePosition": bool,
                "updateTime": int,
                "multiAssetsMargin": bool,
                "tradeGroupId": int,
            }
        ),
        "account/rest-api/Account-Config",
    ),
    Row(
        "Futures Trading Quantitative Rules Indicators (USER_DATA)",
        "GET /fapi/v1/apiTradingStatus",
        200,
        Obj({"indicators": dict, "updateTime": int}),
        "account/rest-api/Futures-Trading-Quantitative-Rules-Indicators",
    ),
    Row(
        "User Commission Rate (USER_DATA)",
        "GET /fapi/v1/commissionRate",
        200,
        Obj({"symbol": str, "makerCommissionRate": str, "takerCommissionRate": str}),
        "account/rest-api/User-Commission-Rate",
    ),
    Row(
        "Get BNB Burn Status (USER_DATA)",
        "GET /fapi/v1/feeBurn",
        200,
        Obj({"feeBurn": bool}),
        "account/rest-api/Get-BNB-Burn-Status",
    ),
    Row(
        "Toggle BNB Burn On Futures Trade (TRADE)",
        "POST /fapi/v1/feeBurn",
        200,
        SUCCESS,
        "account/rest-api/Toggle-BNB-Burn-On-Futures-Trade",
    ),
    Row(
        "Get Income History (USER_DATA)",
        "GET /fapi/v1/income",
        200,
        EMPTY,
        "account/rest-api/Get-Income-History",
    ),
    *download_rows("/fapi/v1", "income", "Transaction History", "Transaction History"),
    Row(
        "Notional and Leverage Brackets (USER_DATA)",
        "GET /fapi/v1/leverageBracket",
        200,
        Items({"symbol": str, "brackets": list}),
        "account/rest-api/Notional-and-Leverage-Brackets",
    ),
    Row(
        "Get Current Multi-Assets Mode (USER_DATA)",
        "GET /fapi/v1/multiAssetsMargin",
        200,
        Obj({"multiAssetsMargin": bool}),
        "account/rest-api/Get-Current-Multi-Assets-Mode",
    ),
    *download_rows("/fapi/v1", "order", "Order History", "Order History"),
    Row(
        "Get Current Position Mode (USER_DATA)",
        "GET /fapi/v1/positionSide/dual",
        200,
        Obj({"dualSidePosition": bool}),
        "account/rest-api/Get-Current-Position-Mode",
    ),
    Row(
        "Query User Rate Limit (USER_DATA)",
        "GET /fapi/v1/rateLimit/order",
        200,
        Items({"rateLimitType": str, "interval": str, "intervalNum": int, "limit": int}),
        "account/rest-api/Query-Rate-Limit",
    ),
    Row(
        "Symbol Configuration (USER_DATA)",
        "GET /fapi/v1/symbolConfig",
        200,
        Items(
            {
                "symbol": str,
                "marginType": str,
                "isAutoAddMargin": str,
                "leverage": int,
                "maxNotionalValue": str,
            }
        ),
        "account/rest-api/Symbol-Config",
    ),
    *download_rows("/fapi/v1", "trade", "Trade History", "Trade"),
    Row(
        "Account Information V2 (USER_DATA)",
        "GET /fapi/v2/account",
        200,
        Obj(
            {
                "feeTier": int,
                "feeBurn": bool,
                "canTrade": bool,
                "canDeposit": bool,
                "canWithdraw": bool,
                "updateTime": int,
                "multiAssetsMargin": bool,
                "tradeGroupId": int,
                **ACCOUNT_TOTALS,
            }
        ),
        "account/rest-api/Account-Information-V2",
    ),
    Row(
        "Futures Account Balance V2 (USER_DATA)",
        "GET /fapi/v2/balance",
        200,
        BALANCES,
        "account/rest-api/Futures-Account-Balance-V2",
    ),
    Row(
        "Account Information V3 (USER_DATA)",
        "GET /fapi/v3/account",
        200,
        Obj(ACCOUNT_TOTALS),
        "account/rest-api/Account-Information-V3",
    ),
    Row(
        "Futures Account Balance V3 (USER_DATA)",
        "GET /fapi/v3/balance",
        200,
        BALANCES,
        "account/rest-api/Futures-Account-Balance-V3",
    ),
)
