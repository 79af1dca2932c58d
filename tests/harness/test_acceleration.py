"""The evidence that a client's clock did not run at the scenario's factor, on hand-built
journals (harness/acceleration.py): each witness says so with its figures, and a client
that kept Binance time gives none."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from fake_server.exchange.settings import Timers
from fake_server.journal_entries import Entry, ProcessClock, RunEntry
from harness.acceleration import NOT_ACCELERATED, is_go, problem
from harness.record import RunRecord
from harness.scenario import Scenario
from tests.behaviours.journal import LISTEN_KEY, frame, rest

FACTOR = 60
EPOCH0 = 1_700_000_000_000


def record(*entries: Entry, factor: int = FACTOR, timers: Timers | None = None) -> RunRecord:
    scenario = Scenario(
        name="t",
        family="t",
        description="",
        source=("t",),
        duration=3600.0,
        expect=(),
        timers=timers or Timers(),
        time_factor=factor,
    )
    start = RunEntry(t=0.0, kind="run", phase="start", time_factor=factor, epoch0_ms=EPOCH0)
    return RunRecord(scenario, [start, *sorted(entries, key=lambda e: e["t"])], ended_at=3600.0)


def clock(*processes: ProcessClock) -> RunEntry:
    return RunEntry(t=1.0, kind="run", phase="clock", processes=list(processes))


def process(pid: int, *, faketime: bool | None = True, go: bool = False) -> ProcessClock:
    return ProcessClock(pid=pid, exe=f"/usr/bin/client-{pid}", faketime=faketime, go=go)


def signed(t: float, timestamp: float) -> Entry:
    return rest(t, "/fapi/v2/account", query={"timestamp": str(int(timestamp))})


def test_a_client_whose_processes_all_carry_libfaketime_gives_no_evidence() -> None:
    assert problem(record(clock(process(10), process(11)))) is None


def test_a_process_without_libfaketime_is_named() -> None:
    found = problem(record(clock(process(10), process(11, faketime=False))))
    assert found is not None and found.startswith(f"{NOT_ACCELERATED}: libfaketime is not loaded in pid 11")
    assert "/usr/bin/client-11" in found and "Binance time ran 60 times as fast" in found


def test_a_process_that_ended_before_it_was_read_is_no_evidence() -> None:
    assert problem(record(clock(process(10, faketime=None)))) is None


def test_a_go_program_is_named() -> None:
    found = problem(record(clock(process(10, go=True))))
    assert found is not None and "pid 10 (/usr/bin/client-10) is a Go program" in found


def test_signed_requests_stamped_at_real_speed_are_evidence() -> None:
    # Ten minutes of Binance time between two signed calls; the client's clock moved 10 s.
    found = problem(record(signed(60.0, EPOCH0 + 59_000), signed(660.0, EPOCH0 + 69_000)))
    assert found is not None
    assert "its signed requests advanced 10.0 s while Binance time advanced 600.0 s" in found
    assert "its clock ran at 0.017 of Binance's speed" in found


def test_signed_requests_stamped_in_binance_time_are_no_evidence() -> None:
    assert problem(record(signed(60.0, EPOCH0 + 59_000), signed(660.0, EPOCH0 + 659_500))) is None


def test_signed_requests_too_close_together_are_not_read() -> None:
    """Under half a second of wall time apart, the client's start-up skew could dominate."""
    assert problem(record(signed(60.0, EPOCH0 + 59_000), signed(80.0, EPOCH0 + 59_400))) is None


def keepalives(*times: float) -> list[Entry]:
    return [rest(t, LISTEN_KEY, method="PUT", body='{"listenKey":"k"}') for t in times]


def test_keepalives_at_real_time_spacing_of_the_contract_interval_are_evidence() -> None:
    # Told 60 s, at x60: every 3600 s of Binance time is every 60 s of the wall's.
    found = problem(record(*keepalives(100, 3700, 7300), timers=Timers(keepalive_interval=60.0)))
    assert found is not None
    assert "its keepalives came every 3600.0 s of Binance time, 60 x the 60 s it was told" in found


def test_keepalives_at_the_contract_interval_are_no_evidence() -> None:
    assert problem(record(*keepalives(100, 160, 220), timers=Timers(keepalive_interval=60.0))) is None


def test_client_pings_at_real_time_spacing_are_evidence() -> None:
    pings = [frame(t, 1, "in", "ping") for t in (10.0, 1210.0, 2410.0)]
    found = problem(record(*pings, timers=Timers(client_ping_interval=20.0)))
    assert found is not None and "its pings came every" in found and "60 x the 20 s it was told" in found


def test_at_real_time_nothing_is_looked_for() -> None:
    assert problem(record(clock(process(10, faketime=False)), factor=1)) is None


def elf(path: Path, section_names: list[bytes]) -> Path:
    """A 64-bit little-endian ELF header whose section-name table holds `section_names`."""
    names = b"\0" + b"\0".join(section_names) + b"\0"
    header_at = 64 + len(names)
    head = bytearray(64)
    head[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<Q", head, 0x28, header_at)
    struct.pack_into("<HHH", head, 0x3A, 64, 1, 0)
    section = bytearray(64)
    struct.pack_into("<QQ", section, 0x18, 64, len(names))
    path.write_bytes(bytes(head) + names + bytes(section))
    return path


def test_a_go_binary_is_told_by_its_section_names(tmp_path: Path) -> None:
    assert is_go(str(elf(tmp_path / "go", [b".text", b".go.buildinfo"])))
    assert not is_go(str(elf(tmp_path / "c", [b".text", b".data"])))
    assert not is_go(str(tmp_path / "missing"))
    (tmp_path / "script").write_text("#!/bin/sh\n")
    assert not is_go(str(tmp_path / "script"))


def _unused(*_: Any) -> None: ...
