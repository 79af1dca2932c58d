"""survives-bad-frame: a frame that is not JSON is skipped; the connection and the stream go on.

Failure mode H1 (non-json-ws-frame): "Expecting value: line 1 column 1 (char 0)" on the
Binance and Binance US user streams, each one restarting hummingbot's listener after 5 s
(hummingbot/hummingbot#4627, labelled P1). An empty text frame, an error page or a binary
frame on a healthy stream says nothing about the stream: tearing it down costs a reconnect
and loses the events sent meanwhile.

Reads the frames the `send_raw` fault wrote (`ws_frame` entries with `fault: send_raw`),
the connections' ends and opens, and the client's events file. FAIL when, after a bad
frame, the client ended that connection (a close it initiated, or a crash) or opened a new
user-data connection while it was still up, or when the first account event sent on it
after the frame never reached the handler. There is no deadline: the connection must last
to the end of the run; `in_flight` (0.5 s, as in no-event-lost) spares an event sent just
before the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fake_server.journal_entries import WsCloseEntry, WsFrameEntry
from harness.applicability import no_event_after, no_events_file, not_arisen, went_deaf
from harness.behaviours import behaviour
from harness.record import ACCOUNT_EVENTS, RunRecord, brief
from harness.verdict import Verdict, failed, fmt_s, passed


@dataclass(frozen=True)
class Params:
    #: The next event sent this close (seconds) to the run's end is not required yet.
    in_flight: float = 0.5


def ended_by_client(record: RunRecord, conn: int) -> WsCloseEntry | None:
    """The close of `conn` if the client ended it (a close frame, EOF or reset) during the run."""
    close = record.close_of(conn)
    return close if close is not None and close["initiator"] == "client" else None


def how_ended(close: WsCloseEntry) -> str:
    """How the client ended a connection, in words: "it sent close 1000", "its socket reset"."""
    if close["how"] == "close_frame":
        return f"it sent close {close['code']}"
    return f"its socket ended ({close['how']})"


@behaviour(
    "survives-bad-frame",
    asserts="after an empty, non-JSON or binary frame, the client keeps the same connection (no "
    "close of its own, no reconnect) and delivers the next valid event",
    hint="catch the parse error of a single frame, log it and keep reading; never restart the "
    "listener or the socket for it (failure mode H1)",
    reports=("H1 non-json-ws-frame", "hummingbot/hummingbot#4627"),
    params=Params,
    evidence="journal: the bad frames written (`ws_frame` with `fault: send_raw`), how that "
    "connection ended, later user-data opens, the next event on it; the client's events file",
    problem="drops or restarts a healthy stream when one frame is not JSON",
    needs_stream=True,
)
def check(record: RunRecord, p: Params) -> Verdict:
    bad = [e for e in record.of("ws_frame") if e.get("fault") == "send_raw" and e["t"] < record.ended_at]
    if not bad:
        return not_arisen(record, "no bad frame was written to a connection", ("send_raw",))
    for frame in bad:
        kept = _kept(record, frame)
        if kept is not None:
            return kept
    if not record.client_events:
        return no_events_file(record, _reader_note(record, bad[0]))
    got = record.reported()
    evidence: list[Mapping[str, Any]] = []
    for frame in bad:
        conn, t, what = frame["conn"], frame["t"], f"bad frame ({frame.get('frame', frame['op'])})"
        after = f"a {what} on connection {conn} at {fmt_s(float(t))}"
        deaf = went_deaf(record, float(t), after, frame, p.in_flight, bad_frames=len(bad))
        if deaf is not None:
            return deaf
        nxt = next(
            (
                e
                for e in record.of("event")
                if e["t"] >= t
                and conn in e["conns"]
                and e["e"] in ACCOUNT_EVENTS
                and record.handles(e["e"])
                and not e.get("copy")
            ),
            None,
        )
        if nxt is None or record.in_flight(nxt, p.in_flight):
            continue
        if (nxt["e"], nxt["E"]) not in got:
            return failed(
                f"the first event after the {what} on connection {conn} ({nxt['e']} E={nxt['E']}) "
                "never reached the handler",
                [brief(frame), brief(nxt)],
            )
        evidence += [brief(frame), brief(nxt)]
    if not evidence:
        return no_event_after(record, "its bad frame", bad)
    kinds = sorted({str(f.get("frame", f["op"])) for f in bad})
    conns = sorted({f["conn"] for f in bad})
    return passed(
        f"kept connection {', '.join(map(str, conns))} through {len(bad)} bad frame(s) "
        f"({', '.join(kinds)}) and delivered the next event after each",
        evidence,
        bad_frames=len(bad),
    )


def _kept(record: RunRecord, frame: WsFrameEntry) -> Verdict | None:
    """A FAIL when the client ended the frame's connection, or replaced it while it was up."""
    conn, t, what = frame["conn"], frame["t"], f"bad frame ({frame.get('frame', frame['op'])})"
    close = ended_by_client(record, conn)
    if close is not None:
        return failed(
            f"the client ended connection {conn} {fmt_s(close['t'] - t)} after a {what}: {how_ended(close)}",
            [brief(frame), brief(close), *map(brief, record.opens_after(t)[:1])],
        )
    server_close = record.close_of(conn)
    reopen = [o for o in record.opens_after(t) if server_close is None or o["t"] < server_close["t"]]
    if reopen:
        return failed(
            f"the client opened connection {reopen[0]['conn']} {fmt_s(reopen[0]['t'] - t)} after a "
            f"{what} on connection {conn}, which was still up",
            [brief(frame), brief(reopen[0])],
        )
    return None


def _reader_note(record: RunRecord, frame: WsFrameEntry) -> str:
    """For a client with no events file: whether the bad frame came before any event, so that
    a reader dying on it would look the same (the socket alone proves nothing)."""
    first = next(
        (e for e in record.of("event") if frame["conn"] in e["conns"] and e["e"] in ACCOUNT_EVENTS), None
    )
    if first is not None and first["t"] < frame["t"]:
        return ""
    return (
        f"; the first bad frame came at {fmt_s(float(frame['t']))}, before any event on its connection, "
        "so a reader that died on it would look the same: whether it survived is not judged"
    )
