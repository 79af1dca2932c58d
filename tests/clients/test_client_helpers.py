"""Helpers of the shipped clients: backoff, error lines, unwrap, signing, pongless."""

from __future__ import annotations

import hashlib
import hmac
import random
from pathlib import Path

import pytest
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State
from websockets.server import ServerProtocol
from websockets.uri import parse_uri

from clients import pongless
from clients import reference_client as rc
from clients.broken import (
    loses_events,
    no_backoff,
    no_error_body,
    no_heartbeat,
    no_pong,
    no_reconnect,
    no_resync,
)

CONFIG = rc.Config(rest_url="http://127.0.0.1:1", ws_url="ws://127.0.0.1:2")


# ------------------------------------------------------------------------------ backoff


def test_backoff_first_delay_is_quick_then_grows_to_the_cap() -> None:
    backoff = rc.Backoff(0.25, 30.0, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(20)]
    assert delays[0] <= 0.25
    # While the nominal delay doubles, jitter in [0.5, 1] never makes a delay shrink.
    assert delays[:7] == sorted(delays[:7])
    assert all(d <= 30.0 for d in delays)
    assert delays[-1] >= 15.0  # at the cap, still jittered
    assert delays[3] >= 2 * 0.25  # really exponential: 4th nominal is 2 s, at least 1 s


def test_backoff_nominal_schedule_and_reset() -> None:
    backoff = rc.Backoff(0.25, 30.0, rng=random.Random(1))
    lows = [backoff.next_delay() for _ in range(9)]
    nominal = [0.25, 0.5, 1, 2, 4, 8, 16, 30, 30]
    assert all(n / 2 <= d <= n for d, n in zip(lows, nominal, strict=True))
    backoff.reset()
    assert backoff.next_delay() <= 0.25


def test_backoff_is_deterministic_with_a_seed_and_never_overflows() -> None:
    a = rc.Backoff(0.25, 30.0, rng=random.Random(42))
    b = rc.Backoff(0.25, 30.0, rng=random.Random(42))
    assert [a.next_delay() for _ in range(5000)] == [b.next_delay() for _ in range(5000)]


def test_client_backoff_reads_config_and_caps_keepalive_retries() -> None:
    config = rc.Config(rest_url="r", ws_url="w", backoff_initial=1.0, backoff_max=8.0)
    client = rc.ReferenceClient(config, rng=random.Random(3))
    assert client.new_backoff().maximum == 8.0
    assert client.new_backoff(5.0).maximum == 5.0
    assert client.new_backoff().next_delay() <= 1.0


# --------------------------------------------------------------------------- REST lines


def test_error_line_carries_binance_code_and_msg() -> None:
    body = '{"code":-5000,"msg":"Path /fapi/v1/listenKey, Method POST is invalid"}'
    assert rc.format_rest_error("POST", "/fapi/v1/listenKey", 404, body) == (
        "REST POST /fapi/v1/listenKey failed: HTTP 404 code=-5000 "
        "msg=Path /fapi/v1/listenKey, Method POST is invalid"
    )


def test_error_line_for_html_page_names_its_title_on_one_bounded_line() -> None:
    body = "<html>\r\n<head><title>410\r\n Gone</title></head>\n" + "x" * 500
    line = rc.format_rest_error("PUT", "/fapi/v1/listenKey", 410, body)
    assert line == "REST PUT /fapi/v1/listenKey failed: HTTP 410 page=410 Gone"


def test_error_line_for_other_non_json_body_is_one_line_and_bounded() -> None:
    body = "<html>\r\n<body>oops</body>\n" + "x" * 500
    line = rc.format_rest_error("PUT", "/fapi/v1/listenKey", 502, body)
    assert line.startswith("REST PUT /fapi/v1/listenKey failed: HTTP 502 body=<html> <body>")
    assert "\n" not in line and len(line) < 300


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("", "body=(empty)"),
        ('{"code":0,"msg":"Service unavailable"}', "code=0 msg=Service unavailable"),
        ('{"foo":1}', 'body={"foo":1}'),
        ("[1, 2]", "body=[1, 2]"),
    ],
)
def test_error_line_edge_bodies(body: str, detail: str) -> None:
    assert rc.format_rest_error("GET", "/p", 500, body) == f"REST GET /p failed: HTTP 500 {detail}"


