"""attempts-under-limit: all the client's sockets together stay under the per-IP attempt limit.

Failure modes C4 and F2: Binance counts connection attempts per IP, 300 per 5 minutes
(binance-reference.md §1, quoted in nautechsystems/nautilus_trader#1339, where several
instances on one IP were locked out). The limit is on the sum: a bot that opens one socket
per stream or strategy, each reconnecting with a sane backoff, trips it all the same when
they all reconnect after the same outage (bmoscon/cryptofeed#613: ~125 symbols reconnecting
after the 24 h cut). Past it the server answers 429 and every socket of the IP is locked out.

The limit judged is the one the server enforced, when the scenario turned it on at scale
(the `connection_attempt_limit` step, e.g. 8 per 4 s); otherwise `limit` per `window`,
by default Binance's 300 per 5 min (failure-modes.md §6), counted from the journal. Either
way a 429 for too many attempts (`ws_reject` with why `connection_attempts`) is a FAIL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from fake_server.journal_entries import WsOpenEntry, WsRejectEntry
from harness.applicability import never_connected
from harness.behaviours import behaviour
from harness.behaviours.no_reconnect_storm import busiest_window
from harness.record import RunRecord, brief
from harness.verdict import Verdict, failed, fmt_s, not_applicable, passed


@dataclass(frozen=True)
class Params:
    limit: int = 300  # handshakes per IP in any window (used when the scenario enforces none)
    window: float = 300.0  # seconds


def ip_of(entry: WsOpenEntry | WsRejectEntry) -> str:
    return str(entry.get("peer", "")).rpartition(":")[0]


@behaviour(
    "attempts-under-limit",
    asserts="the client's handshakes from one IP, all sockets together, never exceed the "
    "server's connection-attempt limit in any window, and no handshake is refused for it",
    hint="count connection attempts across all your sockets (one budget per IP, e.g. 300 per "
    "5 min): share one rate limiter between them, stagger their reconnects, or multiplex "
    "streams over fewer sockets (failure modes C4, F2)",
    reports=(
        "C4 close-1008-too-many-requests",
        "F2 reconnect-storm",
        "nautechsystems/nautilus_trader#1339",
        "bmoscon/cryptofeed#613",
    ),
    params=Params,
    evidence="journal: every handshake (ws_open, ws_reject) per client IP with the server's "
    "count, the connection_attempt_limit step, and 429s with why connection_attempts",
    problem="opens more connections per IP than Binance allows (300 per 5 min), so its handshakes get refused with 429 and, if it insists, its IP banned",
    needs_stream=False,
)
def check(record: RunRecord, p: Params) -> Verdict:
    enforced = record.fault_hits("connection_attempt_limit")
    limit, window = p.limit, p.window
    if enforced:
        limit, window = int(enforced[-1]["params"]["attempts"]), float(enforced[-1]["params"]["window"])
    handshakes = [e for e in record.of("ws_open", "ws_reject") if e["t"] < record.ended_at]
    if not handshakes:
        return never_connected(record, needs_stream=False) or not_applicable(
            "the client made no connection attempt during the run"
        )
    by_ip: dict[str, list[WsOpenEntry | WsRejectEntry]] = defaultdict(list)
    for e in handshakes:
        by_ip[ip_of(e)].append(e)
    worst_ip, worst_start, worst = "", 0, 0
    for ip, entries in by_ip.items():
        start, count = busiest_window([float(e["t"]) for e in entries], window)
        if count > worst:
            worst_ip, worst_start, worst = ip, start, count
    measured: dict[str, Any] = {"attempts": len(handshakes), "busiest_window": worst, "limit": limit}
    rule = f"{limit} per {fmt_s(window)}" + (" (enforced by the server)" if enforced else "")
    refused = [e for e in handshakes if e.get("why") == "connection_attempts"]
    if worst > limit or refused:
        burst = by_ip[worst_ip][worst_start : worst_start + worst]
        if worst > limit:
            what = f"attempt {limit + 1} came at {burst[limit]['t']:.2f} s"
            first = burst[limit]
        else:
            what = f"the server refused an attempt for it at {refused[0]['t']:.2f} s"
            first = refused[0]
        return failed(
            f"{worst} connection attempts from {worst_ip or 'one IP'} within "
            f"{fmt_s(float(burst[-1]['t']) - float(burst[0]['t']))} against a limit of {rule}: "
            f"{what}, {len(refused)} refused with 429",
            [brief(e) for e in enforced[-1:]] + [brief(first)] + [brief(e) for e in refused[:2]],
            refused=len(refused),
            **measured,
        )
    return passed(
        f"{len(handshakes)} connection attempts, at most {worst} from one IP in any "
        f"{fmt_s(window)} (limit {rule})",
        [brief(e) for e in enforced[-1:]] + [brief(by_ip[worst_ip][worst_start])],
        **measured,
    )
