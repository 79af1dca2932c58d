"""Mutations of catalog scenario files, as a hostile or careless user would write them.

Shared by the Hypothesis test (tests/harness/test_scenario_fuzz.py), which draws the
choices through `st.randoms()` so a failure shrinks, and by scripts/fuzz_scenarios.py, which
draws them from a seeded `random.Random` to run thousands of files and time them. Each
mutation works on bytes, so a file may end up with invalid UTF-8 too.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

__all__ = ["CATALOG", "MUTATIONS", "catalog_files", "located", "mutate"]

CATALOG = Path(__file__).resolve().parents[2] / "scenarios"

#: Values that broke, or could break, the loader or the run folder (issue 11), and their kin.
HOSTILE_VALUES: tuple[bytes, ...] = (
    b"1" + b"0" * 309,
    b"1" * 4301,
    b"-" + b"9" * 30,
    b"9223372036854775808",
    b"!!float 5s",
    b"!!int 5s",
    b"!!bool maybe",
    b"!!timestamp soon",
    b"!!str",
    b"!!null x",
    b"!!binary AAAA",
    b"!custom x",
    b"1:30",
    b"-1:30",
    b"190:20:30.15",
    b"-5",
    b"-0.5",
    b"-5s",
    b"1e9",
    b"1e400",
    b".inf",
    b"-.inf",
    b".nan",
    b"0x10",
    b"010",
    b"0b101",
    b"1_000",
    b"~",
    b"",
    b"[]",
    b"{}",
    b"[1, [2, [3]]]",
    b"{a: {b: {c: d}}}",
    b"yes",
    b"off",
    b"2001-12-14",
    b"../../escape",
    b"/tmp/escape",
    b"..",
    b'"\\0"',
    b'"\\x00\\ud800"',
    b"'unterminated",
    b'"unterminated',
    b"*undefined",
    b"&anchor value",
    b"&anchor [*anchor]",
    b"? complex",
    b"| \n  block",
    b"- item",
    b"\xff\xfe",
    b"\xc3\x28",
    "\u00e9\u2603\U0001f600".encode(),
    b"x" * 5000,
    b"[" * 600 + b"]" * 600,
    b"{a: " * 600 + b"1" + b"}" * 600,
)

_KEYS: tuple[bytes, ...] = (
    b"name",
    b"family",
    b"description",
    b"source",
    b"duration",
    b"timers",
    b"events",
    b"rate",
    b"market_rate",
    b"client_env",
    b"tls",
    b"steps",
    b"expect",
    b"at",
    b"on",
    b"nth",
    b"fault",
    b"code",
    b"within",
    b"<<",
    b"durration",
    b"",
)

_VALUE = re.compile(rb":( +)([^\n]*)")


def catalog_files() -> list[Path]:
    return sorted(CATALOG.rglob("*.yaml"))


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _replace_value(data: bytes, rng: random.Random) -> bytes:
    """A hostile value in place of the value after one `key: `."""
    spots = list(_VALUE.finditer(data))
    if not spots:
        return data
    spot = rng.choice(spots)
    return data[: spot.start(2)] + rng.choice(HOSTILE_VALUES) + data[spot.end(2) :]


def _hostile_name(data: bytes, rng: random.Random) -> bytes:
    name = rng.choice((b"../../escape", b"/tmp/escape", b"..", b".", b"a/b", b"'a b'", b'"\\0x"', b"x" * 200))
    kept = [line for line in _lines(data) if not line.startswith(b"name:")]
    return b"\n".join([b"name: " + name, *kept])


def _replace_key(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    keyed = [i for i, line in enumerate(lines) if b":" in line]
    if not keyed:
        return data
    i = rng.choice(keyed)
    indent = len(lines[i]) - len(lines[i].lstrip(b" -"))
    rest = lines[i].split(b":", 1)[1]
    lines[i] = lines[i][:indent] + rng.choice(_KEYS) + b":" + rest
    return b"\n".join(lines)


def _delete_line(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def _duplicate_line(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    lines.insert(rng.randrange(len(lines) + 1), lines[i])
    return b"\n".join(lines)


def _swap_lines(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def _reindent(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    lines[i] = rng.choice((b"", b" ", b"  ", b"    ", b"\t")) + lines[i].lstrip(b" ")
    return b"\n".join(lines)


def _insert_bytes(data: bytes, rng: random.Random) -> bytes:
    where = rng.randrange(len(data) + 1)
    junk = bytes(rng.choice(b"\x00\t\r\n :-[]{}&*!|>'\"#%@`,?\xff\x80\xc3") for _ in range(rng.randint(1, 8)))
    return data[:where] + junk + data[where:]


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _alias_bomb(data: bytes, rng: random.Random) -> bytes:
    levels = rng.randint(2, 12)
    width = rng.randint(2, 12)
    block = [b"client_env:", b"  b0: &b0 [" + b", ".join([b"x"] * width) + b"]"]
    block += [
        b"  b%d: &b%d [" % (i, i) + b", ".join([b"*b%d" % (i - 1)] * width) + b"]" for i in range(1, levels)
    ]
    kept = [line for line in _lines(data) if not line.startswith(b"client_env:")]
    return b"\n".join([*kept, *block, b""])


def _anchor_and_alias(data: bytes, rng: random.Random) -> bytes:
    """Anchor one value and use it somewhere else: aliases in odd places."""
    spots = list(_VALUE.finditer(data))
    if len(spots) < 2:
        return data
    first, second = sorted(rng.sample(spots, 2), key=lambda m: m.start())
    return (data[: second.start(2)] + b"*m" + data[second.end(2) :]).replace(
        first.group(0), b":" + first.group(1) + b"&m " + first.group(2), 1
    )


def _flip_byte(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    return data[:i] + bytes([rng.randrange(256)]) + data[i + 1 :]


MUTATIONS: tuple[Callable[[bytes, random.Random], bytes], ...] = (
    _replace_value,
    _replace_value,
    _replace_value,
    _hostile_name,
    _replace_key,
    _delete_line,
    _duplicate_line,
    _swap_lines,
    _reindent,
    _insert_bytes,
    _truncate,
    _alias_bomb,
    _anchor_and_alias,
    _flip_byte,
)


def mutate(data: bytes, rng: random.Random) -> bytes:
    """`data` with one to three mutations applied, chosen by `rng`."""
    for _ in range(rng.randint(1, 3)):
        data = rng.choice(MUTATIONS)(data, rng)
    return data


#: What YAML counts as a line break (a lone CR and Unicode's NEL, LS and PS too).
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def located(line: int, field: str, message: str, data: bytes) -> bool:
    """Whether an error points somewhere in the file: a line in it, a field, a reason."""
    lines = len(_BREAK.findall(data.decode("utf-8", "replace"))) + 1
    return 1 <= line <= lines and bool(field) and bool(message.strip())
