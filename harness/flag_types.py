"""Argparse types for the CLI's flags, each reusing the rule its value already has elsewhere.

A value typed on the command line is the same value a scenario file or a control API request
gives (a ping interval, a fill rate, a port), so it must meet the same rule: a flag parses its
text the way a scenario file reads the field (`harness.durations`), then checks the range the
field declares (`fake_server.schema.param`). A refused value is then argparse's usual
"argument --flag: why" and exit status 2, never a traceback from deep in the fake.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from fake_server.schema import Param, params_of, range_words, value_error
from harness.client_driver import ClientError
from harness.durations import parse_duration
from harness.python_client import check_client

T = TypeVar("T")


def _shown(text: str) -> str:
    """A value as echoed in a message: 5,000 nines are not worth repeating."""
    return text if len(text) <= 60 else text[:57] + "..."


def _param(cls: type, name: str) -> Param:
    return params_of(cls)[name]


def _in_range(p: Param, value: Any, text: str) -> Any:
    if p.spec is not None and (error := value_error(p.spec, value)):
        raise argparse.ArgumentTypeError(f"{error} (got {_shown(text)!r})")
    return value


def duration_of(cls: type, name: str) -> Callable[[str], float]:
    """A duration flag for field `name` of `cls`: `250ms`, `1.5s`, `3m`, as in a scenario file."""
    p = _param(cls, name)

    def duration(text: str) -> float:
        try:
            seconds = parse_duration(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return float(_in_range(p, seconds, text))

    return duration


def number_of(cls: type, name: str) -> Callable[[str], float]:
    """A number flag for field `name` of `cls`: finite, as the control API takes numbers, and
    in the field's range."""
    p = _param(cls, name)

    def number(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {_shown(text)!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
        return float(_in_range(p, value, text))

    return number


def integer_of(cls: type, name: str) -> Callable[[str], int]:
    """An integer flag for field `name` of `cls`, in the field's range."""
    p = _param(cls, name)

    def integer(text: str) -> int:
        # int() takes Unicode digits ("²" is not one, "٣" is): ASCII only, as Binance's own.
        stripped = text.strip().removeprefix("-")
        if not stripped.isascii() or not stripped.isdigit() or len(stripped) > 20:
            raise argparse.ArgumentTypeError(f"expected an integer, got {_shown(text)!r}")
        return int(_in_range(p, int(text), text))

    return integer


def ceiling_of(cls: type, name: str) -> Callable[[str], tuple[str | None, int]]:
    """`matrix --max-time-factor`'s value: `N` (every client) or `NAME=N` (client NAME), N
    an integer flag for field `name` of `cls`."""
    integer = integer_of(cls, name)

    def ceiling(text: str) -> tuple[str | None, int]:
        who, sep, value = text.rpartition("=")
        if sep and not who.strip():
            raise argparse.ArgumentTypeError(f"expected N or NAME=N, got {_shown(text)!r}")
        return (who.strip() if sep else None), integer(value)

    return ceiling


def range_hint(cls: type, name: str) -> str:
    """The field's declared range in words (`> 0`, `>= 0, <= 65535`), for the flag's help line,
    so the help and the check cannot disagree."""
    return range_words(_param(cls, name).spec)


def client_command(text: str) -> str:
    """A client command line that can start a client: not empty (an unset `$BOT` must not
    quietly test the reference client), parseable, its program found; or an in-process
    `python:MODULE:ATTR` whose coroutine function can be imported (harness/python_client.py)."""
    try:
        check_client(text)
    except ClientError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def input_file(text: str) -> Path:
    """A file the CLI will read: it must be one (a folder given to --scenario is a mistake)."""
    path = Path(text)
    if not text:
        raise argparse.ArgumentTypeError("expected a file name, got ''")
    if not _stat(text, lambda: path.is_file()):
        missing = not _stat(text, lambda: path.exists())
        raise argparse.ArgumentTypeError(f"{text}: {'no such file' if missing else 'not a file'}")
    return path


def output_file(text: str) -> Path:
    """A file the CLI will write: refused at once when it cannot be one, before minutes of play."""
    path = Path(text)
    if not text:
        raise argparse.ArgumentTypeError("expected a file name, got ''")
    if _stat(text, lambda: path.is_dir()):
        raise argparse.ArgumentTypeError(f"{text} is a folder; give a file name inside it")
    blocker = _stat(text, lambda: _file_in_the_way(path.parent))
    if blocker is not None:
        raise argparse.ArgumentTypeError(f"cannot write {text}: {blocker} is a file, not a folder")
    return path


def output_dir(text: str) -> Path:
    """A folder the CLI will write into (created if missing): refused when a file is in the way."""
    path = Path(text)
    if not text:
        raise argparse.ArgumentTypeError("expected a folder name, got ''")
    blocker = _stat(text, lambda: _file_in_the_way(path))
    if blocker is not None:
        raise argparse.ArgumentTypeError(f"cannot use {text} as a folder: {blocker} is a file")
    return path


def _stat(text: str, look: Callable[[], T]) -> T:
    """`look()` at the file system, a name it refuses (too long, no permission) being the
    flag's error rather than a traceback."""
    try:
        return look()
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot use {_shown(text)}: {exc.strerror or exc}") from None


def _file_in_the_way(folder: Path) -> Path | None:
    """The nearest existing path at or above `folder` when it is not a folder."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return None if candidate.is_dir() else candidate
    return None
