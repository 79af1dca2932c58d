"""RunRecord: everything a check may read about one run, with the lookups checks share.

Checks never talk to the fake or the client; they read this record (built from the journal,
the client's events file and its output), so a run can be judged again from its files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fake_server.exchange.profiles import PROFILES
from fake_server.journal_entries import (
    ClientOutputEntry,
    Entry,
    EventEntry,
    FaultEntry,
    ListenKeyEntry,
    Lookup,
    RestEntry,
    WsCloseEntry,
    WsFrameEntry,
    WsOpenEntry,
    WsRejectEntry,
)
from harness.scenario import Scenario
from harness.verdict import fmt_s

#: REST routes whose answer is a state snapshot a client can resync from, in any product.
SNAPSHOT_PATHS = frozenset().union(*(p.snapshot_paths for p in PROFILES.values()))
#: Account events the fake produces: futures, then spot (the WebSocket API subscription's).
ACCOUNT_EVENTS = frozenset(
    {"ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE", "TRADE_LITE", "executionReport", "outboundAccountPosition"}
)


@dataclass
class RunRecord(Lookup):
    scenario: Scenario
    journal: list[Entry]
    #: Events the client reported (its events file), in the order it wrote them.
    client_events: list[dict[str, Any]] = field(default_factory=list)
    #: Lines of the events file that were not JSON objects (reported as evidence).
    bad_event_lines: list[str] = field(default_factory=list)
    #: When the harness began ending the run: what happens later (the client being killed,
    #: its sockets closing) is not the client's doing and is not judged.
    ended_at: float = 0.0

    def entries_in_order(self) -> list[Entry]:
        return self.journal

    # Connections -------------------------------------------------------------------------

    def user_opens(self) -> list[WsOpenEntry]:
        """Handshakes of user-data connections (the private routes)."""
        return [e for e in self.of("ws_open") if e.get("user")]

    def user_conns(self) -> set[int]:
        """Ids of the user-data connections: what the fake writes to them is the client's to read."""
        return {e["conn"] for e in self.user_opens()}

    def close_of(self, conn: int) -> WsCloseEntry | None:
        """How connection `conn` ended, if it ended before the harness ended the run."""
        return next((e for e in self.of("ws_close") if e["conn"] == conn and e["t"] < self.ended_at), None)

    def opens_after(self, t: float) -> list[WsOpenEntry]:
        """User-data handshakes after `t`: the client's reconnects, or replacements, since then."""
        return [e for e in self.user_opens() if e["t"] > t]

    def attempts(self) -> list[WsOpenEntry | WsRejectEntry]:
        """Every WebSocket handshake the client attempted, accepted or rejected."""
        out: list[WsOpenEntry | WsRejectEntry] = []
        for e in self.journal:
            if e["kind"] == "ws_reject" or (e["kind"] == "ws_open" and e["user"]):
                out.append(e)
        return out

    def fault_hits(self, *names: str) -> list[FaultEntry]:
        """Faults fired (of these names, or all), in order."""
        return [e for e in self.of("fault") if not names or e["name"] in names]

    # REST ----------------------------------------------------------------------------------

    def snapshots(self) -> list[RestEntry]:
        return [e for e in self.of("rest") if e["path"] in SNAPSHOT_PATHS and e["status"] == 200]

    def listen_key_calls(self) -> list[RestEntry]:
        """REST calls to the listenKey route (POST, PUT, DELETE), in order, whatever the product's
        prefix: the client's side of its key's life, which the listenKey checks read call by call."""
        return [e for e in self.of("rest") if str(e["path"]).endswith("/listenKey")]

    def lapses(self) -> list[ListenKeyEntry]:
        """Keys that died of their TTL, unrefreshed: the client's doing, unlike a key a fault
        killed (`why: fault`)."""
        return [e for e in self.of("listen_key") if e["action"] == "expired" and e.get("why") == "ttl"]

    # Events ----------------------------------------------------------------------------------

    def in_flight(self, entry: Entry, margin: float) -> bool:
        """Whether `entry` was written less than `margin` seconds before the run ended.

        An event sent that late may still be on its way to (or in) the client's handler when
        the harness ends the run, so a check does not hold its absence against the client.
        """
        return self.ended_at - float(entry["t"]) < margin

    def owed_events(self, margin: float) -> list[EventEntry]:
        """Account events the client's handler is owed, in order: written to a live
        connection, not the second copy of an event sent twice (the event is owed once),
        and not written less than `margin` seconds before the run ended or before every
        connection it went to was aborted (TCP FIN or RST with no close frame: the kernel
        may drop what was in flight)."""
        aborts = {
            e["conn"]: e["t"] for e in self.of("ws_close") if e.get("how") in ("abort_rst", "abort_fin")
        }
        return [
            e
            for e in self.of("event")
            if e["e"] in ACCOUNT_EVENTS
            and e["conns"]
            and not e.get("copy")
            and not self.in_flight(e, margin)
            and not all(c in aborts and aborts[c] - e["t"] < margin for c in e["conns"])
        ]

    # Client side ---------------------------------------------------------------------------

    def output(self) -> list[ClientOutputEntry]:
        return list(self.of("client_output"))

    def reported(self) -> set[tuple[str, Any]]:
        """The (e, E) of every event the client reported: how a sent event is matched to the
        client's events file, whatever else the client wrote about it."""
        return {(str(ev.get("e")), ev.get("E")) for ev in self.client_events}

    def handles(self, event_type: str) -> bool:
        """Whether the client's handler takes events of this type: it reported at least one
        (or it reports none at all, and the checks of its events file do not apply).

        The checks of a reader's health (a bad frame, an unknown event) ask whether the
        events it handles kept coming; a type it never takes (ccxt has no TRADE_LITE
        handler) says nothing about that. Losing a whole type is no-event-lost's to judge.
        """
        return not self.client_events or any(str(ev.get("e")) == event_type for ev in self.client_events)

    def user_streams(self) -> list[WsOpenEntry]:
        """User-data handshakes whose connection came to carry the user's events (see
        `ready_at`): a socket on a user route that never subscribed is not one."""
        return [o for o in self.user_opens() if ready_at(self, o) is not None]

    def never_connected(self) -> bool:
        """Whether the client never had a user-data stream: no user-data connection of its
        ever carried its events (harness/applicability.py gives the one verdict for it)."""
        return not self.user_streams() and not any(e["conns"] for e in self.of("event"))


