"""answers-server-ping: every server ping is answered by a pong, promptly, and no connection
ends with 1008 "Pong timeout".

Failure mode D1: a client that does not answer is closed with 1008 "Pong timeout" after
the pong deadline (10 min on futures), and on a quiet user stream that looks like "data
stops after a few minutes". This check judges that a pong comes back in time, whatever it
carries; whether it carries the ping's payload (Binance requires the echo since 2024-02-09,
reference §0, §2) is `echoes-ping-payload`'s. A 1008 "Pong timeout" fails this check in
either case: it is the disconnection the pongs exist to prevent. Deadline: <= 1 s per ping
(failure-modes.md §6 "pong to server ping").
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.exchange.profiles import PROFILES
from harness.behaviours import behaviour
from harness.record import RunRecord, brief, settled
from harness.verdict import Verdict, error, failed, fmt_s, not_applicable, passed


@dataclass(frozen=True)
class Params:
    within: float = 1.0  # seconds from a server ping to the client's next pong


@behaviour(
    "answers-server-ping",
    asserts="every server ping on a user-data connection is followed by a pong within the "
    "deadline, and no connection ends with 1008 'Pong timeout'",
    hint="answer each ping frame at once with a pong carrying the ping's payload (ws.pong(data)); "
    "most libraries do it if you let them read the socket (failure mode D1)",
    reports=(
        "D1 server-ping-unanswered",
        "hummingbot/hummingbot PR#7310",
        "binance/binance-connector-rust#74",
        "ccxt/php-binance-api#453",
    ),
    params=Params,
    evidence="journal: ws_frame entries for each server ping and the client's next pong on user-data connections (their times), and ws_close entries with how pong_timeout",
    problem="does not answer the server's pings in time, so Binance closes the connection with 1008 'Pong timeout'",
    needs_stream=True,
)
def check(record: RunRecord, p: Params) -> Verdict:
    user_conns = record.user_conns()
    frames = [e for e in record.of("ws_frame") if e["conn"] in user_conns]
    timeouts = [
        e for e in record.of("ws_close") if e["conn"] in user_conns and e.get("how") == "pong_timeout"
    ]
    pings = [e for e in frames if e["dir"] == "out" and e["op"] == "ping"]
    answered, latencies, unanswered = 0, [], []
    for ping in pings:
        close = record.close_of(ping["conn"])
        pong = next(
            (
                f
                for f in frames
                if f["conn"] == ping["conn"]
                and f["dir"] == "in"
                and f["op"] == "pong"
                and f["t"] >= ping["t"]
            ),
            None,
        )
        if pong is not None and pong["t"] - ping["t"] <= p.within:
            answered += 1
            latencies.append(pong["t"] - ping["t"])
            continue
        ended_early = close is not None and close["t"] - ping["t"] < p.within
        if not settled(record, ping["t"] + p.within) or (
            ended_early and pong is None and close is not None and close.get("how") != "pong_timeout"
        ):
            continue  # no time to answer before the run or the connection ended
        unanswered.append((ping, pong))
    if timeouts:
        why = (
            f"{len(unanswered)} of {len(pings)} pings went unanswered"
            if unanswered
            else "every ping got a pong, but they did not count (see echoes-ping-payload)"
        )
        return failed(
            f"the server closed {len(timeouts)} connection(s) with 1008 'Pong timeout'; {why}",
            [brief(e) for e in timeouts[:3]] + [brief(u[0]) for u in unanswered[:3]],
            pings=len(pings),
            answered=answered,
        )
    if unanswered:
        ping, pong = unanswered[0]
        how = "no pong" if pong is None else f"the pong came {fmt_s(pong['t'] - ping['t'])} later"
        return failed(
            f"{len(unanswered)} of {len(pings)} server pings were not answered within "
            f"{fmt_s(p.within)} ({how} for the first)",
            [brief(ping)] + ([brief(pong)] if pong else []),
            pings=len(pings),
            answered=answered,
        )
    if not pings:
        return no_ping(record)
    if not answered:
        return not_applicable(
            f"none of the {len(pings)} server pings could be judged: each came less than "
            f"{fmt_s(p.within)} before the run or its connection ended"
        )
    first = next(f for f in frames if f["dir"] == "in" and f["op"] == "pong" and f["t"] >= pings[0]["t"])
    return passed(
        f"{answered} server pings answered by a pong, slowest {fmt_s(max(latencies))} "
        f"(deadline {fmt_s(p.within)})",
        [brief(pings[0]), brief(first)],
        pings=answered,
        max_latency=round(max(latencies), 4),
    )


def no_ping(record: RunRecord) -> Verdict:
    """The verdict when no server ping came on a user-data connection: the scenario's ping
    interval outlasts the run (ERROR), or the client's connections did not live that long."""
    interval = record.scenario.timers.for_profile(PROFILES[record.scenario.profile]).ping_interval
    assert interval is not None
    if interval >= record.scenario.duration:
        return error(
            f"the server sent no ping: the scenario's ping_interval {fmt_s(interval)} is not "
            f"shorter than its {fmt_s(record.scenario.duration)} duration"
        )
    lived = [
        (close["t"] if (close := record.close_of(o["conn"])) is not None else record.ended_at) - o["t"]
        for o in record.user_opens()
    ]
    return not_applicable(
        f"the server sent no ping on a user-data connection: they lived at most "
        f"{fmt_s(max(lived, default=0.0))}, under the {fmt_s(interval)} ping interval"
    )
