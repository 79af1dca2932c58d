"""Behaviours: named, documented recovery properties, each judged by one check.

Each behaviour lives in its own module and registers itself here; its `Params` dataclass
holds the deadlines a scenario may override under `expect:`, with defaults taken from
failure-modes.md §6 ("Proposed default deadlines").

Each behaviour also says whether it needs a user-data stream: for one that does, the
registry gives a client that never had a stream the shared FAIL of harness/applicability.py
before its check runs, so no check judges (or words) that case on its own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from harness.record import RunRecord
    from harness.verdict import Verdict

DeadlineFrom = Literal["fault", "recovery"]


@dataclass(frozen=True)
class Behaviour:
    id: str
    #: What the check asserts, in one sentence (shown by `binance-harness list`).
    asserts: str
    #: What to change in a client that fails it (shown next to a FAIL).
    hint: str
    #: Public reports of clients that lacked it (failure-modes.md ids and issues).
    reports: tuple[str, ...]
    params: type[Any]
    check: Callable[[RunRecord, Any], Verdict]
    #: Which records decide it (journal entries, the events file, the client's output).
    evidence: str = ""
    #: The lack in plain words, completing "Your client ...": what `diagnose` tells a user.
    problem: str = ""
    #: Whether only a client with a user-data stream can have it: one without FAILS it
    #: (otherwise the behaviour cannot arise, and the check says NOT-APPLICABLE).
    needs_stream: bool = False
    #: Where its deadlines start: when a fault fires ("fault": a drop, an expiry), or when
    #: the server is back ("recovery": the end of a fault's `lasting`).
    deadline_from: DeadlineFrom = "fault"


BEHAVIOURS: dict[str, Behaviour] = {}


def is_deadline(name: str) -> bool:
    """Whether a `Params` field is a deadline: seconds the client has to react once the
    situation the check judges arose (`within`, `post_within`, `connect_within`, `period`),
    or must be watched after it (`watch`).

    The scenario loader refuses a deadline that cannot end inside the run, since a check
    whose deadline outlives the run can only say "too late to judge" about a slow client.
    """
    return name in ("within", "period", "watch") or name.endswith("_within")


def behaviour(
    id: str,
    *,
    asserts: str,
    hint: str,
    reports: tuple[str, ...],
    params: type[Any],
    evidence: str,
    needs_stream: bool,
    problem: str = "",
    deadline_from: DeadlineFrom = "fault",
) -> Callable[[Callable[[RunRecord, Any], Verdict]], Callable[[RunRecord, Any], Verdict]]:
    """Register the decorated function as the check of behaviour `id`; with `needs_stream`,
    a client that never had a user-data stream gets the shared FAIL instead of the check."""

    def register(fn: Callable[[RunRecord, Any], Verdict]) -> Callable[[RunRecord, Any], Verdict]:
        if id in BEHAVIOURS:
            raise ValueError(f"behaviour {id!r} registered twice")

        @functools.wraps(fn)
        def guarded(record: RunRecord, p: Any) -> Verdict:
            from harness.applicability import never_connected

            return never_connected(record, needs_stream=True) or fn(record, p)

        check = guarded if needs_stream else fn
        BEHAVIOURS[id] = Behaviour(
            id, asserts, hint, reports, params, check, evidence, problem, needs_stream, deadline_from
        )
        return fn

    return register


def load_all() -> dict[str, Behaviour]:
    """Import every behaviour module so that all checks are registered."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return BEHAVIOURS
