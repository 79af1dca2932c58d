"""What Binance answers each request of its COIN-M Postman collection, played in order on a
fresh account: the expectation table tests/postman/test_collections.py holds the fake to.

One row per request of "Binance Derivatives Trading COIN Futures API" (binance/binance-api-postman),
in the collection's order, which matters: the listenKey keepalive and close come before the
start (no key yet: -1125), hedge mode is switched on before the position mode is read, and
nothing ever opens an order or a position (every order list is empty).

Each row gives the HTTP status and the answer's shape (tests/postman/expectations.py). The
source is the request's page under `DOCS` (its "Response Example"; for an error, the
parameter the collection sends against the page's "Request Parameters" and the COIN-M
error-code page). Many of the collection's requests name a market Binance does not list:
`symbol_example` and `pair_example` (placeholders), BTCUSD_200626 and BTCUSD_200925 (quarterly
contracts delivered in 2020), BTCUSDT (a USD-M symbol), or BTCUSD as a `symbol` (it is the
pair of BTCUSD_PERP): those answer -1121 "Invalid symbol.", as they would on Binance whatever
the fake models. Where the answer depends on the fake rather than on Binance alone, the row
says so and docs/fidelity.md "COIN-M REST surface" has the reason. Deviations from a page's
example, each a choice:

- Position Information may carry `notionalValue` and `isolatedWallet`: its REST page's example
  (from 2020) lacks them, the same request on the WebSocket API (`account.position`) has them.
- Notional Bracket for Symbol may carry `notionalCoef`, which "only appears when user's symbol
  bracket is adjusted".
- Get Order Modify History's page lists `orderId` and `origClientOrderId` as optional and
  notes one must be sent; without either the fake answers the (empty) history, as on USD-M.
"""

from __future__ import annotations

from tests.postman.expectations import (
    EMPTY,
    SUCCESS,
    Error,
    Items,
    Obj,
    Row,
    Rows,
    download_rows,
    listen_key_rows,
)

#: The pages' common prefix; a row's `page` is the rest.
DOCS = "https://developers.binance.com/docs/derivatives/coin-margined-futures/"

#: The collection's market is one Binance does not list (the module docstring says which).
UNLISTED = "the collection names a market Binance does not list"
NO_ID = "the collection sends no id"

