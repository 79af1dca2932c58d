"""Each profile carries its product's rules (binance-reference.md §1, §2)."""

from __future__ import annotations

import pytest

from fake_server.exchange.profiles import PROFILES, profile


def test_listen_key_routes_and_put_answers() -> None:
    assert PROFILES["usdm"].listen_key_path == "/fapi/v1/listenKey" and PROFILES["usdm"].put_returns_key
    assert PROFILES["coinm"].listen_key_path == "/dapi/v1/listenKey" and PROFILES["coinm"].put_returns_key
    assert PROFILES["pm"].listen_key_path == "/papi/v1/listenKey" and not PROFILES["pm"].put_returns_key
    assert PROFILES["spot"].listen_key_path is None


def test_timers_and_limits_per_product() -> None:
    assert (PROFILES["spot"].ping_interval, PROFILES["spot"].pong_timeout) == (20.0, 60.0)
    assert (PROFILES["usdm"].ping_interval, PROFILES["usdm"].pong_timeout) == (180.0, 600.0)
    assert PROFILES["spot"].incoming_per_second == 5 and PROFILES["usdm"].incoming_per_second == 10


def test_user_routes_per_product() -> None:
    assert PROFILES["usdm"].user_routes == {"private/ws", "private/stream"}
    assert PROFILES["coinm"].user_routes == {"ws", "stream"}
    assert PROFILES["pm"].user_routes == {"pm/ws"}
    assert not PROFILES["pm"].expired_has_key and PROFILES["coinm"].event_extras == {"i": "SfsR"}


def test_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="usdm, coinm, pm, spot"):
        profile("options")
