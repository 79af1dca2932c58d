"""stops-on-restricted-location: after HTTP 451 the client stops that request and says why.

Failure mode G1: Binance answers 451 with `{"code":0,"msg":"Service unavailable from a
restricted location ..."}` to callers in a restricted country or cloud region
(binance-reference.md §4). Nothing the client does changes the answer, yet clients loop on
it (binance/binance-connector-python#201: a 451 reconnect loop on Kubernetes), adding load
and burying the one line that explains the problem. A correct client classifies 451 as
permanent: a few attempts at most, then a clear terminal error that carries Binance's msg.

Judged from the first REST answer with status 451: later calls of the same method and path
(whatever their answer) are counted, at most `max_attempts` are allowed, and the run must
have watched the client for `watch` seconds after the 451 (or the client exited) for a
PASS; and the client's output must show the 451's msg within `within`. Defaults from
failure-modes.md §6 ("after 451: <= 3 attempts, then terminal error"), the 2 s of
surfaces-error-body for the line, and 30 s of watching (the reference client's backoff cap).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from fake_server.journal_entries import RestEntry, WsRejectEntry
from harness.applicability import not_arisen, too_late
from harness.behaviours import behaviour
from harness.record import RunRecord, brief, settled
from harness.verdict import Verdict, failed, fmt_s, passed


@dataclass(frozen=True)
class Params:
    max_attempts: int = 3  # further calls of the refused request allowed after the first 451
    within: float = 2.0  # seconds from the 451 to an output line showing its msg
    #: Seconds after the 451 the client must have been watched (or have exited) for a PASS:
    #: a loop with a 1 s backoff floor doubling makes its 4th retry within 15 s.
    watch: float = 30.0


def _msg(entry: RestEntry | WsRejectEntry) -> str:
    """Binance's msg in a 451 body, or the body itself when it is not the JSON error."""
    body = str(entry.get("body", ""))
    try:
        data = json.loads(body)
    except ValueError:
        return body.strip()
    return str(data.get("msg", body)).strip() if isinstance(data, dict) else body.strip()


@behaviour(
    "stops-on-restricted-location",
    asserts="after an HTTP 451 (restricted location) the client makes at most `max_attempts` "
    "more calls of that request and its output shows the 451's msg",
    hint="treat 451 as permanent: stop retrying that request, report Binance's msg as a "
    "terminal error (exit non-zero or flag it), do not loop (failure mode G1)",
    reports=(
        "G1 handshake-rejected-403-451",
        "binance/binance-connector-python#201",
        "jptsantossilva/BEC#22",
        "ccxt/ccxt#15872",
    ),
    params=Params,
    evidence="journal: the first rest entry answered 451, the later calls of the same method "
    "and path, and the client_output lines after it",
    problem="keeps retrying a request Binance refuses for the caller's location (HTTP 451), "
    "in a loop that can never succeed",
    needs_stream=False,
)
def check(record: RunRecord, p: Params) -> Verdict:
    calls = [e for e in record.of("rest") if e["t"] < record.ended_at]
    first = next((e for e in calls if e["status"] == 451), None)
    if first is None:
        return not_arisen(record, "no REST call was answered 451", ("restricted_location",))
    request = f"{first['method']} {first['path']}"
    again = [
        e
        for e in calls
        if e["t"] > first["t"] and (e["method"], e["path"]) == (first["method"], first["path"])
    ]
    if len(again) > p.max_attempts:
        span = again[-1]["t"] - first["t"]
        return failed(
            f"after HTTP 451 on {request} the client called it {len(again)} more times in "
            f"{fmt_s(span)} (at most {p.max_attempts}): it loops on a permanent refusal",
            [brief(first)] + [brief(e) for e in again[:3]],
            attempts_after_451=len(again),
        )
    msg = _msg(first)
    shown = next(
        (o for o in record.output() if first["t"] <= o["t"] <= first["t"] + p.within and msg in o["line"]),
        None,
    )
    if shown is None:
        if not settled(record, first["t"] + p.within):
            return too_late(record, "the 451 came", first["t"], p.within, [first])
        return failed(
            f"after HTTP 451 on {request} the client's output in the next {fmt_s(p.within)} never "
            f"shows Binance's msg '{msg[:80]}'",
            [brief(first)],
            attempts_after_451=len(again),
        )
    if not settled(record, first["t"] + p.watch):
        return too_late(record, "the 451 came", first["t"], p.watch, [first])
    return passed(
        f"after HTTP 451 on {request}: {len(again)} more calls (at most {p.max_attempts}), "
        f"msg shown {fmt_s(shown['t'] - first['t'])} later",
        [brief(first), brief(shown)],
        attempts_after_451=len(again),
    )
