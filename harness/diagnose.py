"""The diagnosis: what is wrong with a client, in plain words, most widespread first.

The behaviour table answers "which checks failed in which scenario"; a bot author asks
"what is wrong with my bot and what do I change". So failures are folded per behaviour
(one lack shows up in several scenarios), each finding says the lack in a sentence, shows
one measured failure as proof, says what to change (the behaviour's hint) and links the
public reports of other clients that had the same lack. Pure: verdicts in, text out.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from harness.behaviours import Behaviour
from harness.citations import FAILURE_MODES_DOC, cite, failure_mode
from harness.report import tally
from harness.verdict import Status, Verdict


@dataclass(frozen=True)
class Finding:
    """One lack of the client: a behaviour that failed, with where and how."""

    behaviour: Behaviour
    failed: tuple[Verdict, ...]  # its FAIL verdicts, one per scenario
    passed: int  # scenarios where the same behaviour passed

    @property
    def problem(self) -> str:
        b = self.behaviour
        return b.problem or f"fails {b.id}: expected {b.asserts}"


def findings(verdicts: Sequence[Verdict], registry: Mapping[str, Behaviour]) -> list[Finding]:
    """Failed behaviours, the one failing in most scenarios first (then by id, for stability)."""
    by_behaviour: dict[str, list[Verdict]] = {}
    for v in verdicts:
        by_behaviour.setdefault(v.behaviour, []).append(v)
    out = []
    for bid, vs in by_behaviour.items():
        failed = tuple(v for v in vs if v.status is Status.FAIL)
        if failed and bid in registry:
            passed = sum(1 for v in vs if v.status is Status.PASS)
            out.append(Finding(registry[bid], failed, passed))
    return sorted(out, key=lambda f: (-len(f.failed), f.behaviour.id))


def diagnosis(
    verdicts: Sequence[Verdict], registry: Mapping[str, Behaviour], *, client: str, width: int = 100
) -> str:
    """The text `binance-harness diagnose` prints."""
    scenarios = sorted({v.scenario for v in verdicts})
    counts = ", ".join(f"{n} {k}" for k, n in tally(verdicts).items() if n)
    lines = [f"Diagnosis of: {client}", f"{len(scenarios)} scenarios, {len(verdicts)} verdicts: {counts}", ""]
    found = findings(verdicts, registry)
    errors = [v for v in verdicts if v.status is Status.ERROR]
    if not found:
        lines.append("No problem found: the client recovered in every scenario the harness could judge.")
    else:
        lines.append(f"{len(found)} problem{'s' if len(found) > 1 else ''} found, the most widespread first:")
    for n, f in enumerate(found, 1):
        lines.append("")
        lines += _wrap(f"{n}. Your client {f.problem}.", width, "   ")
        where = ", ".join(v.scenario for v in f.failed)
        also = f" (it passed in {f.passed} other)" if f.passed else ""
        lines += _wrap(f"Failed in {len(f.failed)} scenario(s){also}: {where}.", width, "   ", first="   ")
        lines += _wrap(f"Seen in {f.failed[0].scenario}: {f.failed[0].summary}", width, "   ", first="   ")
        lines += _wrap(f"What to change: {f.behaviour.hint}", width, "   ", first="   ")
        lines += _reports(f.behaviour.reports)
    if errors:
        lines.append("")
        lines.append(
            f"The harness could not judge {len(errors)} verdict(s) (ERROR: a setup or harness problem):"
        )
        for v in errors[:5]:
            lines += _wrap(f"- {v.scenario} / {v.behaviour}: {v.summary}", width, "    ", first="  ")
    return "\n".join(lines)


def _reports(reports: Sequence[str]) -> list[str]:
    lines = ["   Reported publicly by users of other clients:"] if reports else []
    for text in reports:
        c = cite(text)
        mode = failure_mode(text)
        if c.url:
            lines.append(f"     - {c.url}" + (f"  ({text})" if not text.startswith("http") else ""))
        elif mode:
            lines.append(f"     - {text}  ({FAILURE_MODES_DOC}, {mode})")
        else:
            lines.append(f"     - {text}")
    return lines


def _wrap(text: str, width: int, indent: str, *, first: str = "") -> list[str]:
    return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=indent) or [first]
