"""The per-connection stream rules, driven without a socket (fake_server/exchange/stream_session.py).

The session is told what arrived and what time it is and answers with what to do, so each
of Binance's rules shows here as plain data: the ping schedule, 1008 "Pong timeout", the
incoming-message limit, the 24 h close, and which upgrades are accepted.
"""

from __future__ import annotations

import orjson

from fake_server.exchange.profiles import PROFILES
from fake_server.exchange.settings import StreamLimits
from fake_server.exchange.stream_routes import parse
from fake_server.exchange.stream_session import (
    Close,
    Record,
    SendPing,
    SendText,
    SessionRules,
    StreamSession,
    UpgradeRefused,
    route_upgrade,
)

KEY = "k" * 64
EPOCH = 1_700_000_000_000


def _session(
    path: str = f"/private/ws/{KEY}", *, life: float = 86400.0, per_second: int = 10
) -> StreamSession:
    route = parse(path)
    assert route is not None
    rules = SessionRules(
        PROFILES["usdm"], StreamLimits(incoming_messages_per_second=per_second), 3.0, 10.0, life
    )
    return StreamSession(route, rules, 100.0, key_state=lambda k: "active" if k == KEY else "unknown")


def test_pings_come_every_interval_with_a_payload_the_pong_must_echo() -> None:
    s = _session()
    assert s.next_wakeup() == 103.0
    assert s.due(102.9, EPOCH) == []
    ping, record = s.due(103.0, EPOCH)
    assert isinstance(ping, SendPing) and isinstance(record, Record)
    assert record.fields == {"dir": "out", "op": "ping", "data": ping.payload.hex()}
    # The next ping is an interval later; the pong is due 10 s after the ping.
    assert s.next_wakeup() == 106.0
    (answered, *_) = s.pong(ping.payload, 104.0)
    assert isinstance(answered, Record) and answered.fields["answers_ping"] is True


def test_an_unanswered_ping_closes_1008_pong_timeout() -> None:
    s = _session()
    s.due(103.0, EPOCH)
    assert s.pong(b"someone else's payload", 104.0)[0].fields["answers_ping"] is False  # type: ignore[union-attr]
    for t in (106.0, 109.0, 112.0):
        assert not any(isinstance(a, Close) for a in s.due(t, EPOCH))
    assert s.due(113.0, EPOCH) == [Close(1008, "Pong timeout", "pong_timeout")]
    assert s.next_wakeup() is None and s.due(120.0, EPOCH) == []


def test_stopped_pings_await_no_pong() -> None:
    s = _session()
    s.due(103.0, EPOCH)
    s.stop_pings()
    assert s.due(113.0, EPOCH) == []
    assert s.next_wakeup() == 100.0 + 86400.0  # only the connection's life is left


def test_the_message_over_the_limit_closes_1008_too_many_requests() -> None:
    s = _session(per_second=2)
    assert not any(isinstance(a, Close) for a in s.ping(b"1", 100.1) + s.binary(b"\x00", 100.2))
    assert s.ping(b"2", 100.3)[-1] == Close(1008, "Too many requests", "too_many_messages")
    # Once closing, what still arrives is journaled, never counted or answered.
    assert s.text(b'{"method":"LIST_SUBSCRIPTIONS","id":1}', 100.4) == [
        Record("ws_frame", {"dir": "in", "op": "text", "data": '{"method":"LIST_SUBSCRIPTIONS","id":1}'})
    ]


def test_control_messages_are_answered_and_invalid_json_closes() -> None:
    s = _session("/public/ws/btcusdt@depth")
    _, reply, _ = s.text(b'{"method":"LIST_SUBSCRIPTIONS","id":7}', 100.1)
    assert isinstance(reply, SendText) and orjson.loads(reply.data) == {"result": ["btcusdt@depth"], "id": 7}
    assert s.text(b"{nope", 100.2)[-1] == Close(1008, "", "invalid_json")


def test_the_connection_closes_1001_at_the_end_of_its_life() -> None:
    s = _session(life=5.0)
    s.due(103.0, EPOCH)
    assert s.next_wakeup() == 105.0
    assert s.due(105.0, EPOCH) == [Close(1001, "", "connection_life")]


def test_user_events_follow_the_url_key_and_its_filter() -> None:
    s = _session(f"/private/stream?listenKey={KEY}&events=ORDER_TRADE_UPDATE")
    (opened, ready) = s.open()
    assert isinstance(opened, Record) and opened.fields["user"] is True
    assert ready == Record("user_stream", {"keys": [KEY], "via": "url"})
    order = {"e": "ORDER_TRADE_UPDATE", "E": 1}
    assert s.user_event(KEY, order) == {"stream": KEY, "data": order}
    assert s.user_event(KEY, {"e": "ACCOUNT_UPDATE", "E": 2}) is None
    assert s.user_event("other", order) is None


def test_upgrades_are_refused_by_a_fault_then_by_the_attempt_limit_then_by_path() -> None:
    fault, limited = (503, "down", {}), (429, "", {"Retry-After": "3"})
    assert route_upgrade("/public/ws", refusal=fault, over_limit=limited) == UpgradeRefused(
        503, "down", {}, "fault"
    )
    assert route_upgrade("/public/ws", refusal=None, over_limit=limited).why == "connection_attempts"  # type: ignore[union-attr]
    assert route_upgrade("/nope", refusal=None, over_limit=None) == UpgradeRefused(
        404, "", {}, "unknown_path"
    )
    assert route_upgrade("/public/ws", refusal=None, over_limit=None) == parse("/public/ws")
