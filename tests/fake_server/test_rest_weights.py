"""Request weight per IP: 429 with Retry-After, then escalating 418 bans (fake_server/exchange/weights.py).

Sources: binance-reference.md §4 (429 and 418 rows, -1003 futures messages, "Headers and
limits": X-MBX-USED-WEIGHT-1M, limits per IP, 2400/min on futures); the USD-M General
Info "LIMITS" (bans scale from 2 minutes to 3 days) and the route weights of the USD-M
pages (openOrders 1 or 40, POST order 0).
"""

from __future__ import annotations

import math
import re

import aiohttp
import httpx
from hypothesis import given
from hypothesis import strategies as st

from fake_server.exchange.settings import RestLimits
from fake_server.exchange.weights import OrderCounts, RequestWeights
from tests.fake_server._fake_helpers import EPOCH_MS, WAIT, StartFake, rest, signed_query

MINUTE = 60_000
T0 = EPOCH_MS  # a whole minute


def limiter(**kw: object) -> RequestWeights:
    return RequestWeights(RestLimits(**kw))  # type: ignore[arg-type]


# The pure model ---------------------------------------------------------------------------


@given(st.lists(st.integers(min_value=0, max_value=40), max_size=60))
def test_under_the_limit_every_call_passes_and_the_header_sums_the_weights(weights: list[int]) -> None:
    model = limiter()
    total = 0
    for i, w in enumerate(weights):
        if total + w > 2400:
            break
        total += w
        a = model.admit("1.2.3.4", w, T0 + i)
        assert (a.outcome, a.used, a.retry_after) == ("ok", total, None)


def test_first_call_over_the_limit_is_429_with_retry_after_to_the_next_minute() -> None:
    model = limiter(weight_per_minute=10)
    assert model.admit("ip", 10, T0 + 1_000).outcome == "ok"
    a = model.admit("ip", 1, T0 + 12_345)
    assert (a.outcome, a.used, a.retry_after, a.banned_until) == ("limited", 11, 48, None)
    # The next minute starts from zero.
    assert model.admit("ip", 1, T0 + MINUTE).used == 1


def test_the_nth_call_ignoring_a_429_starts_a_ban_of_the_first_step() -> None:
    model = limiter(weight_per_minute=1, ignored_429s_to_ban=3)
    outcomes = [model.admit("ip", 1, T0 + i).outcome for i in range(5)]
    assert outcomes == ["ok", "limited", "limited", "limited", "banned"]
    ban = model.admit("ip", 1, T0 + 10)
    assert ban.outcome == "banned" and not ban.ban_started
    assert ban.banned_until == T0 + 4 + 120_000
    assert ban.retry_after == 120 and ban.weight == 0 and ban.used == 5  # refused calls count nothing
    after = model.admit("ip", 1, T0 + 4 + 120_000)
    assert after.outcome == "ok"  # a new minute by then: weight starts over


def test_bans_escalate_from_2_minutes_to_3_days_and_stay_there() -> None:
    model = limiter(weight_per_minute=1, ignored_429s_to_ban=1)
    now, lengths = T0, []
    for _ in range(9):
        model.admit("ip", 1, now)  # ok (new window)
        model.admit("ip", 1, now + 1)  # 429
        ban = model.admit("ip", 1, now + 2)  # ignores it: banned
        assert ban.ban_started and ban.banned_until is not None
        lengths.append((ban.banned_until - (now + 2)) / 1000)
        now = (ban.banned_until // MINUTE + 1) * MINUTE  # wait it out, start on a fresh minute
    assert lengths == [120, 300, 900, 3600, 21600, 86400, 259200, 259200, 259200]


def test_ips_are_independent() -> None:
    model = limiter(weight_per_minute=2, ignored_429s_to_ban=1)
    for i in range(4):
        model.admit("10.0.0.1", 1, T0 + i)
    assert model.admit("10.0.0.1", 1, T0 + 9).outcome == "banned"
    fresh = model.admit("10.0.0.2", 1, T0 + 9)
    assert (fresh.outcome, fresh.used) == ("ok", 1)


def test_weight_zero_calls_pass_over_the_limit_but_not_during_a_ban() -> None:
    model = limiter(weight_per_minute=1, ignored_429s_to_ban=2)
    model.admit("ip", 1, T0)
    assert model.admit("ip", 1, T0 + 1).outcome == "limited"
    assert model.admit("ip", 0, T0 + 2).outcome == "ok"  # POST /fapi/v1/order costs 0 IP weight
    assert model.admit("ip", 1, T0 + 3).outcome == "limited"
    assert model.admit("ip", 1, T0 + 4).outcome == "banned"
    assert model.admit("ip", 0, T0 + 5).outcome == "banned"


CALLS = st.lists(
    st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 6), st.integers(0, 9_000)), min_size=1, max_size=120
)


