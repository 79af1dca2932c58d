"""The HTML report: one self-contained page per run of the harness, for people.

The terminal table says what failed; a reader then wants to see why, and the journal of a
run is thousands of lines. This page puts, per scenario, a timeline picture (connections
from open to close with their close codes, the faults fired, REST answers, events sent)
next to each verdict's figures, hint, evidence and the client's own output, so a failure
can be understood without opening a file. It works offline and from a CI artifact store:
no CDN, fonts or scripts from anywhere, inline CSS only, and no JavaScript at all (the
"only failing" filter is CSS). Everything that comes from a run (client output, REST
bodies, scenario text) is escaped: the client is untrusted.

`render` is pure: the JSON report (harness/report.py, docs/json-report.md) plus each run's
journal in, a string out. Only `read_trace` and `write` touch files.
"""

from __future__ import annotations

import datetime
import html
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import behaviours
from harness.citations import cite
from harness.report import plural
from harness.time_factor import factor_words
from harness.verdict import Status

if TYPE_CHECKING:
    from harness.runner import RunResult

#: A journal entry as a replayed file gives it: the report draws journals of any age (older
#: runs lack fields), so it reads every field with a default instead of trusting the kinds.
JournalLine = Mapping[str, Any]


#: Client output lines shown per scenario; the rest stays in the journal file.
MAX_OUTPUT_LINES = 2000
#: Marks drawn per timeline lane, so a long run cannot make the page huge.
MAX_MARKS = 1500

_STATUS_CLASS = {
    Status.PASS.value: "pass",
    Status.FAIL.value: "fail",
    Status.NOT_APPLICABLE.value: "na",
    Status.INFO.value: "info",
    Status.ERROR.value: "error",
}
_STATUS_GLYPH = {"pass": "✓", "fail": "✗", "na": "–", "info": "i", "error": "!"}
#: Kinds the timeline knows: drawn on lanes of their own, or left out on purpose (market
#: pushes, run and server phases). Any other kind is drawn on the "other" lane.
_DRAWN = frozenset(
    {"ws_open", "ws_close", "ws_reject", "ws_invalid", "rest", "event", "fault", "listen_key"}
    | {"ws_frame", "client_output", "client_start", "client_exit", "run", "server", "market"}
)


@dataclass(frozen=True)
class Trace:
    """What one run's timeline and output are drawn from."""

    journal: Sequence[JournalLine]
    #: The events the client reported (its events file); None when unknown.
    client_events: Sequence[Mapping[str, Any]] | None = None


def trace_of(result: RunResult) -> Trace | None:
    """The trace of a run still in memory (binance-harness run)."""
    if result.record is None:
        return None
    return Trace(result.record.journal, result.record.client_events)


def read_trace(workdir: Path) -> Trace | None:
    """The trace of a run from its directory (journal.jsonl, events.jsonl), None if unreadable.

    The pytest plugin's controller only has the JSON report (verdicts come back from xdist
    workers), so it reads each run's files from the `workdir` the report names.
    """
    try:
        journal = _json_lines((workdir / "journal.jsonl").read_bytes())
    except OSError:
        return None
    try:
        events: list[JournalLine] | None = _json_lines((workdir / "events.jsonl").read_bytes())
    except OSError:
        events = None
    return Trace(journal, events)


def _json_lines(data: bytes) -> list[JournalLine]:
    out: list[JournalLine] = []
    for line in data.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue  # a torn last line of a killed run, or client garbage in the events file
        if isinstance(obj, dict):
            out.append(obj)
    return out


def write(
    path: Path,
    report: Mapping[str, Any],
    traces: Mapping[str, Trace | None] | None = None,
    *,
    asserts: Mapping[str, str] | None = None,
) -> None:
    """Write the page; traces not given are read from each run's workdir."""
    if traces is None:
        traces = {r["scenario"]: read_trace(Path(r["workdir"])) for r in report["runs"] if "workdir" in r}
    if asserts is None:
        asserts = {b.id: b.asserts for b in behaviours.load_all().values()}
    generated = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(report, traces, generated=generated, asserts=asserts), encoding="utf-8")


# Page ---------------------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _anchor(scenario: str) -> str:
    return "s-" + re.sub(r"[^A-Za-z0-9_-]", "_", scenario)


def _cls(status: str) -> str:
    return _STATUS_CLASS.get(status, "info")


def _factor(run: Mapping[str, Any]) -> str:
    """A note for a run at a time factor: its times are Binance time ("Binance time x600"),
    and why, when the client's ceiling chose the factor rather than the scenario."""
    declared = run.get("declared_time_factor")
    words = factor_words(int(run.get("time_factor", 1)), None if declared is None else int(declared))
    return f" · Binance time {words}" if words else ""


def _badge(status: str) -> str:
    return f'<span class="badge {_cls(status)}">{_e(status)}</span>'


