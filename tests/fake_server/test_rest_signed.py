"""SIGNED routes: the signature covers the query string and the form body, concatenated.

Sources: USD-M General Info, "SIGNED (TRADE and USER_DATA) Endpoint Security" (totalParams
= query string concatenated with the request body; signature not case sensitive; examples
1-3) and "Timing Security" (timestamp < serverTime + 1000, recvWindow default 5000);
"General Information on Endpoints" (a parameter in both places is taken from the query
string); binance-reference.md §4 (recvWindow max 60000; -1021, -1022, -1102); -1131 from
the options error page and ccxt's error map.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

import httpx
import pytest

from fake_server.exchange.rest_routes import sign
from tests.fake_server._fake_helpers import StartFake, rest, signed_query

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def hmac_hex(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def test_sign_matches_the_usdm_doc_examples() -> None:
    secret = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"
    params = "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943"
    example_1 = "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"
    assert sign(secret, params) == sign(secret, "", params) == example_1  # query string or body
    assert sign(secret, params + "&signature=" + example_1) == example_1  # its own signature left out
    # Example 3, mixed: no "&" between the query string and the body (the doc's body has a
    # stray space in the timestamp; the published signature is over that text).
    query = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
    body = "quantity=1&price=9000&recvWindow=5000&timestamp= 1591702613943"
    assert sign(secret, query, body) == "f9d0ae5e813ef6ccf15c2b5a434047a0181cb5a342b903b367ca6d27a66e36f2"


async def test_signed_form_body(start_fake: StartFake) -> None:
    fake = await start_fake()
    secret = fake.settings.credentials.api_secret
    body = urlencode(
        {"symbol": "BTCUSDT", "orderId": 7, "timestamp": fake.clock.epoch_ms(), "recvWindow": 5000}
    )
    body += "&signature=" + hmac_hex(secret, body)
    async with rest(fake) as client:
        r = await client.request("DELETE", "/fapi/v1/order", headers=FORM, content=body)
    # The signature and parameters were read from the body; order 7 is just not open.
    assert (r.status_code, r.json()) == (400, {"code": -2011, "msg": "Unknown order sent."})


async def test_a_get_body_is_not_read(start_fake: StartFake) -> None:
    fake = await start_fake()
    body = f"timestamp={fake.clock.epoch_ms()}"
    body += "&signature=" + hmac_hex(fake.settings.credentials.api_secret, body)
    async with rest(fake) as client:
        r = await client.request("GET", "/fapi/v2/account", headers=FORM, content=body)
    assert (r.status_code, r.json()["code"]) == (400, -1102)
    assert "'timestamp'" in r.json()["msg"]


async def test_mixed_query_and_body_sign_their_concatenation(start_fake: StartFake) -> None:
    fake = await start_fake()
    secret = fake.settings.credentials.api_secret
    query = "symbol=BTCUSDT&side=BUY&type=MARKET"
    body = f"quantity=0.002&timestamp={fake.clock.epoch_ms()}"
    good = hmac_hex(secret, query + body)
    with_ampersand = hmac_hex(secret, query + "&" + body)
    async with rest(fake) as client:
        bad = await client.post(
            f"/fapi/v1/order?{query}", headers=FORM, content=f"{body}&signature={with_ampersand}"
        )
        ok = await client.post(f"/fapi/v1/order?{query}", headers=FORM, content=f"{body}&signature={good}")
    assert (bad.status_code, bad.json()["code"]) == (400, -1022)
    assert ok.status_code == 200 and ok.json()["origQty"] == "0.002"
    logged = list(fake.journal.of("rest"))[-1]
    assert logged["query"] == {
        "symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.002", "timestamp": body.rsplit("=")[-1],
    }  # fmt: skip


async def test_the_query_string_wins_over_the_body(start_fake: StartFake) -> None:
    fake = await start_fake()
    secret = fake.settings.credentials.api_secret
    query = "symbol=ETHUSDT"
    body = f"symbol=BTCUSDT&orderId=1&timestamp={fake.clock.epoch_ms()}"
    signature = hmac_hex(secret, query + body)
    async with rest(fake) as client:
        r = await client.request(
            "DELETE", f"/fapi/v1/order?{query}", headers=FORM, content=f"{body}&signature={signature}"
        )
    assert (r.status_code, r.json()) == (400, {"code": -1121, "msg": "Invalid symbol."})


async def test_signature_is_over_the_query_as_sent_percent_encoding_kept(start_fake: StartFake) -> None:
    fake = await start_fake()
    query = signed_query(fake, symbol="BTCUSDT", origClientOrderId="a/b:c", timestamp=fake.clock.epoch_ms())
    assert "a%2Fb%3Ac" in query
    async with rest(fake) as client:
        r = await client.get(f"/fapi/v1/order?{query}")
    # Signature accepted; the order just does not exist.
    assert (r.status_code, r.json()) == (400, {"code": -2013, "msg": "Order does not exist."})


async def test_signature_is_not_case_sensitive(start_fake: StartFake) -> None:
    fake = await start_fake()
    query = signed_query(fake, timestamp=fake.clock.epoch_ms())
    head, signature = query.rsplit("=", 1)
    async with rest(fake) as client:
        r = await client.get(f"/fapi/v2/account?{head}={signature.upper()}")
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("window", "status", "body"),
    [
        ("60000", 200, None),
        ("60001", 400, {"code": -1131, "msg": "recvWindow must be less than 60000"}),
        (
            "5s",
            400,
            {
                "code": -1100,
                "msg": "Illegal characters found in parameter 'recvWindow'; legal range is '^[0-9]{1,20}$'.",
            },
        ),
    ],
)
async def test_recv_window_maximum_and_format(
    start_fake: StartFake, window: str, status: int, body: object
) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        r = await client.get(
            f"/fapi/v2/account?{signed_query(fake, recvWindow=window, timestamp=fake.clock.epoch_ms())}"
        )
    assert r.status_code == status
    if body is not None:
        assert r.json() == body


async def test_timestamp_a_second_ahead_is_refused_and_less_is_accepted(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        # The server's clock only moves forward, so "now + 1000" is never less than
        # serverTime + 1000 when it arrives, and "now + 1500" is well ahead.
        r = await client.get(f"/fapi/v2/account?{signed_query(fake, timestamp=fake.clock.epoch_ms() + 1500)}")
        just = await client.get(
            f"/fapi/v2/account?{signed_query(fake, timestamp=fake.clock.epoch_ms() + 900)}"
        )
    assert (r.status_code, r.json()["code"]) == (400, -1021)
    assert "1000ms ahead" in r.json()["msg"]
    assert just.status_code == 200


async def test_wrong_secret_in_body_is_1022(start_fake: StartFake) -> None:
    fake = await start_fake()
    body = f"timestamp={fake.clock.epoch_ms()}"
    async with httpx.AsyncClient(
        base_url=fake.rest_url, headers={"X-MBX-APIKEY": fake.settings.credentials.api_key}
    ) as client:
        r = await client.post(
            "/fapi/v1/order", headers=FORM, content=f"{body}&signature={hmac_hex('nope', body)}"
        )
    assert (r.status_code, r.json()) == (
        400,
        {"code": -1022, "msg": "Signature for this request is not valid."},
    )
