"""Durations as written in scenario files: accepted forms, helpful refusals, round trips."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5s", 5.0),
        ("250ms", 0.25),
        ("1.5s", 1.5),
        ("3m", 180.0),
        ("60m", 3600.0),
        ("1h", 3600.0),
        ("24h", 86400.0),
        ("0s", 0.0),
        ("5", 5.0),
        ("0.5", 0.5),
        (".5s", 0.5),
        ("1e3ms", 1.0),
        (" 2 s ", 2.0),
        (7, 7.0),
        (2.5, 2.5),
    ],
)
def test_accepted_forms(text: str | float, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("5 sec", "did you mean '5s'?"),
        ("3min", "did you mean '3m'?"),
        ("2hours", "did you mean '2h'?"),
        ("100msec", "did you mean '100ms'?"),
        ("5S", "did you mean '5s'?"),
        ("1d", "write hours, e.g. '24h'"),
        ("3M", "lower case"),
        ("5x", "unknown unit 'x'"),
        ("-1s", "cannot be negative"),
        ("", "invalid duration ''"),
        ("soon", "invalid duration 'soon'"),
        ("1h30m", "invalid duration '1h30m'"),
        ("1e999s", "finite"),
    ],
)
def test_refusals_say_what_to_write(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        parse_duration(text)


def test_numbers_are_checked_too() -> None:
    with pytest.raises(ValueError, match="negative"):
        parse_duration(-1)
    with pytest.raises(ValueError, match="finite"):
        parse_duration(math.inf)
    with pytest.raises(ValueError, match="finite"):
        parse_duration(math.nan)


def test_a_boolean_is_not_a_duration() -> None:
    with pytest.raises(TypeError, match="boolean"):
        parse_duration(True)


@given(st.integers(min_value=0, max_value=10**9))
def test_milliseconds(n: int) -> None:
    assert parse_duration(f"{n}ms") == n / 1000


@given(st.integers(min_value=0, max_value=10**9))
def test_whole_units(n: int) -> None:
    assert parse_duration(f"{n}s") == n
    assert parse_duration(f"{n}m") == n * 60
    assert parse_duration(f"{n}h") == n * 3600
    assert parse_duration(str(n)) == n


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_decimal_seconds(x: float) -> None:
    assert parse_duration(f"{x!r}s") == x
    assert parse_duration(repr(x)) == x


@given(st.integers(min_value=0, max_value=10**7).map(lambda ms: ms / 1000))
def test_format_round_trips(seconds: float) -> None:
    assert math.isclose(parse_duration(format_duration(seconds)), seconds, abs_tol=1e-9)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.25, "250ms"),
        (1.5, "1.5s"),
        (90, "90s"),
        (180, "3m"),
        (3600, "60m"),
        (86400, "24h"),
        (0, "0s"),
    ],
)
def test_format_reads_like_a_person_wrote_it(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
