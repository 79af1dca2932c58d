"""The push path's parts: frames built once, and receivers looked up by key in id order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
from websockets.frames import Frame, Opcode

from fake_server.fronts.frames import combined, text_frame
from fake_server.fronts.receivers import MARKET, Receivers


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536])
def test_a_prebuilt_frame_is_what_websockets_writes(size: int) -> None:
    payload = b"x" * size
    assert text_frame(payload) == Frame(Opcode.TEXT, payload).serialize(mask=False)


def test_a_wrapped_payload_is_what_orjson_makes_of_the_dict() -> None:
    event: dict[str, Any] = {"e": "ORDER_TRADE_UPDATE", "E": 1, "o": {"s": "BTCUSDT", "p": "1.5"}}
    key = 'key"with\\odd'
    assert combined(key, orjson.dumps(event)) == orjson.dumps({"stream": key, "data": event})


@dataclass
class _Route:
    listen_keys: tuple[str, ...] = ()


@dataclass
class _Session:
    """What `keys_of` reads of a StreamSession."""

    carries_user_data: bool = False
    route: _Route = field(default_factory=_Route)
    streams: list[str] = field(default_factory=list)
    markets: list[str] = field(default_factory=list)
    ws_api: object | None = None

    def market_streams(self) -> list[str]:
        return self.markets


@dataclass
class _Conn:
    id: int
    session: Any


def test_receivers_are_the_connections_filed_under_a_key_in_id_order() -> None:
    index: Receivers[_Conn] = Receivers()
    late = _Conn(3, _Session(True, _Route(("k1",))))
    idle = [_Conn(i, _Session()) for i in range(10, 20)]
    early = _Conn(1, _Session(True, _Route(("k1",))))
    other = _Conn(2, _Session(True, _Route(("k2",))))
    for conn in [late, *idle, early, other]:
        index.file(conn)
    assert index.user("k1") == [early, late]
    assert index.user("k2") == [other]
    assert index.user("k3") == []


def test_a_subscription_refiles_the_connection_and_a_drop_forgets_it() -> None:
    index: Receivers[_Conn] = Receivers()
    session = _Session(True, _Route(("k1",)))
    conn = _Conn(5, session)
    index.file(conn)
    session.streams = ["k2"]
    session.markets = ["btcusdt@aggTrade"]
    index.file(conn)
    assert index.user("k2") == [conn]
    assert index.market("btcusdt@aggTrade") == [conn]
    assert index.of(MARKET) == [conn]
    session.markets = []
    index.file(conn)
    assert index.market("btcusdt@aggTrade") == []
    index.drop(conn)
    assert index.user("k1") == [] and index.user("k2") == []
