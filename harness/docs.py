"""The catalog's reference pages, generated from the code so they cannot drift from it.

docs/behaviours.md (what each check asserts, the evidence that decides it, its deadlines
and why), docs/catalog.md (every publicly reported failure mode, the scenarios that
reproduce it, or the reason none does yet) and docs/faults.md (every fault and its
parameters, from the faults' own schemas) are rendered here from the registries and the
scenario files; a test fails when the committed pages differ from a fresh render.

    python -m harness.docs                          rewrite the three pages
    python -m harness.docs --conformance FILE       take a `binance-harness matrix` run's
                                                    matrix.json into docs/conformance.md

docs/conformance.md is written by hand around one generated block, the matrix, which is
rendered from docs/conformance/matrix.json (the compact verdicts of a real run, committed):
results come from runs, never typed in.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fake_server.faults import LAYERS
from fake_server.faults.anchors import ANCHORS
from fake_server.schema import default_words, params_of, range_words, type_words
from harness.behaviours import Behaviour
from harness.citations import cite, failure_mode
from harness.matrix import load, markdown, save
from harness.scenario import Scenario


@dataclass(frozen=True)
class Mode:
    id: str
    slug: str
    symptom: str


#: The index of failure-modes.md (the backlog this catalog was built from), in its order.
MODES: tuple[Mode, ...] = (
    Mode(
        "A1",
        "lk-never-kept-alive",
        "user events stop after about an hour: the listenKey was never kept alive",
    ),
    Mode(
        "A2", "lk-expired-event-ignored", "listenKeyExpired arrives and is ignored; the stream stays silent"
    ),
    Mode("A3", "lk-keepalive-1125", "keepalive answers -1125 forever; nobody creates a new key"),
    Mode("A4", "lk-keepalive-transient-error", "one failed keepalive is shrugged off; the key dies later"),
    Mode("A5", "lk-create-fails", "POST listenKey fails for a while; the bot never becomes ready"),
    Mode("A7", "lk-stale-key-on-reconnect", "after a long outage the client reconnects with its dead key"),
    Mode("A9", "lk-endpoint-removed-410", "spot/margin listenKey routes answer 410 with an nginx page"),
    Mode("B1", "wsapi-subscribe-unauthenticated", "userDataStream.subscribe without session.logon"),
    Mode("B2", "wsapi-event-stream-terminated", "eventStreamTerminated ends the subscription, socket open"),
    Mode("B3", "wsapi-no-reauth-after-reconnect", "after a WS API reconnect, no fresh logon or signature"),
    Mode("B4", "server-shutdown-event", "serverShutdown ignored; the hard close later loses events"),
    Mode("C1", "drop-1006-no-close-frame", "the connection dies with 1006, no close frame"),
    Mode("C2", "close-1000-1001-treated-as-final", "a clean 1000/1001 close from the server ends the stream"),
    Mode("C3", "forced-24h-close", "every connection is closed after 24 h"),
    Mode("C4", "close-1008-too-many-requests", "closed with 1008 'Too many requests' for sending too much"),
    Mode("C5", "too-many-streams", "more streams than a connection allows"),
    Mode("D1", "server-ping-unanswered", "server pings unanswered: 1008 'Pong timeout'"),
    Mode("D2", "client-liveness-too-strict", "the client kills a quiet but healthy connection"),
    Mode("D3", "pings-go-unanswered-1011", "the client's pings go unanswered on a black-holed connection"),
    Mode("E1", "silent-stall-socket-open", "the socket stays open, data stops"),
    Mode("E2", "half-open-network-loss", "the network path dies without FIN or RST"),
    Mode("E3", "subscribe-acked-no-data", "a subscription is acknowledged and nothing ever arrives"),
    Mode("E4", "maintenance-window", "stall, mass close, refused handshakes, 5xx, then recovery"),
    Mode("F1", "reconnect-gives-up", "after N failed attempts the client stops trying"),
    Mode("F2", "reconnect-storm", "reconnect attempts in a tight loop"),
    Mode("F3", "reconnect-path-crash", "an error inside the reconnect path kills the client"),
    Mode("F5", "gap-not-reconciled", "events missed while disconnected are never recovered"),
    Mode("F6", "state-lost-across-reconnect", "the client's cached state is wrong after a reconnect"),
    Mode("G1", "handshake-rejected-403-451", "the upgrade is refused with 403 (WAF) or 451 (location)"),
    Mode("G3", "rest-429-418-retry-after", "REST 429/418 with Retry-After ignored; bans grow"),
    Mode("G4", "non-json-http-body", "HTML error pages where JSON was expected"),
    Mode("H1", "non-json-ws-frame", "an empty, non-JSON or binary frame on the stream"),
    Mode("H2", "unknown-event-type", "a new event type or field breaks a strict parser"),
    Mode("H3", "slow-consumer-overflow", "a burst of events overflows the client's queue"),
    Mode("H5", "ws-vs-rest-race-and-ordering", "updates applied out of order"),
    Mode("H6", "duplicate-events", "the same event delivered twice"),
)

#: Modes with no scenario yet, and why (shown in docs/catalog.md).
NOT_COVERED: dict[str, str] = {
    "B1": "The fake refuses userDataStream.subscribe before session.logon (-1002; HMAC keys "
    "cannot log on: tests/fake_server/test_ws_api.py), but that is a start-up error, not a "
    "recovery: judging it needs a check of the first subscription, which no behaviour has yet. "
    "After a reconnect such a client fails fresh-signature-on-reconnect, with -1002 in evidence.",
    "C5": "The fake enforces the cap (1024 streams per connection, error code 4 on SUBSCRIBE, "
    "tests/fake_server/test_stream_control.py), but judging a client's sharding needs it to "
    "subscribe market streams, and the client contract (docs/client-contract.md) only asks "
    "for the user-data stream.",
    "E3": "Its user-data flavour (an upgrade with a dead listenKey is accepted and stays "
    "silent) is A7's scenario. The market-data flavour needs the client to subscribe market "
    "streams, which the client contract does not ask for yet.",
    "F6": "A corrupted cache lives inside the client; the harness sees the wire and the events "
    "file only. Its triggers (a keepalive failure, then a drop) are played by "
    "reconnect/failing-first-reconnect and the listenKey scenarios, whose checks catch the "
    "visible consequences (no reconnect, a dead key reused, events lost).",
}


def modes_of(scenario: Scenario) -> list[str]:
    """The failure-mode ids a scenario's `source:` cites."""
    ids = []
    for text in scenario.source:
        mode = failure_mode(text)
        if mode and mode not in ids:
            ids.append(mode)
    return ids


