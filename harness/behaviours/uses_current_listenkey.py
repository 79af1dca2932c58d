"""uses-current-listenkey: after an outage in which the key died, the client reconnects on a live key.

Failure mode A7 (`lk-stale-key-on-reconnect`): after a network outage longer than the
key's life, the library "reconnects successfully" with the key it had, and no user event
ever arrives again. Binance accepts the upgrade for a dead key and sends nothing
(JKorf/CryptoExchange.Net#60, binance-reference.md §1; the fake does the same and journals
each handshake's `key_states`). A correct client validates or renews the key on every
reconnect (PUT; on -1125 POST a new one) and builds the URL from the current key.

Asserts: every user-data connection the client opens is bound to live keys only
(`ws_open.key_states` all `active`), and an account event reaches one of its connections
within `within` after the server is back (the later of the key's death and the end of the
handshake refusals). Default 15 s (failure-modes.md A7: "events flow <= 15 s after the
network returns"): a reaction, in seconds even on Binance's time scale; scenarios shorten
it to what their reconnect backoff allows.

Distinct from `renews-expired-listenkey` (reaction to the `listenKeyExpired` push, which a
disconnected client never sees) and `replaces-dead-listenkey` (reaction to a -1125 it got):
here the client got no sign at all, and must not trust the key it remembers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from fake_server.journal_entries import ListenKeyEntry, WsOpenEntry
from harness.applicability import KEY_KILLERS, key_ttl_story, not_arisen, too_late
from harness.behaviours import behaviour
from harness.record import ACCOUNT_EVENTS, RunRecord, brief, exit_time, fault_end, settled
from harness.verdict import Verdict, error, failed, fmt_s, passed


@dataclass(frozen=True)
class Params:
    within: float = 15.0  # seconds from the server being back to an event on a live connection
    #: A key answered alive this long before the client asked to connect counts as checked.
    checked_before: float = 0.25


def dead_keys(open_entry: WsOpenEntry) -> dict[str, str]:
    return {k: s for k, s in (open_entry.get("key_states") or {}).items() if s != "active"}


def dead_when_asked(
    record: RunRecord, open_entry: WsOpenEntry, deaths: list[ListenKeyEntry], p: Params
) -> dict[str, str]:
    """The dead keys of `open_entry` the client could have known were dead. Not one that died
    while the fake held the handshake (`slow_upgrade`: `delayed` seconds), nor one that died
    after the client had it answered alive (POST or PUT 200) at most `checked_before` before
    it asked: a client that checks its key right before connecting cannot do better, and the
    event deadline judges what it does next. A search found the reference client, which
    checks right before connecting, failed for a key killed 0.13 s after its POST. A client
    that checks and then waits out its backoff (failure mode A7's sequence form) still fails.
    """
    asked = open_entry["t"] - open_entry.get("delayed", 0.0)
    proofs = [
        c["t"]
        for c in record.listen_key_calls()
        if c["status"] == 200 and c["method"] in ("POST", "PUT") and c["t"] <= asked
    ]
    proven = max(proofs, default=-math.inf)
    died = {d["key"]: d["t"] for d in deaths}
    known_dead = {}
    for key, state in dead_keys(open_entry).items():
        death = died.get(key, -math.inf)
        if death > asked or (death > proven and asked - proven <= p.checked_before):
            continue
        known_dead[key] = state
    return known_dead


def refusals_end(record: RunRecord) -> float:
    """When the last handshake refusal window of the run closed (0 if there was none)."""
    refused = [r for r in record.of("ws_reject") if r.get("why") == "fault"]
    ends = [fault_end(hit, refused) for hit in record.fault_hits("reject_handshake")]
    # A window with no end given (or not all its refusals made) lasts until the run ended.
    return max((record.ended_at if end is None else end for end in ends), default=0.0)


@behaviour(
    "uses-current-listenkey",
    asserts="every user-data connection the client opens is on a live listenKey, and after an "
    "outage in which its key died, events reach it again within the deadline",
    hint="on every reconnect, check the key first (PUT; on -1125 POST a new one) and build the URL "
    "from the current key: Binance accepts a dead key's upgrade and never sends anything on it "
    "(failure mode A7)",
    reports=(
        "A7 lk-stale-key-on-reconnect",
        "JKorf/CryptoExchange.Net#60",
        "ccxt/binance-api-node PR#124",
        "sammchardy/python-binance PR#134",
    ),
    params=Params,
    evidence="journal: the listenKey's death, each user-data ws_open with its key_states, the "
    "handshake refusals, and the first account event delivered after the server was back",
    problem="reconnects with the listenKey it remembers even after it died, and Binance then "
    "accepts the connection but never sends anything on it",
    needs_stream=True,
    deadline_from="recovery",
)
def check(record: RunRecord, p: Params) -> Verdict:
    deaths = [e for e in record.of("listen_key") if e["action"] in ("expired", "deleted")]
    if not deaths:
        return not_arisen(record, "no listenKey died", KEY_KILLERS, timer=key_ttl_story(record))
    stale = [(o, dead) for o in record.user_opens() if (dead := dead_when_asked(record, o, deaths, p))]
    if stale:
        first, dead = stale[0]
        key, state = next(iter(dead.items()))
        return failed(
            f"connection {first['conn']} opened at {fmt_s(first['t'])} on listenKey {key[:8]}… "
            f"which was {state}: the server accepts it and never sends an event on it"
            + (f" ({len(stale)} such connections)" if len(stale) > 1 else ""),
            [brief(deaths[0]), *(brief(o) for o, _ in stale[:3])],
            stale_connections=len(stale),
        )
    back = max(deaths[0]["t"], refusals_end(record))
    if back >= record.ended_at:
        gone = exit_time(record)
        if gone is not None:
            return failed(
                f"the client exited at {fmt_s(gone)}, before the server was back at {fmt_s(back)}",
                [brief(deaths[0]), *(brief(e) for e in record.of("client_exit"))],
            )
        return too_late(
            record, "the listenKey died", deaths[0]["t"], back - deaths[0]["t"] + p.within, deaths[:1]
        )
    fresh = {o["conn"] for o in record.opens_after(deaths[0]["t"])}
    happened = [e for e in record.of("event") if e["e"] in ACCOUNT_EVENTS and e["t"] > back]
    got = next((e for e in happened if fresh & set(e["conns"])), None)
    if got is not None and got["t"] - back <= p.within:
        opened = next(o for o in record.user_opens() if o["conn"] in set(got["conns"]) & fresh)
        return passed(
            f"reconnected on a live key {fmt_s(max(0.0, opened['t'] - back))} after the server was "
            f"back, first event {fmt_s(got['t'] - back)} after (deadline {fmt_s(p.within)})",
            [brief(deaths[0]), brief(opened), brief(got)],
            reconnect_delay=round(max(0.0, opened["t"] - back), 3),
            event_delay=round(got["t"] - back, 3),
        )
    if not settled(record, back + p.within):
        return too_late(record, "the server was back", back, p.within, deaths[:1])
    if not [e for e in happened if e["t"] <= back + p.within]:
        return error(
            f"no account event happened within {fmt_s(p.within)} after the server was back: "
            "the scenario needs events (events.rate > 0)"
        )
    late = f" (the first came after {fmt_s(got['t'] - back)})" if got is not None else ""
    return failed(
        f"no account event reached the client within {fmt_s(p.within)} after the server was back "
        f"at {fmt_s(back)}{late}; it opened {len(fresh)} connection(s) since the key died",
        [brief(deaths[0])] + [brief(o) for o in record.opens_after(deaths[0]["t"])[:2]],
    )
