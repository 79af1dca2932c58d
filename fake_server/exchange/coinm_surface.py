"""The rest of the COIN-M REST surface: every route of Binance's COIN-M Postman collection that
the profile's roles (profiles.py `rest_paths`) do not already serve, with its weight and
security type (pure; fake_server/exchange/surface.py says what those mean).

Weights and security types are each route's COIN-M page under
developers.binance.com/docs/derivatives/coin-margined-futures/ (docs/fidelity.md "COIN-M REST
surface"); where a page gives one weight for a symbol and another without, the weight follows
the call. The handlers are USD-M's route groups in COIN-M's shapes (coinm_market_routes.py,
coinm_trade_routes.py) on the COIN-M account.
"""

from __future__ import annotations

from fake_server.exchange.coinm_market_routes import CoinmMarketData
from fake_server.exchange.coinm_trade_routes import CoinmAccountReads, CoinmTrading
from fake_server.exchange.market_routes import depth_weight, kline_weight, with_or_without_symbol
from fake_server.exchange.surface import SurfaceBackend, SurfaceRoute, download_routes


def coinm_routes(backend: SurfaceBackend) -> list[SurfaceRoute]:
    m = CoinmMarketData(backend)
    t = CoinmTrading(backend)
    a = CoinmAccountReads(backend)
    d = "/dapi/v1"
    data = "/futures/data"
    return [
        # Market data
        SurfaceRoute("GET", f"{d}/depth", depth_weight, "NONE", m.depth),
        SurfaceRoute("GET", f"{d}/trades", 5, "NONE", m.trades),
        SurfaceRoute("GET", f"{d}/historicalTrades", 20, "MARKET_DATA", m.historical_trades),
        SurfaceRoute("GET", f"{d}/aggTrades", 20, "NONE", m.agg_trades),
        SurfaceRoute("GET", f"{d}/klines", kline_weight, "NONE", m.klines),
        SurfaceRoute("GET", f"{d}/continuousKlines", kline_weight, "NONE", m.continuous_klines),
        SurfaceRoute("GET", f"{d}/indexPriceKlines", kline_weight, "NONE", m.index_price_klines),
        SurfaceRoute("GET", f"{d}/markPriceKlines", kline_weight, "NONE", m.mark_price_klines),
        SurfaceRoute("GET", f"{d}/premiumIndexKlines", kline_weight, "NONE", m.premium_index_klines),
        SurfaceRoute("GET", f"{d}/premiumIndex", 10, "NONE", m.premium_index),
        SurfaceRoute("GET", f"{d}/fundingRate", 1, "NONE", m.funding_rate_history),
        SurfaceRoute("GET", f"{d}/fundingInfo", 1, "NONE", m.funding_info),
        SurfaceRoute("GET", f"{d}/ticker/24hr", with_or_without_symbol(1, 40), "NONE", m.ticker_24hr),
        SurfaceRoute("GET", f"{d}/ticker/price", with_or_without_symbol(1, 2), "NONE", m.ticker_price),
        SurfaceRoute("GET", f"{d}/ticker/bookTicker", with_or_without_symbol(2, 5), "NONE", m.book_ticker),
        SurfaceRoute("GET", f"{d}/openInterest", 1, "NONE", m.open_interest_now),
        SurfaceRoute("GET", f"{d}/constituents", 1, "NONE", m.constituents),
        SurfaceRoute("GET", f"{data}/openInterestHist", 1, "NONE", m.open_interest_hist),
        SurfaceRoute("GET", f"{data}/topLongShortAccountRatio", 1, "NONE", m.top_long_short_accounts),
        SurfaceRoute("GET", f"{data}/topLongShortPositionRatio", 1, "NONE", m.top_long_short_positions),
        SurfaceRoute("GET", f"{data}/globalLongShortAccountRatio", 1, "NONE", m.global_long_short),
        SurfaceRoute("GET", f"{data}/takerBuySellVol", 1, "NONE", m.taker_long_short),
        SurfaceRoute("GET", f"{data}/basis", 1, "NONE", m.basis),
        # Trade
        SurfaceRoute("POST", f"{d}/leverage", 1, "SIGNED", t.leverage),
        SurfaceRoute("POST", f"{d}/marginType", 1, "SIGNED", t.margin_type),
        SurfaceRoute("POST", f"{d}/positionSide/dual", 1, "SIGNED", t.position_mode),
        SurfaceRoute("POST", f"{d}/positionMargin", 1, "SIGNED", t.position_margin),
        SurfaceRoute("GET", f"{d}/positionMargin/history", 1, "SIGNED", t.position_margin_history),
        SurfaceRoute("PUT", f"{d}/order", 1, "SIGNED", t.modify_order, places_orders=True),
        SurfaceRoute("POST", f"{d}/batchOrders", 5, "SIGNED", t.batch_place, places_orders=True),
        SurfaceRoute("PUT", f"{d}/batchOrders", 5, "SIGNED", t.batch_modify, places_orders=True),
        SurfaceRoute("DELETE", f"{d}/batchOrders", 1, "SIGNED", t.batch_cancel),
        SurfaceRoute("DELETE", f"{d}/allOpenOrders", 1, "SIGNED", t.cancel_all),
        SurfaceRoute("POST", f"{d}/countdownCancelAll", 10, "SIGNED", t.countdown_cancel_all),
        SurfaceRoute("GET", f"{d}/openOrder", 1, "SIGNED", t.open_order),
        SurfaceRoute("GET", f"{d}/orderAmendment", 1, "SIGNED", t.order_amendments),
        SurfaceRoute("GET", f"{d}/userTrades", with_or_without_symbol(20, 40), "SIGNED", t.user_trades),
        SurfaceRoute("GET", f"{d}/forceOrders", with_or_without_symbol(20, 50), "SIGNED", t.force_orders),
        SurfaceRoute("GET", f"{d}/adlQuantile", 5, "SIGNED", t.adl_quantile),
        # Account
        SurfaceRoute("GET", f"{d}/commissionRate", 20, "SIGNED", a.commission_rate),
        SurfaceRoute("GET", f"{d}/positionSide/dual", 30, "SIGNED", a.position_mode),
        SurfaceRoute("GET", f"{d}/income", 20, "SIGNED", a.income),
        SurfaceRoute("GET", f"{d}/leverageBracket", 1, "SIGNED", a.pair_brackets),
        SurfaceRoute("GET", "/dapi/v2/leverageBracket", 1, "SIGNED", a.symbol_brackets),
        *download_routes(a, d, 5),
    ]
