"""no-spurious-disconnect: the client never closes a healthy user-data connection itself.

Failure mode D2 (client liveness too strict): a user stream is quiet for as long as the
account does nothing, minutes to hours, and Binance pings only every 3 min (futures). A
client that judges liveness by the absence of data (a 60 s receive watchdog, a read
deadline shorter than the server's ping interval, a client pong timeout shorter than a
loaded server's answer) tears down healthy connections over and over, and loses the events
of every gap. Liveness must come from protocol evidence: its own pings answered, the
server's pings arriving.

Judged on every user-data connection that ended before the run's end with `initiator:
client` in its ws_close. Closes the client had a reason for are not judged: a connection a
fault ended or broke (a fault with `ends_connection`: half_open, close, abort_tcp,
server_shutdown, ...) and one whose listenKey expired or was deleted while it was open (the
client must switch keys). Default: zero spurious closes, whatever the quiet period
(failure-modes.md §6: "0 over a quiet period just short of scaled LIFE"); `min_silence`
lets a scenario that is about quiet streams require that the run really had one. Where the
client's own listenKey lapsed (its TTL ran out unrefreshed) the fake's `listenKeyExpired`
breaks the quiet: that run tested no quiet stream through the client's doing, so it is
NOT-APPLICABLE and names the lapse, not an ERROR of the scenario.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from fake_server.journal_entries import WsCloseEntry, WsOpenEntry
from harness.applicability import open_at, too_late
from harness.behaviours import behaviour
from harness.record import RunRecord, brief
from harness.verdict import Verdict, error, failed, fmt_s, not_applicable, passed


@dataclass(frozen=True)
class Params:
    #: Seconds a user-data connection must have stayed open with no data on it, or the run
    #: tested no quiet stream (ERROR: a scenario problem). 0: no requirement.
    min_silence: float = 0.0


def _data_times(record: RunRecord, conn: int) -> list[float]:
    """When anything but a heartbeat was written to `conn`: events, market pushes, replies."""
    times = [float(e["t"]) for e in record.of("event", "market") if conn in e.get("conns", ())]
    times += [
        float(e["t"])
        for e in record.of("ws_frame")
        if e["conn"] == conn and e["dir"] == "out" and e["op"] == "text"
    ]
    return sorted(times)


def _silences(record: RunRecord, opened: WsOpenEntry, close: WsCloseEntry | None) -> tuple[float, float]:
    """(longest silence, silence just before the end) of one connection, in seconds."""
    end = float(close["t"]) if close is not None else record.ended_at
    marks = [float(opened["t"]), *(t for t in _data_times(record, opened["conn"]) if t <= end), end]
    gaps = [b - a for a, b in itertools.pairwise(marks)]
    return max(gaps, default=0.0), gaps[-1] if gaps else 0.0


def _excused(record: RunRecord, opened: WsOpenEntry, close: WsCloseEntry) -> bool:
    """Whether the client had a reason to close: a fault broke it, or its key died."""
    conn = opened["conn"]
    if any(
        h.get("ends_connection") and conn in h["conns"] and h["t"] <= close["t"] for h in record.fault_hits()
    ):
        return True
    return any(
        e["action"] in ("expired", "deleted") and opened["t"] <= e["t"] <= close["t"]
        for e in record.of("listen_key")
    )


@behaviour(
    "no-spurious-disconnect",
    asserts="the client never closes a healthy user-data connection itself, however long it "
    "stays quiet (closes after a fault broke it, or after its listenKey died, excepted)",
    hint="judge liveness by your own pings and their pongs (generous timeout) and by the "
    "server's pings, never by how long no data came: a quiet user stream is normal (D2)",
    reports=(
        "D2 client-liveness-too-strict",
        "Binance-docs/Binance_Futures_python#63",
        "sieblyio/binance#287",
        "ccxt/go-binance PR#693",
    ),
    params=Params,
    evidence="journal: ws_close entries with initiator client before the run's end, the data "
    "written to each connection (event, market, text ws_frame) for its silences, and the "
    "faults and listen_key expiries that excuse a close",
    problem="closes quiet but healthy connections itself (a data watchdog or a too short "
    "timeout), reconnecting again and again and losing the events of each gap",
    needs_stream=True,
)
def check(record: RunRecord, p: Params) -> Verdict:
    opens = record.user_opens()
    spurious: list[tuple[WsOpenEntry, WsCloseEntry, float]] = []
    longest, connected = 0.0, 0.0
    for opened in opens:
        close = record.close_of(opened["conn"])
        silence, before_end = _silences(record, opened, close)
        longest = max(longest, silence)
        connected += (close["t"] if close is not None else record.ended_at) - opened["t"]
        if close is not None and close["initiator"] == "client" and not _excused(record, opened, close):
            spurious.append((opened, close, before_end))
    if spurious:
        opened, close, quiet = spurious[0]
        reason = f" '{close['reason']}'" if close.get("reason") else ""
        return failed(
            f"the client closed {len(spurious)} healthy user-data connection(s) itself; the first "
            f"(connection {close['conn']}) after {fmt_s(close['t'] - opened['t'])}, {fmt_s(quiet)} "
            f"without data, with code {close['code']}{reason} ({close['how']})",
            [brief(close) for _, close, _ in spurious[:3]],
            spurious_closes=len(spurious),
            silence_before_close=round(quiet, 3),
        )
    if longest < p.min_silence:
        if opens and record.ended_at - float(opens[0]["t"]) < p.min_silence:
            return too_late(
                record,
                "the first user-data connection opened",
                float(opens[0]["t"]),
                p.min_silence,
                opens[:1],
            )
        lapses = [e for e in record.lapses() if open_at(record, float(e["t"]))]
        if lapses:
            return not_applicable(
                f"no user-data connection stayed quiet for {fmt_s(p.min_silence)} (longest silence "
                f"{fmt_s(longest)}): the client let its listenKey lapse {fmt_s(float(lapses[0]['t']))} "
                "into the run, unrefreshed for its TTL, and the listenKeyExpired that followed broke "
                "the quiet (keeps-listenkey-alive judges the lapse)",
                lapses[:1],
            )
        return error(
            f"no user-data connection stayed quiet for {fmt_s(p.min_silence)} (longest silence "
            f"{fmt_s(longest)}): the scenario did not test a quiet stream"
        )
    return passed(
        f"the client closed none of its {len(opens)} user-data connection(s) itself over "
        f"{fmt_s(connected)} connected; longest silence {fmt_s(longest)}",
        [brief(opens[0])],
        connections=len(opens),
        longest_silence=round(longest, 3),
    )
