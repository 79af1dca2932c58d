"""surfaces-error-body: a failed REST call shows why it failed, not just the status.

The forum thread's "404": the body said why (`{"code":-5000,"msg":"Path ..., Method ... is
invalid"}`) but the client printed only the status, and the user went hunting in the dark.
Failure mode G4: gateways answer with HTML pages (nginx 502/504/410, CloudFront's 403
"Request blocked"), and clients that only parse JSON report "Invalid JSON" or crash. The
check reads the client's captured stdout/stderr after each error answer: a JSON body's
`code` and `msg` must show, and for an HTML page its <title>, which names the condition.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass

from harness.behaviours import behaviour
from harness.record import RunRecord, brief, settled
from harness.verdict import Verdict, failed, fmt_s, not_applicable, passed


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
)
def check(record: RunRecord, p: Params) -> Verdict:
    errors = [(call, detail) for call in record.of("rest") if (detail := error_detail(call))]
    if not errors:
        return not_applicable("no REST call of the client was answered with an error body")
    output = record.output()
    shown = 0
    for call, (what, needles) in errors:
        window = [o for o in output if call["t"] <= o["t"] <= call["t"] + p.within]
        text = " ".join(" ".join(o["line"].split()) for o in window)
        shown_here = all(n in text for n in needles)
        if not shown_here and not settled(record, call["t"] + p.within):
            continue
        if not shown_here:
            return failed(
                f"{call['method']} {call['path']} answered HTTP {call['status']} with {what}, "
                f"but the client's output in the next {fmt_s(p.within)} shows "
                + ("only: " + window[0]["line"][:120] if window else "nothing"),
                [brief(call)] + [brief(o) for o in window[:3]],
            )
        shown += 1
    return passed(
        f"all {shown} error bodies shown in the client's output",
        [brief(errors[0][0])],
        errors_shown=shown,
    )


_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def error_detail(call: dict[str, object]) -> tuple[str, list[str]] | None:
    """What an error answer said, and the texts the client's output must contain to show it.

    None for a success, or an error with nothing to show (an empty body: the status is all).
    """
    status, body = call.get("status"), call.get("body")
    if not isinstance(status, int) or status < 400 or not isinstance(body, str):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        title = _TITLE.search(body)
        if title is None:
            return None
        text = " ".join(html.unescape(title.group(1)).split())
        return f"an HTML page titled '{text}'", [text]
    if isinstance(data, dict) and "code" in data and "msg" in data:
        return f"code {data['code']} '{data['msg']}'", [str(data["code"]), " ".join(str(data["msg"]).split())]
    return None
