"""The journal file: what a run leaves behind, read back to build reports."""

from __future__ import annotations

from pathlib import Path

from fake_server.clock import Clock
from fake_server.journal import Journal
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