def render_catalog(scenarios: Sequence[Scenario]) -> str:
    by_mode: dict[str, list[Scenario]] = {}
    for s in scenarios:
        for mode in modes_of(s):
            by_mode.setdefault(mode, []).append(s)
    covered = sum(1 for m in MODES if m.id in by_mode)
    lines = [
        "# The catalog: reported failure modes and their scenarios",
        "",
        "Generated by `python -m harness.docs` from the scenario files; do not edit by hand.",
        "",
        f"{len(scenarios)} scenarios reproduce {covered} of the {len(MODES)} failure modes that users "
        "reported in public (ids from the project's failure-mode backlog). Each scenario cites "
        "the reports in its `source:`; `binance-harness list` shows them.",
        "",
        "| id | failure mode | what users saw | scenarios | behaviours judged |",
        "|---|---|---|---|---|",
    ]
    for m in MODES:
        found = by_mode.get(m.id, [])
        if found:
            where = "<br>".join(f"`{_rel(s)}`" for s in found)
            judged = ", ".join(sorted({e.behaviour for s in found for e in s.expect}))
        else:
            where, judged = "none yet, see below", ""
        lines.append(f'| <a id="{m.id.lower()}"></a>{m.id} | `{m.slug}` | {m.symptom} | {where} | {judged} |')
    missing = [m for m in MODES if m.id not in by_mode]
    if missing:
        lines += ["", "## Modes without a scenario yet", ""]
        for m in missing:
            reason = NOT_COVERED.get(m.id, "no reason written: this is a gap in the catalog")
            lines += textwrap.wrap(f"- **{m.id} `{m.slug}`**: {reason}", 100, subsequent_indent="  ")
    lines += ["", "## Scenarios by family", ""]
    for family in sorted({s.family for s in scenarios}):
        lines.append(f"### {family}")
        lines.append("")
        for s in sorted((s for s in scenarios if s.family == family), key=lambda s: s.name):
            desc = " ".join(s.description.split())
            lines += textwrap.wrap(
                f"- `{_rel(s)}` ({s.length()}; {', '.join(modes_of(s)) or 'no mode id'}): {desc}",
                100,
                subsequent_indent="  ",
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_behaviours(registry: Mapping[str, Behaviour], scenarios: Sequence[Scenario]) -> str:
    lines = [
        "# Behaviours: what each check asserts, and how it decides",
        "",
        "Generated by `python -m harness.docs` from the behaviour modules "
        "(harness/behaviours/); do not edit by hand. Deadlines are defaults: a scenario sets "
        "its own under `expect:` (docs/scenario-format.md), scaled to its shortened timers. "
        "Each behaviour has a broken client in clients/broken/ that lacks exactly it and fails "
        "it (tests/behaviours/test_broken_clients.py). A client that never opens a user-data "
        "stream gets the same reason from every check, citing what the fake refused it "
        "(harness/applicability.py); a check whose situation the run never produced says "
        "NOT-APPLICABLE with the reason, and ERROR only when the scenario lacks it.",
        "",
    ]
    for b in sorted(registry.values(), key=lambda b: b.id):
        judged = sorted(s.name for s in scenarios if any(e.behaviour == b.id for e in s.expect))
        lines += [f"## {b.id}", "", f"**Asserts**: {b.asserts}.", ""]
        lines += [f"**Evidence**: {b.evidence}.", ""]
        params = _param_docs(b.params)
        if params:
            lines.append("**Deadlines and thresholds** (default, and why):")
            lines.append("")
            lines += [f"- `{name}` = {default}: {why}" for name, default, why in params]
            lines.append("")
        lines += [f"**A client that fails it**: {b.problem or '(not stated)'}.", ""]
        nobody = (
            "FAIL: the behaviour needs a stream"
            if b.needs_stream
            else "NOT-APPLICABLE: the behaviour cannot arise without one"
        )
        lines += [f"**A client that never opens a user-data stream**: {nobody}.", ""]
        lines += [f"**What to change**: {b.hint}.", ""]
        if b.reports:
            links = []
            for text in b.reports:
                c, mode = cite(text), failure_mode(text)
                url = c.url or (f"catalog.md#{mode.lower()}" if mode else None)
                links.append(f"[{text}]({url})" if url else text)
            lines += ["**Reported publicly**: " + "; ".join(links) + ".", ""]
        lines += ["**Judged in**: " + (", ".join(f"`{n}`" for n in judged) or "no scenario yet") + ".", ""]
    return "\n".join(lines).rstrip() + "\n"


def render_faults(faults: Mapping[str, type[Any]], scenarios: Sequence[Scenario]) -> str:
    """docs/faults.md: each fault, what it does and its parameters, from its schema, grouped
    by layer, with the public fault tool's fault it mirrors."""
    lines = [
        "# Faults: what each one does, and its parameters",
        "",
        "Generated by `python -m harness.docs` from the faults' schemas (one module per fault "
        "in fake_server/faults/, each parameter declared once with its type, default, range "
        "and doc); do not edit by hand. A scenario step names the fault and sets its "
        "parameters (docs/scenario-format.md); the control API takes the same parameters "
        "(docs/control-api.md), and both refuse a value out of range where it is written.",
        "",
        'The faults are grouped by the layer they act at, outermost first; "Mirrors" names '
        "the fault of a public fault-injection tool it reproduces (a Toxiproxy toxic, a "
        "WireMock fault, an Autobahn case family), with the tool's parameters in this "
        "project's units (seconds for every duration).",
        "",
    ]
    known = [layer for layer, _ in LAYERS]
    titles = dict(LAYERS)
    layers = known + sorted({cls.layer for cls in faults.values()} - set(known))
    for layer in layers:
        members = sorted((n, c) for n, c in faults.items() if c.layer == layer)
        if not members:
            continue
        lines += [f"## {titles.get(layer, layer)}", ""]
        lines += [f"- [`{n}`](#{n}){': mirrors ' + c.mirrors if c.mirrors else ''}" for n, c in members]
        lines.append("")
        for name, cls in members:
            lines += _fault_section(name, cls, scenarios)
    lines += _anchor_table()
    return "\n".join(lines).rstrip() + "\n"


def _anchor_table() -> list[str]:
    """Every item of the public fault taxonomies, with the faults that cover it or why none
    does (fake_server/faults/anchors.py)."""
    lines = [
        "## The public fault taxonomies: covered, or why not",
        "",
        "Each item of Toxiproxy's toxics, WireMock's and Mountebank's faults and "
        "Autobahn|Testsuite's case families that a server can cause, with the faults that "
        "reproduce it here, or the reason it does not apply to a fake server "
        "(fake_server/faults/anchors.py; a test holds it against the registry).",
        "",
        "| tool | item | covered by | note |",
        "|---|---|---|---|",
    ]
    for a in ANCHORS:
        covered = ", ".join(f"[`{n}`](#{n})" for n in a.covered_by) or "does not apply"
        lines.append(f"| {a.tool} | {a.item} | {covered} | {a.note} |")
    return [*lines, ""]


def _fault_section(name: str, cls: type[Any], scenarios: Sequence[Scenario]) -> list[str]:
    used = sorted(s.name for s in scenarios if any(step.fault.name == name for step in s.steps))
    doc = inspect.cleandoc(cls.__doc__ or "")
    ends = " Ends the connections it hits." if cls.ends_connection else ""
    mirrors = f" Mirrors: {cls.mirrors}." if cls.mirrors else ""
    lines = [f"### {name}", "", f"Layer: {cls.layer}.{ends}{mirrors}", "", doc, ""]
    params = params_of(cls)
    if params:
        lines += ["| parameter | type | default | range | what it is |", "|---|---|---|---|---|"]
        for p in params.values():
            cells = [
                f"`{p.name}`",
                type_words(p.type),
                f"`{default_words(p)}`",
                range_words(p.spec),
                p.doc,
            ]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    lines += ["Used in: " + (", ".join(f"`{n}`" for n in used) or "no catalog scenario yet") + ".", ""]
    return lines


def _param_docs(params: type) -> list[tuple[str, str, str]]:
    """(name, default, the comment after it) of each field of a Params dataclass."""
    if not dataclasses.is_dataclass(params):
        return []
    comments: dict[str, str] = {}
    try:
        source = textwrap.dedent(inspect.getsource(params))
    except (OSError, TypeError):
        source = ""
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source)) if source else ():
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            line = lines[node.lineno - 1]
            above = lines[node.lineno - 2].strip() if node.lineno >= 2 else ""
            why = line.split("#", 1)[1].strip() if "#" in line else ""
            if not why and above.startswith("#:"):
                why = above[2:].strip()
            comments[node.target.id] = why
    out = []
    for f in dataclasses.fields(params):
        default = f.default if f.default is not dataclasses.MISSING else "(required)"
        out.append((f.name, f"{default}", comments.get(f.name, "")))
    return out


