"""echoes-ping-payload: the pong that answers a server ping carries exactly that ping's payload.

Failure mode D1, second half: since 2024-02-09 Binance requires the pong to echo the ping's
payload, and pongs that echo nothing (unsolicited, empty, another payload) do not keep the
connection alive (binance-reference.md §0, §2; §6.5 notes the futures streams page once said
otherwise). A client that answers every ping promptly with an empty pong, as the legacy
python binance-connector (<= 3.12) did, is still closed with 1008 "Pong timeout".

Judged per server ping on user-data connections: when the client answered it (a pong came
on that connection before the next ping), one of its pongs must carry the ping's payload,
at any time after the ping (a late echo is `answers-server-ping`'s business, not a wrong
payload). Pings that got no pong at all are left to `answers-server-ping` too. `within`:
how long after a ping an echo may still come before a wrong pong is judged final (1 s, the
pong deadline of failure-modes.md §6).
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.journal_entries import WsFrameEntry
from harness.behaviours import behaviour
from harness.behaviours.answers_server_ping import no_ping
from harness.record import RunRecord, brief, settled
from harness.verdict import Verdict, failed, fmt_s, not_applicable, passed


@dataclass(frozen=True)
class Params:
    within: float = 1.0  # seconds after a ping within which its echo must have come


@dataclass(frozen=True)
class _Answer:
    ping: WsFrameEntry
    echo: WsFrameEntry | None  # the first pong carrying the ping's payload
    others: list[WsFrameEntry]  # pongs with another payload, before the next ping


def _answers(record: RunRecord) -> list[_Answer]:
    """Each server ping on a user-data connection that was answered by some pong."""
    user = record.user_conns()
    frames = [e for e in record.of("ws_frame") if e["conn"] in user and e["op"] in ("ping", "pong")]
    answers = []
    for conn in sorted(user):
        mine = [f for f in frames if f["conn"] == conn]
        pings = [f for f in mine if f["dir"] == "out" and f["op"] == "ping"]
        pongs = [f for f in mine if f["dir"] == "in" and f["op"] == "pong"]
        for i, ping in enumerate(pings):
            until = pings[i + 1]["t"] if i + 1 < len(pings) else float("inf")
            after = [f for f in pongs if f["t"] >= ping["t"]]
            echo = next((f for f in after if f["data"] == ping["data"]), None)
            others = [f for f in after if f["t"] < until and f["data"] != ping["data"]]
            if echo is not None or others:
                answers.append(_Answer(ping, echo, others))
    return answers


def _payload(frame: WsFrameEntry) -> str:
    data = str(frame.get("data") or "")
    return f"payload {data[:40]}" if data else "an empty payload"


@behaviour(
    "echoes-ping-payload",
    asserts="each server ping the client answers gets a pong carrying exactly the ping's "
    "payload (empty or other pongs do not count)",
    hint="answer a ping with a pong of the same payload (ws.pong(ping_data)), not an empty "
    "or fixed one: Binance ignores pongs that do not echo (failure mode D1)",
    reports=(
        "D1 server-ping-unanswered",
        "hummingbot/hummingbot PR#7310",
        "ccxt/php-binance-api#453",
        "ruby-jp/websocket-client-simple#28",
    ),
    params=Params,
    evidence="journal: ws_frame entries of each server ping and the client's pongs on the same "
    "user-data connection, their payloads (hex) compared",
    problem="answers the server's pings with pongs that do not echo the ping's payload, which "
    "Binance does not count, so it closes the connection with 1008 'Pong timeout'",
    needs_stream=True,
)
def check(record: RunRecord, p: Params) -> Verdict:
    user = record.user_conns()
    pings = [e for e in record.of("ws_frame") if e["conn"] in user and (e["dir"], e["op"]) == ("out", "ping")]
    if not pings:
        return no_ping(record)
    answers = _answers(record)
    if not answers:
        return not_applicable(
            f"none of the {len(pings)} server pings got a pong, so no payload could be compared "
            "(answers-server-ping judges the missing pongs)"
        )
    echoed = [a for a in answers if a.echo is not None]
    wrong = [a for a in answers if a.echo is None and settled(record, a.ping["t"] + p.within)]
    if wrong:
        first = wrong[0]
        return failed(
            f"{len(wrong)} of {len(answers)} answered server pings never got their payload back: "
            f"the first, payload {first.ping['data'][:40]}, was answered "
            f"{fmt_s(first.others[0]['t'] - first.ping['t'])} later with {_payload(first.others[0])}",
            [brief(first.ping), brief(first.others[0])],
            pings_answered=len(answers),
            pings_echoed=len(echoed),
        )
    if not echoed:
        return not_applicable(
            f"every answered server ping came less than {fmt_s(p.within)} before the end of the run, "
            "too late to judge its echo"
        )
    return passed(
        f"all {len(echoed)} answered server pings got a pong echoing their payload",
        [brief(echoed[0].ping), brief(echoed[0].echo)] if echoed[0].echo else [brief(echoed[0].ping)],
        pings_echoed=len(echoed),
    )
