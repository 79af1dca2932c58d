"""no-reconnect-storm: however the server refuses, a socket never makes a burst of attempts.

Failure mode F2 (reconnect storm): hundreds of attempts a second against a refusing server
(node-binance-api#199, xchange-stream#199's handshake-429 loop at 100 % CPU), 4-5 a second
after 48 h (nautilus_trader#1989). A refusing server is recovering or banning; a burst
makes both worse. `backs-off` judges whether the delays grow; this check judges the rate
itself: the attempts of one socket in any sliding `window`. A client that first retries
"a few times quickly" and only then backs off has growing delays but still storms.

Deadline: failure-modes.md §6 says <= 10 attempts per minute per socket, for a real client
whose backoff starts at >= 1 s. Scenarios shorten time (the reference client's first delay
is 0.125-0.25 s): the default is 5 attempts in any 1 s. A doubling backoff from 0.125 s
needs 1.875 s for 5 attempts (0, 0.125, 0.375, 0.875, 1.875), so it passes with almost 2x
margin in time, while any burst of quick retries fails.

A socket is told apart by the URL it asks for: a client keeping several user-data sockets
asks for different streams or `events=` filters. Sockets sharing a URL are judged together.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from fake_server.journal_entries import WsOpenEntry, WsRejectEntry
from harness.applicability import no_drop
from harness.behaviours import behaviour
from harness.record import RunRecord, brief, connection_drops
from harness.verdict import Verdict, failed, fmt_s, not_applicable, passed


@dataclass(frozen=True)
class Params:
    max_attempts: int = 5  # connection attempts of one socket allowed in any sliding window
    window: float = 1.0  # seconds


def busiest_window(times: list[float], window: float) -> tuple[int, int]:
    """(start index, count) of the most attempts within any `window` (t - first < window)."""
    best, first = (0, 0), 0
    for i, t in enumerate(times):
        while t - times[first] >= window:
            first += 1
        if i - first + 1 > best[1]:
            best = (first, i - first + 1)
    return best


@behaviour(
    "no-reconnect-storm",
    asserts="each socket makes at most max_attempts connection attempts (handshakes, refused "
    "or accepted) in any sliding window, however the server refuses or closes",
    hint="wait before every reconnect, the first one included: no burst of immediate retries "
    "before the backoff starts; delays from about 1 s, doubling, with jitter (failure mode F2)",
    reports=(
        "F2 reconnect-storm",
        "nautechsystems/nautilus_trader#1989",
        "binance-exchange/node-binance-api#199",
        "bitrich-info/xchange-stream#199",
    ),
    params=Params,
    evidence="journal: the client's handshakes (ws_open of user-data routes and ws_reject), per requested path, in the busiest window",
    problem="reconnects in a burst while the server refuses it, hammering it instead of spacing its attempts",
    needs_stream=False,
)
def check(record: RunRecord, p: Params) -> Verdict:
    attempts = [a for a in record.attempts() if a["t"] < record.ended_at]
    if not any(record.of("ws_reject")) and not connection_drops(record):
        return no_drop(
            record, "the server neither refused a handshake nor dropped a connection", ("reject_handshake",)
        )
    if not attempts:
        return not_applicable("the client made no connection attempt")
    first_trouble = min(
        [float(e["t"]) for e in record.of("ws_reject")]
        + [float(d.hit["t"]) for d in connection_drops(record)]
    )
    if not [a for a in attempts if float(a["t"]) > first_trouble]:
        # No retry at all is no storm, but no proof of pacing either: reconnects-after-drop
        # or keeps-retrying judge the missing retry.
        return not_applicable("the client never tried again after the server refused or dropped it")
    by_socket: dict[str, list[WsOpenEntry | WsRejectEntry]] = defaultdict(list)
    for a in attempts:
        by_socket[str(a.get("path", ""))].append(a)
    worst_path, worst_start, worst = "", 0, 0
    for path, entries in by_socket.items():
        start, count = busiest_window([float(e["t"]) for e in entries], p.window)
        if count > worst:
            worst_path, worst_start, worst = path, start, count
    burst = by_socket[worst_path][worst_start : worst_start + worst]
    span = float(burst[-1]["t"]) - float(burst[0]["t"])
    measured: dict[str, Any] = {
        "sockets": len(by_socket),
        "attempts": len(attempts),
        "busiest_window": worst,
        "busiest_span": round(span, 3),
    }
    if worst > p.max_attempts:
        return failed(
            f"{worst} connection attempts on {worst_path} within {fmt_s(span)} (at most "
            f"{p.max_attempts} in any {fmt_s(p.window)}): a reconnect storm",
            [brief(a) for a in burst[:8]],
            **measured,
        )
    return passed(
        f"{len(attempts)} attempts on {len(by_socket)} socket(s), at most {worst} in any "
        f"{fmt_s(p.window)} (limit {p.max_attempts})",
        [brief(a) for a in burst[:4]],
        **measured,
    )
