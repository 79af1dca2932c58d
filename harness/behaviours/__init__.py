"""Behaviours: named, documented recovery properties, each judged by one check.

Each behaviour lives in its own module and registers itself here; its `Params` dataclass
holds the deadlines a scenario may override under `expect:`, with defaults taken from
failure-modes.md §6 ("Proposed default deadlines").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.record import RunRecord
    from harness.verdict import Verdict


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


BEHAVIOURS: dict[str, Behaviour] = {}


def behaviour(
    id: str,
    *,
    asserts: str,
    hint: str,
    reports: tuple[str, ...],
    params: type[Any],
    evidence: str,
    problem: str = "",
) -> Callable[[Callable[[RunRecord, Any], Verdict]], Callable[[RunRecord, Any], Verdict]]:
    """Register the decorated function as the check of behaviour `id`."""

    def register(fn: Callable[[RunRecord, Any], Verdict]) -> Callable[[RunRecord, Any], Verdict]:
        if id in BEHAVIOURS:
            raise ValueError(f"behaviour {id!r} registered twice")
        BEHAVIOURS[id] = Behaviour(id, asserts, hint, reports, params, fn, evidence, problem)
        return fn

    return register


def load_all() -> dict[str, Behaviour]:
    """Import every behaviour module so that all checks are registered."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return BEHAVIOURS
