"""retries-failed-keepalive: a keepalive that failed for a passing reason is retried soon.

Failure mode A4 (`lk-keepalive-transient-error`): one PUT fails (HTTP 500 -1000, a 5xx, a
timeout) and the client shrugs it off until the next scheduled keepalive, half a TTL
later; by then the key may be gone and the stream silent (sonvister/Binance#72: PUT got
500 -1000, the next one -1125, the socket never restarted; sieblyio/binance#205).

Judged on the journal's keepalive answers: for each failure streak (a PUT answered 5xx or
408, or whose answer a wire fault broke: empty, garbage, reset; after a call that was not one), the client's next listenKey call (PUT, or POST: a
rebuild is fine too) must come within `within`, well before the next scheduled interval.
Only the first retry of a streak is timed, so a client backing off through a longer
outage is not punished. A -1125 is not transient (see `replaces-dead-listenkey`), and a
client that sends no keepalive at all is `keeps-listenkey-alive`'s concern. Default 60 s
(failure-modes.md A4: "retry soon, e.g. <= 60 s, with backoff", against a 30 min interval);
scenarios shrink it with their TTL, keeping it above a sane first retry delay.
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import load_all as load_faults
from fake_server.journal_entries import RestEntry
from harness.applicability import never_connected, not_arisen, too_late
from harness.behaviours import behaviour
from harness.record import RunRecord, brief, settled
from harness.verdict import Verdict, failed, fmt_s, not_applicable, passed

#: Faults that answer REST calls (a keepalive PUT among them) with an error.
HTTP_FAULTS = frozenset(name for name, fault in load_faults().items() if fault.layer == "http")


@dataclass(frozen=True)
class Params:
    within: float = 60.0  # seconds from a failed keepalive's answer to the client's retry


def transient(call: RestEntry) -> bool:
    """A keepalive answer that says "try again", not "this key is gone": a 5xx or 408, or an
    answer a wire fault broke (no status at all, garbage, a reset)."""
    failed = int(call["status"]) >= 500 or call["status"] == 408 or bool(call.get("broken"))
    return call["method"] == "PUT" and failed


def describe(call: RestEntry) -> str:
    if call.get("broken"):
        return f"a broken answer ({call['broken']})"
    body = str(call.get("body", ""))
    code = body.split('"code":', 1)[1].split(",", 1)[0] if '"code":' in body else ""
    return f"HTTP {call['status']}" + (f" {code}" if code else "")


@behaviour(
    "retries-failed-keepalive",
    asserts="after a keepalive PUT fails with a 5xx or 408 (or a broken answer), the client retries it (or POSTs) "
    "within the deadline instead of waiting for the next scheduled keepalive",
    hint="on a failed keepalive (5xx, -1000, timeout, reset) retry within seconds, with backoff, "
    "rather than a whole interval later; if it keeps failing, create a new key and reconnect "
    "(failure mode A4)",
    reports=(
        "A4 lk-keepalive-transient-error",
        "sonvister/Binance#72",
        "sieblyio/binance#205",
        "ccxt/node-binance-api#168",
        "JKorf/Binance.Net#31",
    ),
    params=Params,
    evidence="journal: each PUT /listenKey answered 5xx/408 or broken, the client's next listenKey call, "
    "and any listenKey that lapsed by its TTL in between",
    problem="waits a whole keepalive interval after a failed keepalive, so one lost request can "
    "let the listenKey expire",
    needs_stream=False,
)
def check(record: RunRecord, p: Params) -> Verdict:
    calls = record.listen_key_calls()
    if not any(c["method"] == "PUT" for c in calls):
        return never_connected(record, needs_stream=False) or not_applicable(
            "the client sent no keepalive PUT at all (see keeps-listenkey-alive)"
        )
    streaks = [c for i, c in enumerate(calls) if transient(c) and (i == 0 or not transient(calls[i - 1]))]
    if not streaks:
        return not_arisen(record, "no keepalive failed", HTTP_FAULTS)
    lapses = record.lapses()
    evidence, delays = [], []
    for fail in streaks:
        t0 = fail["t"]
        retry = next((c for c in calls if c["t"] > t0), None)
        in_time = retry is not None and retry["t"] - t0 <= p.within
        if not in_time and not settled(record, t0 + p.within):
            continue
        evidence.append(brief(fail))
        if not in_time:
            until = retry["t"] if retry is not None else record.ended_at
            died = [e for e in lapses if t0 < e["t"] <= until][:1]
            if retry is None:
                after = "never called the listenKey route again"
            else:
                after = f"made its next listenKey call {fmt_s(retry['t'] - t0)} later ({retry['method']})"
            lapse = f"; meanwhile the key lapsed at {fmt_s(died[0]['t'])}" if died else ""
            return failed(
                f"the keepalive at {fmt_s(t0)} failed with {describe(fail)} and the client {after}, "
                f"not within {fmt_s(p.within)}{lapse}",
                evidence + [brief(e) for e in died] + ([brief(retry)] if retry is not None else []),
                failed_keepalives=len(streaks),
            )
        assert retry is not None
        evidence.append(brief(retry))
        delays.append(retry["t"] - t0)
    if not delays:
        return too_late(record, "the keepalive failed", streaks[0]["t"], p.within, streaks[:1])
    return passed(
        f"{len(delays)} failed keepalive(s) retried after at most {fmt_s(max(delays))} "
        f"(deadline {fmt_s(p.within)}), {len(lapses)} lapse(s) of the key",
        evidence,
        retry_delays=[round(d, 3) for d in delays],
        lapses=len(lapses),
    )
