"""The slow_rest fault (fake_server/faults/slow_rest.py): matching REST calls are held back,
then carried out and answered as usual; other calls are not touched."""

from __future__ import annotations

import asyncio

import pytest

from fake_server.faults import load_all
from fake_server.faults.slow_rest import SlowRest
from tests.fake_server._fake_helpers import StartFake, new_listen_key, rest

DELAY = 0.4


def test_slow_rest_is_registered_with_its_schema() -> None:
    assert load_all()["slow_rest"] is SlowRest
    assert SlowRest(delay=1.5, times=2).describe()["params"] == {
        "route": "PUT /fapi/v1/listenKey",
        "delay": 1.5,
        "times": 2,
        "lasting": None,
    }
    with pytest.raises(ValueError, match="delay"):
        SlowRest(delay=0)


async def test_a_matching_call_is_answered_after_the_delay_and_carried_out_then(
    start_fake: StartFake,
) -> None:
    fake = await start_fake()
    key = await new_listen_key(fake)
    assert SlowRest(route="PUT /fapi/v1/listenKey", delay=DELAY, times=1).apply(fake) == []
    async with rest(fake) as client:
        sent = fake.clock.now()
        slow = await client.put("/fapi/v1/listenKey")
        fast = await client.put("/fapi/v1/listenKey")  # the rule held for one call
        ping = await client.get("/fapi/v1/ping")
    assert (slow.status_code, slow.json()) == (200, {"listenKey": key})
    assert (fast.status_code, ping.status_code) == (200, 200)
    first, second = fake.journal.of("rest", method="PUT")
    assert first["delayed"] == DELAY and first["fault"] is False
    assert first["t"] - sent >= DELAY
    assert "delayed" not in second and "delayed" not in next(fake.journal.of("rest", method="GET"))
    # The keepalive took effect when it was answered, not when it arrived.
    extended = next(fake.journal.of("listen_key", action="extended"))
    assert extended["t"] - sent >= DELAY


async def test_calls_meanwhile_are_not_held_behind_a_slow_one(start_fake: StartFake) -> None:
    fake = await start_fake()
    await new_listen_key(fake)
    # Long enough that the ping is answered first even on a loaded machine.
    SlowRest(route="PUT /fapi/v1/listenKey", delay=2.0).apply(fake)
    async with rest(fake) as client:
        slow = asyncio.ensure_future(client.put("/fapi/v1/listenKey"))
        ping = await client.get("/fapi/v1/ping")
        assert ping.status_code == 200 and not slow.done()
        assert (await slow).status_code == 200
    # Without times or lasting the rule holds until the run ends.
    async with rest(fake) as client:
        await client.put("/fapi/v1/listenKey")
    assert [e.get("delayed") for e in fake.journal.of("rest", method="PUT")] == [2.0, 2.0]
