"""Run folders stay inside the folder asked for, whatever the scenario's name says."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from harness.run_folder import SAFE_NAME, RunFolderError, folder_name, run_folder, temp_run_folder

HOSTILE = [
    "..",
    ".",
    "../../escape",
    "/tmp/escape",
    "a/b",
    "a b",
    "a_b-",
    "",
    ".hidden",
    "x" * 300,
    "é/..",
    "\x00",
]


def test_a_safe_name_is_its_own_folder_name() -> None:
    assert folder_name("drop-1006") == "drop-1006"
    assert folder_name("spot.keepalive_2") == "spot.keepalive_2"


@pytest.mark.parametrize("name", HOSTILE)
def test_any_other_name_becomes_one_folder_directly_under_the_root(tmp_path: Path, name: str) -> None:
    """The pytest plugin's cleaning returned `..` as it was, and the CLI joined names as written."""
    folder = run_folder(tmp_path, name)
    assert SAFE_NAME.fullmatch(folder.name), folder.name
    assert folder.resolve().parent == tmp_path.resolve()


def test_names_that_clean_to_the_same_text_get_their_own_folders() -> None:
    names = ["a/b", "a b", "a_b", "a//b", "a:b"]
    assert len({folder_name(n) for n in names}) == len(names)


def test_a_link_at_the_run_folder_that_leads_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "runs"
    root.mkdir()
    (root / "drop-1006").symlink_to(outside)
    with pytest.raises(RunFolderError, match="leads outside"):
        run_folder(root, "drop-1006")
    assert run_folder(root, "drop-1007") == root / "drop-1007"


def test_a_temp_run_folder_is_made_in_the_temp_directory() -> None:
    """`mkdtemp(prefix="bh-" + name)` with `name: ../../x` made the folder elsewhere."""
    folder = temp_run_folder("../../escape")
    try:
        assert folder.parent == Path(tempfile.gettempdir())
        assert folder.name.startswith("bh-escape-")
    finally:
        folder.rmdir()
