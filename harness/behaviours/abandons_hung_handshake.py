"""abandons-hung-handshake: a connect or handshake that hangs is given up within a deadline,
and the client tries again.

Failure mode E2 (half-open network loss) at connect time: TCP is accepted, maybe the upgrade
request even read, and nothing ever comes back. A client with no connect or handshake timeout
waits on that attempt forever: no error, no reconnect, a bot that looks alive
(pmxt-dev/pmxt#253 "no connection timeout", x86y/dynasty#30 "hang indefinitely",
altangent/ccxws#245 on Binance's streams). A correct client bounds the connect and the
upgrade (websockets' `open_timeout`, ws's `handshakeTimeout`), closes the attempt when the
bound passes, and tries again with its backoff.

Judged on the journal. A held attempt is a connection a fault kept unanswered: `timeout`
with scope new (journaled `ws_invalid`, `fault: timeout`), `hang_upgrade` (`ws_invalid`,
`fault: hang_upgrade`) or `slow_upgrade` (its `ws_unopened`, or a `ws_open`/`ws_reject` with
`delayed`), timed from its TCP accept. The client gave up on it when the fake saw the
client's close of it (`ws_unopened`, `initiator: client`); its next attempt is the next
connection the fake saw. FAIL when an attempt was still held `within` seconds after it began
(the client gave up later, never, or took an answer that came that late), or when the client
gave up and made no new attempt within `retry_within`. An attempt the fault itself closed
before `within` says nothing about the client's timeout. Defaults: `within` 20 s
(failure-modes.md §6: "handshake/connect timeout: error surfaced <= 20 s"), `retry_within`
60 s, the backoff cap.
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.journal_entries import (
    Entry,
    WsInvalidEntry,
    WsOpenEntry,
    WsRejectEntry,
    WsUnopenedEntry,
)
from harness.applicability import not_arisen, too_late
from harness.behaviours import behaviour
from harness.record import RunRecord, brief, exit_time, settled
from harness.verdict import Verdict, failed, fmt_s, not_applicable, passed

#: The faults that hold a connection attempt unanswered.
HOLDERS = frozenset({"timeout", "hang_upgrade", "slow_upgrade"})

#: What the fake journals of one connection attempt.
Attempt = WsOpenEntry | WsRejectEntry | WsInvalidEntry | WsUnopenedEntry


@dataclass(frozen=True)
class Params:
    within: float = 20.0  # seconds from a held attempt's TCP accept to the client's close of it
    retry_within: float = 60.0  # seconds from giving up on it to the client's next attempt


@dataclass
class Held:
    """One connection attempt a fault held, and what became of it during the run."""

    conn: int
    fault: str
    start: float  # its TCP accept, scenario seconds
    seen: Entry  # the first entry naming it
    end: WsUnopenedEntry | None = None  # how it ended, when that was before the run's end
    answer: WsOpenEntry | WsRejectEntry | None = None  # slow_upgrade's late answer


def held_attempts(record: RunRecord) -> list[Held]:
    """The attempts a fault held, oldest first (journals of a run's end are left out: the
    harness ending the client closes whatever it still waited on)."""
    held: dict[int, Held] = {}
    for e in record.journal:
        if e["t"] >= record.ended_at:
            continue
        if e["kind"] == "ws_invalid" and e["why"] == "fault" and e.get("fault", "timeout") in HOLDERS:
            held.setdefault(e["conn"], Held(e["conn"], e.get("fault", "timeout"), float(e["t"]), e))
        elif e["kind"] == "ws_unopened" and e["fault"] in HOLDERS:
            start = float(e["t"]) - float(e["waited"])
            h = held.setdefault(e["conn"], Held(e["conn"], e["fault"], start, e))
            h.start, h.end = start, e
        elif e["kind"] in ("ws_open", "ws_reject") and e.get("delayed"):
            start = float(e["t"]) - float(e["delayed"])
            held.setdefault(e["conn"], Held(e["conn"], "slow_upgrade", start, e)).answer = e
    return sorted(held.values(), key=lambda h: h.start)


def attempt_starts(record: RunRecord) -> list[tuple[float, Attempt]]:
    """When each connection the fake saw began (its accept, or its request), with an entry
    naming it; oldest first."""
    seen: list[tuple[float, Attempt]] = []
    seen += [(float(o["t"]) - float(o.get("delayed", 0.0)), o) for o in record.of("ws_open")]
    seen += [(float(r["t"]) - float(r.get("delayed", 0.0)), r) for r in record.of("ws_reject")]
    seen += [(float(i["t"]), i) for i in record.of("ws_invalid")]
    seen += [(float(u["t"]) - float(u["waited"]), u) for u in record.of("ws_unopened")]
    starts: dict[int, tuple[float, Attempt]] = {}
    for t, e in sorted(seen, key=lambda s: s[0]):
        starts.setdefault(e["conn"], (t, e))
    return sorted(starts.values(), key=lambda s: s[0])


def _overdue(record: RunRecord, h: Held, p: Params) -> str | None:
    """How the client waited on `h` past the deadline, in words; None if it did not."""
    if h.end is not None:
        waited = float(h.end["waited"])
        if waited <= p.within:
            return None
        if h.end["initiator"] == "client":
            return f"it gave up only after {fmt_s(waited)}"
        return f"it never gave up: the fake closed it after {fmt_s(waited)}"
    if h.answer is not None:
        late = float(h.answer["delayed"])
        return None if late <= p.within else f"it waited {fmt_s(late)} and took the late answer"
    if record.ended_at - h.start > p.within:
        return f"it was still waiting when the run ended, {fmt_s(record.ended_at - h.start)} after"
    return None


@behaviour(
    "abandons-hung-handshake",
    asserts="a connection attempt the server never answers (TCP accepted, or the upgrade "
    "request read) is closed by the client within `within` of its start, and the client "
    "makes a new attempt within `retry_within` of giving up",
    hint="bound the connect and the WebSocket upgrade with a timeout (websockets "
    "`open_timeout`, ws `handshakeTimeout`, a deadline around the dial), close the attempt "
    "when it passes and retry with backoff (failure mode E2)",
    reports=(
        "E2 half-open-network-loss",
        "pmxt-dev/pmxt#253",
        "x86y/dynasty#30",
        "altangent/ccxws#245",
        "binance/binance-connector-python#266",
    ),
    params=Params,
    evidence="journal: each attempt a fault held (ws_invalid with why fault, ws_unopened, or "
    "a delayed ws_open), the client's close of it (ws_unopened, initiator client) and the "
    "next connection it made",
    problem="waits forever on a connection attempt the server never answers (it has no "
    "connect or handshake timeout), so after a network hiccup it neither fails nor reconnects",
    needs_stream=False,
)
def check(record: RunRecord, p: Params) -> Verdict:
    attempts = held_attempts(record)
    if not attempts:
        return _nothing_held(record)
    starts = attempt_starts(record)
    gave_up: list[float] = []
    retried: list[float] = []
    evidence: list[Entry] = []
    pending: list[Held] = []
    for h in attempts:
        overdue = _overdue(record, h, p)
        if overdue is not None:
            shown = [h.seen] + [e for e in (h.end, h.answer) if e is not None and e is not h.seen]
            return failed(
                f"connection {h.conn}'s handshake was held by {h.fault} from {fmt_s(h.start)} and "
                f"the client did not give up on it within {fmt_s(p.within)}: {overdue}",
                [brief(e) for e in shown],
                held_attempts=len(attempts),
            )
        if h.end is None or h.end["initiator"] != "client":
            pending.append(h)
            continue
        quit_at = float(h.end["t"])
        nxt = next(((t, e) for t, e in starts if t > quit_at and e["conn"] != h.conn), None)
        if nxt is not None and nxt[0] - quit_at <= p.retry_within:
            gave_up.append(float(h.end["waited"]))
            retried.append(nxt[0] - quit_at)
            evidence += [h.seen, h.end, nxt[1]] if h.seen is not h.end else [h.end, nxt[1]]
            continue
        if not settled(record, quit_at + p.retry_within):
            pending.append(h)
            continue
        later = f" (its next came {fmt_s(nxt[0] - quit_at)} later)" if nxt is not None else ""
        return failed(
            f"the client gave up on connection {h.conn}'s hung handshake ({h.fault}) after "
            f"{fmt_s(float(h.end['waited']))} but made no new attempt within "
            f"{fmt_s(p.retry_within)}{later}",
            [brief(h.end)] + ([brief(nxt[1])] if nxt is not None else []),
            give_up_after=[round(float(h.end["waited"]), 3)],
        )
    if gave_up:
        return passed(
            f"gave up on {len(gave_up)} hung handshake(s) after at most {fmt_s(max(gave_up))} "
            f"(deadline {fmt_s(p.within)}) and tried again {fmt_s(max(retried))} later at most "
            f"(deadline {fmt_s(p.retry_within)})",
            [brief(e) for e in evidence[:6]],
            give_up_after=[round(g, 3) for g in gave_up],
            retry_after=[round(r, 3) for r in retried],
        )
    return _undecided(record, pending, p)


def _nothing_held(record: RunRecord) -> Verdict:
    """No attempt was held: the scenario has no such fault (an ERROR, from `not_arisen`), or
    the client made no connection attempt while one was in force."""
    situation = "no connection attempt was held unanswered"
    hits = [
        h for h in record.fault_hits(*HOLDERS) if h["name"] != "timeout" or h["params"].get("scope") != "open"
    ]
    if not hits or record.never_connected():
        return not_arisen(record, situation, HOLDERS)
    first = hits[0]
    since = float(first["t"])
    tried = sum(1 for t, _ in attempt_starts(record) if since <= t < record.ended_at)
    gone = exit_time(record)
    left = f"; the client exited on its own at {fmt_s(gone)}" if gone is not None else ""
    return not_applicable(
        f"{situation}: the scenario's {first['name']} was in force from {fmt_s(since)} and the "
        f"client made {tried} connection attempt(s) after that{left}",
        [brief(h) for h in hits[:3]],
    )


def _undecided(record: RunRecord, pending: list[Held], p: Params) -> Verdict:
    """NOT-APPLICABLE when no held attempt tested the client's timeout: the fault closed
    each first, the late answer came in time, or the run ended before a deadline did."""
    quit = next((h.end for h in pending if h.end is not None and h.end["initiator"] == "client"), None)
    if quit is not None:
        what = f"the client gave up on connection {quit['conn']}'s hung handshake"
        return too_late(record, what, float(quit["t"]), p.retry_within, [quit])
    closed = [h for h in pending if h.end is not None and h.end["initiator"] == "server"]
    if closed:
        longest = max(float(h.end["waited"]) for h in closed if h.end is not None)
        return not_applicable(
            f"the fault closed each of the {len(closed)} held attempt(s) itself, after at most "
            f"{fmt_s(longest)}, before the client's {fmt_s(p.within)} deadline: its own "
            "handshake timeout never came into play",
            [brief(h.end) for h in closed[:3] if h.end is not None],
        )
    answered = [h for h in pending if h.answer is not None]
    if answered and len(answered) == len(pending):
        return not_applicable(
            f"each held upgrade was answered within the {fmt_s(p.within)} deadline "
            f"(at most {fmt_s(max(float(h.answer['delayed']) for h in answered if h.answer))} late) "
            "and the client waited for it",
            [brief(h.answer) for h in answered[:3] if h.answer is not None],
        )
    first = pending[0]
    return too_late(
        record, f"connection {first.conn}'s handshake was held", first.start, p.within, [first.seen]
    )