@given(CALLS)
def test_a_client_that_waits_out_every_retry_after_is_never_banned(calls: list[tuple[str, int, int]]) -> None:
    model = limiter(weight_per_minute=10, ignored_429s_to_ban=1)
    now, not_before = T0, {"a": 0, "b": 0}
    for ip, weight, gap in calls:
        now = max(now + gap, not_before[ip])
        a = model.admit(ip, weight, now)
        assert a.outcome != "banned"
        if a.retry_after is not None:
            not_before[ip] = now + a.retry_after * 1000


@given(CALLS, st.integers(1, 4))
def test_every_answer_follows_the_rules(calls: list[tuple[str, int, int]], to_ban: int) -> None:
    """Against a plain reference: weights per fixed window, 429 only over the limit, 418 only
    after `to_ban` calls that ignored a 429, ban lengths from the steps."""
    limits = RestLimits(weight_per_minute=10, ignored_429s_to_ban=to_ban)
    model = RequestWeights(limits)
    now = T0
    used: dict[tuple[str, int], int] = {}
    streak: dict[str, list[str]] = {"a": [], "b": []}
    for ip, weight, gap in calls:
        now += gap
        window = now // MINUTE
        a = model.admit(ip, weight, now)
        if a.outcome != "banned" or a.ban_started:
            used[ip, window] = used.get((ip, window), 0) + weight
        assert a.used == used.get((ip, window), 0)
        if a.outcome == "ok":
            assert a.retry_after is None and (weight == 0 or a.used <= 10)
        elif a.outcome == "limited":
            assert a.used > 10 and a.retry_after == math.ceil(((window + 1) * MINUTE - now) / 1000)
        else:
            assert a.banned_until is not None and a.retry_after is not None
            left = a.banned_until - now
            assert (a.retry_after - 1) * 1000 < left <= a.retry_after * 1000
            assert left <= max(limits.ban_steps) * 1000
            if a.ban_started:
                assert left / 1000 in limits.ban_steps
                # The calls before it in the same window were 429s: the first told it to wait.
                assert streak[ip][-to_ban:] == ["limited"] * to_ban
        if weight > 0 or a.outcome == "banned":  # weight-0 calls pass over the limit
            streak[ip].append(a.outcome)


# Through the socket --------------------------------------------------------------------

MSG_429 = (
    "Too many requests; current limit is 3 requests per minute. "
    "Please use the websocket for live updates to avoid polling the API."
)
BANNED = re.compile(
    r"^Way too many requests; IP banned until (\d+)\. Please use the websocket for live updates to avoid bans\.$"
)


async def test_over_the_limit_429_with_retry_after_then_a_418_ban(start_fake: StartFake) -> None:
    fake = await start_fake(rest_limits=RestLimits(weight_per_minute=3, ignored_429s_to_ban=2))
    async with rest(fake) as client:
        ok = [await client.get("/fapi/v1/ping") for _ in range(3)]
        limited = await client.get("/fapi/v1/ping")
        ignored = await client.get("/fapi/v1/ping")
        banned = await client.get("/fapi/v1/time")
        still = await client.post("/fapi/v1/listenKey")
    assert [r.headers["X-MBX-USED-WEIGHT-1M"] for r in ok] == ["1", "2", "3"]
    elapsed_s = (fake.clock.epoch_ms() - EPOCH_MS) / 1000
    for r in (limited, ignored):
        assert (r.status_code, r.json()) == (429, {"code": -1003, "msg": MSG_429})
        assert 60 - elapsed_s - 1 <= int(r.headers["Retry-After"]) <= 60
    assert [limited.headers["X-MBX-USED-WEIGHT-1M"], ignored.headers["X-MBX-USED-WEIGHT-1M"]] == ["4", "5"]
    assert banned.status_code == 418 and banned.json()["code"] == -1003
    match = BANNED.match(banned.json()["msg"])
    assert match is not None
    until = int(match.group(1))
    assert banned.headers["Retry-After"] == "120"
    assert EPOCH_MS + 120_000 <= until <= fake.clock.epoch_ms() + 120_000
    assert still.status_code == 418 and 119 <= int(still.headers["Retry-After"]) <= 120
    assert list(fake.journal.of("listen_key")) == []  # the banned POST did nothing
    logged = [
        (e["status"], e["weight"], e["used_weight"], e["banned_until"]) for e in fake.journal.of("rest")
    ]
    assert logged == [
        (200, 1, 1, None), (200, 1, 2, None), (200, 1, 3, None), (429, 1, 4, None), (429, 1, 5, None),
        (418, 1, 6, until), (418, 0, 6, until),
    ]  # fmt: skip
    assert {e["ip"] for e in fake.journal.of("rest")} == {"127.0.0.1"}


