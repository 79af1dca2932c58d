"""What the fake refused a client: the answers that explain why it got no user-data stream.

A client that never opens a user-data stream gets one verdict from every check
(harness/applicability.py), and that verdict is only worth something if it says why. The
journal holds the fake's side of it (docs/journal.md):

- error answers to control messages (a SUBSCRIBE refused with code 2) and to WebSocket API
  requests, each with the request frame the client sent just before it on that connection;
- REST calls the fake answered >= 400 by its own rules (an unknown route's 404 -5000, a bad
  signature's -1022), not those a scenario's fault wrote: surviving those is what the
  checks judge, they explain nothing;
- handshakes refused for another reason than a fault (an unknown path), and sockets that
  never made a valid handshake;
- the client process exiting on its own, with its exit code.

When the fake refuses what Binance accepts, this is where a user sees it.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any

from fake_server.journal_entries import Entry, RestEntry, WsFrameEntry
from harness.record import RunRecord, exit_time, frame_json
from harness.verdict import fmt_s

_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Refusal:
    t: float
    #: One clause: 'your SUBSCRIBE id "0b6e..." was answered with code 2 "Invalid request: ..."'.
    what: str
    evidence: tuple[Entry, ...]


def error_body(body: object) -> tuple[Any, str] | str | None:
    """What an error body says: Binance's (code, msg), an HTML page's <title>, or None."""
    if not isinstance(body, str):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        title = _TITLE.search(body)
        return " ".join(html.unescape(title.group(1)).split()) if title else None
    if isinstance(data, dict) and "code" in data and "msg" in data:
        return data["code"], " ".join(str(data["msg"]).split())
    return None


def rest_answer(call: RestEntry) -> str:
    """'GET /fapi/v3/account answered 404 -5000 "Path /fapi/v3/account, Method GET is invalid"'."""
    said = error_body(call.get("body"))
    if isinstance(said, tuple):
        detail = f' {said[0]} "{_cut(said[1])}"'
    elif isinstance(said, str):
        detail = f' (an HTML page titled "{_cut(said)}")'
    else:
        detail = ""
    return f"{call['method']} {call['path']} answered {call['status']}{detail}"


def rest_refusals(
    record: RunRecord, since: float = float("-inf"), until: float = float("inf")
) -> list[Refusal]:
    """REST calls the fake answered >= 400 by its own rules (not a fault's), in the window."""
    return [
        Refusal(float(e["t"]), rest_answer(e), (e,))
        for e in record.of("rest")
        if int(e["status"]) >= 400 and not e.get("fault") and since <= e["t"] <= until
    ]


def _cut(text: str, most: int = 100) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _request_before(record: RunRecord, answer: WsFrameEntry) -> WsFrameEntry | None:
    """The text frame the client sent on the answer's connection just before it."""
    before = [
        e
        for e in record.of("ws_frame")
        if e["conn"] == answer["conn"]
        and e.get("dir") == "in"
        and e.get("op") == "text"
        and e["t"] <= answer["t"]
    ]
    return before[-1] if before else None


def _message_answer(record: RunRecord, answer: WsFrameEntry) -> Refusal:
    """An error answer to a control message or a WebSocket API request, with its request."""
    request = _request_before(record, answer)
    sent = frame_json(request) if request is not None else None
    if isinstance(sent, dict):
        method = sent.get("method") or answer.get("method") or "message"
        asked = f"your {method} " + (
            f"id {_cut(json.dumps(sent['id']), 40)}" if "id" in sent else "without an id"
        )
    elif request is not None:  # not a JSON object
        asked = f"your message {json.dumps(_cut(str(request.get('data', '')), 60))}"
    else:  # an answer journaled with its request's fields (a newer journal) and no request frame
        rid = answer.get("request_id", answer.get("id"))
        asked = f"your {answer.get('method') or 'message'}" + (
            f" id {json.dumps(rid)}" if rid is not None else ""
        )
    said = frame_json(answer)
    error = said.get("error") if isinstance(said, dict) else None
    msg = f' "{_cut(str(error["msg"]))}"' if isinstance(error, dict) and error.get("msg") else ""
    status = f"status {answer['status']}, " if answer.get("status") is not None else ""
    return Refusal(
        float(answer["t"]),
        f"{asked} was answered with {status}code {answer['error']}{msg}",
        tuple(e for e in (request, answer) if e is not None),
    )


def refusals(record: RunRecord) -> list[Refusal]:
    """Everything the fake refused the client during the run, and its own exit, in time order."""
    found: list[Refusal] = []
    for e in record.of("ws_frame", "ws_reject", "ws_invalid"):
        if e["t"] >= record.ended_at:
            continue
        if e["kind"] == "ws_frame" and e.get("dir") == "out" and e.get("error") is not None:
            found.append(_message_answer(record, e))
        elif e["kind"] == "ws_reject" and e.get("why", "fault") != "fault":
            what = f"the handshake on {e.get('path', '?')} was refused with {e['status']} ({e['why']})"
            found.append(Refusal(float(e["t"]), what, (e,)))
        elif e["kind"] == "ws_invalid" and e.get("why") != "fault":
            what = f"a socket never completed its WebSocket handshake ({e.get('why', '?')})"
            found.append(Refusal(float(e["t"]), what, (e,)))
    found += rest_refusals(record, until=record.ended_at)
    gone = own_exit(record)
    if gone is not None:
        found.append(gone)
    return sorted(found, key=lambda r: r.t)


def own_exit(record: RunRecord) -> Refusal | None:
    """The client's exit during the run, on its own, told with its code and last line."""
    exit_entry = next(record.of("client_exit"), None)
    if exit_entry is None or exit_time(record) is None:
        return None
    lines = record.output()
    last = f' (its last line: "{_cut(lines[-1]["line"], 120)}")' if lines else ""
    what = f"the client exited on its own with code {exit_entry['code']} at {fmt_s(exit_entry['t'])}{last}"
    return Refusal(float(exit_entry["t"]), what, (exit_entry,))


def explain(found: list[Refusal], most: int = 4) -> str:
    """The refusals as one clause list, each said once (with how many times it happened)."""
    counts: dict[str, int] = {}
    for r in found:
        counts[r.what] = counts.get(r.what, 0) + 1
    parts = [what + (f" ({n} times)" if n > 1 else "") for what, n in counts.items()]
    more = f"; and {len(parts) - most} more" if len(parts) > most else ""
    return "; ".join(parts[:most]) + more
