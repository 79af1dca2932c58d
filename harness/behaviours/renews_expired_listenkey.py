"""renews-expired-listenkey: a dead listenKey is replaced and the stream reopened with the new one.

Failure modes A2 (`listenKeyExpired` ignored), A3 (keepalive answering -1125 retried
forever) and A7 (reconnecting with a stale key). Futures docs: on -1125 or
`listenKeyExpired`, POST for a key, then reconnect (reference §5). Deadlines: new POST
<= 5 s, stream open on a live key <= 10 s after the expiry (failure-modes.md A2).

Its clock starts at the expiry itself, so it is the reaction to the `listenKeyExpired`
push (A2). Its rule against a PUT right after a -1125 overlaps `replaces-dead-listenkey`,
which owns A3: that one is timed from each -1125 answer the client got, so it judges a key
that died silently (only the keepalive tells) without counting the keepalive cadence
against the client. A stale key on reconnect with no sign at all is `uses-current-listenkey`.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.applicability import KEY_KILLERS, key_ttl_story, not_arisen, too_late
from harness.behaviours import behaviour
from harness.record import RunRecord, brief, settled
from harness.verdict import Verdict, failed, fmt_s, passed


@dataclass(frozen=True)
class Params:
    post_within: float = 5.0  # expiry -> POST /fapi/v1/listenKey answered 200
    connect_within: float = 10.0  # expiry -> a user-data connection on a live key


@behaviour(
    "renews-expired-listenkey",
    asserts="after the listenKey expires, the client POSTs for a new key and opens a stream "
    "with it within the deadlines, and never keeps PUTting a key answered -1125",
    hint="treat listenKeyExpired and -1125 as fatal for that key: POST /fapi/v1/listenKey, "
    "then reconnect with the key it returns (failure modes A2, A3, A7)",
    reports=(
        "A2 lk-expired-event-ignored",
        "A3 lk-keepalive-1125",
        "A7 lk-stale-key-on-reconnect",
        "oliver-zehentleitner/unicorn-binance-websocket-api#275",
        "sammchardy/python-binance#28",
    ),
    params=Params,
    evidence="journal: the listenKeyExpired push or the -1125 keepalive answer, the next POST listenKey and the next user-data ws_open",
    problem="keeps using a listenKey after Binance expired it, so its stream stays open but no event arrives",
    needs_stream=True,
)
def check(record: RunRecord, p: Params) -> Verdict:
    expiries = [e for e in record.of("listen_key") if e["action"] == "expired"]
    if not expiries:
        return not_arisen(record, "no listenKey expired", KEY_KILLERS, timer=key_ttl_story(record))
    lk_calls = record.listen_key_calls()
    # A PUT after a -1125 with no POST in between keeps retrying a dead key.
    for i, call in enumerate(lk_calls):
        if call["method"] == "PUT" and '"code":-1125' in call["body"]:
            nxt = lk_calls[i + 1] if i + 1 < len(lk_calls) else None
            if nxt is not None and nxt["method"] == "PUT":
                return failed(
                    f"after a keepalive answered -1125 at {fmt_s(call['t'])}, the client sent "
                    "another PUT instead of POSTing for a new key",
                    [brief(call), brief(nxt)],
                )
    evidence, figures = [], []
    for expiry in expiries:
        t0 = expiry["t"]
        post = next(
            (c for c in lk_calls if c["method"] == "POST" and c["t"] > t0 and c["status"] == 200), None
        )
        opens = [o for o in record.opens_after(t0) if any(s == "active" for s in o["key_states"].values())]
        renewed = (
            post is not None
            and post["t"] - t0 <= p.post_within
            and bool(opens)
            and opens[0]["t"] - t0 <= p.connect_within
        )
        if not renewed and not settled(record, t0 + p.connect_within):
            continue
        evidence.append(brief(expiry))
        if post is None or post["t"] - t0 > p.post_within:
            late = f" (it came after {fmt_s(post['t'] - t0)})" if post else ""
            return failed(
                f"no POST for a new listenKey within {fmt_s(p.post_within)} of the expiry{late}",
                evidence + ([brief(post)] if post else []),
            )
        if not opens or opens[0]["t"] - t0 > p.connect_within:
            stale = [o for o in record.opens_after(t0) if o not in opens]
            why = " (it reconnected with a dead key)" if stale else ""
            return failed(
                f"no stream opened on a live key within {fmt_s(p.connect_within)} of the expiry{why}",
                evidence + [brief(post)] + [brief(o) for o in stale[:2]],
            )
        evidence += [brief(post), brief(opens[0])]
        figures.append((post["t"] - t0, opens[0]["t"] - t0))
    if not figures:
        return too_late(record, "the listenKey expired", expiries[0]["t"], p.connect_within, expiries[:1])
    return passed(
        f"new key POSTed after {fmt_s(max(f[0] for f in figures))}, stream reopened after "
        f"{fmt_s(max(f[1] for f in figures))} (deadlines {fmt_s(p.post_within)}, "
        f"{fmt_s(p.connect_within)})",
        evidence,
        post_delay=round(max(f[0] for f in figures), 3),
        reconnect_delay=round(max(f[1] for f in figures), 3),
    )