def render(
    report: Mapping[str, Any],
    traces: Mapping[str, Trace | None],
    *,
    generated: str = "",
    asserts: Mapping[str, str] | None = None,
) -> str:
    """The whole page as one string (pure)."""
    runs: list[Mapping[str, Any]] = list(report.get("runs", []))
    families: dict[str, list[Mapping[str, Any]]] = {}
    for run in runs:
        families.setdefault(str(run.get("family", "other")), []).append(run)
    body = [
        _header(report, runs, families, generated),
        _matrix(families, asserts or {}),
        *(
            f'<h2 class="family">{_e(family)}</h2>\n'
            + "\n".join(_scenario(run, traces.get(run["scenario"])) for run in members)
            for family, members in families.items()
        ),
    ]
    title = f"binance-stream-harness: {_totals_text(report)}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        '<input type="checkbox" id="only-failing" class="toggle">\n'
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _totals_text(report: Mapping[str, Any]) -> str:
    totals: Mapping[str, int] = report.get("totals", {})
    return ", ".join(f"{n} {k}" for k, n in totals.items() if n) or "no verdicts"


def _worst(verdicts: Iterable[Mapping[str, Any]]) -> str:
    statuses = {v.get("status") for v in verdicts}
    for s in (Status.ERROR, Status.FAIL, Status.PASS, Status.INFO):
        if s.value in statuses:
            return s.value
    return Status.NOT_APPLICABLE.value


def _header(
    report: Mapping[str, Any],
    runs: Sequence[Mapping[str, Any]],
    families: Mapping[str, Sequence[Mapping[str, Any]]],
    generated: str,
) -> str:
    totals: Mapping[str, int] = report.get("totals", {})
    chips = "".join(
        f'<span class="total {_cls(k)}"><b>{int(n)}</b> {_e(k)}</span>' for k, n in totals.items() if n
    )
    failing = sum(1 for r in runs if _worst(r.get("verdicts", [])) in ("FAIL", "ERROR"))
    wall = sum(float(r.get("wall_time", 0)) for r in runs)
    filter_ = (
        f'<label for="only-failing" class="filter">show only the {plural(failing, "scenario")} '
        "with a FAIL or ERROR</label>"
        if failing
        else ""
    )
    return f"""<header>
<h1>Binance stream client report</h1>
<dl class="meta">
<dt>client</dt><dd><code>{_e(report.get("client", ""))}</code></dd>
<dt>date</dt><dd>{_e(generated or "—")}</dd>
<dt>played</dt><dd>{plural(len(runs), "scenario")} in {plural(len(families), "family", "families")}, {wall:.1f} s of runs</dd>
</dl>
<div class="totals">{chips}</div>
{filter_}
</header>"""


def _matrix(families: Mapping[str, Sequence[Mapping[str, Any]]], asserts: Mapping[str, str]) -> str:
    """Behaviours down, scenarios across under their family; a cell links to its scenario."""
    behaviours: list[str] = []
    cells: dict[tuple[str, str], Mapping[str, Any]] = {}
    for members in families.values():
        for run in members:
            for v in run.get("verdicts", []):
                if v["behaviour"] not in behaviours:
                    behaviours.append(v["behaviour"])
                cells[(v["behaviour"], run["scenario"])] = v
    fam_row = "".join(
        f'<th colspan="{len(m)}" class="fam" title="{_e(f)}">{_e(f)}</th>' for f, m in families.items()
    )
    scen_row = "".join(
        f'<th class="scen"><a href="#{_anchor(r["scenario"])}"><span>{_e(r["scenario"])}</span></a></th>'
        for m in families.values()
        for r in m
    )
    # Scenario names are written upwards: the row is as tall as the longest one.
    head = 14 + 6.5 * max((len(str(r["scenario"])) for m in families.values() for r in m), default=8)
    rows = []
    for b in behaviours:
        tds = []
        for members in families.values():
            for i, run in enumerate(members):
                edge = ' class="edge"' if i == 0 else ""
                v = cells.get((b, run["scenario"]))
                if v is None:
                    tds.append(f"<td{edge}></td>")
                    continue
                c = _cls(v["status"])
                tip = f"{run['scenario']} · {b}: {v['status']}\n{v.get('summary', '')}"
                tds.append(
                    f'<td{edge}><a class="cell {c}" href="#{_anchor(run["scenario"])}" '
                    f'title="{_e(tip)}">{_STATUS_GLYPH[c]}</a></td>'
                )
        rows.append(f'<tr><th class="beh" title="{_e(asserts.get(b, ""))}">{_e(b)}</th>{"".join(tds)}</tr>')
    return f"""<section class="matrix-box">
<h2>Behaviours by scenario</h2>
<p class="note">Hover a cell for the measured figures; click it for the scenario's timeline and evidence.</p>
<div class="scroll"><table class="matrix">
<thead><tr><th></th>{fam_row}</tr><tr style="height:{head:.0f}px"><th></th>{scen_row}</tr></thead>
<tbody>{"".join(rows)}</tbody>
</table></div>
</section>"""


