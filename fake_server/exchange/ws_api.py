"""The spot WebSocket API's user-data-stream methods, as a pure per-connection session.

Since 2026-02-20 spot and margin have no listenKey: a client subscribes to its user data on
the WebSocket API connection itself (binance-reference.md §1 "Spot replacement"):
- `userDataStream.subscribe.signature` (apiKey, timestamp, signature, optional recvWindow
  <= 60000): HMAC-SHA256 over the parameters sorted by name, any key type, no logon;
- `session.logon` (Ed25519 signature) then `userDataStream.subscribe`;
- `userDataStream.unsubscribe` (optional subscriptionId; none = all), answered `{}` and
  followed by `eventStreamTerminated` for each subscription it ended;
- `session.subscriptions`, `session.status`, `session.logout`.
Events arrive as `{"subscriptionId": N, "event": {...}}`. One subscription per account per
connection (-2035), -2036 when none is active.

No I/O here: `handle()` takes a request's text and returns the messages to send, so the
rules are tested without sockets, and the WebSocket front only moves bytes.
Choices where the sources are silent (see docs/fidelity.md): unknown methods, including the
removed `userDataStream.start/ping/stop` (reference §6.11), answer status 400 with -1000
"Unknown method."; a request that is not a JSON object answers status 400, id null, -1000
"Malformed request."; `userDataStream.subscribe` before a logon answers status 401, -1002.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from fake_server.exchange.settings import Credentials

Message = dict[str, Any]

#: Weight of each method (reference §1: subscribe 2); the rest cost 2 as documented for spot.
WEIGHTS = {"userDataStream.subscribe": 2, "userDataStream.subscribe.signature": 2}
REQUEST_WEIGHT_LIMIT = 6000  # spot doc example (reference §4 "Headers and limits")
MAX_RECV_WINDOW = 60000


class WsApiError(Exception):
    def __init__(self, status: int, code: int, msg: str) -> None:
        super().__init__(msg)
        self.status, self.code, self.msg = status, code, msg


@dataclass
class WsApiSession:
    """One WebSocket API connection: its logon, its subscriptions, its weight used."""

    credentials: Credentials
    now_ms: Callable[[], int]
    #: Whether a signed request that old (ms) is outside its recvWindow (ms): Binance's rule,
    #: the window in wall time at a time factor (fake_server/clock.py).
    outside_recv_window: Callable[[float, int], bool] = lambda age_ms, window_ms: age_ms > window_ms
    #: Ed25519 public key (raw 32 bytes) registered for the API key, for session.logon.
    ed25519_public: bytes | None = None
    logged_on: bool = False
    subscriptions: dict[int, str] = field(default_factory=dict)  # id -> how it was made
    next_id: int = 0
    weight_used: int = 0

    # Requests ----------------------------------------------------------------------------

    def handle(self, text: str | bytes) -> list[Message]:
        """The messages to send in answer to one request frame."""
        try:
            request = orjson.loads(text)
        except orjson.JSONDecodeError:
            request = None
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            rid = request.get("id") if isinstance(request, dict) else None
            return [self._error(rid, WsApiError(400, -1000, "Malformed request."))]
        rid, method = request.get("id"), request["method"]
        params = request.get("params") or {}
        handler = self._methods().get(method)
        self.weight_used += WEIGHTS.get(method, 2)
        if handler is None or not isinstance(params, dict):
            return [self._error(rid, WsApiError(400, -1000, "Unknown method."))]
        try:
            result, extra = handler(params)
        except WsApiError as exc:
            return [self._error(rid, exc)]
        return [self._ok(rid, result), *extra]

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], tuple[Any, list[Message]]]]:
        return {
            "userDataStream.subscribe.signature": self._subscribe_signature,
            "userDataStream.subscribe": self._subscribe_logged_on,
            "userDataStream.unsubscribe": self._unsubscribe,
            "session.subscriptions": lambda p: ([{"subscriptionId": s} for s in self.subscriptions], []),
            "session.logon": self._logon,
            "session.status": lambda p: (self._status(), []),
            "session.logout": self._logout,
        }

    def _subscribe_signature(self, params: dict[str, Any]) -> tuple[Any, list[Message]]:
        self._check_api_key(params)
        self._check_time(params)
        payload = _payload(params)
        secret = self.credentials.api_secret.encode()
        expected = hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, str(params.get("signature", ""))):
            raise WsApiError(400, -1022, "Signature for this request is not valid.")
        return {"subscriptionId": self._subscribe("signature")}, []

    def _subscribe_logged_on(self, params: dict[str, Any]) -> tuple[Any, list[Message]]:
        if not self.logged_on:
            raise WsApiError(401, -1002, "You are not authorized to execute this request.")
        return {"subscriptionId": self._subscribe("logon")}, []

    def _subscribe(self, how: str) -> int:
        if self.subscriptions:  # one subscription per account per connection (reference §1)
            raise WsApiError(400, -2035, "User Data Stream subscription already active.")
        if self.next_id > 65535:
            raise WsApiError(400, -2042, "Maximum subscription ID reached for this connection.")
        sid = self.next_id
        self.next_id += 1
        self.subscriptions[sid] = how
        return sid

    def _unsubscribe(self, params: dict[str, Any]) -> tuple[Any, list[Message]]:
        wanted = params.get("subscriptionId")
        ids = list(self.subscriptions) if wanted is None else [wanted]
        if not ids or any(i not in self.subscriptions for i in ids):
            raise WsApiError(400, -2036, "User Data Stream subscription not active.")
        return {}, self._terminate(ids)

    def _logon(self, params: dict[str, Any]) -> tuple[Any, list[Message]]:
        self._check_api_key(params)
        self._check_time(params)
        if self.ed25519_public is None:
            # HMAC keys cannot log on (failure-modes.md B1): they use subscribe.signature.
            raise WsApiError(400, -1002, "You are not authorized to execute this request.")
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            signature = base64.b64decode(str(params.get("signature", "")), validate=True)
            Ed25519PublicKey.from_public_bytes(self.ed25519_public).verify(
                signature, _payload(params).encode()
            )
        except (InvalidSignature, ValueError):
            raise WsApiError(400, -1022, "Signature for this request is not valid.") from None
        self.logged_on = True
        return self._status(), []

    def _logout(self, params: dict[str, Any]) -> tuple[Any, list[Message]]:
        self.logged_on = False
        # Only the logon's subscription ends with the session (reference §2 eventStreamTerminated).
        ids = [s for s, how in self.subscriptions.items() if how == "logon"]
        return self._status(), self._terminate(ids)

    def _status(self) -> dict[str, Any]:
        return {
            "apiKey": self.credentials.api_key if self.logged_on else None,
            "authorizedSince": None,
            "connectedSince": None,
            "returnRateLimits": True,
            "serverTime": self.now_ms(),
            "userDataStream": bool(self.subscriptions) if self.logged_on else None,
        }

    def _check_api_key(self, params: dict[str, Any]) -> None:
        if params.get("apiKey") != self.credentials.api_key:
            raise WsApiError(401, -2015, "Invalid API-key, IP, or permissions for action.")

    def _check_time(self, params: dict[str, Any]) -> None:
        try:
            ts = int(params["timestamp"])
            window = int(params.get("recvWindow", 5000))
        except (KeyError, TypeError, ValueError):
            raise WsApiError(
                400, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed."
            ) from None
        if window > MAX_RECV_WINDOW:
            raise WsApiError(400, -1131, "recvWindow must be less than 60000")
        now = self.now_ms()
        if ts > now + 1000:
            raise WsApiError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.")
        if self.outside_recv_window(now - ts, window):
            raise WsApiError(400, -1021, "Timestamp for this request is outside of the recvWindow.")

    # Pushes --------------------------------------------------------------------------------

    def wrap(self, event: dict[str, Any]) -> list[Message]:
        """A user event as each active subscription receives it."""
        return [{"subscriptionId": sid, "event": event} for sid in self.subscriptions]

    def terminate_all(self) -> list[Message]:
        """The server ends every subscription (e.g. a fault): eventStreamTerminated for each."""
        return self._terminate(list(self.subscriptions))

    def _terminate(self, ids: list[int]) -> list[Message]:
        out = []
        for sid in ids:
            del self.subscriptions[sid]
            out.append({"subscriptionId": sid, "event": {"e": "eventStreamTerminated", "E": self.now_ms()}})
        return out

    @staticmethod
    def server_shutdown(now_ms: int) -> Message:
        return {"event": {"e": "serverShutdown", "E": now_ms}}

    # Envelopes -------------------------------------------------------------------------------

    def _rate_limits(self) -> list[dict[str, Any]]:
        return [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": REQUEST_WEIGHT_LIMIT,
                "count": self.weight_used,
            }
        ]

    def _ok(self, rid: Any, result: Any) -> Message:
        return {"id": rid, "status": 200, "result": result, "rateLimits": self._rate_limits()}

    def _error(self, rid: Any, exc: WsApiError) -> Message:
        return {
            "id": rid,
            "status": exc.status,
            "error": {"code": exc.code, "msg": exc.msg},
            "rateLimits": self._rate_limits(),
        }


def _payload(params: dict[str, Any]) -> str:
    """The signed text: every parameter but `signature`, sorted by name, as key=value&..."""
    return "&".join(f"{k}={_text(v)}" for k, v in sorted(params.items()) if k != "signature")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def sign_hmac(params: dict[str, Any], secret: str) -> str:
    """What a client computes for subscribe.signature (used by tests and the reference client)."""
    return hmac.new(secret.encode(), _payload(params).encode(), hashlib.sha256).hexdigest()
