"""Verdicts: what a check decided about one behaviour in one run, and why.

A verdict always carries its evidence (the journal entries and output lines that decided
it) and the figures it measured, so a report can show why, not only what. A problem of
the harness or the setup (client missing, bad scenario, timeout of the harness itself) is
an ERROR, never a FAIL: a FAIL is a statement about the client.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    NOT_APPLICABLE = "NOT-APPLICABLE"
    INFO = "INFO"
    ERROR = "ERROR"


#: The journal entries (or parts of them) a verdict cites, as the check found them.
Evidence = Sequence[Mapping[str, Any]]


@dataclass
class Verdict:
    status: Status
    #: One line, with the measured figures: "reconnected 0.31 s after the drop (deadline 5 s)".
    summary: str
    evidence: list[Mapping[str, Any]] = field(default_factory=list)
    measured: dict[str, Any] = field(default_factory=dict)
    # Filled in by the runner, so checks need not repeat them.
    behaviour: str = ""
    scenario: str = ""
    hint: str = ""

    @property
    def ok(self) -> bool:
        """Whether a test of this verdict passes: FAIL and ERROR fail it."""
        return self.status not in (Status.FAIL, Status.ERROR)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        return cls(
            Status(data["status"]),
            data["summary"],
            list(data.get("evidence", [])),
            dict(data.get("measured", {})),
            data.get("behaviour", ""),
            data.get("scenario", ""),
            data.get("hint", ""),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "behaviour": self.behaviour,
            "status": self.status.value,
            "summary": self.summary,
            "hint": self.hint,
            "measured": self.measured,
            "evidence": self.evidence,
        }


def passed(summary: str, evidence: Evidence | None = None, **measured: Any) -> Verdict:
    return Verdict(Status.PASS, summary, list(list(evidence or [])), measured)


def failed(summary: str, evidence: Evidence | None = None, **measured: Any) -> Verdict:
    return Verdict(Status.FAIL, summary, list(list(evidence or [])), measured)


def not_applicable(summary: str, evidence: Evidence | None = None) -> Verdict:
    return Verdict(Status.NOT_APPLICABLE, summary, list(evidence or []))


def error(summary: str, evidence: Evidence | None = None) -> Verdict:
    return Verdict(Status.ERROR, summary, list(evidence or []))


#: The time factor of the run being judged (`binance_time`): 1 at real time.
_FACTOR: ContextVar[float] = ContextVar("time_factor", default=1.0)


@contextmanager
def binance_time(factor: float) -> Iterator[None]:
    """While judging a run at `factor`, every figure `fmt_s` writes is Binance time with its
    wall time beside it: "45.0 min (4.50 s wall)"."""
    token = _FACTOR.set(factor)
    try:
        yield
    finally:
        _FACTOR.reset(token)


def fmt_s(seconds: float) -> str:
    """Seconds as a report shows them: 0.31 s, 12.4 s; at a time factor, Binance time in a
    unit that reads (min, h) with the wall time beside it."""
    factor = _FACTOR.get()
    if factor == 1:
        return _seconds(seconds)
    if abs(seconds) >= 7200:
        binance = f"{seconds / 3600:.2f} h"
    elif abs(seconds) >= 600:
        binance = f"{seconds / 60:.1f} min"
    else:
        binance = _seconds(seconds)
    return f"{binance} ({_seconds(seconds / factor)} wall)"


def _seconds(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"
