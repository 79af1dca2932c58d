"""Reports: the terminal table and the JSON report, built from verdicts only.

The table is what a bot author reads first: grouped by family, a row per (scenario,
behaviour) with the verdict and its measured figures, and under each FAIL the hint saying
what to fix. The JSON report is for machines; its schema is documented in
docs/json-report.md and versioned. The HTML report (harness/html_report.py) is built from
the JSON report plus each run's journal.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Mapping, Sequence
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


def table(
    verdicts: Sequence[Verdict], *, families: Mapping[str, str] | None = None, width: int | None = None
) -> str:
    """Verdicts grouped under a heading per family, one row per (scenario, behaviour).

    A row reads `scenario  behaviour  STATUS  summary`; the scenario's name is printed on its
    first row only, so a block reads like one run. Under each FAIL comes its hint, because the
    hint is what a reader acts on. Long summaries wrap at `width` (default: the terminal's)
    instead of being cut: the measured figures are at their end. Families come from
    `families` (scenario -> family); scenarios not in it are grouped under "other".
    """
    width = width or min(shutil.get_terminal_size((120, 20)).columns, 160)
    if not verdicts:
        return "no behaviour was judged"
    groups = group_by_family(verdicts, families or {})
    sw = max(len(v.scenario) for v in verdicts)
    bw = max(len(v.behaviour) for v in verdicts)
    # Too narrow for the scenario column: the scenario becomes a line of its own instead.
    stacked = width - (2 + sw + 2 + bw + 2 + 5 + 2) < _MIN_SUMMARY
    lines: list[str] = []
    for family, scenarios in groups.items():
        if lines:
            lines.append("")
        counts = _counts(tally([v for vs in scenarios.values() for v in vs]))
        lines.append(f"{family}  ({plural(len(scenarios), 'scenario')}: {counts})")
        for scenario, rows in scenarios.items():
            if stacked:
                lines.append(f"  {scenario}")
            for i, v in enumerate(rows):
                if stacked:
                    head = f"    {v.behaviour:<{bw}}  {_MARK[v.status]:<5}  "
                else:
                    head = (
                        f"  {scenario if i == 0 else '':<{sw}}  {v.behaviour:<{bw}}  {_MARK[v.status]:<5}  "
                    )
                lines += _wrap(v.summary, width, head, " " * len(head))
                if v.status is Status.FAIL and v.hint:
                    indent = " " * len(head)
                    lines += _wrap(v.hint, width, indent + "hint: ", indent + "      ")
    n_scenarios = sum(len(s) for s in groups.values())
    lines.append("")
    lines.append(
        f"{_counts(tally(verdicts))} ({plural(len(verdicts), 'verdict')}, {plural(n_scenarios, 'scenario')}, "
        f"{plural(len(groups), 'family', 'families')})"
    )
    return "\n".join(lines)


#: Fewest columns left for a summary before the table stacks the scenario above its rows.
_MIN_SUMMARY = 40


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    """textwrap, but never with less than 20 columns of text, however narrow the terminal."""
    return textwrap.wrap(text, max(width, len(first) + 20), initial_indent=first, subsequent_indent=rest) or [
        first.rstrip()
    ]


def plural(count: int, singular: str, many: str = "") -> str:
    """ "1 scenario", "2 scenarios": reports are read by people."""
    return f"{count} {singular if count == 1 else many or singular + 's'}"


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {k}" for k, n in counts.items() if n)


def group_by_family(
    verdicts: Sequence[Verdict], families: Mapping[str, str]
) -> dict[str, dict[str, list[Verdict]]]:
    """family -> scenario -> its verdicts, each level in order of first appearance."""
    groups: dict[str, dict[str, list[Verdict]]] = {}
    for v in verdicts:
        family = families.get(v.scenario, "other")
        groups.setdefault(family, {}).setdefault(v.scenario, []).append(v)
    return groups


def tally(verdicts: Sequence[Verdict]) -> dict[str, int]:
    """How many verdicts have each status, keyed by the table's mark, every status present."""
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
        "description": scenario.description,
        "source": list(scenario.source),
        "wall_time": round(result.wall_time, 3),
        # Journal times, deadlines and figures are Binance time, this many times the wall's.
        "time_factor": scenario.time_factor,
        # Only when the client's ceiling lowered it: the factor the scenario itself declares.
        **(
            {"declared_time_factor": scenario.declared_time_factor}
            if scenario.declared_time_factor is not None
            else {}
        ),
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
