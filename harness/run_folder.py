"""Where a run's files go: one folder per scenario, always inside the folder asked for.

A run folder is named after its scenario, and a scenario's name is text from a file anyone
can write. Joined as it is, `name: ../../x` or `name: /tmp/x` would put the run (and the
empty `events.jsonl` it starts with, truncating whatever was there) outside `--dir`. The
loader refuses such names, but scenarios can also be built in Python, so every place that
makes a run folder goes through `folder_name`, and `run_folder` checks what it built.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path

__all__ = ["SAFE_NAME", "RunFolderError", "folder_name", "run_folder", "temp_run_folder"]

#: A name that is its own folder name: letters, digits, `.`, `_`, `-`, starting with a letter
#: or a digit (so never `.`, `..` or a hidden file), at most 100 characters.
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class RunFolderError(ValueError):
    """A run folder would not be inside its root (a link there leads elsewhere)."""


def folder_name(name: str) -> str:
    """`name` as a single folder name that stays where it is put.

    A safe name is kept as it is. Any other is cleaned (runs of other characters become `_`,
    leading dots go) and given a short hash of the original, so two names that clean to the
    same text (`a/b`, `a b`) still get two folders.
    """
    if SAFE_NAME.fullmatch(name):
        return name
    cleaned = _UNSAFE.sub("_", name).lstrip("._-")[:80] or "scenario"
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{cleaned}-{digest}"


def run_folder(root: Path, name: str) -> Path:
    """The folder for scenario `name` under `root`, refused if it resolves outside `root`.

    `folder_name` already keeps the path one level under `root`; what is left to catch is a
    link already standing at that place, which would lead the run's files elsewhere.
    """
    folder = root / folder_name(name)
    if folder.resolve().parent != root.resolve():
        raise RunFolderError(f"{folder} leads outside {root} (it is a link to {folder.resolve()}); remove it")
    return folder


def temp_run_folder(name: str) -> Path:
    """A new folder in the system's temporary directory for one run of scenario `name`."""
    return Path(tempfile.mkdtemp(prefix=f"bh-{folder_name(name)}-"))
