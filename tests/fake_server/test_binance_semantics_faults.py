"""The Binance-semantics faults through real sockets on 127.0.0.1: what each puts on the wire.

Sources: binance-reference.md §1 (one listenKey per API key, shared; DELETE ends it; -1125
after), §2 and §3 (`listenKeyExpired` names its key, `serverShutdown`'s shapes), §5 (E
orders one connection's events by type; across types, order by E); docs/fidelity.md "A
DELETE by another client" for what a revocation pushes; the public reports each fault's
module names.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from websockets.asyncio.client import ClientConnection
from websockets.protocol import State

from fake_server.faults import load_all
from fake_server.faults.backdate_event import BackdateEvent
from fake_server.faults.expire_listen_key import ExpireListenKey
from fake_server.faults.foreign_account_event import FOREIGN_FIRST_ORDER_ID, ForeignAccountEvent
from fake_server.faults.revoke_listen_key import RevokeListenKey
from fake_server.faults.server_shutdown import ServerShutdown
from fake_server.faults.stray_listen_key_expired import StrayListenKeyExpired
from fake_server.server import FakeBinance
from tests.fake_server._fake_helpers import (
    WAIT,
    StartFake,
    last_conn,
    new_listen_key,
    nothing_within,
    recv_json,
    rest,
    signed_query,
    tick,
    user_stream,
    ws_connect,
)
from tests.fake_server._stream_helpers import is_
from tests.fake_server.test_stream_connection import closed_with

DOES_NOT_EXIST = {"code": -1125, "msg": "This listenKey does not exist."}


async def recv_frames(ws: ClientConnection, n: int) -> list[bytes]:
    """The next `n` text frames exactly as they came (bytes, not re-encoded)."""
    async with asyncio.timeout(WAIT):
        return [await ws.recv(decode=False) for _ in range(n)]


def test_the_family_is_registered_with_its_layers() -> None:
    registered = load_all()
    for cls, layer in (
        (RevokeListenKey, "binance"),
        (StrayListenKeyExpired, "binance"),
        (BackdateEvent, "payload"),
        (ForeignAccountEvent, "payload"),
    ):
        assert registered[cls.name] is cls and cls.layer == layer and not cls.ends_connection
    assert RevokeListenKey().describe()["params"] == {"notify": False}
    for bad in (
        lambda: ExpireListenKey(copies=0),
        lambda: StrayListenKeyExpired(copies=11),
        lambda: ServerShutdown(copies=0),
        lambda: BackdateEvent(by=0),
        lambda: ForeignAccountEvent(count=0),
    ):
        with pytest.raises(ValueError):
            bad()


# revoke_listen_key ------------------------------------------------------------------------------


async def test_a_revoked_key_goes_silent_for_every_client_sharing_it(start_fake: StartFake) -> None:
    """Two clients of one API key get the same key (POST reuses it); one DELETE, by a third,
    leaves both sockets open and silent, and only a keepalive's -1125 tells."""
    fake = await start_fake()
    key = await new_listen_key(fake)
    assert await new_listen_key(fake) == key  # the second client is handed the same key
    path = f"/private/ws/{key}"
    async with ws_connect(fake, path) as first, ws_connect(fake, path) as second:
        conns = [c["conn"] for c in fake.journal.of("ws_open")]
        assert RevokeListenKey().apply(fake) == conns
        (made,) = tick(fake)  # the account goes on trading; nobody hears of it
        assert await nothing_within(first, 0.3) and await nothing_within(second, 0.05)
        assert first.state is State.OPEN and second.state is State.OPEN
        async with rest(fake) as client:
            answer = await client.put("/fapi/v1/listenKey")
            assert (answer.status_code, answer.json()) == (400, DOES_NOT_EXIST)
            fresh = (await client.post("/fapi/v1/listenKey")).json()["listenKey"]
        assert fresh != key
    (deleted,) = fake.journal.of("listen_key", action="deleted")
    assert (deleted["key"], deleted["why"]) == (key, "fault")
    assert next(fake.journal.of("event", E=made["E"]))["conns"] == []
    assert not list(fake.journal.of("event", e="listenKeyExpired"))


