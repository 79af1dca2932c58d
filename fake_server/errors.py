"""Binance's error answers, verbatim, because clients match on codes and messages.

Source: binance-reference.md §4 ("REST error model", "Codes a user-stream client meets").
Each function returns (HTTP status, JSON body) so the REST front, faults and tests build
them the same way.
"""

from __future__ import annotations

from typing import Any

ErrorBody = dict[str, Any]


def error(code: int, msg: str) -> ErrorBody:
    return {"code": code, "msg": msg}


def listen_key_does_not_exist() -> tuple[int, ErrorBody]:
    # The live message seen on fapi in 2026-01 (reference §6 item 4 picks it over the doc's).
    return 400, error(-1125, "This listenKey does not exist.")


def api_key_format_invalid() -> tuple[int, ErrorBody]:
    # -2014 is also what a missing X-MBX-APIKEY header gets (reference §4).
    return 401, error(-2014, "API-key format invalid.")


def invalid_api_key(peer_ip: str) -> tuple[int, ErrorBody]:
    # Futures appends the caller's address (obs, reference §4 -2015).
    return 401, error(-2015, f"Invalid API-key, IP, or permissions for action, request ip: {peer_ip}")


def path_invalid(method: str, path: str) -> tuple[int, ErrorBody]:
    """Futures' answer to an unknown route or method (reference §4, 404 row)."""
    return 404, error(-5000, f"Path {path}, Method {method} is invalid")


def signature_invalid() -> tuple[int, ErrorBody]:
    return 400, error(-1022, "Signature for this request is not valid.")


def mandatory_parameter(name: str) -> tuple[int, ErrorBody]:
    return 400, error(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


def outside_recv_window() -> tuple[int, ErrorBody]:
    return 400, error(-1021, "Timestamp for this request is outside of the recvWindow.")


def ahead_of_server() -> tuple[int, ErrorBody]:
    return 400, error(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
