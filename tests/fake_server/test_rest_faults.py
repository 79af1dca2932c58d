"""HTTP answers of binance-reference.md §4 as faults, and the removed listenKey routes (410).

Sources: §4 (451 body verbatim, 403 CloudFront WAF page, the four USD-M 503 variants, 5XX
"execution status unknown", -1000/-1001/-1007), the USD-M General Info (503 handling,
-1008 only on order routes and not for reduce-only orders, "not counted"), §0 (410 with
nginx's 136-byte page since 2026-02-20; /api/v1/userDataStream retired 2026-03-25).
"""

from __future__ import annotations

import aiohttp
import pytest

from fake_server.exchange import binance_errors
from fake_server.faults import load_all
from fake_server.faults.execution_unknown import ExecutionUnknown
from fake_server.faults.restricted_location import RestrictedLocation
from fake_server.faults.service_unavailable import ServiceUnavailable
from fake_server.faults.waf_block import WafBlock
from tests.fake_server._fake_helpers import StartFake, rest, signed_query

RESTRICTED = (
    '{"code":0,"msg":"Service unavailable from a restricted location according to \'b. Eligibility\' in '
    "https://www.binance.com/en/terms. Please contact customer service if you believe you received this "
    'message in error."}'
)


def market(fake: object, **extra: str) -> str:
    return signed_query(
        fake,  # type: ignore[arg-type]
        symbol="BTCUSDT",
        side="BUY",
        type="MARKET",
        quantity="0.002",
        **extra,
        timestamp=fake.clock.epoch_ms(),  # type: ignore[attr-defined]
    )


def test_the_http_faults_are_registered() -> None:
    faults = load_all()
    for cls in (RestrictedLocation, WafBlock, ServiceUnavailable, ExecutionUnknown):
        assert faults[cls.name] is cls and cls.layer == "http"
    assert ServiceUnavailable(variant="internal").describe()["params"] == {
        "variant": "internal",
        "route": "POST /fapi/v1/order",
        "executed": False,
        "times": None,
        "lasting": None,
    }


GONE = [
    ("POST", "/api/v3/userDataStream"),
    ("PUT", "/api/v3/userDataStream"),
    ("DELETE", "/api/v3/userDataStream"),
    ("POST", "/sapi/v1/userDataStream"),
    ("PUT", "/sapi/v1/userDataStream/isolated"),
    ("DELETE", "/sapi/v1/userDataStream/isolated"),
    ("GET", "/api/v1/userDataStream"),
    ("POST", "/api/v1/userDataStream"),
]


@pytest.mark.parametrize(("method", "path"), GONE)
async def test_removed_listen_key_routes_answer_nginx_410(
    start_fake: StartFake, method: str, path: str
) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        r = await client.request(method, path)
    assert r.status_code == 410
    assert r.content == binance_errors.GONE_HTML.encode() and len(r.content) == 136
    assert r.headers["Content-Type"] == "text/html"
    assert "X-MBX-USED-WEIGHT-1M" not in r.headers  # nginx answered, not the API
    (logged,) = fake.journal.of("rest")
    assert (logged["status"], logged["fault"], logged["weight"], logged["used_weight"]) == (
        410,
        False,
        0,
        None,
    )


