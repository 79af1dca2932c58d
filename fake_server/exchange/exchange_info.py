"""GET exchangeInfo: a small but valid answer of each product, one symbol and its limits.

Clients read it at start-up (ccxt's markets, python-binance's symbol filters), so every
profile answers it in its own product's shape: USD-M and COIN-M futures (`/fapi`, `/dapi`)
and spot (`/api/v3`). The rate limits it reports are the ones the fake enforces (`RestLimits`,
fake_server/exchange/weights.py); the filters are the live symbol's (COIN-M's: its inverse
contract's, contract.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fake_server.exchange.contract import INVERSE
from fake_server.exchange.profiles import Profile
from fake_server.exchange.settings import RestLimits


def exchange_info(profile: Profile, symbol: str, limits: RestLimits, server_time_ms: int) -> dict[str, Any]:
    """A small but valid exchangeInfo of `profile`'s product: one symbol, the limits."""
    if profile.name == "spot":
        return _spot(symbol, server_time_ms)
    if profile.name == "coinm":
        return _coinm(symbol, limits, server_time_ms)
    return _futures(symbol, limits, server_time_ms)


def _rate_limits(limits: RestLimits) -> list[dict[str, Any]]:
    """The futures limits the fake enforces (request weight) and counts (orders)."""
    return [
        {
            "rateLimitType": "REQUEST_WEIGHT",
            "interval": "MINUTE",
            "intervalNum": 1,
            "limit": limits.weight_per_minute,
        },
        {
            "rateLimitType": "ORDERS",
            "interval": "MINUTE",
            "intervalNum": 1,
            "limit": limits.orders_per_minute,
        },
        {
            "rateLimitType": "ORDERS",
            "interval": "SECOND",
            "intervalNum": 10,
            "limit": limits.orders_per_10s,
        },
    ]


def _coinm(symbol: str, limits: RestLimits, server_time_ms: int) -> dict[str, Any]:
    """GET /dapi/v1/exchangeInfo: an inverse perpetual quoted in USD, margined in the coin,
    with the fields and filters of the COIN-M "Exchange Information" page (no `futuresType`
    nor `assets`, which are USD-M's) and the filters of `INVERSE.rules`."""
    rules = INVERSE.rules
    pair = symbol.partition("_")[0]
    return {
        "exchangeFilters": [],
        "rateLimits": _rate_limits(limits),
        "serverTime": server_time_ms,
        "symbols": [
            {
                "filters": [
                    {
                        "filterType": "PRICE_FILTER",
                        "maxPrice": _text(rules.max_price),
                        "minPrice": _text(rules.min_price),
                        "tickSize": _text(rules.tick_size),
                    },
                    {
                        "filterType": "LOT_SIZE",
                        "maxQty": _text(rules.max_qty),
                        "minQty": _text(rules.min_qty),
                        "stepSize": _text(rules.step_size),
                    },
                    {
                        "filterType": "MARKET_LOT_SIZE",
                        "maxQty": _text(rules.market_max_qty),
                        "minQty": _text(rules.min_qty),
                        "stepSize": _text(rules.step_size),
                    },
                    {"filterType": "MAX_NUM_ORDERS", "limit": 200},
                    {
                        "filterType": "PERCENT_PRICE",
                        "multiplierUp": "1.0500",
                        "multiplierDown": "0.9500",
                        "multiplierDecimal": "4",
                    },
                ],
                "orderTypes": ["LIMIT", "MARKET", "STOP", "TAKE_PROFIT", "TRAILING_STOP_MARKET"],
                "timeInForce": sorted(rules.time_in_force, key=["GTC", "IOC", "FOK", "GTX"].index),
                "liquidationFee": "0.010000",
                "marketTakeBound": "0.30",
                "symbol": symbol,
                "pair": pair,
                "contractType": "PERPETUAL",
                "deliveryDate": 4133404800000,
                "onboardDate": 1597042800000,
                "contractStatus": "TRADING",
                "contractSize": int(INVERSE.size or 1),
                "quoteAsset": "USD",
                "baseAsset": pair.removesuffix("USD"),
                "marginAsset": INVERSE.margin_asset,
                "pricePrecision": 1,
                "quantityPrecision": 0,
                "baseAssetPrecision": 8,
                "quotePrecision": 8,
                "equalQtyPrecision": 4,
                "triggerProtect": "0.0500",
                "maintMarginPercent": "2.5000",
                "requiredMarginPercent": "5.0000",
                "underlyingType": "COIN",
                "underlyingSubType": [],
            }
        ],
        "timezone": "UTC",
    }


