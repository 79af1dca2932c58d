"""Where the CLI writes: a report path, a runs folder or a closed pipe that cannot take what
is written gets one line and exit status 2 (141 for the pipe), never a traceback; runs without
--dir leave nothing behind unless --keep asks."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from harness.cli import main
from harness.defaults import ROOT
from tests.harness._memory import memory_bound

LISTENKEY_404 = str(ROOT / "scenarios/http/listenkey-404.yaml")


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder temporary runs folders are made in, for this test only."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def test_a_report_path_that_is_a_folder_is_refused_before_playing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refused(["run", LISTENKEY_404, "--json", str(tmp_path)], capsys)
    assert f"argument --json: {tmp_path} is a folder" in err


def test_a_report_path_under_a_file_is_refused_before_playing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    err = refused(["diagnose", LISTENKEY_404, "--html", str(blocker / "r.html")], capsys)
    assert f"argument --html: cannot write {blocker / 'r.html'}: {blocker} is a file" in err


def test_a_runs_folder_that_is_a_file_is_refused_before_playing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    err = refused(["run", LISTENKEY_404, "--dir", str(blocker)], capsys)
    assert f"argument --dir: cannot use {blocker} as a folder: {blocker} is a file" in err
    err = refused(["matrix", "--client", "a=true", "--out", str(blocker / "m")], capsys)
    assert "argument --out" in err


@pytest.mark.parametrize("argv", [["list", "/dev/zero"], ["serve", "--scenario", "/dev/zero"]])
def test_a_device_is_not_read_as_a_scenario(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """/dev/zero has no end: reading it as YAML would take all memory."""
    with memory_bound(), pytest.raises(SystemExit) if argv[0] == "serve" else contextlib.nullcontext():
        assert main(argv) == 2
    err = capsys.readouterr().err
    assert "/dev/zero" in err and ("not a regular file" in err or "not a file" in err)


def test_a_name_the_system_refuses_is_the_flags_error(capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(["serve", "--journal", "9" * 5000], capsys)
    assert "argument --journal: cannot use 999" in err and "File name too long" in err


@pytest.mark.parametrize("flag", ["--scenario", "--journal"])
def test_serve_refuses_a_folder_where_a_file_is_wanted(
    tmp_path: Path, flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refused(["serve", flag, str(tmp_path)], capsys)
    assert f"argument {flag}: {tmp_path}" in err


def test_a_missing_baseline_is_refused_before_playing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refused(["run", LISTENKEY_404, "--baseline", str(tmp_path / "nope.json")], capsys)
    assert f"argument --baseline: {tmp_path / 'nope.json'}: no such file" in err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_report_that_cannot_be_written_is_one_line_and_the_runs_folder_is_removed(
    temp_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", LISTENKEY_404, "--html", "/dev/full"]) == 2
    captured = capsys.readouterr()
    assert "binance-harness: cannot write /dev/full: No space left on device" in captured.err
    assert "Traceback" not in captured.err
    # The run itself was played and told before the report failed.
    assert "surfaces-error-body" in captured.out
    assert list(temp_root.iterdir()) == [], "the temporary runs folder was left behind"
    assert "--keep or --dir DIR keeps them" in captured.out


def test_keep_keeps_the_temporary_runs_folder(temp_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", LISTENKEY_404, "--keep"]) == 0
    (kept,) = temp_root.iterdir()
    assert (kept / "listenkey-404" / "journal.jsonl").stat().st_size > 0
    assert f"runs' files kept in {kept}" in capsys.readouterr().out


def test_a_closed_pipe_ends_the_command_quietly() -> None:
    """`binance-harness list | head -1`: the reader is gone before the command writes."""
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from harness.cli import main; raise SystemExit(main())", "list"],
        cwd=ROOT,
        stdout=write_end,
        stderr=subprocess.PIPE,
    )
    os.close(write_end)
    os.close(read_end)
    _, err = proc.communicate(timeout=60)
    assert err.decode() == ""
    assert proc.returncode == 141
