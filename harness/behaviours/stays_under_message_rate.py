"""stays-under-message-rate: the client never sends more messages a second than Binance takes.

Failure mode C4 (close 1008 "Too many requests"): Binance counts every incoming message of
a connection, pings, pongs and JSON control frames alike, 10 a second on futures, 5 on
spot (binance-reference.md §2), and cuts the connection that goes over; repeat offenders
may be IP-banned. Clients got cut for re-subscribing without pacing
(binance/binance-connector-go#90) or for bursts of their own pings and pongs
(dev.binance.vision/t/.../363).

Judged on the journal's incoming frames per connection (ws_frame dir in: ping, pong, text,
binary) with the fake's own rolling-window rule (fake_server/exchange/message_rate.py), and on
closes with how `too_many_messages`. The default limit is the played product's, over 1 s:
Binance's values, not scaled, since a message rate needs no long run to show.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from fake_server.exchange.message_rate import MessageRate
from fake_server.exchange.profiles import PROFILES
from fake_server.journal_entries import WsFrameEntry
from harness.applicability import never_connected
from harness.behaviours import behaviour
from harness.behaviours.no_reconnect_storm import busiest_window
from harness.record import RunRecord, brief
from harness.verdict import Verdict, failed, fmt_s, not_applicable, passed

#: The frames Binance counts toward the limit (a close frame is not a message).
COUNTED = frozenset({"ping", "pong", "text", "binary"})


@dataclass(frozen=True)
class Params:
    #: Incoming messages per connection in any rolling window; None: the profile's (10 or 5).
    limit: int | None = None
    window: float = 1.0  # seconds


@behaviour(
    "stays-under-message-rate",
    asserts="on every connection, the client's messages (pings, pongs, control and data "
    "frames) never exceed the product's limit in any rolling second, and no connection is "
    "closed with 1008 'Too many requests'",
    hint="pace everything you send on a socket under the limit (futures 10/s, spot 5/s), "
    "heartbeats included: ping every few seconds at most, answer each server ping once, "
    "batch subscriptions (failure mode C4)",
    reports=(
        "C4 close-1008-too-many-requests",
        "binance/binance-connector-go#90",
        "binance/binance-connector-js#530",
        "https://dev.binance.vision/t/why-my-websocket-connections-not-getting-trades-after-some-time/363",
    ),
    params=Params,
    evidence="journal: incoming ws_frame entries per connection (counted in a rolling window) "
    "and ws_close entries with how too_many_messages",
    problem="sends more messages per second than Binance accepts on one connection (pings, pongs and requests count), so Binance closes it with 1008 'Too many requests'",
    needs_stream=False,
)
def check(record: RunRecord, p: Params) -> Verdict:
    limit = p.limit if p.limit is not None else PROFILES[record.scenario.profile].incoming_per_second
    opens = list(record.of("ws_open"))
    if not opens:
        return never_connected(record, needs_stream=False) or not_applicable(
            "the client opened no WebSocket connection"
        )
    frames: dict[int, list[WsFrameEntry]] = defaultdict(list)
    for f in record.of("ws_frame"):
        if f["dir"] == "in" and f["op"] in COUNTED and f["t"] < record.ended_at:
            frames[f["conn"]].append(f)
    cut = [
        c for c in record.of("ws_close") if c.get("how") == "too_many_messages" and c["t"] < record.ended_at
    ]
    over: list[WsFrameEntry] = []  # the first message over the limit, per connection
    busiest = 0
    for entries in frames.values():
        rate = MessageRate(limit, p.window)
        first_over = next((f for f in entries if not rate.admit(float(f["t"]))), None)
        busiest = max(busiest, busiest_window([float(f["t"]) for f in entries], p.window)[1])
        if first_over is not None:
            over.append(first_over)
    measured: dict[str, Any] = {
        "messages": sum(map(len, frames.values())),
        "busiest_window": busiest,
        "limit": limit,
    }
    if over or cut:
        first = min(over, key=lambda f: f["t"]) if over else cut[0]
        ops = sorted({f["op"] for f in frames.get(first["conn"], [])})
        return failed(
            f"{busiest} messages within {fmt_s(p.window)} on one connection (limit {limit}; "
            f"{'/'.join(ops) or 'none'} frames counted); {len(cut)} connection(s) closed with "
            "1008 'Too many requests'",
            [brief(first)] + [brief(c) for c in cut[:3]],
            cut=len(cut),
            **measured,
        )
    if not frames:
        return not_applicable(
            f"the client sent no message on its {len(opens)} connection(s), so its pace cannot be judged",
            [brief(o) for o in opens[:2]],
        )
    return passed(
        f"{measured['messages']} messages on {len(frames)} connection(s), at most {busiest} "
        f"in any {fmt_s(p.window)} (limit {limit})",
        [brief(f) for f in next(iter(frames.values()), [])[:2]],
        **measured,
    )