def _scenario(run: Mapping[str, Any], trace: Trace | None) -> str:
    name = str(run["scenario"])
    verdicts: list[Mapping[str, Any]] = list(run.get("verdicts", []))
    worst = _worst(verdicts)
    bad = worst in ("FAIL", "ERROR")
    sources = "".join(_citation(s) for s in run.get("source", []))
    description = run.get("description", "")
    workdir = run.get("workdir", "")
    files = f'<p class="files">run files: <code>{_e(workdir)}</code></p>' if workdir else ""
    if trace is None:
        picture = '<p class="note">No journal for this run: timeline and output unavailable.</p>'
        output = ""
    else:
        try:
            picture = timeline_svg(trace)
        except Exception as exc:  # a journal this page misreads must not cost the whole report
            picture = (
                f'<p class="note">The timeline could not be drawn: {_e(type(exc).__name__)}: {_e(exc)}</p>'
            )
        output = _output(trace.journal, bad)
    return f"""<section class="scenario {"bad" if bad else "good"}" id="{_anchor(name)}">
<h3>{_badge(worst)} {_e(name)} <small>{_e(run.get("family", ""))} · {float(run.get("wall_time", 0)):.1f} s{_factor(run)}</small></h3>
{f'<p class="desc">{_e(description)}</p>' if description else ""}
{f'<details class="sources"><summary>reproduces {len(run.get("source", []))} public reports</summary><ul>{sources}</ul></details>' if sources else ""}
<div class="timeline-box">{picture}</div>
{"".join(_verdict(v) for v in verdicts)}
{output}
{files}
</section>"""


def _citation(text: str) -> str:
    c = cite(text)
    if c.url and c.url.startswith(("https://", "http://")):
        return f'<li><a href="{_e(c.url)}" rel="noopener noreferrer">{_e(c.text)}</a></li>'
    return f"<li>{_e(c.text)}</li>"


def _verdict(v: Mapping[str, Any]) -> str:
    c = _cls(str(v.get("status", "")))
    hint = f'<p class="hint"><b>hint</b> {_e(v["hint"])}</p>' if v.get("hint") else ""
    measured: Mapping[str, Any] = v.get("measured") or {}
    figures = (
        '<dl class="measured">'
        + "".join(f"<dt>{_e(k)}</dt><dd>{_e(_compact(x))}</dd>" for k, x in measured.items())
        + "</dl>"
        if measured
        else ""
    )
    evidence: list[Any] = list(v.get("evidence") or [])
    ev = ""
    if evidence:
        ev = (
            f"<details{' open' if c in ('fail', 'error') else ''}><summary>evidence: {plural(len(evidence), 'journal entry', 'journal entries')}</summary>"
            f'<table class="evidence"><thead><tr><th>t (s)</th><th>kind</th><th>details</th></tr></thead>'
            f"<tbody>{''.join(_evidence_row(x) for x in evidence)}</tbody></table></details>"
        )
    return f"""<div class="verdict {c}">
<div class="vhead">{_badge(str(v.get("status", "")))} <b>{_e(v.get("behaviour", ""))}</b></div>
<p class="summary">{_e(v.get("summary", ""))}</p>
{hint}{figures}{ev}
</div>"""


def _evidence_row(entry: Any) -> str:
    if not isinstance(entry, Mapping):
        return f'<tr><td></td><td></td><td class="det">{_e(_compact(entry))}</td></tr>'
    t = entry.get("t")
    rest = {k: x for k, x in entry.items() if k not in ("t", "kind")}
    details = " ".join(f"{k}={_compact(x)}" for k, x in rest.items())
    t_text = f"{t:.3f}" if isinstance(t, int | float) else ""
    return f'<tr><td class="num">{t_text}</td><td>{_e(entry.get("kind", ""))}</td><td class="det">{_e(details)}</td></tr>'


