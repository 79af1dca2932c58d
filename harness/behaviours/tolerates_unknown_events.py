"""tolerates-unknown-events: what a client does not know it ignores or delivers, and goes on.

Failure mode H2 (unknown-event-type): new event types (TRADE_LITE in 2024,
ACCOUNT_CONFIG_UPDATE, ...), new fields and new enum values broke strict deserialisers:
"data did not match any variant", "json: cannot unmarshal string into Go struct field ...
of type []WsPosition" when TRADE_LITE's `p` (a string) met the union struct built for
MARGIN_CALL's `p` (an array) (ccxt/go-binance#612), a UBWA stream crash
(oliver-zehentleitner/unicorn-fy#50), nautechsystems/nautilus_trader#1184. Binance adds
types and fields without warning (reference §0), so a client must skip what it does not
know and keep the connection.

An event of another account on the client's stream (`foreign_account_event`: on a raw
USD-M connection nothing tells it apart, on a combined one its `stream` names another
listenKey) is unexpected in the same way: whatever the client makes of it, the stream and
its own events must go on.

Reads the events the `unknown_event` fault sent (`event` entries with `fault:
unknown_event` and their `variant`), the frames `foreign_account_event` wrote (`ws_frame`
entries with `frame: foreign`), how those connections ended and the client's events
file. FAIL when the client ended a connection that got them (a close of its own, or a
crash), or when an account event of a known type (those with unknown fields included) sent
on a live connection from the first unknown one on never reached the handler. There is no
deadline, only `in_flight` (0.5 s, as in no-event-lost) for events sent just before the end.
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.journal_entries import Entry
from harness.applicability import no_event_after, no_events_file, not_arisen, went_deaf
from harness.behaviours import behaviour
from harness.behaviours.survives_bad_frame import ended_by_client, how_ended
from harness.record import ACCOUNT_EVENTS, RunRecord, brief
from harness.verdict import Verdict, failed, fmt_s, passed


@dataclass(frozen=True)
class Params:
    #: Known events sent this close (seconds) to the run's end are not required yet.
    in_flight: float = 0.5


@behaviour(
    "tolerates-unknown-events",
    asserts="events of unknown types, with unknown fields or with a field typed unlike another "
    "event's are ignored or delivered, never end the connection, and every known event after "
    "them is delivered",
    hint="parse leniently: skip (and log) an event type you do not know, ignore unknown fields, "
    "parse each type on its own (TRADE_LITE's p is a string, MARGIN_CALL's an array); never let "
    "a decode error end the stream (failure mode H2)",
    reports=(
        "H2 unknown-event-type",
        "ccxt/go-binance#612",
        "oliver-zehentleitner/unicorn-fy#50",
        "nautechsystems/nautilus_trader#1184",
    ),
    params=Params,
    evidence="journal: the unexpected events sent (`event` with `fault: unknown_event`), how "
    "their connections ended, the account events sent after them; the client's events file",
    problem="drops the connection, or the events after it, when an event type or field is new to it",
    needs_stream=True,
)
def check(record: RunRecord, p: Params) -> Verdict:
    if not record.client_events:
        return no_events_file(record)
    unknown: list[Entry] = [e for e in record.of("event") if e.get("fault") == "unknown_event" and e["conns"]]
    unknown += [f for f in record.of("ws_frame") if f.get("fault") == "foreign_account_event"]
    unknown.sort(key=lambda e: e["t"])
    if not unknown:
        return not_arisen(
            record, "no unexpected event was sent to a connection", ("unknown_event", "foreign_account_event")
        )
    first = unknown[0]["t"]
    conns = sorted({c for e in unknown for c in _conns(e)})
    for conn in conns:
        close = ended_by_client(record, conn)
        if close is not None:
            return failed(
                f"the client ended connection {conn} {fmt_s(close['t'] - first)} after the first "
                f"unexpected event: {how_ended(close)}",
                [*map(brief, unknown[:3]), brief(close)],
            )
    got = record.reported()
    after = [
        e
        for e in record.of("event")
        if e["t"] >= first
        and e["e"] in ACCOUNT_EVENTS
        and record.handles(e["e"])
        and e["conns"]
        and not e.get("copy")
        and not record.in_flight(e, p.in_flight)
    ]
    if not after:
        return no_event_after(record, "the unexpected ones", unknown)
    missing = [e for e in after if (e["e"], e["E"]) not in got]
    what = f"the first unexpected event ({_described(unknown[0])})"
    deaf = went_deaf(record, first, what, unknown[0], p.in_flight, sent=len(after), missing=len(missing))
    if deaf is not None:
        return deaf
    if missing:
        return failed(
            f"{len(missing)} of the {len(after)} known events sent from the first unexpected one on "
            f"never reached the handler",
            [*map(brief, unknown[:2]), *map(brief, missing[:4])],
            sent=len(after),
            missing=len(missing),
        )
    variants = sorted({_variant(e) for e in unknown})
    return passed(
        f"kept connection {', '.join(map(str, conns))} through {len(unknown)} unexpected events "
        f"({', '.join(variants)}) and reported all {len(after)} known events from then on",
        [brief(e) for e in unknown[:3]] + [brief(after[0])],
        unexpected=len(unknown),
        known_after=len(after),
    )


def _conns(entry: Entry) -> list[int]:
    """The connections an unexpected event went to: an event's `conns`, a frame's `conn`."""
    if entry["kind"] == "event":
        return list(entry["conns"])
    return [entry["conn"]] if entry["kind"] == "ws_frame" else []


def _variant(entry: Entry) -> str:
    """What was unexpected about it: `unknown_event`'s variant, or another account's event."""
    return str(entry.get("variant")) if entry["kind"] == "event" else "foreign_account"


def _described(entry: Entry) -> str:
    return f"{entry['e']}, {entry.get('variant')}" if entry["kind"] == "event" else "another account's event"
