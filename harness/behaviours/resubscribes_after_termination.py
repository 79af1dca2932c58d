"""resubscribes-after-termination: after eventStreamTerminated, the client subscribes again.

Failure mode B2 (wsapi-event-stream-terminated): on the spot WebSocket API a subscription
can end while the socket stays open (`userDataStream.unsubscribe`, `session.logout`, an
expired listenToken: reference §2), announced by `eventStreamTerminated`. A client that
only watches the socket keeps a dead subscription and hears nothing more, with no error
(binance/binance-connector-js#535). Deadline: a new subscription (on the same connection or
a new one) <= 5 s after the event (failure-modes.md B2: "re-logon and re-subscribe (or
reconnect) <= 5 s"); scenarios scale it down.

Also the helpers the other spot checks share: the events a connection got after its
subscription, and those that went to nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fake_server.journal_entries import EventEntry, WsFrameEntry
from harness.applicability import not_arisen, too_late
from harness.behaviours import behaviour
from harness.record import ACCOUNT_EVENTS, RunRecord, brief, settled, subscriptions
from harness.verdict import Verdict, failed, fmt_s, passed


def first_event_on(record: RunRecord, conn: int, after: float) -> EventEntry | None:
    """The first account event written to `conn` after `after`."""
    return next(
        (
            e
            for e in record.of("event")
            if e["e"] in ACCOUNT_EVENTS and e["t"] >= after and conn in e["conns"]
        ),
        None,
    )


def unsent_events(record: RunRecord, start: float, end: float) -> list[EventEntry]:
    """Account events between `start` and `end` that reached no connection."""
    return [
        e for e in record.of("event") if e["e"] in ACCOUNT_EVENTS and not e["conns"] and start < e["t"] <= end
    ]


def events_flow(record: RunRecord, sub: WsFrameEntry) -> tuple[bool, float | None]:
    """Whether events reach the subscription's connection (when the account produced any
    after it), and how long after the subscription the first one came."""
    first = first_event_on(record, sub["conn"], sub["t"])
    produced = any(e["e"] in ACCOUNT_EVENTS and e["t"] >= sub["t"] for e in record.of("event"))
    return first is not None or not produced, None if first is None else first["t"] - sub["t"]


def flow_note(flow_delays: list[float]) -> str:
    """The end of a summary: how soon the first event followed, when one did."""
    return f", first event {fmt_s(max(flow_delays))} after it" if flow_delays else ""


@dataclass(frozen=True)
class Params:
    within: float = 5.0  # eventStreamTerminated -> a new subscription answered 200


@behaviour(
    "resubscribes-after-termination",
    asserts="after eventStreamTerminated ends its WebSocket API subscription, the client "
    "subscribes again (or reconnects and subscribes) within the deadline, and events flow again",
    hint="treat eventStreamTerminated as the loss of the subscription although the socket stays "
    "open: send userDataStream.subscribe(.signature) again with a fresh signature, then resync "
    "over REST (failure mode B2)",
    reports=(
        "B2 wsapi-event-stream-terminated",
        "binance/binance-connector-js#535",
    ),
    params=Params,
    evidence="journal: the eventStreamTerminated notice and the connections it reached, the next "
    "WebSocket API answer that started a subscription, and the account events sent to nobody in between",
    problem="keeps listening on a WebSocket API subscription the server ended (eventStreamTerminated), "
    "so it hears no more events while the socket looks healthy",
    needs_stream=True,
)
def check(record: RunRecord, p: Params) -> Verdict:
    ends = [e for e in record.of("event") if e["e"] == "eventStreamTerminated" and e["conns"]]
    ends = [e for e in ends if e["t"] < record.ended_at]
    if not ends:
        return not_arisen(record, "no subscription was terminated", ("terminate_event_stream",))
    subs = subscriptions(record)
    evidence: list[dict[str, Any]] = []
    delays, flow_delays = [], []
    for end in ends:
        t0 = end["t"]
        sub = next((s for s in subs if s["t"] > t0), None)
        in_time = sub is not None and sub["t"] - t0 <= p.within
        if not in_time and not settled(record, t0 + p.within):
            continue  # too close to the end of the run to judge
        evidence.append(brief(end))
        if sub is None or not in_time:
            lost = unsent_events(record, t0, t0 + p.within)
            late = f" (it came {fmt_s(sub['t'] - t0)} after)" if sub else ""
            return failed(
                f"no new subscription within {fmt_s(p.within)} after eventStreamTerminated ended the "
                f"one on connection {', '.join(map(str, end['conns']))}; {len(lost)} events went to "
                f"nobody meanwhile{late}",
                evidence + [brief(e) for e in lost[:3]] + ([brief(sub)] if sub else []),
                unsent_events=len(lost),
            )
        flowing, flow_delay = events_flow(record, sub)
        evidence.append(brief(sub))
        if not flowing:
            return failed(
                f"subscribed again {fmt_s(sub['t'] - t0)} after eventStreamTerminated, but no event "
                f"reached connection {sub['conn']} afterwards",
                evidence,
            )
        delays.append(sub["t"] - t0)
        if flow_delay is not None:
            flow_delays.append(flow_delay)
    if not delays:
        return too_late(record, "the subscription ended", ends[0]["t"], p.within, ends[:1])
    return passed(
        f"subscribed again {fmt_s(max(delays))} after eventStreamTerminated{flow_note(flow_delays)} "
        f"(deadline {fmt_s(p.within)})",
        evidence,
        resubscribe_delays=[round(d, 3) for d in delays],
        first_event_delays=[round(d, 3) for d in flow_delays],
    )