def _compact(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 400 else text[:400] + "…"


def _output(journal: Sequence[JournalLine], open_: bool) -> str:
    lines = [e for e in journal if e.get("kind") == "client_output"]
    exit_ = next((e for e in journal if e.get("kind") == "client_exit"), None)
    if not lines and exit_ is None:
        return '<p class="note">The client printed nothing.</p>'
    shown = lines[:MAX_OUTPUT_LINES]
    rows = "".join(
        f'<span class="ln {"err" if e.get("stream") == "stderr" else "out"}">'
        f'<span class="t">{_num(e.get("t"))}</span> {_e(e.get("line", ""))}</span>'
        for e in shown
    )
    more = (
        f'<span class="ln more">… {len(lines) - len(shown)} more lines in journal.jsonl</span>'
        if len(lines) > len(shown)
        else ""
    )
    code = f" · exit code {_e(exit_.get('code'))}" if exit_ is not None else ""
    stderr = sum(1 for e in lines if e.get("stream") == "stderr")
    return (
        f'<details class="output"{" open" if open_ else ""}><summary>client output: '
        f"{len(lines)} lines ({stderr} on stderr){code}</summary><pre>{rows}{more}</pre></details>"
    )


def _num(t: object) -> str:
    return f"{t:8.3f}" if isinstance(t, int | float) else " " * 8


# Timeline -----------------------------------------------------------------------------------

_W = 1100  # SVG user units; the picture scales to the page's width
_LEFT = 118  # lane labels
_RIGHT = 24
_LANE = 22


@dataclass
class _Lane:
    label: str
    marks: list[str]
    cls: str = ""
    title: str = ""


def timeline_svg(trace: Trace) -> str:
    """One run as a picture: lanes over a time axis in seconds, faults as vertical lines."""
    journal = [e for e in trace.journal if isinstance(e.get("t"), int | float)]
    if not journal:
        return '<p class="note">The journal is empty.</p>'
    end = max(float(e["t"]) for e in journal)
    stopping = next(
        (float(e["t"]) for e in journal if e.get("kind") == "run" and e.get("phase") == "stopping"), None
    )
    span = max(end, 0.5)
    x0, x1 = _LEFT, _W - _RIGHT

    def x(t: float) -> float:
        return round(x0 + (x1 - x0) * max(0.0, min(t, span)) / span, 1)

    reported = {(ev.get("e"), ev.get("E")) for ev in trace.client_events or ()}
    lanes = [
        *_connection_lanes(journal, x, end),
        _lane(journal, x, _REST),
        _lane(journal, x, _EVENTS, lambda e: _event_tick(e, reported)),
        *(_lane(journal, x, spec) for spec in (_FRAMES, _KEYS, _CLIENT, _OTHER)),
    ]
    lanes = [lane for lane in lanes if lane.marks]
    faults = _place_faults(journal, x)
    label_rows = max((f.row + 1 for f in faults), default=0)
    top = 8 + 13 * label_rows
    bottom = top + _LANE * len(lanes)
    height = bottom + 34
    parts: list[str] = []
    for i, lane in enumerate(lanes):
        y = top + i * _LANE
        if i % 2 == 0:
            parts.append(f'<rect class="band" x="0" y="{y}" width="{_W}" height="{_LANE}"/>')
        label_title = f"<title>{_e(lane.title)}</title>" if lane.title else ""
        parts.append(
            f'<text class="lane-label" x="{_LEFT - 8}" y="{y + 15}" text-anchor="end">'
            f"{label_title}{_e(lane.label)}</text>"
        )
        parts.append(f'<g class="lane {lane.cls}" transform="translate(0,{y})">{"".join(lane.marks)}</g>')
    parts += _axis(span, x, top, bottom)
    if stopping is not None and stopping < end:
        parts.append(
            f'<rect class="stopping" x="{x(stopping)}" y="{top}" width="{round(x(end) - x(stopping), 1)}" '
            f'height="{bottom - top}"><title>after {stopping:.2f} s the harness ends the run: '
            "not judged</title></rect>"
        )
    parts += _draw_faults(faults, label_rows, bottom)
    svg = (
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {height}" '
        f'width="{_W}" height="{height}" role="img" aria-label="timeline of the run">'
        + "".join(parts)
        + "</svg>"
    )
    return svg + _legend(svg)


def _connection_lanes(journal: Sequence[JournalLine], x: Any, end: float) -> list[_Lane]:
    """A bar per accepted WebSocket connection, from open to close, labelled with how it ended.

    Each connection gets a lane of its own unless a lane is free by its open (bar and label
    ended), so a reconnect storm of short connections stays a few lanes tall.
    """
    closes = {e.get("conn"): e for e in journal if e.get("kind") == "ws_close"}
    rows: list[tuple[float, list[str], list[str]]] = []  # (where it is free again, conns, marks)
    for o in (e for e in journal if e.get("kind") == "ws_open"):
        conn = o.get("conn")
        close = closes.get(conn)
        t0 = float(o["t"])
        t1 = float(close["t"]) if close is not None else end
        user = o.get("user", o.get("route_kind") == "private")
        if close is None:
            how = "still open at the end"
        else:
            how = f"{close.get('code', '?')} {close.get('how', '')}".strip()
            if close.get("initiator"):
                how += f" ({close['initiator']})"
        title = f"connection #{conn} {o.get('path', '')}\nopened {t0:.3f} s, " + (
            f"closed {t1:.3f} s, lived {t1 - t0:.2f} s: {how}" if close is not None else how
        )
        bx, bw = x(t0), max(x(t1) - x(t0), 2.0)
        label_w = 6.2 * len(how) + 10
        label_x, anchor, lcls, free = bx + bw + 5, "start", "conn-label", bx + bw + label_w
        if free > _W - _RIGHT:  # no room on the right: inside the bar's end
            label_x, anchor, lcls, free = bx + bw - 5, "end", "conn-label inside", bx + bw + 4
        marks = [
            f'<rect class="conn {"user" if user else "public"}" data-conn="{_e(conn)}" x="{bx}" y="4" '
            f'width="{round(bw, 1)}" height="14" rx="3"><title>{_e(title)}</title></rect>',
            f'<text class="{lcls}" x="{round(label_x, 1)}" y="15" text-anchor="{anchor}">{_e(how)}</text>',
        ]
        row = next((r for r in rows if r[0] < bx), None)
        if row is None:
            rows.append((free, [f"#{conn}"], marks))
        else:
            rows[rows.index(row)] = (free, [*row[1], f"#{conn}"], [*row[2], *marks])
    lanes = []
    for _, conns, marks in rows:
        label = "ws " + (", ".join(conns) if len(conns) <= 3 else f"{conns[0]} … {conns[-1]}")
        lanes.append(_Lane(label, marks, "conns", "WebSocket connections " + ", ".join(conns)))
    lanes.append(_lane(journal, x, _REFUSED))
    return lanes


@dataclass(frozen=True)
class _Tick:
    """One small mark on a lane: its CSS class, tooltip and box (lane coordinates)."""

    cls: str
    title: str
    w: float = 3
    y: float = 5
    h: float = 12

    @property
    def box(self) -> tuple[str, float, float, float]:
        """What it looks like: ticks that look the same and touch are drawn as one."""
        return (self.cls, self.w, self.y, self.h)


@dataclass(frozen=True)
class _LaneSpec:
    label: str
    cls: str
    #: The mark of an entry, or None when the entry is not drawn on this lane.
    tick: Callable[[JournalLine], _Tick | None]
    title: str = ""


def _lane(
    journal: Sequence[JournalLine],
    x: Any,
    spec: _LaneSpec,
    tick: Callable[[JournalLine], _Tick | None] | None = None,
) -> _Lane:
    """A lane of ticks for the entries `tick` (default: the spec's) draws.

    Ticks of one class closer than a pixel are one mark whose tooltip lists them (a burst of
    events or output lines looks the same either way, and the page stays small); at most
    MAX_MARKS marks are drawn.
    """
    merged: list[tuple[float, _Tick, list[str]]] = []
    for e in journal:
        m = (tick or spec.tick)(e)
        if m is None:
            continue
        xp, line = x(float(e["t"])), f"{float(e['t']):.3f} s {m.title}"[:300]
        last = merged[-1] if merged else None
        if last is not None and last[1].box == m.box and xp - last[0] < 1.0:
            last[2].append(line)
        else:
            merged.append((xp, m, [line]))
    marks = []
    for xp, m, lines in merged[:MAX_MARKS]:
        shown = lines[:6] + ([f"… {len(lines) - 6} more"] if len(lines) > 6 else [])
        marks.append(
            f'<rect class="{_e(m.cls)}" x="{round(xp - m.w / 2, 1)}" y="{m.y}" width="{m.w}" height="{m.h}">'
            f"<title>{_e(chr(10).join(shown))}</title></rect>"
        )
    if len(merged) > MAX_MARKS:
        marks.append(
            f'<text class="cap" x="{_W - _RIGHT}" y="15" text-anchor="end">'
            f"{_e(spec.label)}: first {MAX_MARKS} of {len(merged)} marks shown</text>"
        )
    return _Lane(spec.label, marks, spec.cls, spec.title)


def _conns(e: JournalLine) -> str:
    conns = e.get("conns")
    return "#" + ", #".join(map(str, conns)) if isinstance(conns, list) and conns else "nobody"


def _status_class(status: object) -> str:
    if not isinstance(status, int):
        return "s-other"
    return {2: "s2xx", 3: "s3xx", 4: "s4xx", 5: "s5xx"}.get(status // 100, "s-other")


def _refused_tick(e: JournalLine) -> _Tick | None:
    if e.get("kind") not in ("ws_reject", "ws_invalid"):
        return None
    why = " ".join(str(e[k]) for k in ("status", "why", "error") if e.get(k) is not None)
    return _Tick("reject", f"handshake #{e.get('conn', '?')} refused: {why}", w=5)


def _rest_tick(e: JournalLine) -> _Tick | None:
    if e.get("kind") != "rest":
        return None
    status = e.get("status")
    answer = f"broken ({e['broken']})" if e.get("broken") else status
    title = f"{e.get('method', '')} {e.get('path', '')} → {answer}" + (" (fault)" if e.get("fault") else "")
    body = str(e.get("body", ""))
    if body and _status_class(status) != "s2xx":
        title += f"\n{body[:200]}"
    return _Tick(f"rest {_status_class(status)}", title, w=4, y=3, h=16)


def _event_tick(e: JournalLine, reported: set[tuple[Any, Any]]) -> _Tick | None:
    """A user event the fake sent; green when the client reported it (if it reports any)."""
    if e.get("kind") != "event":
        return None
    if not e.get("conns"):
        cls, what = "ev-none", "nobody connected"
    elif not reported:
        cls, what = "ev-sent", f"sent on {_conns(e)}"
    elif (e.get("e"), e.get("E")) in reported:
        cls, what = "ev-ok", "reported by the client"
    else:
        cls, what = "ev-lost", f"sent on {_conns(e)}, never reported by the client"
    return _Tick(f"ev {cls}", f"{e.get('e', '?')} E={e.get('E', '?')}: {what}", w=2, y=6, h=10)


def _frame_tick(e: JournalLine) -> _Tick | None:
    if e.get("kind") != "ws_frame" or e.get("op") in ("text", None):
        return None
    op, out = str(e.get("op")), e.get("dir") == "out"
    code = f" code {e['code']}" if e.get("code") is not None else ""
    title = f"#{e.get('conn', '?')} {op} {'from the fake' if out else 'from the client'}{code}"
    return _Tick(f"frame f-{op}", title, w=3, y=3 if out else 11, h=8)


def _key_tick(e: JournalLine) -> _Tick | None:
    if e.get("kind") != "listen_key":
        return None
    action = str(e.get("action", ""))
    why = f" ({e['why']})" if e.get("why") else ""
    return _Tick(f"key k-{action}", f"listenKey {action}{why}: {str(e.get('key', ''))[:12]}…", w=6)


def _client_tick(e: JournalLine) -> _Tick | None:
    kind = e.get("kind")
    if kind == "client_output":
        if e.get("stream") == "stderr":
            return _Tick("out err", f"stderr: {e.get('line', '')}", w=2, y=7, h=8)
        return _Tick("out std", f"{e.get('line', '')}", w=2, y=9, h=4)
    if kind in ("client_start", "client_exit"):
        what = "started" if kind == "client_start" else f"exited with code {e.get('code')}"
        return _Tick("life", f"client {what}", w=3, y=2, h=18)
    return None


def _other_tick(e: JournalLine) -> _Tick | None:
    """Kinds the page does not know (newer journals): drawn generically, never dropped."""
    if e.get("kind") in _DRAWN:
        return None
    rest = {k: v for k, v in e.items() if k not in ("t", "kind")}
    return _Tick("other", f"{e.get('kind', '?')} {_compact(rest)}")


_REFUSED = _LaneSpec("ws refused", "rejects", _refused_tick)
_REST = _LaneSpec("REST", "rest", _rest_tick)
_FRAMES = _LaneSpec("control frames", "frames", _frame_tick, "top: fake → client, bottom: client → fake")
_KEYS = _LaneSpec("listenKey", "keys", _key_tick)
_CLIENT = _LaneSpec("client", "client", _client_tick, "start and exit; output lines: stdout grey, stderr red")
_EVENTS = _LaneSpec("events sent", "events", lambda e: None)
_OTHER = _LaneSpec("other", "others", _other_tick, "journal entries of other kinds")


@dataclass(frozen=True)
class _FaultMark:
    x: float
    name: str
    title: str
    label: str
    left: bool  # label on the line's left (near the right edge)
    row: int  # label row, 0 nearest the lanes


def _place_faults(journal: Sequence[JournalLine], x: Any) -> list[_FaultMark]:
    """Each fault's mark, with its label on a row where it does not overprint another's.

    Faults fired close together get label rows of their own; near the right edge a label
    goes left of its line, so it is not cut off.
    """
    marks: list[_FaultMark] = []
    row_ends: list[float] = []  # per label row, where its last label ends
    for e in journal:
        if e.get("kind") not in ("fault", "faults_cleared"):
            continue
        xp = x(float(e["t"]))
        name = str(e.get("name", "faults cleared"))
        params = e.get("params") or {}
        title = f"{float(e['t']):.3f} s fault {name} {_compact(params)}" + (
            f" on #{', #'.join(map(str, e['conns']))}" if e.get("conns") else ""
        )
        label = name + (f" {params['mode']}" if isinstance(params, Mapping) and "mode" in params else "")
        extent = 7.0 * len(label) + 8
        left = xp + extent > _W
        start = xp - extent if left else xp
        row = next((i for i, end in enumerate(row_ends) if start > end), len(row_ends))
        if row == len(row_ends):
            row_ends.append(0.0)
        row_ends[row] = start + extent
        marks.append(_FaultMark(xp, name, title, label, left, row))
    return marks


def _draw_faults(marks: Sequence[_FaultMark], rows: int, bottom: float) -> list[str]:
    """Lines first, labels last (with a halo): a label is never hidden behind another's line."""
    lines, labels = [], []
    for m in marks:
        y = 14 + 13 * (rows - 1 - m.row)
        anchor, tx = ("end", m.x - 3) if m.left else ("start", m.x + 3)
        lines.append(
            f'<g class="fault" data-fault="{_e(m.name)}"><title>{_e(m.title)}</title>'
            f'<line x1="{m.x}" x2="{m.x}" y1="{y + 3}" y2="{bottom}"/></g>'
        )
        labels.append(
            f'<text class="fault-label" x="{round(tx, 1)}" y="{y}" text-anchor="{anchor}">'
            f"<title>{_e(m.title)}</title>{_e(m.label)}</text>"
        )
    return lines + labels


def _axis(span: float, x: Any, top: float, bottom: float) -> list[str]:
    step = next(s for s in (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1e9) if span / s <= 14)
    parts = [f'<line class="axis" x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{bottom}" y2="{bottom}"/>']
    n = int(span / step + 1e-9)
    for i in range(n + 1):
        t = i * step
        xp = x(t)
        parts.append(f'<line class="grid" x1="{xp}" x2="{xp}" y1="{top}" y2="{bottom + 4}"/>')
        parts.append(f'<text class="tick" x="{xp}" y="{bottom + 16}" text-anchor="middle">{t:g}</text>')
    parts.append(
        f'<text class="tick unit" x="{_W - _RIGHT}" y="{bottom + 30}" text-anchor="end">seconds since the run started</text>'
    )
    return parts


#: Legend entries: (what the picture must contain, swatch class, text).
_LEGEND = (
    ('class="conn user"', "conn-user", "user-data connection"),
    ('class="conn public"', "conn-public", "other connection"),
    ('class="fault"', "fault-sw", "fault"),
    ('class="reject"', "s5xx", "handshake refused"),
    ("s2xx", "s2xx", "REST 2xx"),
    ("s4xx", "s4xx", "REST 4xx"),
    ("rest s5xx", "s5xx", "REST 5xx"),
    ("ev-ok", "ev-ok", "event reported"),
    ("ev-lost", "ev-lost", "event not reported"),
    ("ev-sent", "ev-sent", "event sent"),
    ("ev-none", "ev-none", "event, nobody connected"),
    ('class="out err"', "s5xx", "stderr line"),
    ('class="other"', "other-sw", "other journal entry"),
    ('class="stopping"', "stopping-sw", "harness ending the run"),
)


def _legend(svg: str) -> str:
    """The legend of the marks this picture has, only."""
    items = "".join(
        f'<span><i class="sw {sw}"></i>{_e(text)}</span>' for probe, sw, text in _LEGEND if probe in svg
    )
    return f'<div class="legend">{items}</div>'


_CSS = """
:root{--pass:#1a7f37;--fail:#cf222e;--na:#6e7781;--info:#0969da;--error:#8250df;--ink:#1f2328;--muted:#59636e;
--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;--user:#0969da;--public:#8c959f;--warn:#bc4c00}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1240px;padding:20px 28px 60px;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg)}
code,pre,.det,.num{font-family:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
h1{font-size:24px;margin:0 0 8px}h2{font-size:19px;margin:34px 0 10px}
h2.family{border-bottom:2px solid var(--ink);padding-bottom:4px;text-transform:uppercase;letter-spacing:.06em;font-size:15px}
h3{font-size:17px;margin:0 0 6px;display:flex;align-items:center;gap:8px}h3 small{color:var(--muted);font-weight:normal;font-size:13px}
header{border-bottom:1px solid var(--line);padding-bottom:14px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0 0 10px}dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;word-break:break-all}
.totals{display:flex;gap:8px;flex-wrap:wrap;margin:8px 0}
.total{padding:4px 12px;border-radius:16px;color:#fff;font-size:14px}.total b{font-size:17px}
.total.pass,.badge.pass,.cell.pass{background:var(--pass)}.total.fail,.badge.fail,.cell.fail{background:var(--fail)}
.total.na,.badge.na,.cell.na{background:var(--na)}.total.info,.badge.info,.cell.info{background:var(--info)}
.total.error,.badge.error,.cell.error{background:var(--error)}
.badge{display:inline-block;color:#fff;border-radius:4px;padding:1px 7px;font-size:11.5px;font-weight:600;letter-spacing:.03em;min-width:44px;text-align:center}
.toggle{position:absolute;opacity:0;pointer-events:none}
.filter{display:inline-block;margin-top:6px;padding:3px 10px;border:1px solid var(--line);border-radius:6px;cursor:pointer;user-select:none;color:var(--muted)}
.filter::before{content:"☐ "}#only-failing:checked~header .filter{background:var(--soft);color:var(--ink)}
#only-failing:checked~header .filter::before{content:"☑ "}#only-failing:checked~section.scenario.good{display:none}
#only-failing:focus-visible~header .filter{outline:2px solid var(--info)}
.note{color:var(--muted);margin:4px 0}
.scroll{display:inline-block;max-width:100%;overflow-x:auto;border:1px solid var(--line);border-radius:6px}
table.matrix{border-collapse:collapse;font-size:13px}
.matrix th,.matrix td{border-bottom:1px solid var(--line);padding:3px 5px;text-align:center}
.matrix th.beh{text-align:left;white-space:nowrap;font-weight:500;position:sticky;left:0;background:var(--bg);padding-right:12px}
.matrix th.fam{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);border-left:2px solid var(--line);white-space:nowrap;font-weight:600}
.matrix th.scen{vertical-align:bottom;padding:4px 2px}
.matrix th.scen a{writing-mode:vertical-rl;transform:rotate(180deg);color:var(--ink);text-decoration:none;font-weight:500;white-space:nowrap}
.matrix th.scen a:hover{text-decoration:underline}
.matrix td.edge{border-left:2px solid var(--line)}
.cell{display:inline-block;width:24px;height:22px;line-height:22px;border-radius:4px;color:#fff;text-decoration:none;font-weight:700}
.cell:hover{outline:2px solid var(--ink)}
section.scenario{border:1px solid var(--line);border-left:5px solid var(--pass);border-radius:6px;padding:14px 18px;margin:14px 0;scroll-margin-top:10px}
section.scenario.bad{border-left-color:var(--fail)}section.scenario:target{box-shadow:0 0 0 3px #0969da55}
.desc{margin:4px 0 6px;max-width:95ch}
details{margin:6px 0}summary{cursor:pointer;color:var(--muted)}summary:hover{color:var(--ink)}
.sources ul{margin:4px 0;padding-left:22px}.sources a{word-break:break-all}
.timeline-box{margin:10px 0;overflow-x:auto}
svg.timeline{width:100%;height:auto;display:block;font:11px system-ui,sans-serif}
svg .band{fill:var(--soft)}svg .lane-label{fill:var(--ink);font-size:11.5px}
svg .grid{stroke:#d8dee4;stroke-width:1}svg .axis{stroke:var(--muted)}svg .tick{fill:var(--muted);font-size:10.5px}
svg .conn.user{fill:var(--user)}svg .conn.public{fill:var(--public)}
svg .conn-label{fill:var(--ink);font-size:11px}svg .conn-label.inside{fill:#fff;font-weight:600}
svg .fault line{stroke:var(--fail);stroke-width:2;stroke-dasharray:5 3}
svg .fault-label{fill:var(--fail);font-weight:700;font-size:11.5px;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
svg .s2xx{fill:var(--pass)}svg .s3xx{fill:var(--info)}svg .s4xx{fill:var(--warn)}svg .s5xx{fill:var(--fail)}svg .s-other{fill:var(--na)}
svg .ev-ok{fill:var(--pass)}svg .ev-lost{fill:var(--warn)}svg .ev-none{fill:#afb8c1}svg .ev-sent{fill:var(--info)}
svg .reject{fill:var(--fail)}svg .frame{fill:var(--info)}svg .frame.f-close{fill:var(--fail)}svg .frame.f-pong{fill:var(--pass)}
svg .key{fill:#9a6700}svg .key.k-expired,svg .key.k-deleted{fill:var(--fail)}
svg .out.std{fill:#8c959f}svg .out.err{fill:var(--fail)}svg .life{fill:var(--ink)}svg .other{fill:var(--error)}
svg .stopping{fill:#6e778122}svg .cap{fill:var(--muted);font-style:italic}
svg rect:hover{stroke:var(--ink);stroke-width:1}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;color:var(--muted);margin:4px 0 0 10px}
.sw{display:inline-block;width:14px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.sw.conn-user{background:var(--user)}.sw.conn-public{background:var(--public)}.sw.fault-sw{background:var(--fail);width:3px}
.sw.s2xx{background:var(--pass)}.sw.s4xx{background:var(--warn)}.sw.s5xx{background:var(--fail)}
.sw.ev-ok{background:var(--pass);width:4px}.sw.ev-lost{background:var(--warn);width:4px}.sw.ev-none{background:#afb8c1;width:4px}
.sw.stopping-sw{background:#6e778133}.sw.ev-sent{background:var(--info);width:4px}.sw.other-sw{background:var(--error)}
.verdict{border-top:1px solid var(--line);padding:10px 0 4px}
.vhead{display:flex;gap:8px;align-items:center;font-size:15px}
.summary{margin:4px 0}
.hint{margin:6px 0;padding:6px 10px;background:#fff8c5;border:1px solid #d4a72c66;border-radius:6px}
.hint b{color:#7d4e00;margin-right:4px}
dl.measured{display:flex;flex-wrap:wrap;gap:2px 16px;margin:4px 0;font-size:12.5px}
dl.measured dt{color:var(--muted)}dl.measured dt::after{content:":"}dl.measured dd{margin:0 0 0 -12px;font-family:ui-monospace,monospace}
table.evidence{border-collapse:collapse;width:100%;margin:4px 0;font-size:12.5px}
.evidence th{text-align:left;color:var(--muted);font-weight:500;border-bottom:1px solid var(--line);padding:2px 8px}
.evidence td{border-bottom:1px solid #eaeef2;padding:3px 8px;vertical-align:top}
.evidence td.det{word-break:break-all;color:#3d444d}.evidence td.num{text-align:right;white-space:nowrap}
.output pre{max-height:340px;overflow:auto;background:#0d1117;color:#e6edf3;padding:10px 12px;border-radius:6px;margin:6px 0;white-space:pre-wrap;word-break:break-all}
.ln{display:block;padding-left:9ch;text-indent:-9ch}.ln .t{color:#7d8590;user-select:none}.ln.err{color:#ff9492}.ln.more{color:#7d8590;font-style:italic}
.files{color:var(--muted);font-size:12px;margin:8px 0 0}
@media print{.filter,.toggle{display:none}.output pre{max-height:none}}
"""
