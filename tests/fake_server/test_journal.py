"""The journal file: what a run leaves behind, read back to build reports."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from fake_server import journal as journal_module
from fake_server import journal_window
from fake_server.clock import Clock
from fake_server.journal import FLUSH_AFTER, Journal
from fake_server.journal_entries import Entry, RestEntry, WsCloseEntry
from fake_server.journal_window import Forgotten


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


def _closes(n: int) -> list[WsCloseEntry]:
    return [
        WsCloseEntry(kind="ws_close", conn=i, code=1000, reason="", initiator="client", how="close")
        for i in range(n)
    ]


def _paged(journal: Journal, since: int, limit: int, kinds: set[str] | None = None) -> list[Entry]:
    """Every entry from `since`, page after page as the control API's callers read them."""
    found: list[Entry] = []
    while since < journal.size:
        page, since = journal.page(since, limit, kinds)
        found += page
    return found


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows, strides and scans of a few entries, so a test crosses each of them."""
    monkeypatch.setattr(journal_module, "TRIM", 3)
    monkeypatch.setattr(journal_window, "STRIDE", 4)
    monkeypatch.setattr(journal_window, "SCAN", 5)


@pytest.mark.usefixtures("small")
def test_a_windowed_journal_holds_its_latest_entries_under_their_absolute_indices() -> None:
    journal = Journal(Clock(), window=10)
    appended = [journal.append(e) for e in _closes(40)]
    assert 10 <= len(journal.entries) < 10 + 3  # bounded: the window, and one trim's worth
    assert journal.size == 40 and journal.first == 40 - len(journal.entries)
    assert journal.entries == appended[journal.first :]
    page, after = journal.page(35, 2)
    assert page == appended[35:37] and after == 37
    assert journal.index_of(appended[-1]) == 39
    with pytest.raises(Forgotten) as gone:  # no file: the older entries are gone
        journal.page(0, 100)
    assert gone.value.first == journal.first


@pytest.mark.usefixtures("small")
def test_entries_older_than_the_window_are_read_back_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_bytes(b'{"t":0.0,"kind":"server","phase":"start"}\n')  # an earlier session's line
    journal = Journal(Clock(), path, window=10)
    rest = RestEntry(kind="rest", method="GET", path="/fapi/v1/time", status=200, body="{}", fault=False)
    appended = [journal.append(rest if i % 7 == 0 else e) for i, e in enumerate(_closes(50))]
    assert journal.first > 20
    assert _paged(journal, 0, 3) == appended  # pages cross strides, scans, and into memory
    assert _paged(journal, 9, 100) == appended[9:]
    assert _paged(journal, 0, 2, {"rest"}) == [e for e in appended if e["kind"] == "rest"]
    journal.close()
    assert Journal.read(path)[1:] == appended


def test_a_journal_without_a_window_holds_everything() -> None:
    journal = Journal(Clock())
    appended = [journal.append(e) for e in _closes(3000)]
    assert journal.entries == appended and journal.first == 0
    assert journal.page(0, 5000) == (appended, 3000)
