"""Fault rules that hold for N uses or a time window (fake_server/limits.py), without sockets.

Both `http_error` and `reject_handshake` keep such rules: `times` uses, `lasting` seconds,
whichever ends first; with neither, the rule holds until the run ends.
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.limits import Limited, take


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