async def test_limits_are_per_ip(start_fake: StartFake) -> None:
    fake = await start_fake(rest_limits=RestLimits(weight_per_minute=1, ignored_429s_to_ban=1))
    async with rest(fake) as client:
        statuses = [(await client.get("/fapi/v1/ping")).status_code for _ in range(3)]
    other = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    async with httpx.AsyncClient(base_url=fake.rest_url, transport=other, timeout=WAIT) as second:
        fresh = await second.get("/fapi/v1/ping")
    assert statuses == [200, 429, 418]
    assert (fresh.status_code, fresh.headers["X-MBX-USED-WEIGHT-1M"]) == (200, "1")
    assert [e["ip"] for e in fake.journal.of("rest")] == ["127.0.0.1"] * 3 + ["127.0.0.2"]


async def test_aiohttp_client_gets_429_for_a_call_heavier_than_the_limit(start_fake: StartFake) -> None:
    fake = await start_fake(rest_limits=RestLimits(weight_per_minute=4))
    headers = {"X-MBX-APIKEY": fake.settings.credentials.api_key}
    query = signed_query(fake, timestamp=fake.clock.epoch_ms())
    async with (
        aiohttp.ClientSession(base_url=fake.rest_url, headers=headers) as session,
        session.get(f"/fapi/v2/account?{query}") as r,
    ):
        body = await r.json()
        assert r.status == 429
        assert r.headers["X-MBX-USED-WEIGHT-1M"] == "5"  # /fapi/v2/account weighs 5
        assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert body["code"] == -1003 and "current limit is 4 requests per minute" in body["msg"]


async def test_route_weights_open_orders_with_and_without_symbol(start_fake: StartFake) -> None:
    fake = await start_fake()
    async with rest(fake) as client:
        one = await client.get(
            f"/fapi/v1/openOrders?{signed_query(fake, symbol='BTCUSDT', timestamp=fake.clock.epoch_ms())}"
        )
        all_symbols = await client.get(
            f"/fapi/v1/openOrders?{signed_query(fake, timestamp=fake.clock.epoch_ms())}"
        )
    assert (one.status_code, one.headers["X-MBX-USED-WEIGHT-1M"]) == (200, "1")
    assert (all_symbols.status_code, all_symbols.headers["X-MBX-USED-WEIGHT-1M"]) == (200, "41")


async def test_exchange_info_reports_the_configured_limit(start_fake: StartFake) -> None:
    fake = await start_fake(rest_limits=RestLimits(weight_per_minute=1200))
    async with rest(fake) as client:
        info = (await client.get("/fapi/v1/exchangeInfo")).json()
    weight = [r for r in info["rateLimits"] if r["rateLimitType"] == "REQUEST_WEIGHT"]
    assert weight == [
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 1200}
    ]


def test_order_counts_per_account_in_10_second_and_minute_windows() -> None:
    counts = OrderCounts()
    assert counts.add("acct", T0) == {"10S": 1, "1M": 1}
    assert counts.add("acct", T0 + 9_999) == {"10S": 2, "1M": 2}
    assert counts.add("other", T0 + 9_999) == {"10S": 1, "1M": 1}
    assert counts.add("acct", T0 + 10_000) == {"10S": 1, "1M": 3}
    assert counts.add("acct", T0 + MINUTE) == {"10S": 1, "1M": 1}
