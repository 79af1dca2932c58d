"""The `user_stream` journal entry: the moment a connection begins to carry user data.

Scenario steps aimed at "the user-data connection" wait for it (trigger `user_stream_ready`),
because a handshake is not that moment for every client: Binance's own SDKs open a bare
`/private/stream` and SUBSCRIBE their listenKey a moment later, and the spot WebSocket API
subscribes after connecting (docs/scenario-format.md, docs/journal.md).
"""

from __future__ import annotations

from typing import Any

from fake_server.server import FakeBinance
from tests.fake_server._fake_helpers import WAIT, StartFake, last_conn, new_listen_key, ws_connect
from tests.fake_server._stream_helpers import is_, request


def ready(fake: FakeBinance) -> list[dict[str, Any]]:
    return list(fake.journal.of("user_stream"))


async def test_a_key_in_the_url_is_ready_at_the_handshake(start_fake: StartFake) -> None:
    fake = await start_fake()
    key = await new_listen_key(fake)
    async with ws_connect(fake, f"/private/ws/{key}"):
        conn = last_conn(fake, f"/private/ws/{key}")
        entry = await fake.journal.wait_for(is_("user_stream", conn=conn), WAIT)
    assert (entry["keys"], entry["via"]) == ([key], "url")
    opened = next(fake.journal.of("ws_open"))
    assert opened["t"] <= entry["t"]


async def test_a_bare_private_stream_is_ready_only_once_its_key_is_subscribed(start_fake: StartFake) -> None:
    fake = await start_fake()
    key = await new_listen_key(fake)
    async with ws_connect(fake, "/private/stream") as ws:
        conn = last_conn(fake, "/private/stream")
        # A market stream is no user data: still not ready.
        assert await request(ws, {"method": "SUBSCRIBE", "params": ["btcusdt@aggTrade"], "id": 1}) == {
            "result": None,
            "id": 1,
        }
        assert ready(fake) == []
        await request(ws, {"method": "SUBSCRIBE", "params": [key], "id": 2})
        entry = await fake.journal.wait_for(is_("user_stream", conn=conn), WAIT)
        assert (entry["keys"], entry["via"]) == ([key], "subscribe")
        # Once per connection: a second SUBSCRIBE of the key journals nothing new.
        await request(ws, {"method": "SUBSCRIBE", "params": [key], "id": 3})
    assert len(ready(fake)) == 1


async def test_a_dead_key_never_makes_a_connection_ready(start_fake: StartFake) -> None:
    fake = await start_fake()
    key = await new_listen_key(fake)
    assert fake.expire_listen_key(notify=False) is not None
    async with ws_connect(fake, f"/private/ws/{key}") as ws:
        await request(ws, {"method": "SUBSCRIBE", "params": [key], "id": 1})
    assert [e["key_states"] for e in fake.journal.of("ws_open")] == [{key: "expired"}]
    assert ready(fake) == []
