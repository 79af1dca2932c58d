"""honours-retry-after: after a 429/418 with `Retry-After: N`, nothing of that kind for N s.

Failure modes G3 (REST 429, then 418 bans that grow from minutes to days) and G1 (a
handshake refused with 418/429 while the IP is banned). Binance's limits are per IP, so a
client that retries inside the Retry-After window, from any loop, turns a 429 into a 418
ban (sammchardy/python-binance#128: 5 min -> 24 h); SDKs that hid the header left users no
way to comply (binance/binance-connector-python#443). Judged per kind of request: after a
REST answer, no REST call at all before N s; after a refused handshake, no handshake. Then
the client must come back: a successful call (or an opened stream) within `recover_within`
of the window's end.

Deadlines: "no request before N" is failure-modes.md §6's; `recover_within` defaults to
5 s, §6's deadline for the first reconnect after an unexpected close.

The Retry-After of an answer is read from the fault that produced it (`http_error` or
`reject_handshake` with a `Retry-After` header): the journal's rest and ws_reject entries
do not carry headers, so the weight limiter's own 429s are not judged here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from fake_server.journal_entries import FaultEntry, RestEntry, WsOpenEntry, WsRejectEntry
from harness.applicability import no_such_step, not_arisen
from harness.behaviours import behaviour
from harness.record import RunRecord, brief, settled
from harness.verdict import Verdict, failed, fmt_s, not_applicable, passed


@dataclass(frozen=True)
class Params:
    recover_within: float = 5.0  # seconds from the end of the last Retry-After to a success


def retry_after_of(params: dict[str, Any]) -> float | None:
    """The Retry-After (seconds) a fault's `headers` set, if any."""
    headers = params.get("headers") or {}
    for name, value in headers.items():
        if str(name).lower() == "retry-after":
            try:
                return float(value)
            except ValueError:
                return None
    return None


#: A request the client made: a REST call, or a handshake (accepted or refused).
Request = RestEntry | WsOpenEntry | WsRejectEntry
#: A refused answer: a REST error, or a refused handshake.
Refused = RestEntry | WsRejectEntry


def _route_matches(route: str, entry: RestEntry) -> bool:
    method, _, path = route.strip().rpartition(" ")
    return (method.upper() or "*") in ("*", entry["method"]) and path in ("*", entry["path"])


def _fault_for(record: RunRecord, entry: Refused) -> FaultEntry | None:
    """The fault (with a Retry-After) that produced this refused answer, if one did."""
    if entry["kind"] == "rest":
        if not entry.get("fault"):
            return None
        candidates = [
            f
            for f in record.fault_hits("http_error")
            if _route_matches(str(f["params"].get("route", "")), entry)
        ]
    elif entry.get("why") == "fault":
        candidates = record.fault_hits("reject_handshake")
    else:
        return None
    candidates = [
        f for f in candidates if f["t"] <= entry["t"] and f["params"].get("status") == entry["status"]
    ]
    return candidates[-1] if candidates and retry_after_of(candidates[-1]["params"]) is not None else None


def _requests(record: RunRecord, kind: str) -> list[Request]:
    requests: Iterator[Request] = record.of("rest") if kind == "rest" else record.of("ws_open", "ws_reject")
    return [e for e in requests if e["t"] < record.ended_at]


def _kind(entry: Request) -> str:
    """Which requests a refused answer forbids: REST calls, or WebSocket handshakes."""
    return "rest" if entry["kind"] == "rest" else "ws"


def _success(entry: Request) -> bool:
    """An answered request: a connection opened, or a REST answer under 400 (a broken one,
    status 0, is not)."""
    return entry["kind"] == "ws_open" or (entry["kind"] == "rest" and 200 <= int(entry["status"]) < 400)


def _target(entry: Request) -> str:
    return f"{entry['method']} {entry['path']}" if entry["kind"] == "rest" else str(entry.get("path", "?"))


def _what(entry: Refused) -> str:
    if entry["kind"] == "rest":
        return f"{entry['method']} {entry['path']} answered {entry['status']}"
    return f"the handshake on {entry.get('path', '?')} refused with {entry['status']}"