def test_retry_after_parsing() -> None:
    assert rc.parse_retry_after("7") == 7.0
    assert rc.parse_retry_after(None) is None
    assert rc.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None
    assert rc.parse_retry_after("-3") == 0.0


def test_signature_matches_binance_documented_example() -> None:
    # The HMAC example of Binance's REST docs (documented secret and query).
    secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    query = (
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
        "&recvWindow=5000&timestamp=1499827319559"
    )
    assert rc.sign(query, secret) == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"


def test_signed_query_signs_exactly_what_it_sends() -> None:
    query = rc.signed_query("sec", 1700000000000)
    base, _, signature = query.rpartition("&signature=")
    assert base == "timestamp=1700000000000&recvWindow=5000"
    assert signature == hmac.new(b"sec", base.encode(), hashlib.sha256).hexdigest()


# ------------------------------------------------------------------------------- frames


def test_unwrap_combined_stream_envelope() -> None:
    event = {"e": "ACCOUNT_UPDATE", "E": 1}
    assert rc.unwrap({"stream": "key", "data": event}) is event
    assert rc.unwrap(event) is event
    assert rc.unwrap([1]) == [1]
    assert rc.unwrap({"stream": "key"}) == {"stream": "key"}


def test_user_events_exclude_control_signals_and_non_events() -> None:
    assert rc.is_user_event({"e": "ORDER_TRADE_UPDATE", "E": 1})
    assert not rc.is_user_event({"e": "listenKeyExpired", "E": 1, "listenKey": "k"})
    assert not rc.is_user_event({"result": None, "id": 1})
    assert not rc.is_user_event("e")


def test_event_line_is_one_compact_json_line() -> None:
    assert rc.event_line({"e": "X", "E": 2}) == '{"e":"X","E":2}\n'


def test_snapshot_summary_tolerates_any_shape() -> None:
    account = {
        "totalWalletBalance": "12.5",
        "positions": [{"positionAmt": "0.000"}, {"positionAmt": "-1.5"}, "junk"],
    }
    assert rc.snapshot_summary(account, [{}, {}]) == ("walletBalance=12.5 positions=1 openOrders=2")
    assert rc.snapshot_summary(None, {"code": 1}) == ("walletBalance=None positions=0 openOrders=?")


# ------------------------------------------------------------------------------- config


def test_config_defaults_follow_binance_and_the_ttl() -> None:
    env = {
        "BINANCE_HARNESS_REST_URL": "http://h:1/",
        "BINANCE_HARNESS_WS_URL": "ws://h:2",
    }
    config = rc.Config.from_env(env)
    assert (config.rest_url, config.ws_url) == ("http://h:1", "ws://h:2")
    assert config.keepalive_interval == 1800.0
    assert (config.client_ping_interval, config.client_ping_timeout) == (20.0, 10.0)
    assert (config.backoff_initial, config.backoff_max, config.open_timeout) == (0.25, 30.0, 10.0)
    assert config.events_file is None
    short = rc.Config.from_env({**env, "BINANCE_HARNESS_LISTEN_KEY_TTL": "6"})
    assert short.keepalive_interval == 3.0
    explicit = rc.Config.from_env(
        {
            **env,
            "BINANCE_HARNESS_LISTEN_KEY_TTL": "6",
            "BINANCE_HARNESS_KEEPALIVE_INTERVAL": "2.5",
            "REFCLIENT_BACKOFF_INITIAL": "0.1",
            "REFCLIENT_BACKOFF_MAX": "2",
            "REFCLIENT_OPEN_TIMEOUT": "1.5",
        }
    )
    assert (
        explicit.keepalive_interval,
        explicit.backoff_initial,
        explicit.backoff_max,
        explicit.open_timeout,
    ) == (
        2.5,
        0.1,
        2.0,
        1.5,
    )


# --------------------------------------------------------------------- no-pong protocol


