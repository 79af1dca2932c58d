"""The rest of the USD-M REST surface: every route of Binance's USD-M Postman collection that
the profile's roles (profiles.py `rest_paths`) do not already serve, with its weight and
security type (pure).

Weights and security types are each route's USD-M page (docs/fidelity.md "USD-M REST
surface" has the table and its sources); fake_server/exchange/surface.py says what they mean.
"""

from __future__ import annotations

from fake_server.exchange.account_routes import AccountReads
from fake_server.exchange.market_routes import MarketData, depth_weight, kline_weight, with_or_without_symbol
from fake_server.exchange.surface import SurfaceBackend, SurfaceRoute, download_routes
from fake_server.exchange.trade_routes import Trading
from fake_server.exchange.unmodelled_routes import Unmodelled


def usdm_routes(backend: SurfaceBackend) -> list[SurfaceRoute]:
    m = MarketData(backend)
    t = Trading(backend)
    a = AccountReads(backend)
    u = Unmodelled(backend)
    f = "/fapi/v1"
    d = "/futures/data"
    return [
        # Market data
        SurfaceRoute("GET", f"{f}/depth", depth_weight, "NONE", m.depth),
        SurfaceRoute("GET", f"{f}/rpiDepth", 20, "NONE", m.rpi_depth),
        SurfaceRoute("GET", f"{f}/trades", 5, "NONE", m.trades),
        SurfaceRoute("GET", f"{f}/historicalTrades", 20, "MARKET_DATA", m.historical_trades),
        SurfaceRoute("GET", f"{f}/aggTrades", 20, "NONE", m.agg_trades),
        SurfaceRoute("GET", f"{f}/klines", kline_weight, "NONE", m.klines),
        SurfaceRoute("GET", f"{f}/continuousKlines", kline_weight, "NONE", m.continuous_klines),
        SurfaceRoute("GET", f"{f}/indexPriceKlines", kline_weight, "NONE", m.index_price_klines),
        SurfaceRoute("GET", f"{f}/markPriceKlines", kline_weight, "NONE", m.mark_price_klines),
        SurfaceRoute("GET", f"{f}/premiumIndexKlines", kline_weight, "NONE", m.premium_index_klines),
        SurfaceRoute("GET", f"{f}/premiumIndex", with_or_without_symbol(1, 10), "NONE", m.premium_index),
        SurfaceRoute("GET", f"{f}/fundingRate", 1, "NONE", m.funding_rate_history),
        SurfaceRoute("GET", f"{f}/fundingInfo", 1, "NONE", m.funding_info),
        SurfaceRoute("GET", f"{f}/ticker/24hr", with_or_without_symbol(1, 40), "NONE", m.ticker_24hr),
        SurfaceRoute("GET", f"{f}/ticker/price", with_or_without_symbol(1, 2), "NONE", m.ticker_price),
        SurfaceRoute("GET", "/fapi/v2/ticker/price", with_or_without_symbol(1, 2), "NONE", m.ticker_price),
        SurfaceRoute("GET", f"{f}/ticker/bookTicker", with_or_without_symbol(2, 5), "NONE", m.book_ticker),
        SurfaceRoute("GET", f"{f}/openInterest", 1, "NONE", m.open_interest_now),
        SurfaceRoute("GET", f"{f}/constituents", 2, "NONE", m.constituents),
        SurfaceRoute("GET", f"{f}/assetIndex", with_or_without_symbol(1, 10), "NONE", m.asset_index),
        SurfaceRoute("GET", f"{f}/indexInfo", 1, "NONE", m.index_info),
        SurfaceRoute("GET", f"{f}/insuranceBalance", 1, "NONE", m.insurance_balance),
        SurfaceRoute("GET", f"{f}/symbolAdlRisk", 1, "NONE", m.adl_risk),
        SurfaceRoute("GET", f"{f}/tradingSchedule", 5, "NONE", m.trading_schedule),
        SurfaceRoute("GET", f"{d}/openInterestHist", 0, "NONE", m.open_interest_hist),
        SurfaceRoute("GET", f"{d}/topLongShortAccountRatio", 0, "NONE", m.top_long_short_accounts),
        SurfaceRoute("GET", f"{d}/topLongShortPositionRatio", 0, "NONE", m.top_long_short_positions),
        SurfaceRoute("GET", f"{d}/globalLongShortAccountRatio", 0, "NONE", m.global_long_short),
        SurfaceRoute("GET", f"{d}/takerlongshortRatio", 0, "NONE", m.taker_long_short),
        SurfaceRoute("GET", f"{d}/basis", 0, "NONE", m.basis),
        SurfaceRoute("GET", f"{d}/delivery-price", 0, "NONE", m.delivery_price),
        # Trade
        SurfaceRoute("POST", f"{f}/leverage", 1, "SIGNED", t.leverage),
        SurfaceRoute("POST", f"{f}/marginType", 1, "SIGNED", t.margin_type),
        SurfaceRoute("POST", f"{f}/positionSide/dual", 1, "SIGNED", t.position_mode),
        SurfaceRoute("POST", f"{f}/multiAssetsMargin", 1, "SIGNED", t.multi_assets_mode),
        SurfaceRoute("POST", f"{f}/positionMargin", 1, "SIGNED", t.position_margin),
        SurfaceRoute("GET", f"{f}/positionMargin/history", 1, "SIGNED", t.position_margin_history),
        SurfaceRoute("POST", f"{f}/order/test", 0, "SIGNED", t.test_order),
        SurfaceRoute("PUT", f"{f}/order", 1, "SIGNED", t.modify_order, places_orders=True),
        SurfaceRoute("POST", f"{f}/batchOrders", 5, "SIGNED", t.batch_place, places_orders=True),
        SurfaceRoute("PUT", f"{f}/batchOrders", 5, "SIGNED", t.batch_modify, places_orders=True),
        SurfaceRoute("DELETE", f"{f}/batchOrders", 1, "SIGNED", t.batch_cancel),
        SurfaceRoute("DELETE", f"{f}/allOpenOrders", 1, "SIGNED", t.cancel_all),
        SurfaceRoute("POST", f"{f}/countdownCancelAll", 10, "SIGNED", t.countdown_cancel_all),
        SurfaceRoute("GET", f"{f}/openOrder", 1, "SIGNED", t.open_order),
        SurfaceRoute("GET", f"{f}/orderAmendment", 1, "SIGNED", t.order_amendments),
        SurfaceRoute("GET", f"{f}/userTrades", 5, "SIGNED", t.user_trades),
        SurfaceRoute("GET", f"{f}/forceOrders", with_or_without_symbol(20, 50), "SIGNED", t.force_orders),
        SurfaceRoute("GET", f"{f}/adlQuantile", 5, "SIGNED", t.adl_quantile),
        # Account
        SurfaceRoute("GET", f"{f}/accountConfig", 5, "SIGNED", a.config),
        SurfaceRoute("GET", f"{f}/symbolConfig", 5, "SIGNED", a.symbol_config),
        SurfaceRoute("GET", f"{f}/commissionRate", 20, "SIGNED", a.commission_rate),
        SurfaceRoute(
            "GET", f"{f}/apiTradingStatus", with_or_without_symbol(1, 10), "SIGNED", a.trading_status
        ),
        SurfaceRoute("GET", f"{f}/feeBurn", 30, "SIGNED", a.get_fee_burn),
        SurfaceRoute("POST", f"{f}/feeBurn", 1, "SIGNED", a.set_fee_burn),
        SurfaceRoute("GET", f"{f}/rateLimit/order", 1, "SIGNED", a.order_rate_limits),
        SurfaceRoute("GET", f"{f}/multiAssetsMargin", 30, "SIGNED", a.multi_assets_mode),
        SurfaceRoute("GET", f"{f}/positionSide/dual", 30, "SIGNED", a.position_mode),
        SurfaceRoute("GET", f"{f}/income", 30, "SIGNED", a.income),
        *download_routes(a, f, 10),
        # Unmodelled
        SurfaceRoute("POST", f"{f}/algoOrder", 0, "SIGNED", u.place_algo),
        SurfaceRoute("GET", f"{f}/algoOrder", 1, "SIGNED", u.query_algo),
        SurfaceRoute("DELETE", f"{f}/algoOrder", 1, "SIGNED", u.cancel_algo),
        SurfaceRoute("DELETE", f"{f}/algoOpenOrders", 1, "SIGNED", u.cancel_all_algo),
        SurfaceRoute("GET", f"{f}/openAlgoOrders", with_or_without_symbol(1, 40), "SIGNED", u.open_algo),
        SurfaceRoute("GET", f"{f}/allAlgoOrders", 5, "SIGNED", u.all_algo),
        SurfaceRoute("GET", f"{f}/convert/exchangeInfo", 20, "NONE", u.convert_pairs),
        SurfaceRoute("POST", f"{f}/convert/getQuote", 50, "SIGNED", u.quote),
        SurfaceRoute("POST", f"{f}/convert/acceptQuote", 200, "SIGNED", u.accept_quote),
        SurfaceRoute("GET", f"{f}/convert/orderStatus", 50, "SIGNED", u.convert_status),
        SurfaceRoute("GET", f"{f}/pmAccountInfo", 5, "SIGNED", u.pm_account_info),
        SurfaceRoute("POST", f"{f}/stock/contract", 1, "SIGNED", u.stock_contract),
    ]
