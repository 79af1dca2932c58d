"""`binance_search`: a bounded search inside a user's own test suite, so CI keeps looking.

    def test_my_bot_survives_generated_faults(binance_search):
        binance_search("python my_bot.py", seed=7, budget=10)

The seed and the budget are fixed in the test, so CI draws the same schedules every run;
the search writes into the test's temporary folder, and a failure (or a flaky one) fails
the test with the shrunk scenario's path and what broke, which `binance-harness run`
replays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from harness.search.command import search_client, summary
from harness.search.explore import Outcome, Search
from harness.search.schedule import Frame

SearchFn = Callable[..., Outcome]


@pytest.fixture
def binance_search(tmp_path: Path) -> SearchFn:
    """Run a search; fail the test if it finds anything. Returns the outcome otherwise."""

    def search(
        client: str | None = None,
        *,
        seed: int = 0,
        budget: int = 10,
        faults: Sequence[str] = (),
        replays: int = 3,
        out: Path | None = None,
        **frame: object,
    ) -> Outcome:
        outcome = Search(
            client=client or search_client(),
            frame=Frame(**frame),  # type: ignore[arg-type]  # the Frame's own fields
            out=out or tmp_path / "search",
            seed=seed,
            budget=budget,
            faults=faults,
            replays=replays,
            progress=lambda line: None,
        ).run()
        if outcome.found:
            pytest.fail(
                f"binance_search(seed={seed}, budget={budget}) found:{summary(outcome)}", pytrace=False
            )
        return outcome

    return search
