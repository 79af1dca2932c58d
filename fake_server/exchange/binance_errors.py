"""Binance's error answers, verbatim, because clients match on codes and messages.

Source: binance-reference.md §4 ("REST error model", "Codes a user-stream client meets").
Each function returns (HTTP status, JSON body) so the REST front, faults and tests build
them the same way.
"""

from __future__ import annotations

from typing import Any

from fake_server.exchange.param_formats import LONG_RANGE

ErrorBody = dict[str, Any]
#: An error answer: (HTTP status, Binance's JSON body).
ErrorAnswer = tuple[int, ErrorBody]


def error(code: int, msg: str) -> ErrorBody:
    return {"code": code, "msg": msg}


def listen_key_does_not_exist() -> ErrorAnswer:
    # The live message seen on fapi in 2026-01 (reference §6 item 4 picks it over the doc's).
    return 400, error(-1125, "This listenKey does not exist.")


def api_key_format_invalid() -> ErrorAnswer:
    # -2014 is also what a missing X-MBX-APIKEY header gets (reference §4).
    return 401, error(-2014, "API-key format invalid.")


def invalid_api_key(peer_ip: str) -> ErrorAnswer:
    # Futures appends the caller's address (obs, reference §4 -2015).
    return 401, error(-2015, f"Invalid API-key, IP, or permissions for action, request ip: {peer_ip}")


def path_invalid(method: str, path: str) -> ErrorAnswer:
    """Futures' answer to an unknown route or method (reference §4, 404 row)."""
    return 404, error(-5000, f"Path {path}, Method {method} is invalid")


def signature_invalid() -> ErrorAnswer:
    return 400, error(-1022, "Signature for this request is not valid.")