def _handshaken(
    protocol_class: type[ClientProtocol],
) -> tuple[ClientProtocol, ServerProtocol]:
    """A client protocol of ``protocol_class`` and a server, both past the handshake."""
    client = ClientProtocol(parse_uri("ws://127.0.0.1/private/ws/key"))
    client.__class__ = protocol_class  # what PonglessClientConnection does
    server = ServerProtocol()
    client.send_request(client.connect())
    server.receive_data(b"".join(client.data_to_send()))
    [request] = server.events_received()
    assert isinstance(request, Request)
    server.send_response(server.accept(request))
    client.receive_data(b"".join(server.data_to_send()))
    client.events_received()
    assert client.state is State.OPEN and server.state is State.OPEN
    return client, server


def _ping_and_collect(client: ClientProtocol, server: ServerProtocol) -> list[Frame]:
    """The server pings; return the frames the client sends back, as the server sees."""
    server.send_ping(b"abc")
    client.receive_data(b"".join(server.data_to_send()))
    [ping] = client.events_received()
    assert isinstance(ping, Frame) and (ping.opcode, ping.data) == (Opcode.PING, b"abc")
    server.receive_data(b"".join(client.data_to_send()))
    return [e for e in server.events_received() if isinstance(e, Frame)]


def test_stock_protocol_answers_ping_with_same_payload() -> None:
    client, server = _handshaken(ClientProtocol)
    [pong] = _ping_and_collect(client, server)
    assert (pong.opcode, pong.data) == (Opcode.PONG, b"abc")


def test_pongless_protocol_sees_the_ping_but_sends_nothing() -> None:
    client, server = _handshaken(pongless.PonglessClientProtocol)
    assert _ping_and_collect(client, server) == []
    # and the rest of the protocol still works: a clean close is echoed
    server.send_close(1000, "bye")
    client.receive_data(b"".join(server.data_to_send()))
    server.receive_data(b"".join(client.data_to_send()))
    assert [e.opcode for e in server.events_received() if isinstance(e, Frame)] == [Opcode.CLOSE]


def test_pongless_connection_refuses_a_protocol_it_does_not_know() -> None:
    class Custom(ClientProtocol):
        pass

    with pytest.raises(TypeError):
        pongless.PonglessClientConnection(Custom(parse_uri("ws://127.0.0.1/")))


# ----------------------------------------------------------------------- broken clients


def test_no_pong_uses_the_pongless_connection() -> None:
    assert no_pong.NoPongClient(CONFIG).connection_class is pongless.PonglessClientConnection
    assert rc.ReferenceClient(CONFIG).connection_class is not pongless.PonglessClientConnection


def test_no_heartbeat_sends_no_pings_of_its_own() -> None:
    assert no_heartbeat.NoHeartbeatClient(CONFIG).ping_settings() == (None, None)
    assert rc.ReferenceClient(CONFIG).ping_settings() == (20.0, 10.0)


def test_no_reconnect_gives_up_after_a_connection_opened() -> None:
    client = no_reconnect.NoReconnectClient(CONFIG)
    assert client.should_reconnect(ever_opened=False)
    assert not client.should_reconnect(ever_opened=True)


def test_no_resync_keeps_only_the_startup_snapshot() -> None:
    client = no_resync.NoResyncClient(CONFIG)
    assert [client.should_resync(n) for n in (1, 2, 3)] == [True, False, False]


def test_no_error_body_prints_the_status_only() -> None:
    client = no_error_body.NoErrorBodyClient(CONFIG)
    assert client.describe_rest_failure("POST", "/p", 404, '{"code":-5000,"msg":"m"}') == "HTTP 404"


def test_no_backoff_never_grows() -> None:
    backoff = no_backoff.NoBackoffClient(CONFIG).new_backoff()
    assert [backoff.next_delay() for _ in range(10)] == [0.1] * 10


def test_loses_events_drops_account_updates(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    config = rc.Config(rest_url="r", ws_url="w", events_file=str(events))
    client = loses_events.LosesEventsClient(config)
    client._events = handle = client.open_events_file()
    assert handle is not None
    with handle:
        client.handle_event({"e": "ACCOUNT_UPDATE", "E": 1})
        client.handle_event({"e": "ORDER_TRADE_UPDATE", "E": 2})
    assert events.read_text() == '{"e":"ORDER_TRADE_UPDATE","E":2}\n'