def frame_json(entry: WsFrameEntry) -> Any:
    """The JSON of a journaled text frame (a request or an answer), or None."""
    try:
        return json.loads(entry.get("data") or "")
    except ValueError:
        return None


def subscriptions(record: RunRecord) -> list[WsFrameEntry]:
    """WebSocket API answers that started a user-data subscription (status 200 with a
    `subscriptionId`), in order."""
    out = []
    for e in record.of("ws_frame"):
        if e.get("dir") != "out" or e.get("op") != "text" or e.get("status") != 200:
            continue
        answer = frame_json(e)
        result = answer.get("result") if isinstance(answer, dict) else None
        if isinstance(result, dict) and "subscriptionId" in result:
            out.append(e)
    return out


def ready_at(record: RunRecord, opened: WsOpenEntry) -> float | None:
    """When a user-data connection began carrying the user's events (None: never).

    At its handshake when the URL names a listenKey; on the WebSocket API at its first
    subscription; on a user route opened without a key (`/private/stream`, joined by a
    SUBSCRIBE of the key, as some SDKs do) at the first SUBSCRIBE the fake accepted.
    """
    if opened.get("route_kind") == "wsapi":
        sub = next((s for s in subscriptions(record) if s["conn"] == opened["conn"]), None)
        return None if sub is None else float(sub["t"])
    if opened.get("listen_keys", True):  # journals without the field name their key in the URL
        return float(opened["t"])
    joined = next(
        (
            e
            for e in record.of("ws_frame")
            if e["conn"] == opened["conn"]
            and e.get("dir") == "out"
            and e.get("method") == "SUBSCRIBE"
            and e.get("error") is None
        ),
        None,
    )
    return None if joined is None else float(joined["t"])


def brief(entry: Mapping[str, Any]) -> dict[str, Any]:
    """An entry trimmed for evidence: long bodies and lines cut."""
    out = {}
    for k, v in entry.items():
        out[k] = v[:300] + "…" if isinstance(v, str) and len(v) > 300 else v
    return out


