"""A client's output is kept within a budget, and what is not kept is said, with its size."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from harness.client_output import ENTRY_COST, LINE_BYTES, STREAM_BUDGET, BoundedOutput, size_words
from harness.runner import run_scenario
from tests.harness.test_client_lifetime import scenario

TEN_MB = 10_000_000


def collect(chunks: list[bytes], **kw: int) -> tuple[list[tuple[str, int]], BoundedOutput]:
    lines: list[tuple[str, int]] = []
    output = BoundedOutput(lambda line, not_kept: lines.append((line, not_kept)), **kw)
    for chunk in chunks:
        output.feed(chunk)
    output.close()
    return lines, output


def test_lines_split_across_reads_are_joined_and_the_last_one_kept() -> None:
    lines, output = collect([b"hel", b"lo\nwor", b"ld\r\n", b"tail"])
    assert lines == [("hello", 0), ("world", 0), ("tail", 0)]
    assert output.not_kept == 0


def test_a_long_line_is_cut_with_a_note_and_counted() -> None:
    chunks = [b"x" * 65536] * (TEN_MB // 65536) + [b"x" * (TEN_MB % 65536)]
    lines, output = collect(chunks)
    (first, _), marker = lines
    assert first.startswith("x" * LINE_BYTES) and first.endswith("(10.0 MB more of this line not kept)")
    assert output.not_kept == TEN_MB - LINE_BYTES
    assert marker == (f"... {size_words(TEN_MB - LINE_BYTES)} of client output not kept", TEN_MB - LINE_BYTES)


def test_many_lines_stop_at_the_budget_and_every_byte_is_accounted_for() -> None:
    line = b"y" * 99 + b"\n"
    lines, output = collect([line * 1000] * (TEN_MB // (100 * 1000)))
    kept = lines[:-1]
    assert all(text == "y" * 99 and n == 0 for text, n in kept)
    assert sum(len(text) + ENTRY_COST for text, _ in kept) <= STREAM_BUDGET
    assert len(kept) * 100 + output.not_kept == TEN_MB
    assert lines[-1] == (f"... {size_words(output.not_kept)} of client output not kept", output.not_kept)
    assert lines[-1][0].startswith("... 9.") and "MB of client output not kept" in lines[-1][0]


@pytest.mark.parametrize("newlines", [True, False])
def test_a_flooding_client_leaves_a_small_journal_that_says_what_it_dropped(
    tmp_path: Path, newlines: bool
) -> None:
    flood = tmp_path / "flood.py"
    chunk = '"z" * 99 + "\\n"' if newlines else '"z" * 100'
    flood.write_text(f"import sys\nfor _ in range({TEN_MB // 100}):\n    sys.stdout.write({chunk})\n")
    result = asyncio.run(run_scenario(scenario(3.0), f'"{sys.executable}" "{flood}"', workdir=tmp_path / "r"))
    journal_bytes = (tmp_path / "r" / "journal.jsonl").stat().st_size
    assert journal_bytes < 2 * STREAM_BUDGET, journal_bytes
    output = [e for e in result.record.journal if e["kind"] == "client_output" and e["stream"] == "stdout"]
    marker = output[-1]
    assert marker["line"].endswith("MB of client output not kept") and marker["not_kept"] > 9_000_000
