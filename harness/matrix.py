"""The conformance matrix: several clients, one catalog, behaviours down and clients across.

In the spirit of Autobahn's published client reports: one glance tells which client
recovers from what, and every cell leads to its evidence. Pure: it renders from the JSON
reports of the runs (docs/json-report.md), one per client, so a matrix can be rebuilt
from saved reports without playing anything again.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.verdict import Status

#: A cell shows the worst verdict of the behaviour over the client's scenarios.
_SEVERITY = [Status.ERROR, Status.FAIL, Status.INFO, Status.PASS, Status.NOT_APPLICABLE]
_SYMBOL = {
    Status.PASS: "PASS",
    Status.FAIL: "FAIL",
    Status.ERROR: "ERROR",
    Status.INFO: "INFO",
    Status.NOT_APPLICABLE: "n/a",
}


@dataclass(frozen=True)
class Cell:
    status: Status | None  # None: the behaviour was not judged for this client
    passed: int
    judged: int  # verdicts that were PASS or FAIL
    verdicts: tuple[dict[str, Any], ...]

    @property
    def worst(self) -> dict[str, Any] | None:
        """The verdict that decided the cell: the first of the worst status."""
        return next((v for v in self.verdicts if Status(v["status"]) is self.status), None)


def cells(report: Mapping[str, Any]) -> dict[str, Cell]:
    """behaviour -> its cell, from one client's JSON report."""
    by_behaviour: dict[str, list[dict[str, Any]]] = {}
    for run in report["runs"]:
        for v in run["verdicts"]:
            by_behaviour.setdefault(v["behaviour"], []).append(v)
    out = {}
    for behaviour, vs in by_behaviour.items():
        statuses = {Status(v["status"]) for v in vs}
        worst = next(s for s in _SEVERITY if s in statuses)
        passed = sum(1 for v in vs if v["status"] == Status.PASS.value)
        judged = sum(1 for v in vs if v["status"] in (Status.PASS.value, Status.FAIL.value))
        out[behaviour] = Cell(worst, passed, judged, tuple(vs))
    return out


def _label(cell: Cell | None) -> str:
    if cell is None or cell.status is None:
        return "-"
    label = _SYMBOL[cell.status]
    return f"{label} {cell.passed}/{cell.judged}" if cell.judged else label


def markdown(reports: Mapping[str, Mapping[str, Any]], *, links: Mapping[str, str] | None = None) -> str:
    """The matrix as Markdown: a summary table, then each client's FAILs with their figures.

    `links` maps a client name to where its full evidence is (its HTML report or run folder).
    """
    names = list(reports)
    grid = {name: cells(r) for name, r in reports.items()}
    behaviours = sorted({b for g in grid.values() for b in g})
    lines = [
        "| behaviour | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for b in behaviours:
        lines.append(f"| {b} | " + " | ".join(_label(grid[n].get(b)) for n in names) + " |")
    lines += ["", "Cells: the worst verdict over the scenarios judging the behaviour, then passed/judged."]
    for name in names:
        r = reports[name]
        lines += ["", f"### {name}", "", f"Command: `{r['client']}`"]
        if links and name in links:
            lines.append(f"Evidence: [{links[name]}]({links[name]})")
        lines.append("")
        bad = [
            v
            for run in r["runs"]
            for v in run["verdicts"]
            if v["status"] in (Status.FAIL.value, Status.ERROR.value)
        ]
        if not bad:
            lines.append("No FAIL and no ERROR.")
        for v in bad:
            lines.append(
                f"- {v['status']} `{v['behaviour']}` in `{v['scenario']}`: {_one_line(v['summary'])}"
            )
    return "\n".join(lines) + "\n"


def html_page(
    reports: Mapping[str, Mapping[str, Any]],
    *,
    title: str = "Conformance matrix",
    links: Mapping[str, str] | None = None,
) -> str:
    """The matrix as one self-contained HTML page (no external resources)."""
    esc = html.escape
    names = list(reports)
    grid = {name: cells(r) for name, r in reports.items()}
    behaviours = sorted({b for g in grid.values() for b in g})
    head = "".join(
        f"<th>{_linked(esc(n), links.get(n) if links else None)}<br><code>{esc(reports[n]['client'])}</code></th>"
        for n in names
    )
    rows = []
    for b in behaviours:
        tds = []
        for n in names:
            cell = grid[n].get(b)
            status = cell.status.value if cell and cell.status else "none"
            tip = _tooltip(cell)
            tds.append(f'<td class="s-{esc(status)}" title="{esc(tip)}">{esc(_label(cell))}</td>')
        rows.append(f"<tr><th class=b>{esc(b)}</th>{''.join(tds)}</tr>")
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{esc(title)}</h1><p>Behaviours down, clients across. Each cell: the worst verdict "
        "over the scenarios that judge the behaviour, then passed/judged; hover for the "
        "measured figures.</p>"
        f"<table><thead><tr><th>behaviour</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "</body></html>\n"
    )


