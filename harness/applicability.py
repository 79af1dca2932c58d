"""When a check has nothing to judge: one rule for every check, and a verdict that says why.

Two situations leave a check without its subject.

The client never had a user-data stream (`RunRecord.never_connected`). Every check gives
the same reason, citing what the fake refused (harness/refusals.py), and the behaviour
decides the status: FAIL where it needs a stream (reconnecting, answering pings, renewing
the key: a client without a stream lacks all of it; `Behaviour.needs_stream`, applied by
the registry before the check runs), NOT-APPLICABLE where it cannot arise without one
(pacing reconnects, losing or duplicating events). Never an ERROR: an ERROR is a problem
of the harness or the set-up, and this is the client's, or the fake's when it refuses what
Binance accepts, which the cited refusal then shows.

The situation the check judges never arose (no connection dropped, no bad frame written).
An ERROR only when the scenario really lacks what makes it (no step of that fault, and the
control API fired none), whatever the client did; when the scenario has it but it never
fired, or fired and reached nothing, because of the client (it never connected: the shared
verdict above; it connected late, closed early, exited: NOT-APPLICABLE telling that story).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from fake_server.faults import load_all as load_faults
from fake_server.journal_entries import Entry
from harness.record import RunRecord, brief, deaf_after, exit_time
from harness.refusals import explain, refusals
from harness.scenario import Step
from harness.verdict import Evidence, Verdict, error, failed, fmt_s, not_applicable

NO_STREAM = "the client never opened a user-data stream"
NO_EVENTS_FILE = "the client reported no events (it writes no events file)"

#: Faults that end the connections they hit: what a reconnect check needs to happen.
ENDING = frozenset(name for name, fault in load_faults().items() if fault.ends_connection)

#: Faults that kill a listenKey (the other way a key dies is its TTL, see `key_ttl_story`).
KEY_KILLERS = frozenset({"expire_listen_key", "revoke_listen_key"})

#: What each step trigger counts, for "it waits for the 2nd user-data connection".
_TRIGGER_NOUNS = {
    "ws_open": "user-data connection",
    "user_stream_ready": "user-data stream ready",
    "ws_close": "closed connection",
    "listen_key_created": "listenKey created",
    "keepalive": "keepalive",
    "resync": "REST snapshot call",
}


def no_stream_reason(record: RunRecord) -> tuple[str, list[Mapping[str, Any]]]:
    """The one sentence every check gives a client with no user-data stream, and its evidence:
    what the fake refused it, or else what it did do."""
    parts: list[str] = []
    evidence: list[Mapping[str, Any]] = []
    unready = record.user_opens()  # opened on a user route, but none came to carry its events
    if unready:
        paths = sorted({str(o.get("path", "?")) for o in unready})
        parts.append(f"it opened {', '.join(paths[:2])} but never subscribed to its user data there")
        evidence.append(brief(unready[0]))
    found = refusals(record)
    if found:
        parts.append(explain(found))
        evidence += [brief(e) for r in found[:4] for e in r.evidence]
    by_fault = [
        e for e in record.of("ws_reject") if e.get("why", "fault") == "fault" and e["t"] < record.ended_at
    ]
    if by_fault:
        parts.append(f"the scenario's faults refused its {len(by_fault)} handshake(s)")
        evidence.append(brief(by_fault[-1]))
    if not parts:
        contact = [e for e in record.of("rest", "ws_open", "ws_invalid") if e["t"] < record.ended_at]
        calls = sum(1 for e in contact if e["kind"] == "rest")
        others = sorted({str(e.get("path", "?")) for e in contact if e["kind"] == "ws_open"})
        if not contact:
            parts.append("it never contacted the fake")
        elif others:
            parts.append(f"it made {calls} REST call(s) and opened only {', '.join(others[:2])}")
        else:
            parts.append(f"it made {calls} REST call(s) and tried no WebSocket connection")
    return f"{NO_STREAM}: {'; '.join(parts)}", evidence


def never_connected(record: RunRecord, *, needs_stream: bool) -> Verdict | None:
    """The verdict for a client that never had a user-data stream, None for one that had.

    FAIL when the behaviour needs a stream, NOT-APPLICABLE when it cannot arise without one;
    the same summary either way.
    """
    if not record.never_connected():
        return None
    summary, evidence = no_stream_reason(record)
    return failed(summary, evidence) if needs_stream else not_applicable(summary, evidence)


def no_events_file(record: RunRecord, note: str = "") -> Verdict:
    """NOT-APPLICABLE for a client that reported no event at all: a check of what its handler
    got has nothing to read (docs/client-contract.md makes the events file optional)."""
    return not_applicable(NO_EVENTS_FILE + note)


def without_events(record: RunRecord) -> Verdict | None:
    """For a check of what the client's handler got: the shared verdict of a client with no
    user-data stream, or NOT-APPLICABLE when it reported no event at all; None otherwise."""
    nobody = never_connected(record, needs_stream=False)
    if nobody is not None:
        return nobody
    return no_events_file(record) if not record.client_events else None


def went_deaf(
    record: RunRecord, since: float, after: str, cause: Entry, margin: float, **measured: object
) -> Verdict | None:
    """FAIL for a client that reports events, but none of those owed to it from `since` on
    (`after` names what came then, `cause` its journal entry); None when it did not go deaf."""
    deaf = deaf_after(record, since, margin)
    if deaf is None:
        return None
    return failed(deaf.summary(after), [brief(cause)] + [brief(e) for e in deaf.missed[:3]], **measured)


def no_event_after(record: RunRecord, what: str, evidence: Sequence[Entry]) -> Verdict:
    """When no account event followed `what` early enough to judge its delivery: the
    client's connection (or the run) ended first, NOT-APPLICABLE; ERROR for a scenario whose
    account makes no events at all."""
    if record.scenario.events.rate <= 0:
        return error(f"no account event followed {what}: the scenario needs events.rate > 0")
    return not_applicable(
        f"no account event was written to a live connection after {what} early enough to judge "
        "its delivery (the connection ended, or the run did)",
        [brief(e) for e in evidence[:3]],
    )


def too_late(record: RunRecord, what: str, at: float, deadline: float, evidence: Evidence) -> Verdict:
    """NOT-APPLICABLE when the situation arose too late for its deadline to end inside the run.

    The scenario loader refuses deadlines that cannot end inside the run counted from a
    fault's earliest time, so this only happens when the client itself was late (a slow
    start, a late subscription): the situation was not given the time to be judged, which
    is not a FAIL of the behaviour and not a harness problem either.
    """
    return not_applicable(
        f"{what} at {fmt_s(at)}, and the run ended at {fmt_s(record.ended_at)}, before its "
        f"{fmt_s(deadline)} deadline ended: the client's own start left no time to judge",
        [brief(e) for e in evidence[:3]],
    )


def scenario_has(record: RunRecord, faults: Collection[str]) -> bool:
    """Whether the scenario makes one of these faults: a step of it, or the control API fired it."""
    if not faults:
        return False
    return any(s.fault.name in faults for s in record.scenario.steps) or bool(record.fault_hits(*faults))


def no_such_step(record: RunRecord, why: str) -> Verdict:
    """A check expected by a scenario that never makes its situation: a set-up ERROR in a
    hand-written scenario, NOT-APPLICABLE in a generated one (a schedule need not make
    every situation its properties judge)."""
    if record.scenario.generated is not None:
        return not_applicable(f"{why} (a generated schedule)")
    return error(why)


def not_arisen(
    record: RunRecord, situation: str, faults: Collection[str], *, timer: str | None = None
) -> Verdict:
    """The verdict when the situation a check judges never arose.

    `situation` says what did not happen ("no connection went half-open"); `faults` are the
    faults that make it; `timer` says how the scenario makes it without a fault, when it
    does (a connection life shorter than the run): then it is the story told.
    """
    if not scenario_has(record, faults) and timer is None:
        return no_such_step(
            record, f"{situation}: the scenario has no {' or '.join(sorted(faults)) or 'such'} step"
        )
    nobody = never_connected(record, needs_stream=False)
    if nobody is not None:
        return nobody
    if not scenario_has(record, faults):
        return not_applicable(f"{situation}: {timer}")
    hits = record.fault_hits(*faults)
    if hits:
        hit = hits[0]
        if hit.get("conns"):
            where = f"on connection {', '.join(map(str, hit['conns']))}"
        elif open_at(record, float(hit["t"])):
            where = "and reached no connection"
        else:
            where = "when the client had no user-data connection open"
        return not_applicable(
            f"{situation}: the scenario's {hit['name']} fired at {fmt_s(float(hit['t']))} {where}",
            [brief(h) for h in hits[:3]],
        )
    steps = [s for s in record.scenario.steps if s.fault.name in faults]
    return not_applicable(
        f"{situation}: the scenario's {steps[0].fault.name} never fired ({_story(record, steps[0])})"
    )


def open_at(record: RunRecord, t: float) -> bool:
    """Whether a user-data connection was open at `t`: what happened then reached the client."""
    for o in record.user_opens():
        close = record.close_of(o["conn"])
        if o["t"] <= t and (close is None or close["t"] > t):
            return True
    return False


def _story(record: RunRecord, step: Step) -> str:
    """Why a step never fired: its trigger did not happen, or too late in the run."""
    from harness.steps import TRIGGER_MATCHERS  # the scheduler's own reading of the journal

    gone = exit_time(record)
    left = f"; the client exited on its own at {fmt_s(gone)}" if gone is not None else ""
    end = f"the run ended at {fmt_s(record.ended_at)}"
    if step.on == "start":
        return f"it was due at {fmt_s(step.at)} and {end}{left}"
    noun = _TRIGGER_NOUNS.get(step.on, f"'{step.on}'")
    match = TRIGGER_MATCHERS.get(step.on)
    seen = [e for e in record.journal if match is not None and match(e) and e["t"] < record.ended_at]
    wanted = f"{fmt_s(step.at)} after {noun} #{step.nth}"
    if len(seen) < step.nth:
        return f"it waits {wanted}, and the client made {len(seen)}{left}"
    at = float(seen[step.nth - 1]["t"])
    return f"it waits {wanted}, which came at {fmt_s(at)}, and {end}{left}"


def no_drop(
    record: RunRecord,
    situation: str = "no user-data connection was dropped",
    also: Collection[str] = (),
    timer: str | None = None,
) -> Verdict:
    """`not_arisen` for the reconnect checks: no user-data connection was ended by the server
    (nor, with `also`, did those faults act).

    Besides the connection-ending faults, the scenario's connection life drops connections
    (the 24 h cut, scaled down): a client that connected too late for it is told so; `timer`
    is another way the scenario makes the situation without a fault.
    """
    life = record.scenario.timers.connection_life
    if life < record.scenario.duration:
        opens = record.user_opens()
        first = f" (the first opened at {fmt_s(float(opens[0]['t']))})" if opens else ""
        timer = f"the scenario's {fmt_s(life)} connection life never ran out on a user-data connection{first}"
    return not_arisen(record, situation, ENDING | set(also), timer=timer)


def key_ttl_story(record: RunRecord) -> str | None:
    """How a key may die without a fault (its TTL, when shorter than the run), as the reason
    for `not_arisen` when none did; None when the TTL outlasts the run."""
    ttl = record.scenario.timers.listen_key_ttl
    if ttl >= record.scenario.duration:
        return None
    return f"no key went unrefreshed for the scenario's {fmt_s(ttl)} listenKey TTL"