async def test_410_page_through_aiohttp(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with (
        aiohttp.ClientSession() as session,
        session.post(fake.rest_url + "/api/v3/userDataStream") as r,
    ):
        assert (r.status, r.content_type) == (410, "text/html")
        assert "<title>410 Gone</title>" in await r.text()


async def test_restricted_location_is_451_with_the_exact_body(start_fake: StartFake) -> None:
    fake = await start_fake()
    RestrictedLocation(times=2).apply(fake)
    async with rest(fake) as client:
        blocked = [await client.get("/fapi/v1/ping"), await client.post("/fapi/v1/listenKey")]
        after = await client.get("/fapi/v1/ping")
    for r in blocked:
        assert (r.status_code, r.text) == (451, RESTRICTED)
        assert r.headers["Content-Type"] == "application/json"
        assert "X-MBX-USED-WEIGHT-1M" not in r.headers
    assert (after.status_code, after.headers["X-MBX-USED-WEIGHT-1M"]) == (
        200,
        "1",
    )  # the 451s counted nothing
    assert [e["fault"] for e in fake.journal.of("rest")] == [True, True, False]
    assert list(fake.journal.of("listen_key")) == []


async def test_waf_block_is_cloudfront_html(start_fake: StartFake) -> None:
    fake = await start_fake()
    WafBlock(route="GET /fapi/v2/account", times=1).apply(fake)
    async with rest(fake) as client:
        r = await client.get(f"/fapi/v2/account?{signed_query(fake, timestamp=fake.clock.epoch_ms())}")
    assert r.status_code == 403
    assert r.headers["Content-Type"] == "text/html" and r.headers["X-Cache"] == "Error from cloudfront"
    for line in ("<H1>403 ERROR</H1>", "<H2>The request could not be satisfied.</H2>", "Request blocked."):
        assert line in r.text
    assert f"Request ID: {r.headers['X-Amz-Cf-Id']}" in r.text
    assert "X-MBX-USED-WEIGHT-1M" not in r.headers


@pytest.mark.parametrize(
    ("variant", "code", "msg", "weight"),
    [
        ("unknown", -1000, "Unknown error, please check your request or try again later.", "1"),
        ("unavailable", -1001, "Service Unavailable.", "0"),
        ("internal", -1001, "Internal error; unable to process your request. Please try again.", "1"),
    ],
)
async def test_503_variants(start_fake: StartFake, variant: str, code: int, msg: str, weight: str) -> None:
    fake = await start_fake()
    ServiceUnavailable(variant=variant, route="GET /fapi/v1/ping", times=1).apply(fake)  # type: ignore[arg-type]
    async with rest(fake) as client:
        r = await client.get("/fapi/v1/ping")
    assert (r.status_code, r.json()) == (503, {"code": code, "msg": msg})
    assert r.headers["X-MBX-USED-WEIGHT-1M"] == weight  # B is "not counted"


async def test_throttled_1008_hits_new_orders_but_not_reduce_only_ones(start_fake: StartFake) -> None:
    fake = await start_fake()
    ServiceUnavailable(variant="throttled").apply(fake)
    async with rest(fake) as client:
        throttled = await client.post(f"/fapi/v1/order?{market(fake)}")
        reducing = await client.post(f"/fapi/v1/order?{market(fake, reduceOnly='true')}")
    assert (throttled.status_code, throttled.json()) == (
        503,
        {"code": -1008, "msg": binance_errors.THROTTLED_MSG},
    )
    # Passed through to the exchange, which refuses it for its own reason (no position).
    assert (reducing.status_code, reducing.json()["code"]) == (400, -2022)
    assert list(fake.journal.of("event")) == []


def test_fault_parameters_that_cannot_happen_are_refused() -> None:
    with pytest.raises(ValueError, match="-1008 happens only on POST"):
        ServiceUnavailable(variant="throttled", route="GET /fapi/v1/ping")
    with pytest.raises(ValueError, match="certain failure"):
        ServiceUnavailable(variant="unavailable", executed=True)
    with pytest.raises(ValueError, match="code must be one of"):
        ExecutionUnknown(code=-1003)  # type: ignore[arg-type]


@pytest.mark.parametrize("executed", [True, False])
async def test_execution_unknown_order_may_have_been_placed(start_fake: StartFake, executed: bool) -> None:
    fake = await start_fake()
    ExecutionUnknown(code=-1007, executed=executed, times=1).apply(fake)
    async with rest(fake) as client:
        r = await client.post(f"/fapi/v1/order?{market(fake, newClientOrderId='maybe')}")
        check = await client.get(
            "/fapi/v1/order?"
            + signed_query(fake, symbol="BTCUSDT", origClientOrderId="maybe", timestamp=fake.clock.epoch_ms())
        )
    assert (r.status_code, r.json()) == (408, {"code": -1007, "msg": binance_errors.TIMEOUT_MSG})
    assert "X-MBX-ORDER-COUNT-1M" not in r.headers
    placed = fake.journal.of("rest", path="/fapi/v1/order", method="POST")
    assert [(e["fault"], e["executed"]) for e in placed] == [(True, executed)]
    if executed:
        assert check.json()["status"] == "FILLED"
        assert [e["e"] for e in fake.journal.of("event")][:2] == ["ORDER_TRADE_UPDATE", "TRADE_LITE"]
    else:
        assert check.json() == {"code": -2013, "msg": "Order does not exist."}
        assert list(fake.journal.of("event")) == []


@pytest.mark.parametrize(
    ("code", "status", "msg"),
    [
        (-1000, 500, "An unknown error occured while processing the request."),
        (-1001, 500, "Internal error; unable to process your request. Please try again."),
    ],
)
async def test_execution_unknown_codes(start_fake: StartFake, code: int, status: int, msg: str) -> None:
    fake = await start_fake()
    ExecutionUnknown(code=code, route="DELETE /fapi/v1/listenKey").apply(fake)  # type: ignore[arg-type]
    async with rest(fake) as client:
        r = await client.delete("/fapi/v1/listenKey")
    assert (r.status_code, r.json()) == (status, {"code": code, "msg": msg})
