"""surfaces-error-body: a failed REST call shows why it failed, not just the status.

The forum thread's "404": the body said why (`{"code":-5000,"msg":"Path ..., Method ... is
invalid"}`) but the client printed only the status, and the user went hunting in the dark.
Failure mode G4: gateways answer with HTML pages (nginx 502/504/410, CloudFront's 403
"Request blocked"), and clients that only parse JSON report "Invalid JSON" or crash. The
check reads the client's captured stdout/stderr after each error answer: a JSON body's
`code` and `msg` must show, and for an HTML page its <title>, which names the condition.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fake_server.journal_entries import RestEntry, WsRejectEntry
from harness.applicability import never_connected
from harness.behaviours import behaviour
from harness.record import RunRecord, brief, settled
from harness.refusals import error_body
from harness.verdict import Verdict, failed, fmt_s, not_applicable, passed

#: A test of the client's output (its lines in the window, whitespace collapsed).
Needle = Callable[[str], bool]


@dataclass(frozen=True)
class Params:
    within: float = 2.0  # seconds from the error answer to the line that shows it


@behaviour(
    "surfaces-error-body",
    asserts="after each REST answer with an error body, the client's output shows within the "
    "deadline what it said: Binance's code and msg, or the title of an HTML error page",
    hint="log the response body of failed REST calls (Binance's code and msg; for an HTML page "
    "from nginx or CloudFront, its title), not only the HTTP status: the body says why (forum "
    "thread; failure mode G4)",
    reports=(
        "forum thread: 'Besides the error code 404, it also comes with an error message'",
        "G4 non-json-http-body",
        "https://dev.binance.vision/t/new-connection-with-websocket/15063",
        "oliver-zehentleitner/unicorn-binance-websocket-api#399",
        "sammchardy/python-binance#963",
    ),
    params=Params,
    evidence="journal: each REST error answer (its JSON code and msg, or its HTML <title>) and the "
    "client_output lines within the deadline after it",
    problem="reports a failed REST call without what the server said (its code and msg, or the "
    "error page's title), so nobody can tell why it failed",
    needs_stream=False,
)
def check(record: RunRecord, p: Params) -> Verdict:
    errors = [(call, detail) for call in record.of("rest") if (detail := error_detail(call))]
    if not errors:
        return never_connected(record, needs_stream=False) or not_applicable(
            "no REST call of the client was answered with an error body"
        )
    output = record.output()
    evidence: list[Mapping[str, Any]] = []
    for call, (what, needles) in errors:
        window = [o for o in output if call["t"] <= o["t"] <= call["t"] + p.within]
        text = " ".join(" ".join(o["line"].split()) for o in window)
        shown_here = all(n(text) for n in needles)
        if not shown_here and not settled(record, call["t"] + p.within):
            continue
        if not shown_here:
            return failed(
                f"{call['method']} {call['path']} answered HTTP {call['status']} with {what}, "
                f"but the client's output in the next {fmt_s(p.within)} shows "
                + ("only: " + window[0]["line"][:120] if window else "nothing"),
                [brief(call)] + [brief(o) for o in window[:3]],
            )
        line = next((o for o in window if any(n(" ".join(o["line"].split())) for n in needles)), window[0])
        evidence += [brief(call), brief(line)]
    if not evidence:
        return not_applicable(
            f"each of the {len(errors)} error answers came less than {fmt_s(p.within)} before the "
            "end of the run, too late to judge what the client showed"
        )
    shown = len(evidence) // 2
    late = (
        f" (the other {len(errors) - shown} came too late in the run to judge)" if shown < len(errors) else ""
    )
    return passed(
        f"{shown} of {len(errors)} error bodies shown in the client's output (code and msg, or the "
        f"page's title), the first {evidence[1]['t'] - evidence[0]['t']:.2f} s after its answer{late}",
        evidence[:6],
        errors_shown=shown,
    )


def code_shown(code: object) -> Needle:
    """Binance's error code as a token of the output: -1125, but not inside -11250 or 1125.

    Code 0 (the 451 body's) says nothing as a bare digit, so it counts only labelled as a
    code ("code 0", '"code":0', "code: 0"); the msg, required beside it, shows it anyway.
    """
    if str(code) == "0":
        labelled = re.compile(r"""\bcode["']?\s*[:=]?\s*["']?0(?![\w.])""", re.IGNORECASE)
        return lambda text: labelled.search(text) is not None
    token = re.compile(rf"(?<![\w.+-]){re.escape(str(code))}(?![\w.])")
    return lambda text: token.search(text) is not None


def text_shown(words: str) -> Needle:
    """A text of the answer (its msg, a page's title) in the output, whitespace collapsed."""
    return lambda text: words in text


def error_detail(call: RestEntry | WsRejectEntry) -> tuple[str, list[Needle]] | None:
    """What an error answer said, and the tests the client's output must pass to show it.

    None for a success, or an error with nothing to show (an empty body: the status is all).
    """
    status = call.get("status")
    if not isinstance(status, int) or status < 400:
        return None
    said = error_body(call.get("body"))
    if isinstance(said, str):
        return f"an HTML page titled '{said}'", [text_shown(said)]
    if said is None:
        return None
    code, msg = said
    if str(code) == "0" and msg:
        # The msg is the only thing a code-0 body says: showing it shows the error.
        return f"code {code} '{msg}'", [text_shown(msg)]
    return f"code {code} '{msg}'", [code_shown(code), text_shown(msg)]
