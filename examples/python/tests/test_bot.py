"""The bot's own tests, each driving one fault through the `binance_fake` fixture and
asserting on what the bot did (its state) and on what the fake saw (its journal).

The fixture comes with `pip install binance-stream-harness` (its pytest plugin); nothing
here waits by sleeping: `wait_until` polls the bot's state, `control.wait_for` long-polls
the fake's journal.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from bot import Bot

from harness.fixtures import RunningFake

TIMEOUT = 10.0


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {TIMEOUT:g} s waiting for: {what}")
        time.sleep(0.02)  # polling a condition, with a deadline; not waiting for time to pass


@pytest.fixture
def bot(binance_fake: RunningFake) -> Iterator[Bot]:
    """The bot on its own thread against the fake, stopped (and joined) after the test."""
    b = Bot(binance_fake.rest_url, binance_fake.ws_url, binance_fake.api_key, binance_fake.api_secret)
    thread = threading.Thread(target=b.run, daemon=True)
    thread.start()
    wait_until(lambda: b.connections == 1, "the first connection")
    yield b
    b.stopping.set()
    thread.join(TIMEOUT)
    assert not thread.is_alive(), "the bot did not stop"


@pytest.mark.binance_fake(rate=20)
def test_reconnects_and_resyncs_after_a_1006_drop(binance_fake: RunningFake, bot: Bot) -> None:
    wait_until(lambda: len(bot.events) >= 2, "events on the first connection")
    binance_fake.control.fire("abort_tcp", mode="rst")
    # A REST snapshot after each connect: what was sent while it was away is not replayed.
    wait_until(lambda: bot.connections == 2 and bot.snapshots == 2, "a second connection, then a snapshot")
    opened = [e for e in binance_fake.journal.of("ws_open") if e["user"]]
    assert len(opened) == 2
    seen = len(bot.events)
    wait_until(lambda: len(bot.events) > seen, "events on the new connection")


@pytest.mark.binance_fake(rate=5)
def test_a_new_listen_key_after_listen_key_expired(binance_fake: RunningFake, bot: Bot) -> None:
    first = bot.listen_keys[0]
    binance_fake.control.expire_listen_key()
    wait_until(lambda: len(bot.listen_keys) == 2 and bot.connections == 2, "a new key and connection")
    assert bot.listen_keys[1] != first
    created = [e["key"] for e in binance_fake.journal.of("listen_key", action="created")]
    assert created == bot.listen_keys


@pytest.mark.binance_fake(rate=0)
def test_waits_the_whole_retry_after_of_a_429(binance_fake: RunningFake) -> None:
    binance_fake.control.fire(
        "http_error",
        route="POST /fapi/v1/listenKey",
        status=429,
        body={"code": -1003, "msg": "Too many requests"},
        headers={"Retry-After": "1"},
        times=1,
    )
    b = Bot(binance_fake.rest_url, binance_fake.ws_url, binance_fake.api_key, binance_fake.api_secret)
    thread = threading.Thread(target=b.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: b.connections == 1, "a connection once the Retry-After passed")
    finally:
        b.stopping.set()
        thread.join(TIMEOUT)
    assert b.waited_retry_after == [1.0]
    posts = [e for e in binance_fake.journal.of("rest") if e["path"] == "/fapi/v1/listenKey"]
    assert [e["status"] for e in posts] == [429, 200]
    assert posts[1]["t"] - posts[0]["t"] >= 1.0  # the second POST came after the whole second


async def test_async_tests_drive_the_fake_with_the_async_control_client(binance_fake: RunningFake) -> None:
    async with binance_fake.async_control() as control:
        info = await control.info()
    assert info["urls"]["rest"] == binance_fake.rest_url
