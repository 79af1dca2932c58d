"""Fault rules that hold for N uses or a time window (fake_server/interception.py), without sockets,
and the per-IP connection-attempt limit a scenario turns on, through real sockets.

Both `http_error` and `reject_handshake` keep such rules: `times` uses, `lasting` seconds,
whichever ends first; with neither, the rule holds until the run ends. The attempt limit is
binance-reference.md §1's 300 per 5 min per IP (failure modes C4, F2), scaled by the
`connection_attempt_limit` step (fake_server/faults/connection_attempt_limit.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from fake_server.faults.connection_attempt_limit import ConnectionAttemptLimit
from fake_server.interception import Budget as Limited
from fake_server.interception import take
from tests.fake_server._fake_helpers import StartFake, connect_and_close, refused_handshake


@dataclass
class Rule(Limited):
    name: str = ""


def test_times_rule_is_spent_after_n_uses_and_dropped() -> None:
    rules = [Rule(2, None, "a")]
    first, second, third = take(rules, 0.0), take(rules, 0.0), take(rules, 0.0)
    assert (first and first.name, second and second.name, third) == ("a", "a", None)
    assert rules == []


def test_window_rule_holds_until_exactly_its_end() -> None:
    rules = [Rule(None, 5.0, "w")]
    assert take(rules, 4.999) is not None
    assert take(rules, 5.0) is None
    assert rules == []


def test_whichever_ends_first() -> None:
    by_count = [Rule(1, 10.0)]
    assert take(by_count, 0.0) is not None and take(by_count, 1.0) is None
    by_time = [Rule(5, 1.0)]
    assert take(by_time, 0.5) is not None and take(by_time, 1.0) is None


def test_rule_without_limits_holds_forever() -> None:
    rules = [Rule(None, None, "f")]
    assert all(take(rules, float(t)) is rules[0] for t in range(0, 10_000, 997))


def test_a_call_that_does_not_match_spends_nothing() -> None:
    rules = [Rule(1, None, "x"), Rule(1, None, "y")]
    got = take(rules, 0.0, lambda r: r.name == "y")
    assert got is not None and got.name == "y"
    assert [(r.name, r.remaining) for r in rules] == [("x", 1), ("y", 0)]
    # The first matching rule wins; rules are used in the order they were added.
    assert take(rules, 0.0) is rules[0]
    assert [r.name for r in rules] == ["x"]


# The connection-attempt limit a scenario turns on (fake_server/faults/connection_attempt_limit.py) ---------------


async def test_attempt_limit_step_counts_earlier_attempts_then_answers_429(start_fake: StartFake) -> None:
    fake = await start_fake()
    await connect_and_close(fake, "/public/ws", 3)  # no limit yet (futures documents none): counted
    ConnectionAttemptLimit(attempts=4, window=60.0).apply(fake)
    await connect_and_close(fake, "/public/ws")  # the 4th in the window: still allowed
    response = await refused_handshake(fake, "/public/ws")
    assert response.status_code == 429
    assert 59 <= int(response.headers["Retry-After"]) <= 60
    (rejected,) = fake.journal.of("ws_reject")
    assert (rejected["why"], rejected["attempts"]) == ("connection_attempts", 5)
    assert [e["attempts"] for e in fake.journal.of("ws_open")] == [1, 2, 3, 4]


async def test_attempt_limit_step_keeps_the_other_limits(start_fake: StartFake) -> None:
    fake = await start_fake()
    before = fake.ws.limits
    ConnectionAttemptLimit(attempts=8, window=4.0).apply(fake)
    after = fake.ws.limits
    assert (after.connection_attempts, after.connection_attempt_window) == (8, 4.0)
    assert after.incoming_messages_per_second == before.incoming_messages_per_second == 10
    assert after.max_streams_per_connection == before.max_streams_per_connection
    assert fake.limits is after


@pytest.mark.parametrize(("attempts", "window"), [(0, 1.0), (1, 0.0), (1, -1.0)])
def test_attempt_limit_step_refuses_a_limit_nothing_could_pass(attempts: int, window: float) -> None:
    with pytest.raises(ValueError):
        ConnectionAttemptLimit(attempts=attempts, window=window)