ROWS: tuple[Row, ...] = (
    # Market data
    Row(
        "Compressed/Aggregate Trades List",
        "GET /dapi/v1/aggTrades",
        400,
        Error(-1121),
        "market-data/rest-api/Compressed-Aggregate-Trades-List",
        UNLISTED,
    ),
    Row(
        "Query Index Price Constituents",
        "GET /dapi/v1/constituents",
        200,
        Obj({"symbol": str, "time": int, "constituents": list}),
        "market-data/rest-api/Index-Constituents",
    ),
    Row(
        "Continuous Contract Kline/Candlestick Data",
        "GET /dapi/v1/continuousKlines",
        200,
        Rows(12),
        "market-data/rest-api/Continuous-Contract-Kline-Candlestick-Data",
    ),
    Row(
        "Order Book",
        "GET /dapi/v1/depth",
        200,
        Obj(
            {"lastUpdateId": int, "symbol": str, "pair": str, "E": int, "T": int, "bids": list, "asks": list}
        ),
        "market-data/rest-api/Order-Book",
    ),
    Row(
        "Exchange Information",
        "GET /dapi/v1/exchangeInfo",
        200,
        Obj(
            {"exchangeFilters": list, "rateLimits": list, "serverTime": int, "symbols": list, "timezone": str}
        ),
        "market-data/rest-api/Exchange-Information",
    ),
    Row(
        "Get Funding Rate Info",
        "GET /dapi/v1/fundingInfo",
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
        "market-data/rest-api/Get-Funding-Info",
    ),
    Row(
        "Get Funding Rate History of Perpetual Futures",
        "GET /dapi/v1/fundingRate",
        400,
        Error(-1121),
        "market-data/rest-api/Get-Funding-Rate-History-of-Perpetual-Futures",
        UNLISTED,
    ),
    Row(
        "Old Trades Lookup (MARKET_DATA)",
        "GET /dapi/v1/historicalTrades",
        400,
        Error(-1121),
        "market-data/rest-api/Old-Trades-Lookup",
        UNLISTED,
    ),
    Row(
        "Index Price Kline/Candlestick Data",
        "GET /dapi/v1/indexPriceKlines",
        200,
        Rows(12),
        "market-data/rest-api/Index-Price-Kline-Candlestick-Data",
    ),
    Row(
        "Kline/Candlestick Data",
        "GET /dapi/v1/klines",
        400,
        Error(-1121),
        "market-data/rest-api/Kline-Candlestick-Data",
        UNLISTED,
    ),
    Row(
        "Mark Price Kline/Candlestick Data",
        "GET /dapi/v1/markPriceKlines",
        400,
        Error(-1121),
        "market-data/rest-api/Mark-Price-Kline-Candlestick-Data",
        UNLISTED,
    ),
    Row(
        "Open Interest",
        "GET /dapi/v1/openInterest",
        400,
        Error(-1121),
        "market-data/rest-api/Open-Interest",
        UNLISTED,
    ),
    Row("Test Connectivity", "GET /dapi/v1/ping", 200, Obj({}), "market-data/rest-api/Test-Connectivity"),
    Row(
        "Index Price and Mark Price",
        "GET /dapi/v1/premiumIndex",
        200,
        Items(
            {
                "symbol": str,
                "pair": str,
                "markPrice": str,
                "indexPrice": str,
                "estimatedSettlePrice": str,
                "lastFundingRate": str,
                "interestRate": str,
                "nextFundingTime": int,
                "time": int,
            }
        ),
        "market-data/rest-api/Index-Price-and-Mark-Price",
    ),
    Row(
        "Premium index Kline Data",
        "GET /dapi/v1/premiumIndexKlines",
        400,
        Error(-1121),
        "market-data/rest-api/Premium-Index-Kline-Data",
        UNLISTED,
    ),
    Row(
        "24hr Ticker Price Change Statistics",
        "GET /dapi/v1/ticker/24hr",
        200,
        Items(
            {
                "symbol": str,
                "pair": str,
                "priceChange": str,
                "priceChangePercent": str,
                "weightedAvgPrice": str,
                "lastPrice": str,
                "lastQty": str,
                "openPrice": str,
                "highPrice": str,
                "lowPrice": str,
                "volume": str,
                "baseVolume": str,
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
        "GET /dapi/v1/ticker/bookTicker",
        200,
        Items(
            {
                "lastUpdateId": int,
                "symbol": str,
                "pair": str,
                "bidPrice": str,
                "bidQty": str,
                "askPrice": str,
                "askQty": str,
                "time": int,
            }
        ),
        "market-data/rest-api/Symbol-Order-Book-Ticker",
    ),
    Row(
        "Symbol Price Ticker",
        "GET /dapi/v1/ticker/price",
        200,
        Items({"symbol": str, "ps": str, "price": str, "time": int}),
        "market-data/rest-api/Symbol-Price-Ticker",
    ),
    Row(
        "Check Server time",
        "GET /dapi/v1/time",
        200,
        Obj({"serverTime": int}),
        "market-data/rest-api/Check-Server-Time",
    ),
    Row(
        "Recent Trades List",
        "GET /dapi/v1/trades",
        400,
        Error(-1121),
        "market-data/rest-api/Recent-Trades-List",
        UNLISTED,
    ),
    Row("Basis", "GET /futures/data/basis", 400, Error(-1121), "market-data/rest-api/Basis", UNLISTED),
    Row(
        "Long/Short Ratio",
        "GET /futures/data/globalLongShortAccountRatio",
        400,
        Error(-1121),
        "market-data/rest-api/Long-Short-Ratio",
        UNLISTED,
    ),
    Row(
        "Open Interest Statistics",
        "GET /futures/data/openInterestHist",
        200,
        Items(
            {
                "pair": str,
                "contractType": str,
                "sumOpenInterest": str,
                "sumOpenInterestValue": str,
                "timestamp": int,
            }
        ),
        "market-data/rest-api/Open-Interest-Statistics",
    ),
    Row(
        "Taker Buy/Sell Volume",
        "GET /futures/data/takerBuySellVol",
        200,
        Items(
            {
                "pair": str,
                "contractType": str,
                "takerBuyVol": str,
                "takerSellVol": str,
                "takerBuyVolValue": str,
                "takerSellVolValue": str,
                "timestamp": int,
            }
        ),
        "market-data/rest-api/Taker-Buy-Sell-Volume",
    ),
    Row(
        "Top Trader Long/Short Account Ratio",
        "GET /futures/data/topLongShortAccountRatio",
        400,
        Error(-1121),
        "market-data/rest-api/Top-Long-Short-Account-Ratio",
        UNLISTED,
    ),
    Row(
        "Top Trader Long/Short Position Ratio",
        "GET /futures/data/topLongShortPositionRatio",
        200,
        Items(
            {"pair": str, "longShortRatio": str, "longPosition": str, "shortPosition": str, "timestamp": int}
        ),
        "market-data/rest-api/Top-Trader-Long-Short-Ratio",
    ),
    # Trade
    Row(
        "Position ADL Quantile Estimation (USER_DATA)",
        "GET /dapi/v1/adlQuantile",
        200,
        EMPTY,
        "trade/rest-api/Position-ADL-Quantile-Estimation",
    ),
    Row(
        "Cancel All Open Orders (TRADE)",
        "DELETE /dapi/v1/allOpenOrders",
        400,
        Error(-1121),
        "trade/rest-api/Cancel-All-Open-Orders",
        UNLISTED,
    ),
    Row(
        "All Orders (USER_DATA)",
        "GET /dapi/v1/allOrders",
        400,
        Error(-1102),
        "trade/rest-api/All-Orders",
        "neither symbol nor pair is sent",
    ),
    Row(
        "Cancel Multiple Orders (TRADE)",
        "DELETE /dapi/v1/batchOrders",
        400,
        Error(-1121),
        "trade/rest-api/Cancel-Multiple-Orders",
        UNLISTED,
    ),
    Row(
        "Modify Multiple Orders (TRADE)",
        "PUT /dapi/v1/batchOrders",
        400,
        Error(-1102),
        "trade/rest-api/Modify-Multiple-Orders",
        "batchOrders is sent empty",
    ),
    Row(
        "Place Multiple Orders (TRADE)",
        "POST /dapi/v1/batchOrders",
        400,
        Error(-1102),
        "trade/rest-api/Place-Multiple-Orders",
        "batchOrders is sent empty",
    ),
    Row(
        "Auto-Cancel All Open Orders (TRADE)",
        "POST /dapi/v1/countdownCancelAll",
        400,
        Error(-1121),
        "trade/rest-api/Auto-Cancel-All-Open-Orders",
        UNLISTED,
    ),
    Row(
        "User's Force Orders (USER_DATA)",
        "GET /dapi/v1/forceOrders",
        200,
        EMPTY,
        "trade/rest-api/Users-Force-Orders",
        "the fake never liquidates (fidelity: trading settings)",
    ),
    Row(
        "Change Initial Leverage (TRADE)",
        "POST /dapi/v1/leverage",
        400,
        Error(-1121),
        "trade/rest-api/Change-Initial-Leverage",
        UNLISTED,
    ),
    Row(
        "Change Margin Type (TRADE)",
        "POST /dapi/v1/marginType",
        400,
        Error(-1121),
        "trade/rest-api/Change-Margin-Type",
        UNLISTED,
    ),
    Row(
        "Query Current Open Order (USER_DATA)",
        "GET /dapi/v1/openOrder",
        400,
        Error(-1121),
        "trade/rest-api/Query-Current-Open-Order",
        UNLISTED,
    ),
    Row(
        "Current All Open Orders (USER_DATA)",
        "GET /dapi/v1/openOrders",
        200,
        EMPTY,
        "trade/rest-api/Current-All-Open-Orders",
    ),
    Row(
        "Cancel Order (TRADE)",
        "DELETE /dapi/v1/order",
        400,
        Error(-1121),
        "trade/rest-api/Cancel-Order",
        UNLISTED,
    ),
    Row(
        "Modify Order (TRADE)", "PUT /dapi/v1/order", 400, Error(-1102), "trade/rest-api/Modify-Order", NO_ID
    ),
    Row("New Order (TRADE)", "POST /dapi/v1/order", 400, Error(-1121), "trade/rest-api/New-Order", UNLISTED),
    Row(
        "Query Order (USER_DATA)",
        "GET /dapi/v1/order",
        400,
        Error(-1121),
        "trade/rest-api/Query-Order",
        UNLISTED,
    ),
    Row(
        "Get Order Modify History (USER_DATA)",
        "GET /dapi/v1/orderAmendment",
        200,
        EMPTY,
        "trade/rest-api/Get-Order-Modify-History",
        "no order was modified (module docstring: no id sent)",
    ),
    Row(
        "Modify Isolated Position Margin (TRADE)",
        "POST /dapi/v1/positionMargin",
        400,
        Error(-1121),
        "trade/rest-api/Modify-Isolated-Position-Margin",
        UNLISTED,
    ),
    Row(
        "Get Position Margin Change History (TRADE)",
        "GET /dapi/v1/positionMargin/history",
        400,
        Error(-1121),
        "trade/rest-api/Get-Position-Margin-Change-History",
        UNLISTED,
    ),
    Row(
        "Position Information (USER_DATA)",
        "GET /dapi/v1/positionRisk",
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
                "maxQty": str,
                "marginType": str,
                "isolatedMargin": str,
                "isAutoAddMargin": str,
                "positionSide": str,
                "updateTime": int,
            },
            optional={"notionalValue": str, "isolatedWallet": str},
        ),
        "trade/rest-api/Position-Information",
    ),
    Row(
        "Change Position Mode (TRADE)",
        "POST /dapi/v1/positionSide/dual",
        200,
        SUCCESS,
        "trade/rest-api/Change-Position-Mode",
    ),
    Row(
        "Account Trade List (USER_DATA)",
        "GET /dapi/v1/userTrades",
        400,
        Error(-1102),
        "trade/rest-api/Account-Trade-List",
        "neither symbol nor pair is sent",
    ),
    # User data streams
    *listen_key_rows("/dapi/v1/listenKey"),
    # Account
    Row(
        "Account Information (USER_DATA)",
        "GET /dapi/v1/account",
        200,
        Obj(
            {
                "assets": list,
                "positions": list,
                "canDeposit": bool,
                "canTrade": bool,
                "canWithdraw": bool,
                "feeTier": int,
                "updateTime": int,
            }
        ),
        "account/rest-api/Account-Information",
    ),
    Row(
        "Futures Account Balance (USER_DATA)",
        "GET /dapi/v1/balance",
        200,
        Items(
            {
                "accountAlias": str,
                "asset": str,
                "balance": str,
                "withdrawAvailable": str,
                "crossWalletBalance": str,
                "crossUnPnl": str,
                "availableBalance": str,
                "updateTime": int,
            }
        ),
        "account/rest-api/Futures-Account-Balance",
    ),
    Row(
        "User Commission Rate (USER_DATA)",
        "GET /dapi/v1/commissionRate",
        200,
        Obj({"symbol": str, "makerCommissionRate": str, "takerCommissionRate": str}),
        "account/rest-api/User-Commission-Rate",
    ),
    Row(
        "Get Income History (USER_DATA)",
        "GET /dapi/v1/income",
        200,
        EMPTY,
        "account/rest-api/Get-Income-History",
    ),
    *download_rows("/dapi/v1", "income", "Transaction History", "Transaction History"),
    Row(
        "Notional Bracket for Pair (USER_DATA)",
        "GET /dapi/v1/leverageBracket",
        200,
        Items({"pair": str, "brackets": list}),
        "account/rest-api/Notional-Bracket-for-Pair",
    ),
    *download_rows("/dapi/v1", "order", "Order History", "Order History"),
    Row(
        "Get Current Position Mode (USER_DATA)",
        "GET /dapi/v1/positionSide/dual",
        200,
        Obj({"dualSidePosition": bool}),
        "account/rest-api/Get-Current-Position-Mode",
    ),
    *download_rows("/dapi/v1", "trade", "Trade History", "Trade"),
    Row(
        "Notional Bracket for Symbol (USER_DATA)",
        "GET /dapi/v2/leverageBracket",
        200,
        Items({"symbol": str, "brackets": list}, optional={"notionalCoef": float}),
        "account/rest-api/Notional-Bracket-for-Symbol",
    ),
)
