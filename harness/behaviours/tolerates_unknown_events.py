"""tolerates-unknown-events: what a client does not know it ignores or delivers, and goes on.

Failure mode H2 (unknown-event-type): new event types (TRADE_LITE in 2024,
ACCOUNT_CONFIG_UPDATE, ...), new fields and new enum values broke strict deserialisers:
"data did not match any variant", "json: cannot unmarshal string into Go struct field ...
of type []WsPosition" when TRADE_LITE's `p` (a string) met the union struct built for
MARGIN_CALL's `p` (an array) (ccxt/go-binance#612), a UBWA stream crash
(oliver-zehentleitner/unicorn-fy#50), nautechsystems/nautilus_trader#1184. Binance adds
types and fields without warning (reference §0), so a client must skip what it does not
know and keep the connection.

Reads the events the `unknown_event` fault sent (`event` entries with `fault:
unknown_event` and their `variant`), how those connections ended and the client's events
file. FAIL when the client ended a connection that got them (a close of its own, or a
crash), or when an account event of a known type (those with unknown fields included) sent
on a live connection from the first unknown one on never reached the handler. There is no
deadline, only `in_flight` (0.5 s, as in no-event-lost) for events sent just before the end.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    unknown = [e for e in record.of("event") if e.get("fault") == "unknown_event" and e["conns"]]
    if not unknown:
        return not_arisen(record, "no unexpected event was sent to a connection", ("unknown_event",))
    first = unknown[0]["t"]
    conns = sorted({c for e in unknown for c in e["conns"]})
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
    what = f"the first unexpected event ({unknown[0]['e']}, {unknown[0].get('variant')})"
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
    variants = sorted({str(e.get("variant")) for e in unknown})
    return passed(
        f"kept connection {', '.join(map(str, conns))} through {len(unknown)} unexpected events "
        f"({', '.join(variants)}) and reported all {len(after)} known events from then on",
        [brief(e) for e in unknown[:3]] + [brief(after[0])],
        unexpected=len(unknown),
        known_after=len(after),
    )
