"""Requests no SDK sends, answered the way Binance answers them, never with a 500.

Each case below was a 500 with a traceback on the fake's stderr (issue 11): a body that
is not UTF-8, a `charset` Python does not know, a non-ASCII signature, a `timestamp` or
`recvWindow` of "²" (which `str.isdigit()` accepts) or of 5,000 nines (which `int()`
refuses), a DECIMAL of 5,000 digits. Binance's answers: docs/fidelity.md "Malformed
requests".
"""

from __future__ import annotations

import httpx
import pytest

from tests.fake_server._fake_helpers import StartFake, rest, signed_query

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ILLEGAL = {"code": -1100, "msg": "Illegal characters found in a parameter."}


def illegal_in(name: str) -> dict[str, object]:
    return {
        "code": -1100,
        "msg": f"Illegal characters found in parameter '{name}'; legal range is '^[0-9]{{1,20}}$'.",
    }


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        (FORM, b"timestamp=\xff\xfe"),
        ({"Content-Type": "application/x-www-form-urlencoded; charset=latin-1"}, b"symbol=\xe9"),
        ({**FORM, "Content-Encoding": "gzip"}, b"not gzip at all"),
    ],
    ids=["not-utf8", "latin1-declared", "bad-gzip"],
)
async def test_a_form_body_that_cannot_be_read_is_1100(
    start_fake: StartFake, headers: dict[str, str], body: bytes
) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        r = await client.post("/fapi/v1/order", headers=headers, content=body)
    assert (r.status_code, r.json()) == (400, ILLEGAL)


async def test_a_percent_escape_that_is_not_utf8_is_1100(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        r = await client.get("/fapi/v2/account?timestamp=%ff&signature=%fe")
    assert (r.status_code, r.json()) == (400, ILLEGAL)


async def test_an_unknown_charset_is_ignored_and_the_body_read_as_utf8(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        r = await client.post(
            "/fapi/v1/listenKey",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=bogus"},
            content=b"a=b",
        )
    assert r.status_code == 200 and "listenKey" in r.json()


async def test_a_body_that_is_not_a_form_is_not_read(start_fake: StartFake) -> None:
    """Binance reads parameters from form bodies only, so other bytes cannot be illegal."""
    fake = await start_fake()
    async with rest(fake) as client:
        r = await client.post(
            "/fapi/v1/listenKey", headers={"Content-Type": "application/octet-stream"}, content=b"\xff"
        )
    assert r.status_code == 200


@pytest.mark.parametrize("value", ["²", "٣", "9" * 5000, "9" * 21, " 1", "1.0"])
@pytest.mark.parametrize("name", ["timestamp", "recvWindow"])
async def test_a_long_parameter_outside_binances_range_is_1100(
    start_fake: StartFake, name: str, value: str
) -> None:
    fake = await start_fake()
    params = {"timestamp": fake.clock.epoch_ms(), name: value}
    async with rest(fake) as client:
        r = await client.get(f"/fapi/v2/account?{signed_query(fake, **params)}")
    assert (r.status_code, r.json()) == (400, illegal_in(name))


async def test_twenty_digits_are_a_long_and_a_far_timestamp_is_1021(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        r = await client.get(f"/fapi/v2/account?{signed_query(fake, timestamp='9' * 20)}")
    assert (r.status_code, r.json()["code"]) == (400, -1021)


async def test_a_non_ascii_signature_is_1022(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        r = await client.get(f"/fapi/v2/account?timestamp={fake.clock.epoch_ms()}&signature=%C3%A9%C2%B2")
    assert (r.status_code, r.json()) == (
        400,
        {"code": -1022, "msg": "Signature for this request is not valid."},
    )


@pytest.mark.parametrize(
    ("params", "answer"),
    [
        ({"orderId": "²"}, illegal_in("orderId")),
        ({"orderId": "9" * 5000}, illegal_in("orderId")),
    ],
)
async def test_order_ids_follow_the_same_range(
    start_fake: StartFake, params: dict[str, str], answer: dict[str, object]
) -> None:
    fake = await start_fake()
    query = signed_query(fake, symbol="BTCUSDT", timestamp=fake.clock.epoch_ms(), **params)
    async with rest(fake) as client:
        r = await client.get(f"/fapi/v1/order?{query}")
    assert (r.status_code, r.json()) == (400, answer)


@pytest.mark.parametrize("quantity", ["9" * 5000, "²", "1e3", "0x10"])
async def test_a_decimal_outside_binances_format_is_1102_malformed(
    start_fake: StartFake, quantity: str
) -> None:
    fake = await start_fake()
    query = signed_query(
        fake, symbol="BTCUSDT", side="BUY", type="MARKET", quantity=quantity, timestamp=fake.clock.epoch_ms()
    )
    async with rest(fake) as client:
        r = await client.post(f"/fapi/v1/order?{query}")
    assert (r.status_code, r.json()["code"]) == (400, -1102)
    assert "'quantity'" in r.json()["msg"]


async def test_the_fake_keeps_answering_after_malformed_requests(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        await client.post("/fapi/v1/order", headers=FORM, content=b"\xff")
        r = await client.get("/fapi/v1/time")
    assert r.status_code == 200
    entries = list(fake.journal.of("rest"))
    assert [e["status"] for e in entries] == [400, 200]


async def test_a_malformed_request_is_journaled_with_its_answer(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with httpx.AsyncClient(base_url=fake.rest_url) as client:
        await client.get("/fapi/v2/account?timestamp=%ff")
    (entry,) = fake.journal.of("rest")
    assert (entry["status"], entry["path"]) == (400, "/fapi/v2/account")
    assert '"code":-1100' in entry["body"]


@pytest.mark.parametrize("name", ["startTime", "endTime", "orderId", "limit"])
async def test_all_orders_numbers_outside_the_range_are_1130(start_fake: StartFake, name: str) -> None:
    fake = await start_fake()
    query = signed_query(fake, symbol="BTCUSDT", timestamp=fake.clock.epoch_ms(), **{name: "²"})
    async with rest(fake) as client:
        r = await client.get(f"/fapi/v1/allOrders?{query}")
    assert (r.status_code, r.json()) == (
        400,
        {"code": -1130, "msg": f"Data sent for parameter '{name}' is not valid."},
    )
