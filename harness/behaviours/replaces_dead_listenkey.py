"""replaces-dead-listenkey: a keepalive answered -1125 makes the client POST a new key and reconnect.

Failure mode A3 (`lk-keepalive-1125`): HTTP 400 `{"code":-1125,"msg":"This listenKey does
not exist."}` means the key is gone for good, and the futures docs say to POST a new one
(binance-reference.md §1, §5). Clients that treat it as transient PUT the dead key every
30 min forever while their stream is silent (sammchardy/python-binance#28,
binance/binance-connector-js#41). This matters most when the key died silently (no
`listenKeyExpired`: the legacy spot/margin streams, or JKorf/Binance.Net#796): the -1125
is then the only sign.

Distinct from `renews-expired-listenkey`, which is judged from the moment the key expired
(the `listenKeyExpired` push, A2): this check is judged from each -1125 answer the client
got, so it measures the client's reaction to its own keepalive's verdict, not its
keepalive cadence. Asserts, after each -1125: the next listenKey call is not another PUT,
a POST is answered 200 within `within`, and a user-data connection opens on a live key
within `connect_within`. Defaults from failure-modes.md A3: new POST <= 5 s after the 400
(a reaction, not a timer: seconds even on Binance's time scale); 10 s to reconnect, as
`renews-expired-listenkey` allows (A3's "events flow <= 15 s" leaves room for the first
event after it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fake_server.journal_entries import RestEntry, WsOpenEntry
from harness.applicability import KEY_KILLERS, key_ttl_story, not_arisen, too_late
from harness.behaviours import behaviour
from harness.record import RunRecord, brief, settled
from harness.verdict import Verdict, failed, fmt_s, not_applicable, passed


@dataclass(frozen=True)
class Params:
    within: float = 5.0  # seconds from the -1125 answer to a POST /listenKey answered 200
    connect_within: float = 10.0  # seconds from the -1125 answer to a user-data open on a live key


def answered_1125(entry: RestEntry) -> bool:
    return '"code":-1125' in str(entry.get("body", "")).replace(" ", "")


def live(open_entry: WsOpenEntry) -> bool:
    states = open_entry.get("key_states") or {}
    return bool(states) and all(s == "active" for s in states.values())


@behaviour(
    "replaces-dead-listenkey",
    asserts="after a keepalive PUT is answered 400 -1125, the client never PUTs that key again: "
    "it POSTs for a new key within the deadline and opens a user-data stream on it",
    hint="treat -1125 'This listenKey does not exist.' as final for that key, not as a transient "
    "error: POST /fapi/v1/listenKey and reconnect with the key it returns (failure mode A3)",
    reports=(
        "A3 lk-keepalive-1125",
        "sammchardy/python-binance#28",
        "binance/binance-connector-js#41",
        "ocho011/ict_2025#73",
        "JKorf/Binance.Net#796",
    ),
    params=Params,
    evidence="journal: each PUT /listenKey answered -1125, the listenKey call after it, the next "
    "POST answered 200 and the next user-data ws_open (with its key_states)",
    problem="keeps sending keepalives for a listenKey Binance has declared dead (-1125) instead of "
    "creating a new one, so its stream stays silent",
    needs_stream=True,
)
def check(record: RunRecord, p: Params) -> Verdict:
    calls = record.listen_key_calls()
    dead = [c for c in calls if c["method"] == "PUT" and answered_1125(c)]
    if not dead:
        if not any(e["action"] in ("expired", "deleted") for e in record.of("listen_key")):
            return not_arisen(record, "no listenKey died", KEY_KILLERS, timer=key_ttl_story(record))
        return not_applicable(
            "no keepalive was answered -1125: the client replaced the dead key before its next "
            "PUT, or sent none (see keeps-listenkey-alive)"
        )
    evidence: list[dict[str, Any]] = []
    figures: list[tuple[float, float]] = []
    for answer in dead:
        t0 = answer["t"]
        nxt = next((c for c in calls if c["t"] > t0), None)
        if nxt is not None and nxt["method"] == "PUT":
            return failed(
                f"after the keepalive at {fmt_s(t0)} was answered -1125, the client PUT the dead key "
                f"again {fmt_s(nxt['t'] - t0)} later instead of POSTing for a new one",
                [brief(answer), brief(nxt)],
            )
        post = next((c for c in calls if c["method"] == "POST" and c["t"] > t0 and c["status"] == 200), None)
        if post is None or post["t"] - t0 > p.within:
            if not settled(record, t0 + p.within):
                continue  # too close to the end of the run to judge
            late = f" (it came after {fmt_s(post['t'] - t0)})" if post else ""
            return failed(
                f"no POST for a new listenKey within {fmt_s(p.within)} of the -1125 at {fmt_s(t0)}{late}",
                evidence + [brief(answer)] + ([brief(post)] if post else []),
            )
        opens = [o for o in record.opens_after(t0) if live(o)]
        if not opens or opens[0]["t"] - t0 > p.connect_within:
            if not settled(record, t0 + p.connect_within):
                continue
            stale = [o for o in record.opens_after(t0) if not live(o)][:2]
            why = " (it reconnected with a dead key)" if stale else ""
            return failed(
                f"POSTed a new key {fmt_s(post['t'] - t0)} after the -1125, but opened no stream on "
                f"a live key within {fmt_s(p.connect_within)}{why}",
                evidence + [brief(answer), brief(post)] + [brief(o) for o in stale],
            )
        evidence += [brief(answer), brief(post), brief(opens[0])]
        figures.append((post["t"] - t0, opens[0]["t"] - t0))
    if not figures:
        return too_late(record, "the keepalive was answered -1125", dead[0]["t"], p.connect_within, dead[:1])
    post_delay = max(f[0] for f in figures)
    open_delay = max(f[1] for f in figures)
    return passed(
        f"after {len(dead)} keepalive(s) answered -1125: new key POSTed after {fmt_s(post_delay)}, "
        f"stream on it after {fmt_s(open_delay)} (deadlines {fmt_s(p.within)}, {fmt_s(p.connect_within)})",
        evidence,
        post_delay=round(post_delay, 3),
        reconnect_delay=round(open_delay, 3),
        answered_1125=len(dead),
    )
