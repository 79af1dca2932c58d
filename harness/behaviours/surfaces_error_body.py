"""surfaces-error-body: a failed REST call shows Binance's `code` and `msg`, not just the status.

The forum thread's "404": the body said why (`{"code":-5000,"msg":"Path ..., Method ... is
invalid"}`) but the client printed only the status, and the user went hunting in the dark.
The check reads the client's captured stdout/stderr after each JSON error answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from harness.behaviours import behaviour
from harness.record import RunRecord, brief, settled
from harness.verdict import Verdict, failed, fmt_s, not_applicable, passed


@dataclass(frozen=True)
class Params:
    within: float = 2.0  # seconds from the error answer to the line that shows it


@behaviour(
    "surfaces-error-body",
    asserts="after each REST answer with an error body {code, msg}, the client's output shows "
    "that code and msg within the deadline",
    hint="log the response body of failed REST calls (Binance's code and msg), not only the "
    "HTTP status: the body says why (forum thread; failure mode G4)",
    reports=(
        "forum thread: 'Besides the error code 404, it also comes with an error message'",
        "G4 non-json-http-body",
        "https://dev.binance.vision/t/new-connection-with-websocket/15063",
    ),
    params=Params,
    evidence="journal: the REST error answer (status, code, msg or HTML title) and the client_output lines that follow it",
)
def check(record: RunRecord, p: Params) -> Verdict:
    errors = []
    for call in record.of("rest"):
        if call["status"] < 400:
            continue
        try:
            body = json.loads(call["body"])
        except ValueError:
            continue
        if isinstance(body, dict) and "code" in body and "msg" in body:
            errors.append((call, body))
    if not errors:
        return not_applicable("no REST call of the client was answered with an error body")
    output = record.output()
    shown = 0
    for call, body in errors:
        window = [o for o in output if call["t"] <= o["t"] <= call["t"] + p.within]
        text = "\n".join(o["line"] for o in window)
        shown_here = str(body["code"]) in text and str(body["msg"]) in text
        if not shown_here and not settled(record, call["t"] + p.within):
            continue
        if not shown_here:
            return failed(
                f"{call['method']} {call['path']} answered HTTP {call['status']} with code "
                f"{body['code']} '{body['msg']}', but the client's output in the next "
                f"{fmt_s(p.within)} shows " + ("only: " + window[0]["line"][:120] if window else "nothing"),
                [brief(call)] + [brief(o) for o in window[:3]],
            )
        shown += 1
    return passed(
        f"all {shown} error bodies shown in the client's output",
        [brief(errors[0][0])],
        errors_shown=shown,
    )
