"""Whether a client's clock really ran at the scenario's time factor.

libfaketime reaches a process only through the dynamic linker, and only the clocks read
through libc: a statically linked or setuid program, one started with LD_PRELOAD cleared,
and Go (which reads the time through the vDSO) keep real time. Such a client, judged on
Binance-time deadlines, would FAIL for being F times slow, which says nothing about its
code. So a run at a time factor looks for evidence that the client's clock did not run
fast, and when it finds some every verdict is an ERROR that says so, with the figures:

- its processes: libfaketime not mapped into one (/proc/PID/maps), or a Go program
  (an ELF section `.go.buildinfo` or `.note.go.buildid`), read once the client made
  contact and again as it is ended (journaled as `run` `clock` entries);
- its own clock, as its signed requests show it: the `timestamp` of its first and last
  signed REST call, against the Binance time between them (a clock at real speed advances
  1/F as far);
- its timers: keepalive PUTs, or pings on one connection, spaced F times the interval the
  contract told it (real-time spacing of a timer that follows the contract).

A client with none of these (no signed call, no timer of the contract's) whose process maps
libfaketime but bypasses it is not detected: docs/time-factor.md says so.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import statistics
import struct
from collections.abc import Iterable, Sequence

from fake_server.journal_entries import ProcessClock
from harness.guard import group_members
from harness.record import RunRecord
from harness.verdict import fmt_s

#: The words every such ERROR starts with.
NOT_ACCELERATED = "this client's clock is not accelerated"
#: How close (as a ratio either way) a measured spacing or clock rate must be to the
#: real-time hypothesis to count as evidence. Real time and the factor differ by F >= 2.
TOLERANCE = 1.4
#: The least Binance time a clock-rate reading must span, in wall seconds: shorter, the
#: start-up skew of the client's clock (harness/faketime.py) could dominate it.
MIN_SPAN_WALL = 0.5


def processes(pgid: int) -> list[ProcessClock]:
    """The client's processes (its guard's group, but the guard) and what runs their clock."""
    return [_process(pid) for pid in sorted(group_members(pgid, but=pgid))]


def _process(pid: int) -> ProcessClock:
    exe = ""
    with contextlib.suppress(OSError):
        exe = os.readlink(f"/proc/{pid}/exe")
    loaded: bool | None = None
    with contextlib.suppress(OSError), open(f"/proc/{pid}/maps", "rb") as maps:
        loaded = b"libfaketime" in maps.read()
    return ProcessClock(pid=pid, exe=exe, faketime=loaded, go=bool(exe) and is_go(exe))


def is_go(path: str) -> bool:
    """Whether the ELF file at `path` was built by Go (its section names say so)."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if len(head) < 64 or head[:4] != b"\x7fELF" or head[4] != 2:  # 64-bit ELF only
                return False
            order = "<" if head[5] == 1 else ">"
            (section_headers,) = struct.unpack_from(order + "Q", head, 0x28)
            entry_size, _count, names_index = struct.unpack_from(order + "HHH", head, 0x3A)
            f.seek(section_headers + names_index * entry_size)
            names_header = f.read(entry_size)
            offset, size = struct.unpack_from(order + "QQ", names_header, 0x18)
            if size > 1 << 20:
                return False
            f.seek(offset)
            names = f.read(size)
    except (OSError, struct.error):
        return False
    return b".go.buildinfo\0" in names or b".note.go.buildid\0" in names


def problem(record: RunRecord) -> str | None:
    """The evidence that the client's clock did not run at the run's factor, or None."""
    start = next(record.of("run", phase="start"), None)
    factor = int(start.get("time_factor", 1)) if start is not None else 1
    if factor <= 1:
        return None
    found = [
        *_by_process([p for e in record.of("run", phase="clock") for p in e.get("processes", [])], factor),
        *_by_signed_requests(record, factor, int(start.get("epoch0_ms", 0)) if start is not None else 0),
        *_by_spacing(record, factor),
    ]
    return f"{NOT_ACCELERATED}: " + "; ".join(found) if found else None


def _by_process(seen: Iterable[ProcessClock], factor: int) -> list[str]:
    unique = {p["pid"]: p for p in seen}.values()
    found = []
    plain = [p for p in unique if p["faketime"] is False]
    if plain:
        found.append(
            f"libfaketime is not loaded in {_names(plain)} (a statically linked or setuid program, or one "
            f"started with LD_PRELOAD cleared), so its timers ran at real speed while Binance time ran "
            f"{factor} times as fast"
        )
    go = [p for p in unique if p["go"]]
    if go:
        found.append(
            f"{_names(go)} is a Go program, which reads the time through the vDSO, past libfaketime: "
            "run it at time_factor 1"
        )
    return found


def _names(procs: Sequence[ProcessClock]) -> str:
    return ", ".join(f"pid {p['pid']} ({p['exe'] or 'program unknown'})" for p in procs)


def _by_signed_requests(record: RunRecord, factor: int, epoch0_ms: int) -> list[str]:
    signed = [
        (float(e["t"]), int(e["query"]["timestamp"]))
        for e in record.of("rest")
        if e.get("query", {}).get("timestamp", "").isdigit()
    ]
    if len(signed) < 2:
        return []
    (t0, ts0), (t1, ts1) = signed[0], signed[-1]
    span = t1 - t0
    if span < MIN_SPAN_WALL * factor:
        return []
    rate = (ts1 - ts0) / 1000 / span
    if not (1 / TOLERANCE <= rate * factor <= TOLERANCE):
        return []
    behind = (epoch0_ms + t1 * 1000 - ts1) / 1000
    return [
        f"the timestamps of its signed requests advanced {fmt_s((ts1 - ts0) / 1000)} while Binance time "
        f"advanced {fmt_s(span)} ({len(signed)} requests from {fmt_s(t0)} to {fmt_s(t1)}): its clock ran at "
        f"{rate:.3f} of Binance's speed, real time at x{factor}, and was {fmt_s(behind)} behind by the last"
    ]


def _by_spacing(record: RunRecord, factor: int) -> list[str]:
    timers = record.scenario.timers
    found = []
    puts = [float(e["t"]) for e in record.listen_key_calls() if e["method"] == "PUT"]
    if (gap := _real_time_spacing(puts, timers.effective_keepalive_interval, factor)) is not None:
        found.append(
            f"its keepalives came every {fmt_s(gap)} of Binance time, {factor} x the "
            f"{timers.effective_keepalive_interval:g} s it was told: real-time spacing"
        )
    pings = sorted(
        (e["conn"], float(e["t"]))
        for e in record.of("ws_frame")
        if e.get("dir") == "in" and e.get("op") == "ping"
    )
    for _conn, group in itertools.groupby(pings, key=lambda p: p[0]):
        times = [t for _, t in group]
        if (gap := _real_time_spacing(times, timers.client_ping_interval, factor)) is not None:
            found.append(
                f"its pings came every {fmt_s(gap)} of Binance time, {factor} x the "
                f"{timers.client_ping_interval:g} s it was told: real-time spacing"
            )
            break
    return found


def _real_time_spacing(times: Sequence[float], interval: float, factor: int) -> float | None:
    """The median gap of `times` when it is `factor` x `interval` (within TOLERANCE) over at
    least two gaps: a timer of the contract's period that kept real time. Else None."""
    gaps = [b - a for a, b in itertools.pairwise(times)]
    if len(gaps) < 2 or interval <= 0:
        return None
    median = statistics.median(gaps)
    return median if 1 / TOLERANCE <= median / (interval * factor) <= TOLERANCE else None