async def test_a_revocation_with_notify_pushes_listen_key_expired(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with user_stream(fake) as (ws, conn):
        key = fake.active_listen_key()
        assert RevokeListenKey(notify=True).apply(fake) == [conn]
        pushed = await recv_json(ws)
        assert set(pushed) == {"e", "E", "listenKey"}
        assert (pushed["e"], pushed["listenKey"]) == ("listenKeyExpired", key)
        assert ws.state is State.OPEN
    assert next(fake.journal.of("listen_key", action="deleted"))["why"] == "fault"


async def test_revoking_with_no_active_key_does_nothing(start_fake: StartFake) -> None:
    fake = await start_fake()
    assert RevokeListenKey().apply(fake) == []
    assert not list(fake.journal.of("listen_key"))


# listenKeyExpired twice, early, late ------------------------------------------------------------


async def test_expire_listen_key_twice_sends_the_same_bytes_back_to_back(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with user_stream(fake) as (ws, conn):
        assert ExpireListenKey(copies=2).apply(fake) == [conn]
        first, second = await recv_frames(ws, 2)
        assert first == second and orjson.loads(first)["e"] == "listenKeyExpired"
        assert await nothing_within(ws, 0.2)
    sent = list(fake.journal.of("event", e="listenKeyExpired"))
    assert [(e.get("copy"), e["conns"]) for e in sent] == [(None, [conn]), (2, [conn])]
    assert len(list(fake.journal.of("listen_key", action="expired"))) == 1  # one death, two notices


async def test_a_stray_notice_for_the_active_key_leaves_it_alive(start_fake: StartFake) -> None:
    """`names: active`: the notice names the connection's own key, and nothing else happens:
    events keep coming on the socket, PUT extends the key, POST hands back the same key."""
    fake = await start_fake()
    async with user_stream(fake) as (ws, conn):
        key = fake.active_listen_key()
        assert StrayListenKeyExpired().apply(fake) == [conn]
        notice = await recv_json(ws)
        assert (notice["e"], notice["listenKey"]) == ("listenKeyExpired", key)
        (made,) = tick(fake)
        assert await recv_json(ws) == made
        assert notice["E"] < made["E"]  # from the account's one E sequence
        async with rest(fake) as client:
            assert (await client.put("/fapi/v1/listenKey")).json() == {"listenKey": key}
            assert (await client.post("/fapi/v1/listenKey")).json() == {"listenKey": key}
    (entry,) = fake.journal.of("event", e="listenKeyExpired")
    assert (entry["fault"], entry["conns"]) == ("stray_listen_key_expired", [conn])
    assert not list(fake.journal.of("listen_key", action="expired"))


async def test_a_late_notice_names_the_previous_key_on_the_new_keys_socket(start_fake: StartFake) -> None:
    """`names: previous`: after the client moved to a new key, a notice about the old one
    reaches the new key's connection, twice; the new key stays alive."""
    fake = await start_fake()
    old = await new_listen_key(fake)
    ExpireListenKey(notify=False).apply(fake)
    new = await new_listen_key(fake)
    assert new != old
    async with ws_connect(fake, f"/private/ws/{new}") as ws:
        conn = last_conn(fake, f"/private/ws/{new}")
        assert StrayListenKeyExpired(names="previous", copies=2).apply(fake) == [conn]
        first, second = await recv_frames(ws, 2)
        assert first == second and orjson.loads(first)["listenKey"] == old
        (made,) = tick(fake)
        assert await recv_json(ws) == made
    assert fake.active_listen_key() == new


async def test_no_previous_key_means_no_late_notice(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with user_stream(fake) as (ws, _):
        assert StrayListenKeyExpired(names="previous").apply(fake) == []
        assert await nothing_within(ws, 0.2)


# serverShutdown duplicated or out of order -------------------------------------------------------


async def test_server_shutdown_twice_then_one_close(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with user_stream(fake) as (ws, conn):
        assert ServerShutdown(grace=0.3, copies=2).apply(fake) == [conn]
        first, second = await recv_frames(ws, 2)
        assert first == second and orjson.loads(first)["e"] == "serverShutdown"
        assert await closed_with(ws) == (1001, "")
    notices = list(fake.journal.of("event", e="serverShutdown"))
    assert [n.get("copy") for n in notices] == [None, 2]
    closed = await fake.journal.wait_for(is_("ws_close", conn=conn), WAIT)
    assert closed["how"] == "server_shutdown"
    assert len([c for c in fake.journal.of("ws_close") if c["conn"] == conn]) == 1


async def test_an_out_of_order_server_shutdown_is_stamped_before_the_last_event(
    start_fake: StartFake,
) -> None:
    fake = await start_fake()
    async with user_stream(fake) as (ws, _):
        (made,) = tick(fake)
        assert await recv_json(ws) == made
        ServerShutdown(grace=0.3, out_of_order=True).apply(fake)
        notice = await recv_json(ws)
        assert notice == {"e": "serverShutdown", "E": made["E"] - 1}
        assert await closed_with(ws) == (1001, "")


# backdate_event ---------------------------------------------------------------------------------


async def test_backdate_event_sends_an_account_update_with_e_below_the_frame_before(
    start_fake: StartFake,
) -> None:
    fake = await start_fake()
    async with user_stream(fake) as (ws, _):
        tick(fake)  # places an order
        assert (await recv_json(ws))["e"] == "ORDER_TRADE_UPDATE"
        assert BackdateEvent(by=40).apply(fake) == []
        made = tick(fake)  # fills it (TRADE_LITE, ORDER_TRADE_UPDATE, ACCOUNT_UPDATE), places the next
        got = [await recv_json(ws) for _ in made]
        tick(fake)
        after = [await recv_json(ws) for _ in range(4)]
    kinds = [e["e"] for e in got]
    update = got[kinds.index("ACCOUNT_UPDATE")]
    before = got[kinds.index("ACCOUNT_UPDATE") - 1]
    original = next(e for e in made if e["e"] == "ACCOUNT_UPDATE")
    assert update["E"] == before["E"] - 40 < original["E"]  # E went down on the wire
    assert update["T"] <= update["E"]
    assert {k: v for k, v in update.items() if k not in ("E", "T")} == {
        k: v for k, v in original.items() if k not in ("E", "T")
    }
    next_update = next(e for e in after if e["e"] == "ACCOUNT_UPDATE")
    assert next_update["E"] > original["E"]  # once only: the next one is stamped as usual
    (entry,) = fake.journal.of("event", fault="backdate_event")
    assert (entry["E"], entry["backdated_from"]) == (update["E"], original["E"])


# foreign_account_event ---------------------------------------------------------------------------


async def test_a_foreign_order_update_on_a_raw_connection_carries_nothing_to_tell(
    start_fake: StartFake,
) -> None:
    fake = await start_fake()
    async with user_stream(fake) as (ws, conn):
        (mine,) = tick(fake)
        assert await recv_json(ws) == mine
        assert ForeignAccountEvent().apply(fake) == [conn]
        foreign = await recv_json(ws)
    assert foreign["e"] == "ORDER_TRADE_UPDATE" and set(foreign) == set(mine)  # same shape, no owner
    assert foreign["o"]["i"] == FOREIGN_FIRST_ORDER_ID != mine["o"]["i"]
    assert foreign["E"] > mine["E"]  # E still rises on the connection
    async with rest(fake) as client:  # only REST tells: the order is not this account's
        assert all(o["orderId"] != FOREIGN_FIRST_ORDER_ID for o in await open_orders(fake, client))
    (frame,) = fake.journal.of("ws_frame", fault="foreign_account_event")
    assert (frame["conn"], frame["frame"], orjson.loads(frame["data"])) == (conn, "foreign", foreign)
    assert not list(fake.journal.of("event", E=foreign["E"]))  # not this account's event


async def test_a_foreign_account_update_on_a_combined_connection_names_another_key(
    start_fake: StartFake,
) -> None:
    fake = await start_fake()
    key = await new_listen_key(fake)
    path = f"/private/stream?listenKey={key}"
    async with ws_connect(fake, path) as ws:
        conn = last_conn(fake, path)
        assert ForeignAccountEvent(event_type="ACCOUNT_UPDATE").apply(fake) == [conn]
        wrapped = await recv_json(ws)
    assert set(wrapped) == {"stream", "data"} and wrapped["data"]["e"] == "ACCOUNT_UPDATE"
    assert len(wrapped["stream"]) == 64 and wrapped["stream"] != key


async def open_orders(fake: FakeBinance, client: Any) -> list[dict[str, Any]]:
    query = signed_query(fake, timestamp=fake.clock.epoch_ms())
    answer = await client.get(f"/fapi/v1/openOrders?{query}")
    assert answer.status_code == 200, answer.text
    orders: list[dict[str, Any]] = answer.json()
    return orders