def compact(report: Mapping[str, Any]) -> dict[str, Any]:
    """A report with only what the matrix shows: each verdict's scenario, behaviour, status
    and summary, and how many evidence entries it had (the entries themselves stay in the
    run's report). Small enough to commit beside docs/conformance.md."""
    keep = ("scenario", "behaviour", "status", "summary")
    return {
        "client": report["client"],
        "runs": [
            {
                "scenario": run.get("scenario", ""),
                "verdicts": [{**{k: v[k] for k in keep}, **_evidence_count(v)} for v in run["verdicts"]],
            }
            for run in report["runs"]
        ],
    }


def _evidence_count(verdict: Mapping[str, Any]) -> dict[str, int]:
    """{"evidence": n} from a full verdict (its list) or a compact one (its count); nothing
    for data written before the count was kept, so a missing count is never taken for 0."""
    evidence = verdict.get("evidence")
    if isinstance(evidence, list):
        return {"evidence": len(evidence)}
    return {"evidence": evidence} if isinstance(evidence, int) else {}


def save(path: Path, reports: Mapping[str, Mapping[str, Any]], **about: Any) -> None:
    """The matrix's data, clients in column order: what docs/conformance.md is rendered from."""
    data = {**about, "clients": [{"name": n, **compact(r)} for n, r in reports.items()]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def load(path: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """(what the run was, {name: compact report}) from a file written by `save`."""
    data = json.loads(path.read_text(encoding="utf-8"))
    clients = {c["name"]: {"client": c["client"], "runs": c["runs"]} for c in data.pop("clients")}
    return data, clients


def _tooltip(cell: Cell | None) -> str:
    if cell is None:
        return "not judged"
    return "\n".join(f"{v['scenario']}: {v['status']} {_one_line(v['summary'])}" for v in cell.verdicts)


def _linked(text: str, url: str | None) -> str:
    return f'<a href="{html.escape(url)}">{text}</a>' if url else text


def _one_line(text: str) -> str:
    return " ".join(text.split())


_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def client_names(specs: Sequence[str]) -> dict[str, str]:
    """`NAME=CMD` arguments to {name: command}, in order; names head the matrix's columns."""
    out: dict[str, str] = {}
    for spec in specs:
        name, sep, cmd = spec.partition("=")
        name, cmd = name.strip(), cmd.strip()
        if not sep or not _NAME.match(name) or not cmd:
            raise ValueError(f'--client {spec!r}: expected NAME=CMD, e.g. reference="python bot.py"')
        if name in out:
            raise ValueError(f"--client {spec!r}: two clients named {name!r}")
        out[name] = cmd
    return out


def client_ceilings(given: Sequence[tuple[str | None, int]], names: Sequence[str]) -> dict[str, int | None]:
    """Each client's time-factor ceiling from `--max-time-factor [NAME=]N` values: the one
    given for its name, else the one given without a name, else None (the scenarios' own)."""
    shared: int | None = None
    own: dict[str, int] = {}
    for name, n in given:
        flag = f"--max-time-factor {n}" if name is None else f"--max-time-factor {name}={n}"
        if name is not None and name not in names:
            raise ValueError(f"{flag}: no client named {name!r} (clients: {', '.join(names)})")
        if (shared if name is None else own.get(name)) is not None:
            raise ValueError(f"{flag}: a second ceiling for {'every client' if name is None else name}")
        if name is None:
            shared = n
        else:
            own[name] = n
    return {name: own.get(name, shared) for name in names}


_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:4px 8px;text-align:center}
th.b{text-align:left;font-weight:normal;font-family:monospace}
code{font-size:11px;color:#555;font-weight:normal}
.s-PASS{background:#d9f2d9}.s-FAIL{background:#f7c6c6;font-weight:bold}
.s-ERROR{background:#ffd27f}.s-NOT-APPLICABLE,.s-none{background:#f2f2f2;color:#777}
.s-INFO{background:#dde8f7}
"""