def _text(d: Decimal) -> str:
    return format(d.normalize(), "f")


def _futures(symbol: str, limits: RestLimits, server_time_ms: int) -> dict[str, Any]:
    return {
        "timezone": "UTC",
        "serverTime": server_time_ms,
        "futuresType": "U_MARGINED",
        "rateLimits": _rate_limits(limits),
        "exchangeFilters": [],
        "assets": [{"asset": "USDT", "marginAvailable": True, "autoAssetExchange": "-10000"}],
        "symbols": [
            {
                "symbol": symbol,
                "pair": symbol,
                "contractType": "PERPETUAL",
                "deliveryDate": 4133404800000,
                "onboardDate": 1569398400000,
                "status": "TRADING",
                "baseAsset": symbol.removesuffix("USDT"),
                "quoteAsset": "USDT",
                "marginAsset": "USDT",
                "pricePrecision": 2,
                "quantityPrecision": 3,
                "baseAssetPrecision": 8,
                "quotePrecision": 8,
                "underlyingType": "COIN",
                "underlyingSubType": [],
                "triggerProtect": "0.0500",
                "liquidationFee": "0.012500",
                "marketTakeBound": "0.05",
                "maxMoveOrderLimit": 10000,
                "filters": [
                    {
                        "filterType": "PRICE_FILTER",
                        "minPrice": "0.10",
                        "maxPrice": "4529764",
                        "tickSize": "0.10",
                    },
                    {"filterType": "LOT_SIZE", "minQty": "0.001", "maxQty": "1000", "stepSize": "0.001"},
                    {
                        "filterType": "MARKET_LOT_SIZE",
                        "minQty": "0.001",
                        "maxQty": "120",
                        "stepSize": "0.001",
                    },
                    {"filterType": "MAX_NUM_ORDERS", "limit": 200},
                    {"filterType": "MIN_NOTIONAL", "notional": "100"},
                ],
                "orderTypes": [
                    "LIMIT",
                    "MARKET",
                    "STOP",
                    "STOP_MARKET",
                    "TAKE_PROFIT",
                    "TAKE_PROFIT_MARKET",
                    "TRAILING_STOP_MARKET",
                ],
                "timeInForce": ["GTC", "IOC", "FOK", "GTX", "GTD"],
            }
        ],
    }


def _spot(symbol: str, server_time_ms: int) -> dict[str, Any]:
    """GET /api/v3/exchangeInfo: the spot shape (spot's documented 6000 weight/min)."""
    return {
        "timezone": "UTC",
        "serverTime": server_time_ms,
        "rateLimits": [
            {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
            {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
            {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61000},
        ],
        "exchangeFilters": [],
        "symbols": [
            {
                "symbol": symbol,
                "status": "TRADING",
                "baseAsset": symbol.removesuffix("USDT"),
                "baseAssetPrecision": 8,
                "quoteAsset": "USDT",
                "quotePrecision": 8,
                "quoteAssetPrecision": 8,
                "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
                "icebergAllowed": True,
                "ocoAllowed": True,
                "otoAllowed": True,
                "quoteOrderQtyMarketAllowed": True,
                "allowTrailingStop": True,
                "cancelReplaceAllowed": True,
                "isSpotTradingAllowed": True,
                "isMarginTradingAllowed": True,
                "filters": [
                    {
                        "filterType": "PRICE_FILTER",
                        "minPrice": "0.01000000",
                        "maxPrice": "1000000.00000000",
                        "tickSize": "0.01000000",
                    },
                    {
                        "filterType": "LOT_SIZE",
                        "minQty": "0.00001000",
                        "maxQty": "9000.00000000",
                        "stepSize": "0.00001000",
                    },
                ],
                "permissions": [],
                "permissionSets": [["SPOT", "MARGIN"]],
                "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
                "allowedSelfTradePreventionModes": ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
            }
        ],
    }
