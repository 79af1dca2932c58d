"""fresh-signature-on-reconnect: each new WebSocket API connection is subscribed with a new signature.

Failure mode B3 (wsapi-no-reauth-after-reconnect): a WebSocket API subscription lives and
dies with its connection, so every reconnect needs a new `userDataStream.subscribe.signature`
(or `session.logon`), signed with a timestamp taken then. Libraries re-sent the request
signed at startup, which Binance refuses once its timestamp is outside `recvWindow` (-1021),
or never subscribed again and kept a dead stream (sammchardy/python-binance PR#1655; fixed in
UBWA PR#411 and in the connectors' auto re-logon). The check reads the signed requests the
fake received: one whose signature was already sent on an earlier connection is a re-sent
request, whatever the fake answered; then the new connection must be subscribed within the
deadline and events must reach it. Deadline: <= 10 s from the reconnect (failure-modes.md B3:
"Assert user events flow <= 10 s after reconnect"); scenarios scale it down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fake_server.journal_entries import WsFrameEntry
from harness.applicability import no_drop
from harness.behaviours import behaviour
from harness.behaviours.resubscribes_after_termination import events_flow, flow_note
from harness.record import RunRecord, brief, connection_drops, frame_json, settled, subscriptions
from harness.verdict import Verdict, failed, fmt_s, not_applicable, passed

#: WebSocket API methods that carry a signature over a timestamp.
SIGNED_METHODS = frozenset({"userDataStream.subscribe.signature", "session.logon"})


@dataclass(frozen=True)
class Params:
    within: float = 10.0  # new connection's handshake -> its subscription answered 200


def signed_requests(record: RunRecord) -> list[tuple[WsFrameEntry, dict[str, Any]]]:
    """Signed WebSocket API requests the fake received, with their params, in order."""
    out = []
    for e in record.of("ws_frame"):
        if e.get("dir") != "in" or e.get("op") != "text":
            continue
        request = frame_json(e)
        if not isinstance(request, dict) or request.get("method") not in SIGNED_METHODS:
            continue
        params = request.get("params")
        if isinstance(params, dict) and params.get("signature"):
            out.append((e, params))
    return out


def answer_to(record: RunRecord, request: WsFrameEntry) -> WsFrameEntry | None:
    """The fake's next answer on the request's connection."""
    return next(
        (
            e
            for e in record.of("ws_frame")
            if e["conn"] == request["conn"]
            and e["t"] >= request["t"]
            and e.get("dir") == "out"
            and "status" in e
        ),
        None,
    )


@behaviour(
    "fresh-signature-on-reconnect",
    asserts="after each reconnect, the client subscribes on the new WebSocket API connection with "
    "a newly signed request (never one sent before) within the deadline, and events flow on it",
    hint="a WebSocket API subscription dies with its connection: on every reconnect, take a new "
    "timestamp, sign again and subscribe again; a cached request fails with -1021 once its "
    "timestamp is outside recvWindow (failure mode B3)",
    reports=(
        "B3 wsapi-no-reauth-after-reconnect",
        "sammchardy/python-binance PR#1655",
        "oliver-zehentleitner/unicorn-binance-websocket-api PR#411",
        "binance/binance-connector-js PR#504",
        "binance/binance-connector-python PR#422",
        "binance/binance-connector-rust#54",
    ),
    params=Params,
    evidence="journal: the signed requests received on each WebSocket API connection (timestamp, "
    "signature), the fake's answers (-1021 for a stale timestamp), each reconnect's ws_open and "
    "its subscription",
    problem="re-sends the request it signed at startup after a reconnect (or none at all), so the "
    "new connection never carries its events",
    needs_stream=True,
)
def check(record: RunRecord, p: Params) -> Verdict:
    opens = [o for o in record.user_opens() if o.get("route_kind") == "wsapi"]
    if not opens:
        return not_applicable("the client's user data does not come over the WebSocket API")
    if len(opens) < 2:
        if not connection_drops(record):
            return no_drop(record)
        return failed("the client never reconnected, so it never subscribed on a new connection")
    signed = signed_requests(record)
    subs = subscriptions(record)
    evidence: list[dict[str, Any]] = []
    delays, flow_delays = [], []
    for i, reopen in enumerate(opens[1:], start=1):
        earlier_conns = {o["conn"] for o in opens[:i]}
        sent_before = {
            params["signature"]: entry for entry, params in signed if entry["conn"] in earlier_conns
        }
        for entry, params in signed:
            original = sent_before.get(params["signature"]) if entry["conn"] == reopen["conn"] else None
            if original is None:
                continue
            answer = answer_to(record, entry)
            return failed(
                f"on connection {reopen['conn']} the client re-sent the request signed for connection "
                f"{original['conn']} (timestamp {params.get('timestamp')}, first sent "
                f"{fmt_s(entry['t'] - original['t'])} earlier)"
                + (f"; the fake answered {answer.get('error')}" if answer and answer.get("error") else ""),
                [brief(original), brief(reopen), brief(entry)] + ([brief(answer)] if answer else []),
            )
        sub = next((s for s in subs if s["conn"] == reopen["conn"]), None)
        in_time = sub is not None and sub["t"] - reopen["t"] <= p.within
        if not in_time and not settled(record, reopen["t"] + p.within):
            continue  # too close to the end of the run to judge
        if sub is None or not in_time:
            refused = [e for e in record.of("ws_frame") if e["conn"] == reopen["conn"] and e.get("error")]
            why = f"; its requests were refused with {refused[0]['error']}" if refused else ""
            late = f" (it came after {fmt_s(sub['t'] - reopen['t'])})" if sub else ""
            return failed(
                f"no subscription on connection {reopen['conn']} within {fmt_s(p.within)} of "
                f"reconnecting{why}{late}",
                [brief(reopen)] + [brief(e) for e in refused[:3]],
            )
        flowing, flow_delay = events_flow(record, sub)
        if not flowing:
            return failed(
                f"connection {reopen['conn']} was subscribed but no event reached it afterwards",
                [brief(reopen), brief(sub)],
            )
        delays.append(sub["t"] - reopen["t"])
        if flow_delay is not None:
            flow_delays.append(flow_delay)
        evidence += [brief(reopen), brief(sub)]
    if not delays:
        # As with resyncs-after-gap: a late reconnect is the client's, judged elsewhere.
        return not_applicable("the reconnect came too close to the end of the run to judge its subscription")
    return passed(
        f"subscribed with a new signature after {len(delays)} reconnect(s), slowest {fmt_s(max(delays))} "
        f"after the new connection{flow_note(flow_delays)} (deadline {fmt_s(p.within)})",
        evidence,
        subscribe_delays=[round(d, 3) for d in delays],
        first_event_delays=[round(d, 3) for d in flow_delays],
    )
