"""Reports: the terminal table and the JSON report, built from verdicts only.

The table is what a bot author reads first: behaviours down, verdicts with the measured
figures, and under each FAIL the one-line hint saying what to fix. The JSON report is for
machines; its schema is documented in docs/json-report.md and versioned.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from harness.verdict import Status, Verdict

if TYPE_CHECKING:
    from harness.runner import RunResult

JSON_SCHEMA_VERSION = 1

_MARK = {
    Status.PASS: "PASS",
    Status.FAIL: "FAIL",
    Status.NOT_APPLICABLE: "N/A",
    Status.INFO: "INFO",
    Status.ERROR: "ERROR",
}


def table(verdicts: Sequence[Verdict], *, width: int | None = None) -> str:
    """One block per scenario: a line per behaviour, the hint under each FAIL, wrapped not cut."""
    width = width or min(shutil.get_terminal_size((120, 20)).columns, 160)
    if not verdicts:
        return "no behaviour was judged"
    bw = max(len(v.behaviour) for v in verdicts)
    lines: list[str] = []
    scenario = None
    for v in verdicts:
        if v.scenario != scenario:
            scenario = v.scenario
            lines.append(f"{scenario}")
        head = f"  {v.behaviour:<{bw}}  {_MARK[v.status]:<5}  "
        indent = " " * len(head)
        lines += textwrap.wrap(v.summary, width, initial_indent=head, subsequent_indent=indent)
        if v.status is Status.FAIL and v.hint:
            lines += textwrap.wrap(
                v.hint, width, initial_indent=indent + "hint: ", subsequent_indent=indent + "      "
            )
    counts = tally(verdicts)
    lines.append("")
    lines.append(", ".join(f"{n} {k}" for k, n in counts.items() if n) + f" ({len(verdicts)} verdicts)")
    return "\n".join(lines)


def tally(verdicts: Sequence[Verdict]) -> dict[str, int]:
    counts = {_MARK[s]: 0 for s in Status}
    for v in verdicts:
        counts[_MARK[v.status]] += 1
    return counts


def run_entry(result: RunResult, verdicts: Sequence[Verdict] | None = None) -> dict[str, Any]:
    """One element of the report's `runs`: the scenario, its run, and its verdicts (default: all)."""
    scenario = result.scenario
    return {
        "scenario": scenario.name,
        "family": scenario.family,
        "source": list(scenario.source),
        "wall_time": round(result.wall_time, 3),
        "workdir": str(result.workdir),
        "verdicts": [v.to_json() for v in (result.verdicts if verdicts is None else verdicts)],
    }


def json_report(runs: Sequence[dict[str, Any]], *, client: str) -> dict[str, Any]:
    """The JSON report (docs/json-report.md, docs/json-report.schema.json): `runs` from run_entry."""
    verdicts = [v for run in runs for v in run["verdicts"]]
    return {
        "schema": "binance-stream-harness/report",
        "version": JSON_SCHEMA_VERSION,
        "client": client,
        "totals": {s.value: sum(1 for v in verdicts if v["status"] == s.value) for s in Status},
        "runs": list(runs),
    }
