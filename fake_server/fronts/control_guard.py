"""Who may drive the control API: loopback is not a boundary against a web browser.

A page the browser of the developer opens can reach 127.0.0.1 too. Three rules close the
ways it would get in (docs/control-api.md, "Who may call it"):

- `Host` must name loopback (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`) or the address
  the fake listens on: a DNS-rebinding page sends its own name, so it is refused;
- a POST, and any request with a body, must be `Content-Type: application/json`: a page may
  POST `text/plain` or a form to another origin without asking first, but a JSON POST needs
  a CORS preflight, which the API never grants;
- with a token (`serve --token`), every request must carry `Authorization: Bearer <token>`,
  which no other origin can read or forge, so only whoever was given the token gets in.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
from dataclasses import dataclass, field

from aiohttp import web

#: The variable `binance-harness serve --token` exports the token in.
TOKEN_VARIABLE = "BINANCE_HARNESS_CONTROL_TOKEN"
#: What a token may be made of: it travels in a header, so visible ASCII without spaces.
_TOKEN = re.compile(r"[!-~]{16,256}")


@dataclass(frozen=True)
class Refusal:
    """Why a request is turned away: its HTTP status, a message, and headers to add."""

    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)


def new_token() -> str:
    """A random token for `serve --token` given without a value."""
    return secrets.token_urlsafe(32)


def token_error(token: str) -> str | None:
    """What is wrong with a token a user chose, or None."""
    if _TOKEN.fullmatch(token):
        return None
    return "a control token is 16 to 256 visible ASCII characters, without spaces"


def refusal(request: web.Request, listen_host: str, token: str | None) -> Refusal | None:
    """Why the control API must not act on `request`, or None when it may."""
    host = request.headers.get("Host")
    if host is None or not _loopback(_hostname(host), listen_host):
        shown = "no Host header" if host is None else f"Host {host[:100]!r}"
        return Refusal(403, f"{shown}: the control API answers only requests to a loopback name or address")
    if token is not None and not _bearer_matches(request.headers.get("Authorization", ""), token):
        return Refusal(
            401,
            f"this fake was started with a control token: send 'Authorization: Bearer <token>' "
            f"(the token is in ${TOKEN_VARIABLE})",
            {"WWW-Authenticate": 'Bearer realm="binance-harness control"'},
        )
    if request.method == "POST" or request.body_exists:
        if request.content_type != "application/json":
            return Refusal(
                415, f"a request with a body must be Content-Type: application/json, got {_kind(request)}"
            )
        if request.charset not in (None, "utf-8"):
            return Refusal(415, f"JSON is read as UTF-8, got charset={request.charset[:40]!r}")
    return None


def _kind(request: web.Request) -> str:
    declared = request.headers.get("Content-Type")
    return "none" if declared is None else repr(declared[:100])


def _hostname(host: str) -> str:
    """The name or address of a Host header, without its port or a trailing dot."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def _loopback(name: str, listen_host: str) -> bool:
    if name == "localhost" or name.endswith(".localhost") or name == listen_host.lower():
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _bearer_matches(header: str, token: str) -> bool:
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    # Bytes: compare_digest refuses str with non-ASCII characters.
    return hmac.compare_digest(given.strip().encode("utf-8", "replace"), token.encode())
