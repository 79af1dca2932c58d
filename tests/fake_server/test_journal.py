"""The journal file: what a run leaves behind, read back to build reports."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fake_server.clock import Clock
from fake_server.journal import FLUSH_AFTER, Journal
from fake_server.journal_entries import RestEntry, WsCloseEntry


def test_journal_file_reads_back_as_written(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(Clock(), path)
    journal.append(
        RestEntry(kind="rest", method="POST", path="/fapi/v1/listenKey", status=200, body="{}", fault=False)
    )
    journal.append(
        WsCloseEntry(kind="ws_close", conn=1, code=1006, reason="", initiator="server", how="abort_fin")
    )
    journal.close()
    assert Journal.read(path) == journal.entries


def test_a_killed_run_leaves_its_entries_up_to_the_last_flush_readable(tmp_path: Path) -> None:
    """No flush per entry, but nothing older than FLUSH_AFTER stays only in memory, and a torn
    last line (the process killed mid-write) does not hide the lines before it."""
    path = tmp_path / "journal.jsonl"
    journal = Journal(Clock(), path)
    first = journal.append(
        WsCloseEntry(kind="ws_close", conn=1, code=1006, reason="", initiator="server", how="abort_fin")
    )
    journal.flush()
    with path.open("ab") as f:
        f.write(b'{"t": 1.0, "kind": "ws_cl')
    assert Journal.read(path) == [first]


async def test_entries_reach_the_file_without_close(tmp_path: Path) -> None:
    """A run killed outright (no close) has each entry on disk within FLUSH_AFTER of it: the
    loop writes what was kept back, with no further append or close to trigger it."""
    path = tmp_path / "journal.jsonl"
    journal = Journal(Clock(), path)
    flushed = asyncio.Event()
    write = journal.flush

    def flush() -> None:
        write()
        flushed.set()

    journal.flush = flush  # type: ignore[method-assign]
    entry = journal.append(
        WsCloseEntry(kind="ws_close", conn=1, code=1006, reason="", initiator="server", how="abort_fin")
    )
    assert Journal.read(path) == []  # kept back: no write per entry
    await asyncio.wait_for(flushed.wait(), 10 * FLUSH_AFTER + 5)
    assert Journal.read(path) == [entry]