def _rel(s: Scenario) -> str:
    return f"{s.path.parent.name}/{s.path.name}" if s.path is not None else s.name


BEGIN = "<!-- matrix:begin: generated by `python3 tasks.py matrix` from docs/conformance/matrix.json -->"
END = "<!-- matrix:end -->"


def conformance_block(about: Mapping[str, Any], reports: Mapping[str, Mapping[str, Any]]) -> str:
    """The generated part of docs/conformance.md: when and what was played, then the matrix."""
    scenarios = about.get("scenarios", [])
    head = (
        f"Played on {about.get('date', '?')}: {len(scenarios)} USD-M scenarios against "
        f"{len(reports)} clients, one after the other, on a 2-core machine."
    )
    return f"{BEGIN}\n{head}\n\n{markdown(reports)}{END}"


def update_conformance(matrix_json: Path, root: Path) -> None:
    """Copy a matrix run's data into docs/conformance/ (commands made relative to the
    checkout) and re-render the generated block of docs/conformance.md from it."""
    about, reports = load(matrix_json)
    prefix = f"{root}/"
    for report in reports.values():
        report["client"] = str(report["client"]).replace(prefix, "")
    save(root / "docs" / "conformance" / "matrix.json", reports, **about)
    page = root / "docs" / "conformance.md"
    text = page.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    page.write_text(text[:start] + conformance_block(about, reports) + text[end:], encoding="utf-8")


def main() -> int:
    from harness.behaviours import load_all
    from harness.defaults import ROOT, SCENARIOS
    from harness.scenario_file import default_registries, load_scenarios

    if sys.argv[1:2] == ["--conformance"] and len(sys.argv) == 3:
        update_conformance(Path(sys.argv[2]), ROOT)
        print("wrote docs/conformance/matrix.json and the matrix of docs/conformance.md", file=sys.stderr)
        return 0

    faults, behaviours = default_registries()
    files = sorted(SCENARIOS.rglob("*.yaml"))
    scenarios = load_scenarios(files, faults=faults, behaviours=behaviours)
    (ROOT / "docs" / "catalog.md").write_text(render_catalog(scenarios), encoding="utf-8")
    (ROOT / "docs" / "behaviours.md").write_text(render_behaviours(load_all(), scenarios), encoding="utf-8")
    (ROOT / "docs" / "faults.md").write_text(render_faults(faults, scenarios), encoding="utf-8")
    print("wrote docs/catalog.md, docs/behaviours.md and docs/faults.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
