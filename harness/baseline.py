"""Baselines: the verdicts a project expects today, so a run fails only on a change.

A project adopts the harness before its client passes everything by committing a baseline
file (docs/baseline.md): for each (scenario, behaviour), the status it has now. A later
run is then compared with it, verdict by verdict:

- UNCHANGED: same status, or both statuses pass (e.g. PASS then NOT-APPLICABLE);
- NEW_FAILURE: the verdict now fails (FAIL or ERROR) and the baseline said otherwise;
- NEW_PASS: the baseline said FAIL (or ERROR) and the verdict now passes: the baseline
  must be updated, or the fix would go unnoticed and could silently regress;
- NEW: the (scenario, behaviour) is not in the baseline; a change only if it fails;
- GONE: in the baseline but not judged in this run (removed, or not selected); never a change.

Pure: reading, writing and comparing; nothing here runs a scenario.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from harness.verdict import Status, Verdict

BASELINE_SCHEMA = "binance-stream-harness/baseline"
BASELINE_VERSION = 1

#: (scenario, behaviour) -> the expected status.
Baseline = dict[tuple[str, str], Status]


class BaselineError(Exception):
    """The baseline file is missing, not JSON, or not in the documented format."""


class Outcome(StrEnum):
    UNCHANGED = "unchanged"
    NEW_FAILURE = "new failure"
    NEW_PASS = "new pass"
    NEW = "new"
    GONE = "gone"


def _fails(status: Status) -> bool:
    return status in (Status.FAIL, Status.ERROR)


@dataclass(frozen=True)
class Change:
    """How one (scenario, behaviour) compares with the baseline."""

    scenario: str
    behaviour: str
    outcome: Outcome
    expected: Status | None  # None: not in the baseline
    actual: Status | None  # None: not judged in this run

    @property
    def is_change(self) -> bool:
        """Whether this makes a run against the baseline fail."""
        if self.outcome is Outcome.NEW:
            return self.actual is not None and _fails(self.actual)
        return self.outcome in (Outcome.NEW_FAILURE, Outcome.NEW_PASS)

    def describe(self) -> str:
        name = f"{self.scenario} :: {self.behaviour}"
        if self.outcome is Outcome.NEW_FAILURE:
            return f"new failure  {name}: {self.actual} (baseline: {self.expected})"
        if self.outcome is Outcome.NEW_PASS:
            return f"new pass     {name}: {self.actual} (baseline: {self.expected}); update the baseline"
        if self.outcome is Outcome.NEW:
            return f"new          {name}: {self.actual} (not in the baseline)"
        if self.outcome is Outcome.GONE:
            return f"gone         {name}: baseline {self.expected}, not judged in this run"
        return f"unchanged    {name}: {self.actual}"


def classify(expected: Status | None, actual: Status) -> Outcome:
    """The outcome of one verdict whose baseline status is `expected` (None: absent)."""
    if expected is None:
        return Outcome.NEW
    if actual is expected:
        return Outcome.UNCHANGED
    if _fails(actual):
        return Outcome.NEW_FAILURE
    if _fails(expected):
        return Outcome.NEW_PASS
    return Outcome.UNCHANGED


def compare(baseline: Mapping[tuple[str, str], Status], verdicts: Iterable[Verdict]) -> list[Change]:
    """One Change per verdict, then one GONE per baseline entry no verdict judged; sorted."""
    changes: list[Change] = []
    seen: set[tuple[str, str]] = set()
    for v in verdicts:
        key = (v.scenario, v.behaviour)
        seen.add(key)
        expected = baseline.get(key)
        changes.append(Change(v.scenario, v.behaviour, classify(expected, v.status), expected, v.status))
    for key, expected in baseline.items():
        if key not in seen:
            changes.append(Change(key[0], key[1], Outcome.GONE, expected, None))
    return sorted(changes, key=lambda c: (c.scenario, c.behaviour))


def from_verdicts(verdicts: Iterable[Verdict]) -> Baseline:
    return {(v.scenario, v.behaviour): v.status for v in verdicts}


def to_json(baseline: Mapping[tuple[str, str], Status], *, client: str = "") -> dict[str, Any]:
    nested: dict[str, dict[str, str]] = {}
    for (scenario, behaviour), status in sorted(baseline.items()):
        nested.setdefault(scenario, {})[behaviour] = status.value
    return {"schema": BASELINE_SCHEMA, "version": BASELINE_VERSION, "client": client, "verdicts": nested}


def from_json(data: Any, *, origin: str = "baseline") -> Baseline:
    if not isinstance(data, dict):
        raise BaselineError(f"{origin}: expected a JSON object")
    if data.get("schema") != BASELINE_SCHEMA:
        raise BaselineError(f"{origin}: 'schema' must be {BASELINE_SCHEMA!r}")
    if data.get("version") != BASELINE_VERSION:
        raise BaselineError(f"{origin}: unsupported version {data.get('version')!r} (known: 1)")
    nested = data.get("verdicts")
    if not isinstance(nested, dict):
        raise BaselineError(f"{origin}: 'verdicts' must be an object of scenario -> behaviour -> status")
    baseline: Baseline = {}
    for scenario, behaviours in nested.items():
        if not isinstance(behaviours, dict):
            raise BaselineError(f"{origin}: verdicts.{scenario} must be an object of behaviour -> status")
        for behaviour, status in behaviours.items():
            try:
                baseline[(scenario, behaviour)] = Status(status)
            except ValueError:
                known = ", ".join(s.value for s in Status)
                raise BaselineError(
                    f"{origin}: verdicts.{scenario}.{behaviour}: unknown status {status!r} (known: {known})"
                ) from None
    return baseline


def read(path: Path) -> Baseline:
    try:
        text = path.read_text()
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}:{exc.lineno}: not JSON: {exc.msg}") from None
    return from_json(data, origin=str(path))


def write(path: Path, verdicts: Sequence[Verdict], *, client: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_json(from_verdicts(verdicts), client=client), indent=2) + "\n")


def summary(changes: Sequence[Change]) -> str:
    """The lines a run prints: every change, then the counts of each outcome."""
    lines = [c.describe() for c in changes if c.is_change]
    counts = {o: sum(1 for c in changes if c.outcome is o) for o in Outcome}
    lines.append(", ".join(f"{n} {o.value}" for o, n in counts.items() if n) or "nothing to compare")
    return "\n".join(lines)
