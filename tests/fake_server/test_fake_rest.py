"""The REST front through a real socket (httpx against the fake on 127.0.0.1).

Sources: binance-reference.md §1 (listenKey lifecycle and USER_STREAM auth), §4 (error
bodies, 401 for -2014/-2015, futures 404 -5000 body, X-MBX-USED-WEIGHT-1M, recvWindow).
"""

from __future__ import annotations

import hashlib
import hmac

from tests.fake_server._fake_helpers import EPOCH_MS, WAIT, StartFake, new_listen_key, rest, signed_query

BODY_1125 = {"code": -1125, "msg": "This listenKey does not exist."}


async def test_listen_key_post_put_delete_bodies_and_statuses(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        created = await client.post("/fapi/v1/listenKey")
        assert created.status_code == 200
        key = created.json()["listenKey"]
        assert created.json() == {"listenKey": key} and len(key) == 64
        assert created.headers["Content-Type"].startswith("application/json")

        again = await client.post("/fapi/v1/listenKey")
        assert (again.status_code, again.json()) == (200, {"listenKey": key})

        kept = await client.put("/fapi/v1/listenKey")
        assert (kept.status_code, kept.json()) == (200, {"listenKey": key})

        deleted = await client.delete("/fapi/v1/listenKey")
        assert (deleted.status_code, deleted.json()) == (200, {})

        put_dead = await client.put("/fapi/v1/listenKey")
        assert put_dead.status_code == 400
        assert put_dead.text == '{"code":-1125,"msg":"This listenKey does not exist."}'
        delete_dead = await client.delete("/fapi/v1/listenKey")
        assert (delete_dead.status_code, delete_dead.json()) == (400, BODY_1125)

        fresh = await client.post("/fapi/v1/listenKey")
        assert fresh.status_code == 200 and fresh.json()["listenKey"] != key

    actions = [e["action"] for e in fake.journal.of("listen_key")]
    assert actions == ["created", "reused", "extended", "deleted", "created"]
    statuses = [(e["method"], e["status"]) for e in fake.journal.of("rest")]
    assert statuses == [
        ("POST", 200), ("POST", 200), ("PUT", 200), ("DELETE", 200),
        ("PUT", 400), ("DELETE", 400), ("POST", 200),
    ]  # fmt: skip
    last = list(fake.journal.of("rest"))[-2]
    assert last["body"] == '{"code":-1125,"msg":"This listenKey does not exist."}'
    assert last["api_key"] is True and last["fault"] is False and last["path"] == "/fapi/v1/listenKey"


async def test_put_on_an_expired_key_is_1125(start_fake: StartFake) -> None:
    fake = await start_fake(listen_key_ttl=0.2)
    key = await new_listen_key(fake)
    expired = await fake.journal.wait_for(
        lambda e: e["kind"] == "listen_key" and e["action"] == "expired", WAIT
    )
    assert expired["key"] == key and expired["why"] == "ttl"
    async with rest(fake) as client:
        r = await client.put("/fapi/v1/listenKey")
    assert (r.status_code, r.json()) == (400, BODY_1125)


async def test_missing_api_key_is_401_2014(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake, api_key=None) as client:
        for method in ("POST", "PUT", "DELETE"):
            r = await client.request(method, "/fapi/v1/listenKey")
            assert (r.status_code, r.json()) == (401, {"code": -2014, "msg": "API-key format invalid."})
    assert [e["api_key"] for e in fake.journal.of("rest")] == [False, False, False]


async def test_wrong_api_key_is_401_2015_with_the_request_ip(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake, api_key="notTheKey") as client:
        r = await client.post("/fapi/v1/listenKey")
    assert r.status_code == 401
    assert r.json() == {
        "code": -2015,
        "msg": "Invalid API-key, IP, or permissions for action, request ip: 127.0.0.1",
    }
    assert list(fake.journal.of("listen_key")) == []


async def test_ping_time_and_exchange_info(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake, api_key=None) as client:
        ping = await client.get("/fapi/v1/ping")
        before = fake.clock.epoch_ms()
        time = await client.get("/fapi/v1/time")
        after = fake.clock.epoch_ms()
        info = await client.get("/fapi/v1/exchangeInfo")
    assert (ping.status_code, ping.text) == (200, "{}")
    assert time.status_code == 200 and list(time.json()) == ["serverTime"]
    assert before <= time.json()["serverTime"] <= after
    assert time.json()["serverTime"] >= EPOCH_MS
    assert info.status_code == 200
    body = info.json()
    assert [s["symbol"] for s in body["symbols"]] == ["BTCUSDT"]
    assert {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 2400} in (
        body["rateLimits"]
    )


async def test_signed_account_and_open_orders(start_fake: StartFake) -> None:
    fake = await start_fake()
    fake.publish(fake.account.tick(fake.clock.epoch_ms()))  # one open order
    async with rest(fake) as client:
        account = await client.get(f"/fapi/v2/account?{signed_query(fake, timestamp=fake.clock.epoch_ms())}")
        orders = await client.get(
            f"/fapi/v1/openOrders?{signed_query(fake, recvWindow=5000, timestamp=fake.clock.epoch_ms())}"
        )
        risk = await client.get(
            f"/fapi/v2/positionRisk?{signed_query(fake, timestamp=fake.clock.epoch_ms())}"
        )
    assert account.status_code == 200
    assert account.json()["totalWalletBalance"] == "10000"
    assert orders.status_code == 200
    assert [o["orderId"] for o in orders.json()] == list(fake.account.open_orders)
    assert len(orders.json()) == 1
    assert risk.status_code == 200 and risk.json()[0]["symbol"] == "BTCUSDT"
    logged = next(fake.journal.of("rest", path="/fapi/v1/openOrders"))
    assert "signature" not in logged["query"] and logged["query"]["recvWindow"] == "5000"


async def test_tampered_query_fails_the_signature_check(
    start_fake: StartFake,
) -> None:
    fake = await start_fake()
    query = signed_query(fake, timestamp=fake.clock.epoch_ms())
    tampered = query.replace("timestamp=", "timestamp=1", 1)  # signed value no longer matches
    async with rest(fake) as client:
        r = await client.get(f"/fapi/v2/account?{tampered}")
    # A tampered timestamp is caught either by the signature or by the window; here the
    # signature check comes first.
    assert (r.status_code, r.json()["code"]) == (400, -1022)


async def test_bad_signature_is_1022(start_fake: StartFake) -> None:
    fake = await start_fake()
    query = signed_query(fake, secret="not-the-secret", timestamp=fake.clock.epoch_ms())
    async with rest(fake) as client:
        r = await client.get(f"/fapi/v2/account?{query}")
    assert (r.status_code, r.json()) == (
        400,
        {"code": -1022, "msg": "Signature for this request is not valid."},
    )


async def test_missing_timestamp_is_1102(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        r = await client.get(f"/fapi/v1/openOrders?{signed_query(fake, recvWindow=5000)}")
    assert (r.status_code, r.json()) == (
        400,
        {
            "code": -1102,
            "msg": "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
        },
    )


async def test_missing_signature_is_1102(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        r = await client.get(f"/fapi/v1/openOrders?timestamp={fake.clock.epoch_ms()}")
    assert r.status_code == 400
    assert r.json()["code"] == -1102 and "'signature'" in r.json()["msg"]


async def test_stale_timestamp_is_1021(start_fake: StartFake) -> None:
    fake = await start_fake()
    stale = fake.clock.epoch_ms() - 6_000  # outside the default 5000 ms recvWindow
    async with rest(fake) as client:
        r = await client.get(f"/fapi/v2/account?{signed_query(fake, timestamp=stale)}")
        widened = await client.get(
            f"/fapi/v2/account?{signed_query(fake, timestamp=stale, recvWindow=60000)}"
        )
    assert (r.status_code, r.json()) == (
        400,
        {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."},
    )
    assert widened.status_code == 200


async def test_timestamp_ahead_of_the_server_is_1021(start_fake: StartFake) -> None:
    fake = await start_fake()
    ahead = fake.clock.epoch_ms() + 5_000
    async with rest(fake) as client:
        r = await client.get(f"/fapi/v2/account?{signed_query(fake, timestamp=ahead)}")
    assert (r.status_code, r.json()) == (
        400,
        {"code": -1021, "msg": "Timestamp for this request was 1000ms ahead of the server's time."},
    )


async def test_signed_route_without_api_key_is_2014(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake, api_key=None) as client:
        r = await client.get(f"/fapi/v2/account?{signed_query(fake, timestamp=fake.clock.epoch_ms())}")
    assert (r.status_code, r.json()["code"]) == (401, -2014)


async def test_unknown_route_is_404_5000(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        r = await client.get("/fapi/v1/nope")
        wrong_method = await client.patch("/fapi/v1/listenKey")
    assert r.status_code == 404
    assert r.text == '{"code":-5000,"msg":"Path /fapi/v1/nope, Method GET is invalid"}'
    assert r.headers["Content-Type"].startswith("application/json")
    assert (wrong_method.status_code, wrong_method.json()) == (
        404,
        {"code": -5000, "msg": "Path /fapi/v1/listenKey, Method PATCH is invalid"},
    )


async def test_used_weight_header_on_every_answer(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        answers = [
            await client.get("/fapi/v1/ping"),  # weight 1
            await client.post("/fapi/v1/listenKey"),  # 1
            await client.get("/fapi/v1/nope"),  # errors count too
            await client.get(f"/fapi/v2/account?{signed_query(fake, timestamp=fake.clock.epoch_ms())}"),  # 5
            await client.put("/fapi/v1/listenKey", headers={"X-MBX-APIKEY": "wrong"}),
        ]
    assert [a.headers["X-MBX-USED-WEIGHT-1M"] for a in answers] == ["1", "2", "3", "8", "9"]


def test_signed_query_helper_matches_binance_doc_example() -> None:
    # The HMAC example of Binance's signed-endpoint docs (a fixed key, secret and query).
    secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    query = (
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
        "&recvWindow=5000&timestamp=1499827319559"
    )
    digest = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    assert digest == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
