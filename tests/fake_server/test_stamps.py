"""An account's stamps never repeat and never go backwards, taken one at a time or as a run."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fake_server.exchange.stamps import Stamps


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 4)), max_size=30))
def test_a_run_is_what_next_gives_one_by_one(calls: list[tuple[int, int]]) -> None:
    # `take(now, n)` stands for n calls of `next(now)` (a fill takes its three stamps so).
    by_run, one_by_one = Stamps(), Stamps()
    for now, count in calls:
        first = by_run.take(now, count)
        assert [first + i for i in range(count)] == [one_by_one.next(now) for _ in range(count)]
        assert by_run.last == one_by_one.last


def test_stamps_increase_and_follow_the_clock() -> None:
    stamps = Stamps()
    assert [stamps.next(10), stamps.next(10), stamps.take(10, 3), stamps.next(20), stamps.next(5)] == [
        10,
        11,
        12,
        20,
        21,
    ]