@dataclass
class Drop:
    """A user-data connection the server ended or broke, and how it ended."""

    conn: int
    cause: str  # the fault's name, or how the server closed it (pong_timeout, ...)
    hit: FaultEntry | WsCloseEntry  # the fault entry, or the close itself
    close: WsCloseEntry | None  # None: the connection never ended


def connection_drops(record: RunRecord) -> list[Drop]:
    """Connections hit by a connection-ending fault, or closed by the server on its own."""
    user = record.user_conns()
    drops: dict[int, Drop] = {}
    for hit in record.fault_hits():
        if not hit.get("ends_connection"):
            continue
        # A fault that stopped acting (its `lasting` over) on a connection still open at the
        # end never ended it: a byte limit the client never reached in time, a timeout that
        # passed. There was nothing to recover from.
        ended = fault_end(hit, [])
        for conn in hit["conns"]:
            close = record.close_of(conn)
            if close is None and ended is not None and ended < record.ended_at:
                continue
            if conn in user and conn not in drops:
                drops[conn] = Drop(conn, hit["name"], hit, close)
    for close in record.of("ws_close"):
        if close["t"] >= record.ended_at:
            continue
        if close["conn"] in user and close["initiator"] == "server" and close["conn"] not in drops:
            drops[close["conn"]] = Drop(close["conn"], close["how"], close, close)
    return sorted(drops.values(), key=lambda d: d.hit["t"])


def fault_end(hit: FaultEntry, answers: Sequence[Entry]) -> float | None:
    """When a fault stopped acting: its start plus `lasting`, or its `times`-th answer among
    `answers` (the refusals it may have made, in time order).

    None when it has neither (it acts until the run ends) or has not given all its answers.
    """
    params = hit.get("params") or {}
    if params.get("lasting") is not None:
        return float(hit["t"]) + float(params["lasting"])
    if params.get("times") is not None:
        mine = [a for a in answers if a["t"] >= hit["t"]]
        times = int(params["times"])
        return float(mine[times - 1]["t"]) if len(mine) >= times else None
    return None


@dataclass(frozen=True)
class Deafness:
    """A client that stopped reporting events from some moment on, while the fake kept
    writing them to its live connections: its reader died, or its handler, and the socket
    may well look healthy."""

    since: float
    #: Events owed to the handler from `since` on; the client reported none of them.
    missed: list[EventEntry]
    #: Connections those events went to that were still open when the run ended.
    still_open: list[int]

    def summary(self, after: str) -> str:
        """'went deaf after <after>: ...', with how many events it missed and the open socket."""
        conns = ", ".join(map(str, self.still_open))
        kept = f"; connection {conns} stayed open" if self.still_open else ""
        return (
            f"the client went deaf after {after}: none of the {len(self.missed)} events written "
            f"to its live connections from {fmt_s(self.since)} on was reported{kept}"
        )


def deaf_after(record: RunRecord, t: float, margin: float = 0.5) -> Deafness | None:
    """Whether the client reports events but none of those owed to it from `t` on.

    None when it reports no events at all (it writes no events file: a NOT-APPLICABLE, not
    deafness), when it reported any of what was owed from `t` on, or when that was a single
    event (one event missed is a lost event: it does not show the reader stopped).
    """
    if not record.client_events:
        return None
    got = record.reported()
    missed = [e for e in record.owed_events(margin) if e["t"] >= t and record.handles(e["e"])]
    if len(missed) < 2 or any((e["e"], e["E"]) in got for e in missed):
        return None
    conns = sorted({c for e in missed for c in e["conns"]})
    return Deafness(t, missed, [c for c in conns if record.close_of(c) is None])


def exit_time(record: RunRecord) -> float | None:
    """When the client process ended on its own, if it did (not when the harness ended it)."""
    exit_entry = next(record.of("client_exit"), None)
    if exit_entry is None or exit_entry["t"] >= record.ended_at:
        return None
    return float(exit_entry["t"])


def settled(record: RunRecord, deadline: float) -> bool:
    """Whether the client's chance to act before `deadline` is over.

    It is when the run lasted past the deadline, or when the client exited before it: an
    absent reaction then is a FAIL; otherwise the run was too short to tell.
    """
    ended = exit_time(record)
    return deadline <= record.ended_at or (ended is not None and ended <= deadline)
