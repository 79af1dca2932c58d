"""keeps-listenkey-alive: the client refreshes its listenKey on its own timer, so it never lapses.

Failure mode A1 (`lk-never-kept-alive`, the most reported listenKey failure): a key lives
TTL (60 min) after its last POST or PUT, and a client that only refreshes it when the user
calls something, or never, goes deaf after about an hour with no error and no close
(ccxt/ccxt#6760, sammchardy/python-binance#712). Binance recommends a PUT every 30 min
(TTL/2; binance-reference.md §5); failure-modes.md §6 asks for the first PUT <= TTL/2 after
the POST and no gap > TTL/2.

Judged on the client's listenKey calls as the fake journaled them: from the first key
created to the end of the run (or the client's own exit), no gap between refreshes may
exceed `max_gap`. A refresh is any keepalive PUT the client sent, whatever its answer
(this is about the timer; a failed PUT is `retries-failed-keepalive`, a -1125 is
`replaces-dead-listenkey`), and any POST answered 200 (a POST on a live key extends it too,
reference §1). Default `max_gap`: 0.75 x the scenario's TTL. TTL/2 is the recommended
cadence, and a client on exactly that cadence must not flap on latency or scheduling, so
the check allows a quarter of the TTL on top; the TTL itself is where the key dies, so
anything at or above it is a lapse. Scenarios shorten the TTL, and the gap scales with it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from fake_server.journal_entries import RestEntry
from harness.applicability import never_connected, too_late
from harness.behaviours import behaviour
from harness.record import RunRecord, brief, exit_time
from harness.verdict import Verdict, error, failed, fmt_s, not_applicable, passed


@dataclass(frozen=True)
class Params:
    #: Longest allowed gap between refreshes as a fraction of the scenario's listenKey TTL.
    ttl_fraction: float = 0.75
    #: Seconds; overrides `ttl_fraction` x TTL when set.
    max_gap: float | None = None


def refreshes(record: RunRecord) -> list[RestEntry]:
    """Calls that extend (or try to extend) the key: every PUT, and POSTs answered 200."""
    return [
        e
        for e in record.listen_key_calls()
        if e["method"] == "PUT" or (e["method"] == "POST" and e["status"] == 200)
    ]


@behaviour(
    "keeps-listenkey-alive",
    asserts="from the first listenKey on, the client refreshes it (PUT, or POST) on its own "
    "timer: the first keepalive and every later one come within max_gap (default 0.75 x TTL) "
    "of the previous refresh",
    hint="PUT the listenKey from a timer of its own, about every TTL/2 (30 min on Binance), "
    "independent of traffic and of user calls; an idle stream needs it most (failure mode A1)",
    reports=(
        "A1 lk-never-kept-alive",
        "ccxt/ccxt#6760",
        "sammchardy/python-binance#712",
        "sammchardy/python-binance#825",
        "sieblyio/binance#41",
    ),
    params=Params,
    evidence="journal: the client's POST and PUT /listenKey calls (the gaps between them) and "
    "any listenKey that expired by its TTL",
    problem="lets its listenKey expire because it does not refresh it on a timer of its own, so "
    "the user stream goes silent after an hour with no error",
    needs_stream=False,
)
def check(record: RunRecord, p: Params) -> Verdict:
    ttl = record.scenario.timers.listen_key_ttl
    max_gap = p.max_gap if p.max_gap is not None else p.ttl_fraction * ttl
    calls = refreshes(record)
    first = next((c for c in calls if c["method"] == "POST"), None)
    if first is None:
        return never_connected(record, needs_stream=False) or not_applicable(
            "no listenKey was ever created in this run, so none had to be kept alive"
        )
    exited = exit_time(record)
    end = min(record.ended_at, exited) if exited is not None else record.ended_at
    if end - first["t"] < max_gap:
        if exited is not None:
            return not_applicable(
                f"the client exited {fmt_s(end - first['t'])} after its first key, before a keepalive was due"
            )
        if record.scenario.duration < max_gap:
            return error(
                f"the run ends {fmt_s(end - first['t'])} after the first key, within the allowed gap "
                f"{fmt_s(max_gap)}: shorten the scenario's listen_key_ttl to judge the keepalive"
            )
        return too_late(record, "the first listenKey was created", float(first["t"]), max_gap, [first])
    later = [c for c in calls if first["t"] <= c["t"] < end]
    lapses = [e for e in record.lapses() if first["t"] < e["t"] < end]
    times = [c["t"] for c in later] + [end]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    worst = max(range(len(gaps)), key=gaps.__getitem__)
    bound = f"max {fmt_s(max_gap)}" + (
        "" if p.max_gap is not None else f" = {p.ttl_fraction:g} x TTL {fmt_s(ttl)}"
    )
    puts = [c for c in later if c["method"] == "PUT"]
    figures = {
        "keepalives": len(puts),
        "first_keepalive": round(puts[0]["t"] - first["t"], 3) if puts else None,
        "longest_gap": round(gaps[worst], 3),
        "max_gap": round(max_gap, 3),
        "lapses": len(lapses),
    }
    if gaps[worst] > max_gap:
        # The first gap too long is where the client went wrong (and, over hours of Binance
        # time, when its key first lapsed); the longest is said beside it when it differs.
        over = next(i for i, gap in enumerate(gaps) if gap > max_gap)
        start = later[over]
        nxt = later[over + 1] if over + 1 < len(later) else None
        what = (
            "after the key was created"
            if start is first
            else f"after the {start['method']} at {fmt_s(start['t'])}"
        )
        until = (
            f"the next refresh came {fmt_s(gaps[over])} later"
            if nxt
            else f"none for the last {fmt_s(gaps[over])} of the run"
        )
        died = [e for e in lapses if start["t"] < e["t"]][:1]
        lapse = f"; the key lapsed at {fmt_s(died[0]['t'])}" if died else ""
        longest = f"; the longest gap was {fmt_s(gaps[worst])}" if worst != over else ""
        too_long = sum(1 for gap in gaps if gap > max_gap)
        how_many = f"; {too_long} gaps were too long" if too_long > 1 else ""
        return failed(
            f"no keepalive within {fmt_s(max_gap)} {what}: {until} ({bound}){lapse}{longest}{how_many}",
            [brief(e) for e in [start, *died, *([nxt] if nxt else [])]],
            **figures,
            first_lapse=round(float(died[0]["t"]), 3) if died else None,
            gaps_too_long=too_long,
        )
    if not puts:
        # Refreshed only by POSTs in time (a client may POST instead of PUT): still alive.
        return passed(
            f"kept alive by {len(later)} POSTs, longest gap {fmt_s(gaps[worst])} ({bound})",
            [brief(first)],
            **figures,
        )
    return passed(
        f"{len(puts)} keepalives, the first {fmt_s(puts[0]['t'] - first['t'])} after the POST, "
        f"longest gap {fmt_s(gaps[worst])} ({bound})",
        [brief(first), brief(puts[0])],
        **figures,
    )
