"""one-live-connection: after each reconnect, the client keeps one live connection per stream.

A reconnect replaces a connection; it must not add one. Clients that open the new socket and
forget the old one (its transport left open, its handler still attached) end up with two
live streams for one purpose: every event handled twice, twice the connection attempts
after the next drop, a socket count that doubles with each reconnect until the per-IP limit
refuses them all. Binance's own Python connector did it after the 24 h cut ("each reconnect
recreated both sockets", binance/binance-connector-python#505; duplicate connections on
reconnect, #528); python-binance kept stale references to a replaced socket
(sammchardy/python-binance PR#1655). The natural trigger is a dead-looking stream whose
socket stays open: a half-open connection (E2) or a stall, which only the client can end.

Reads the journal's user-data `ws_open` and `ws_close` entries. Connections belong to the
same logical stream when they open the same route with the same `events=` filters and
streams, whatever listenKey they name (a key switch is a reconnect of the same stream;
four sockets with four filters are four streams). Each open after a stream's first is a
reconnect; at its judged moment, `within` seconds after that handshake (the time the
client has to dispose of what it replaced: close the old socket, or let it finish its
close handshake), the stream's connections still open are counted. FAIL when more than
one is, naming the leftover (its id, when it opened, that it was still open then).
Default `within`: 10 s, the close timeout of common WebSocket libraries (websockets'
`close_timeout`): a client that closes the old socket has it gone within that, even when
the peer never answers its close frame.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from fake_server.journal_entries import WsOpenEntry
from harness.applicability import KEY_KILLERS, no_drop, too_late
from harness.behaviours import behaviour
from harness.record import RunRecord, brief
from harness.verdict import Verdict, failed, fmt_s, passed


@dataclass(frozen=True)
class Params:
    within: float = 10.0  # seconds after a reconnect's handshake by which what it replaced is closed


def stream_of(opened: WsOpenEntry) -> tuple[Any, ...]:
    """What makes connections one logical stream: the route, the `events=` filters and the
    streams it carries, not the listenKey (which changes with the key)."""
    keys = set(opened.get("listen_keys") or ()) | set(opened.get("key_states") or {})
    filters = sorted(str(f) for f in (opened.get("events") or {}).values())
    streams = tuple(s for s in opened.get("streams") or () if s not in keys)  # a key is a stream name too
    return (opened.get("route"), tuple(filters), streams)


def live_at(record: RunRecord, opens: list[WsOpenEntry], t: float) -> list[WsOpenEntry]:
    """Those of `opens` open at `t`: opened by then and not closed before it."""
    out = []
    for o in opens:
        close = record.close_of(o["conn"])
        if o["t"] <= t and (close is None or close["t"] > t):
            out.append(o)
    return out


@behaviour(
    "one-live-connection",
    asserts="after each reconnect, once `within` has passed, the client has exactly one live "
    "user-data connection per logical stream: what it replaced is closed, not left open",
    hint="close the old socket (and detach its handlers) when you replace it, even when it "
    "looks dead: keep one handle per stream and close it before (or right after) opening the "
    "next, never just drop the reference",
    reports=(
        "F2 reconnect-storm",
        "binance/binance-connector-python#505",
        "binance/binance-connector-python#528",
        "sammchardy/python-binance PR#1655",
    ),
    params=Params,
    evidence="journal: each user-data ws_open after the first of its logical stream (route, "
    "events= filters, streams) and the ws_open/ws_close of that stream's connections, counted "
    "`within` after it",
    problem="opens a new connection on every reconnect but leaves the old one open, so "
    "connections (and duplicate events) pile up",
    needs_stream=False,
)
def check(record: RunRecord, p: Params) -> Verdict:
    streams: dict[tuple[Any, ...], list[WsOpenEntry]] = defaultdict(list)
    for opened in record.user_opens():
        streams[stream_of(opened)].append(opened)
    reconnects = [(o, opens) for opens in streams.values() for o in opens[1:]]
    if not reconnects:
        return no_drop(
            record,
            "the client never reconnected a user-data stream",
            also=KEY_KILLERS | {"stray_listen_key_expired"},
        )
    judged: list[tuple[WsOpenEntry, float, list[WsOpenEntry]]] = []
    for opened, opens in sorted(reconnects, key=lambda r: r[0]["t"]):
        moment = float(opened["t"]) + p.within
        if moment > record.ended_at:
            continue  # the run ended before this reconnect settled
        live = live_at(record, opens, moment)
        if len(live) > 1:
            newest = max(live, key=lambda o: o["t"])
            left = [o for o in live if o is not newest]
            first = left[0]
            return failed(
                f"connection {first['conn']} (opened at {fmt_s(first['t'])}) was still open at "
                f"{fmt_s(moment)}, {fmt_s(p.within)} after its replacement, connection "
                f"{opened['conn']}, opened at {fmt_s(opened['t'])}: {len(live)} live connections "
                f"on {opened.get('route')}" + (f" ({len(left)} left over)" if len(left) > 1 else ""),
                [brief(first), brief(opened)] + [brief(o) for o in left[1:3]],
                leftover=[o["conn"] for o in left],
                live=len(live),
                at=round(moment, 3),
            )
        judged.append((opened, moment, live))
    if not judged:
        first_open, _ = min(reconnects, key=lambda r: r[0]["t"])
        return too_late(record, "the client reconnected", float(first_open["t"]), p.within, [first_open])
    counts = [len(live) for _, _, live in judged]
    moments = ", ".join(
        f"{len(live)} at {fmt_s(moment)} (connection {opened['conn']})" for opened, moment, live in judged[:4]
    )
    more = f", and {len(judged) - 4} more" if len(judged) > 4 else ""
    evidence: list[dict[str, Any]] = []
    for opened, _, _ in judged[:3]:
        before = [o for o in streams[stream_of(opened)] if o["t"] < opened["t"]]
        closed = record.close_of(before[-1]["conn"]) if before else None
        evidence += [brief(opened)] + ([brief(closed)] if closed else [])
    return passed(
        f"after {len(judged)} reconnect(s), at most one live connection per stream {fmt_s(p.within)} "
        f"after each: {moments}{more}",
        evidence,
        counts=counts,
        moments=[round(moment, 3) for _, moment, _ in judged],
    )
