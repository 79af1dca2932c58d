"""The spot WebSocket API user-data methods, on the pure session (no sockets needed)."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from fake_server.exchange.settings import Credentials
from fake_server.exchange.ws_api import WsApiSession, sign_hmac

CREDS = Credentials()
NOW = 1_790_000_000_000


def session(**kw: Any) -> WsApiSession:
    return WsApiSession(CREDS, lambda: NOW, **kw)


def request(s: WsApiSession, method: str, rid: Any = 1, **params: Any) -> list[dict[str, Any]]:
    return s.handle(orjson.dumps({"id": rid, "method": method, "params": params}))


def signed(ts: int = NOW, **extra: Any) -> dict[str, Any]:
    params = {"apiKey": CREDS.api_key, "timestamp": ts, **extra}
    return {**params, "signature": sign_hmac(params, CREDS.api_secret)}


def test_subscribe_signature_answers_a_subscription_id() -> None:
    (answer,) = request(session(), "userDataStream.subscribe.signature", **signed())
    assert answer["id"] == 1 and answer["status"] == 200
    assert answer["result"] == {"subscriptionId": 0}
    assert answer["rateLimits"][0]["count"] == 2


def test_events_are_wrapped_with_the_subscription_id() -> None:
    s = session()
    request(s, "userDataStream.subscribe.signature", **signed())
    event = {"e": "executionReport", "E": NOW}
    assert s.wrap(event) == [{"subscriptionId": 0, "event": event}]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({**signed(), "signature": "0" * 64}, 400, -1022),
        ({**signed(), "apiKey": "nope"}, 401, -2015),
        (signed(ts=NOW - 6000), 400, -1021),
        (signed(ts=NOW + 5000), 400, -1021),
        (signed(recvWindow=60001), 400, -1131),
        ({"apiKey": CREDS.api_key, "signature": "x"}, 400, -1102),
    ],
)
def test_subscribe_signature_checks(params: dict[str, Any], status: int, code: int) -> None:
    (answer,) = request(session(), "userDataStream.subscribe.signature", **params)
    assert (answer["status"], answer["error"]["code"]) == (status, code)
    assert answer["error"]["msg"]


def test_second_subscription_on_the_connection_is_refused() -> None:
    s = session()
    request(s, "userDataStream.subscribe.signature", **signed())
    (answer,) = request(s, "userDataStream.subscribe.signature", **signed())
    assert answer["error"] == {"code": -2035, "msg": "User Data Stream subscription already active."}


def test_unsubscribe_ends_the_stream_with_event_stream_terminated() -> None:
    s = session()
    request(s, "userDataStream.subscribe.signature", **signed())
    answer, terminated = request(s, "userDataStream.unsubscribe", rid=2)
    assert answer["result"] == {}
    assert terminated == {"subscriptionId": 0, "event": {"e": "eventStreamTerminated", "E": NOW}}
    assert s.wrap({"e": "x"}) == []
    (again,) = request(s, "userDataStream.unsubscribe", rid=3)
    assert again["error"]["code"] == -2036


def test_session_subscriptions_lists_ids_and_ids_are_not_reused() -> None:
    s = session()
    request(s, "userDataStream.subscribe.signature", **signed())
    request(s, "userDataStream.unsubscribe")
    (sub,) = request(s, "userDataStream.subscribe.signature", **signed())
    assert sub["result"] == {"subscriptionId": 1}
    (listing,) = request(s, "session.subscriptions")
    assert listing["result"] == [{"subscriptionId": 1}]


def test_subscribe_without_logon_is_refused() -> None:
    (answer,) = request(session(), "userDataStream.subscribe")
    assert (answer["status"], answer["error"]["code"]) == (401, -1002)


def test_ed25519_logon_then_subscribe_and_logout_ends_it() -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    s = session(ed25519_public=public)
    params = {"apiKey": CREDS.api_key, "timestamp": NOW}
    payload = "&".join(f"{k}={v}" for k, v in sorted(params.items())).encode()
    good = base64.b64encode(key.sign(payload)).decode()
    (bad,) = request(s, "session.logon", **params, signature=base64.b64encode(b"x" * 64).decode())
    assert bad["error"]["code"] == -1022
    (logon,) = request(s, "session.logon", **params, signature=good)
    assert logon["result"]["apiKey"] == CREDS.api_key
    (sub,) = request(s, "userDataStream.subscribe")
    assert sub["result"] == {"subscriptionId": 0}
    status, terminated = request(s, "session.logout")
    assert status["status"] == 200 and terminated["event"]["e"] == "eventStreamTerminated"


def test_hmac_key_cannot_log_on() -> None:
    (answer,) = request(session(), "session.logon", **signed())
    assert answer["error"]["code"] == -1002


@pytest.mark.parametrize("method", ["userDataStream.start", "userDataStream.ping", "no.such.method"])
def test_removed_and_unknown_methods_answer_an_error(method: str) -> None:
    (answer,) = request(session(), method)
    assert (answer["status"], answer["error"]["code"]) == (400, -1000)


@pytest.mark.parametrize("text", [b"not json", b"[1,2]", b'{"id": 5}'])
def test_malformed_requests_answer_an_error_and_keep_the_id_when_there_is_one(text: bytes) -> None:
    (answer,) = session().handle(text)
    assert answer["status"] == 400 and answer["error"]["code"] == -1000
    assert answer["id"] == (5 if text.startswith(b"{") else None)


def test_server_shutdown_shape() -> None:
    assert WsApiSession.server_shutdown(NOW) == {"event": {"e": "serverShutdown", "E": NOW}}