@behaviour(
    "honours-retry-after",
    asserts="after a REST answer or a refused handshake carrying Retry-After: N, the client "
    "sends no request of that kind (REST call / handshake) for N seconds, then recovers",
    hint="read the Retry-After header of a 429/418 (REST and WebSocket upgrade) and wait at "
    "least that long before any call of that kind, from every loop of the client, not only "
    "the one refused (failure modes G3, G1)",
    reports=(
        "G3 rest-429-418-retry-after",
        "G1 handshake-rejected-403-451",
        "binance/binance-connector-python#443",
        "rotki/rotki PR#1860",
        "sammchardy/python-binance#128",
    ),
    params=Params,
    evidence="journal: the refused answers (rest, ws_reject), the http_error/reject_handshake "
    "faults whose Retry-After header they carried, and the client's next requests",
    problem="sends requests again before the Retry-After of a 429/418 has passed, which is how a rate limit becomes an IP ban that grows from minutes to days",
    needs_stream=False,
    deadline_from="recovery",
)
def check(record: RunRecord, p: Params) -> Verdict:
    limited: list[tuple[Refused, FaultEntry, float]] = []  # (answer, its fault, Retry-After)
    for entry in record.of("rest", "ws_reject"):
        fault = _fault_for(record, entry) if entry["t"] < record.ended_at else None
        if fault is not None:
            limited.append((entry, fault, retry_after_of(fault["params"]) or 0.0))
    if not limited:
        return _none_limited(record)
    waits: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    for answer, fault, retry_after in limited:
        kind = _kind(answer)
        nxt = next((e for e in _requests(record, kind) if e["t"] > answer["t"]), None)
        if nxt is not None and nxt["t"] - answer["t"] < retry_after:
            return failed(
                f"{_what(answer)} with Retry-After: {retry_after:g}, yet the client's next "
                f"{'REST call' if kind == 'rest' else 'handshake'} came "
                f"{fmt_s(nxt['t'] - answer['t'])} later ({_target(nxt)})",
                [brief(fault), brief(answer), brief(nxt)],
                retry_after=retry_after,
                waited=round(nxt["t"] - answer["t"], 3),
            )
        if nxt is not None:
            waits.append(
                {"kind": kind, "retry_after": retry_after, "waited": round(nxt["t"] - answer["t"], 3)}
            )
            evidence += [brief(answer), brief(nxt)]
    late = _late_recovery(record, limited, p)
    if late is not None:
        return late
    if not waits:
        kinds = " or ".join(
            sorted({"REST call" if _kind(a) == "rest" else "handshake" for a, _, _ in limited})
        )
        return not_applicable(
            f"{_what(limited[0][0])} with Retry-After: {limited[0][2]:g}, and the client made no "
            f"further {kinds} before the run ended {fmt_s(record.ended_at - limited[-1][0]['t'])} "
            "later: nothing shows whether it waits",
            [brief(limited[0][1]), brief(limited[0][0])],
        )
    closest = min(w["waited"] - w["retry_after"] for w in waits)
    unjudged = len(limited) - len(waits)
    return passed(
        f"{len(waits)} answer(s) with Retry-After honoured "
        + ", ".join(f"({w['kind']}: waited {w['waited']:.2f} s of {w['retry_after']:g} s)" for w in waits)
        + f"; closest margin {fmt_s(closest)}"
        + (f"; {unjudged} more had no request after them" if unjudged else ""),
        evidence[:8],
        waits=waits,
    )


def _none_limited(record: RunRecord) -> Verdict:
    """No answer the client got carried a Retry-After: why, from the scenario and the run."""
    fired = [f for f in record.fault_hits() if retry_after_of(f["params"]) is not None]
    if fired and not record.never_connected():
        return not_applicable(
            "the client made no request while the Retry-After faults were in force",
            [brief(f) for f in fired[:2]],
        )
    stepped = {s.fault.name for s in record.scenario.steps if retry_after_of(asdict(s.fault)) is not None}
    if not fired and not stepped:
        return no_such_step(
            record, "no answer carried a Retry-After header: the scenario has no fault that sends one"
        )
    return not_arisen(
        record, "no answer the client got carried a Retry-After", stepped | {f["name"] for f in fired}
    )


def _late_recovery(
    record: RunRecord, limited: list[tuple[Refused, FaultEntry, float]], p: Params
) -> Verdict | None:
    """A FAIL when, after the last Retry-After of a kind ran out, nothing of it succeeded in time."""
    for kind in ("rest", "ws"):
        of_kind = [(a, r) for a, _, r in limited if _kind(a) == kind]
        if not of_kind:
            continue
        last, retry_after = of_kind[-1]
        free_at = last["t"] + retry_after
        ok = next((e for e in _requests(record, kind) if e["t"] >= free_at and _success(e)), None)
        if ok is not None and ok["t"] - free_at <= p.recover_within:
            continue
        if not settled(record, free_at + p.recover_within):
            continue  # the run ended before the client had its chance
        late = f" (it came {fmt_s(ok['t'] - free_at)} after)" if ok else ""
        return failed(
            f"{_what(last)} with a Retry-After that ran out at {free_at:.2f} s, and no "
            f"{'REST call succeeded' if kind == 'rest' else 'stream opened'} within "
            f"{fmt_s(p.recover_within)}{late}",
            [brief(last)] + ([brief(ok)] if ok else []),
        )
    return None