def mandatory_parameter(name: str) -> ErrorAnswer:
    return 400, error(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


def outside_recv_window() -> ErrorAnswer:
    return 400, error(-1021, "Timestamp for this request is outside of the recvWindow.")


def ahead_of_server() -> ErrorAnswer:
    return 400, error(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")


def malformed_param(name: str) -> ErrorAnswer:
    """A LONG parameter that is not 1 to 20 ASCII digits (-1100, with Binance's own range)."""
    return 400, error(
        -1100, f"Illegal characters found in parameter '{name}'; legal range is '{LONG_RANGE}'."
    )


def illegal_characters() -> ErrorAnswer:
    """A request whose parameters cannot be read at all: bytes that are not UTF-8 (-1100,
    the message without a parameter name; docs/fidelity.md "Malformed requests")."""
    return 400, error(-1100, "Illegal characters found in a parameter.")


def either_param(first: str, second: str) -> ErrorAnswer:
    return 400, error(-1102, f"Param '{first}' or '{second}' must be sent, but both were empty/null!")


def param_not_required(name: str) -> ErrorAnswer:
    return 400, error(-1106, f"Parameter '{name}' sent when not required.")


def invalid_param(name: str) -> ErrorAnswer:
    return 400, error(-1130, f"Data sent for parameter '{name}' is not valid.")


def recv_window_too_large() -> ErrorAnswer:
    # Not on the USD-M error page; the code and text of the options error page and of ccxt's
    # binance error map (BAD_RECV_WINDOW). The documented maximum is 60000 (reference §4).
    return 400, error(-1131, "recvWindow must be less than 60000")


# Rate limits (reference §4: 429 / 418 rows and -1003) -----------------------------------


def too_many_requests(limit: int) -> ErrorAnswer:
    return 429, error(
        -1003,
        f"Too many requests; current limit is {limit} requests per minute. "
        "Please use the websocket for live updates to avoid polling the API.",
    )


def ip_banned(until_ms: int) -> ErrorAnswer:
    return 418, error(
        -1003,
        f"Way too many requests; IP banned until {until_ms}. "
        "Please use the websocket for live updates to avoid bans.",
    )


# Orders (USD-M error-code page, verbatim) -----------------------------------------------


def invalid_symbol() -> ErrorAnswer:
    return 400, error(-1121, "Invalid symbol.")


def invalid_side() -> ErrorAnswer:
    return 400, error(-1117, "Invalid side.")


def invalid_order_type() -> ErrorAnswer:
    return 400, error(-1116, "Invalid orderType.")


def invalid_time_in_force() -> ErrorAnswer:
    return 400, error(-1115, "Invalid timeInForce.")


def invalid_resp_type() -> ErrorAnswer:
    return 400, error(-1136, "Invalid newOrderRespType.")


def bad_precision() -> ErrorAnswer:
    return 400, error(-1111, "Precision is over the maximum defined for this asset.")


def algo_order_type() -> ErrorAnswer:
    # Conditional types moved to the Algo Order API (-4120 on the USD-M error page).
    return 400, error(
        -4120, "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead."
    )


def price_less_than_zero() -> ErrorAnswer:
    return 400, error(-4001, "Price less than 0.")


def price_over_max() -> ErrorAnswer:
    return 400, error(-4002, "Price greater than max price.")


def price_under_min() -> ErrorAnswer:
    return 400, error(-4013, "Price less than min price.")


def price_tick() -> ErrorAnswer:
    return 400, error(-4014, "Price not increased by tick size.")


def qty_less_than_zero() -> ErrorAnswer:
    return 400, error(-4003, "Quantity less than zero.")


def qty_under_min() -> ErrorAnswer:
    return 400, error(-4004, "Quantity less than min quantity.")


def qty_over_max() -> ErrorAnswer:
    return 400, error(-4005, "Quantity greater than max quantity.")


def min_notional(notional: str) -> ErrorAnswer:
    return 400, error(
        -4164, f"Order's notional must be no smaller than {notional} (unless you choose reduce only)"
    )


def client_order_id_invalid() -> ErrorAnswer:
    return 400, error(-4015, "Client order id is not valid.")


def client_order_id_duplicated() -> ErrorAnswer:
    return 400, error(-4116, "clientOrderId is duplicated")


def invalid_position_side() -> ErrorAnswer:
    return 400, error(-4060, "Invalid position side.")


def position_side_not_match() -> ErrorAnswer:
    return 400, error(-4061, "Order's position side does not match user's setting.")


def invalid_stp_mode() -> ErrorAnswer:
    return 400, error(-5039, "Invalid self trade prevention mode")


def reduce_only_rejected() -> ErrorAnswer:
    return 400, error(-2022, "ReduceOnly Order is rejected.")


def fok_rejected() -> ErrorAnswer:
    return 400, error(
        -5021, "Due to the order could not be filled immediately, the FOK order has been rejected."
    )


def gtx_rejected() -> ErrorAnswer:
    return 400, error(
        -5022, "Due to the order could not be executed as maker, the Post Only order will be rejected."
    )


def order_does_not_exist() -> ErrorAnswer:
    """GET /fapi/v1/order on an unknown order."""
    return 400, error(-2013, "Order does not exist.")


def unknown_order_sent() -> ErrorAnswer:
    """DELETE /fapi/v1/order on an order that is not open: -2011, not -2013.

    The USD-M error page: "-2011 CANCEL_REJECTED ... open order not found in the orderbook:
    'Unknown order sent'"; clients match `{"code":-2011,"msg":"Unknown order sent."}` on
    DELETE /fapi/v1/order and -2013 on GET (found in client code of the code corpus).
    """
    return 400, error(-2011, "Unknown order sent.")


# Binance-side failures (reference §4 5XX row and the futures 503 variants) -------------

#: The USD-M error page spells -1000 "occured" (the spot page "occurred"); the fake is futures.
UNKNOWN_MSG = "An unknown error occured while processing the request."
INTERNAL_MSG = "Internal error; unable to process your request. Please try again."
TIMEOUT_MSG = (
    "Timeout waiting for response from backend server. Send status unknown; execution status unknown."
)
UNKNOWN_503_MSG = "Unknown error, please check your request or try again later."
UNAVAILABLE_503_MSG = "Service Unavailable."
THROTTLED_MSG = "Request throttled by system-level protection. Reduce-only/close-position orders are exempt. Please try again."

#: 451 from a restricted location (obs ccxt#16044, BEC#22; reference §4), verbatim.
RESTRICTED_LOCATION_BODY: ErrorBody = error(
    0,
    "Service unavailable from a restricted location according to 'b. Eligibility' in "
    "https://www.binance.com/en/terms. Please contact customer service if you believe you "
    "received this message in error.",
)

#: The CloudFront WAF page (reference §4 403 row; obs UBWA#344 2023, tellor-io/telliot#69).
WAF_BLOCK_HTML = (
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">\n'
    '<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">\n'
    "<TITLE>ERROR: The request could not be satisfied</TITLE>\n"
    "</HEAD><BODY>\n"
    "<H1>403 ERROR</H1>\n"
    "<H2>The request could not be satisfied.</H2>\n"
    '<HR noshade size="1px">\n'
    "Request blocked.\n"
    "We can't connect to the server for this app or website at this time. There might be too much "
    "traffic or a configuration error. Try again later, or contact the app or website owner.\n"
    '<BR clear="all">\n'
    "If you provide content to customers through CloudFront, you can find steps to troubleshoot and "
    "help prevent this error by reviewing the CloudFront documentation.\n"
    '<BR clear="all">\n'
    '<HR noshade size="1px">\n'
    "<PRE>\n"
    "Generated by cloudfront (CloudFront)\n"
    "Request ID: {request_id}\n"
    "</PRE>\n"
    "<ADDRESS>\n"
    "</ADDRESS>\n"
    "</BODY></HTML>"
)

#: nginx's own 410 page, 136 bytes (obs after 2026-02-20: UBWA#399, gocryptotrader#2190).
GONE_HTML = (
    "<html>\r\n<head><title>410 Gone</title></head>\r\n<body>\r\n"
    "<center><h1>410 Gone</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


# Trading settings and market data (the USD-M error-code page) ---------------------------


def invalid_interval() -> ErrorAnswer:
    return 400, error(-1120, "Invalid interval.")


def leverage_not_valid(leverage: str) -> ErrorAnswer:
    return 400, error(-4028, f"Leverage {leverage} is not valid")


def no_need_to_change_margin_type() -> ErrorAnswer:
    return 400, error(-4046, "No need to change margin type.")


def margin_type_open_orders() -> ErrorAnswer:
    return 400, error(-4047, "Margin type cannot be changed if there exists open orders.")


def margin_type_position() -> ErrorAnswer:
    return 400, error(-4048, "Margin type cannot be changed if there exists position.")


def no_need_to_change_position_side() -> ErrorAnswer:
    return 400, error(-4059, "No need to change position side.")


def position_side_open_orders() -> ErrorAnswer:
    return 400, error(-4067, "Position side cannot be changed if there exists open orders.")


def position_side_position() -> ErrorAnswer:
    return 400, error(-4068, "Position side cannot be changed if there exists position.")


def isolated_under_multi_assets() -> ErrorAnswer:
    return 400, error(-4167, "Unable to adjust to isolated-margin mode under the Multi-Assets mode.")


def multi_assets_with_isolated() -> ErrorAnswer:
    return 400, error(
        -4168,
        "Unable to adjust to Multi-Assets mode with symbols of USDⓈ-M Futures under isolated-margin mode.",
    )


def no_need_to_change_multi_assets() -> ErrorAnswer:
    return 400, error(-4171, "Adjusted Multi-Assets mode is same as current Multi-Assets mode.")


def margin_not_isolated() -> ErrorAnswer:
    """POST positionMargin on a cross-margin position or on no position: -4051 is the code
    the USD-M error page gives for an isolated balance that cannot cover the change."""
    return 400, error(-4051, "Isolated balance insufficient.")
