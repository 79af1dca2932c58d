"""Real searches, real runs: a broken client is found, shrunk, written and replayed; the
reference client, searched the same way, gives nothing.

The three clients of clients/broken_sequences/ pass the whole catalog and fail only on a
sequence; finding each with the default budget takes minutes, so that test runs when
HARNESS_SEARCH_LONG=1 (docs/search.md gives its figures). It searches in-process, as a
search of a Python client should, and replays the file it writes with the client as a
command, as a user's CI would.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.search.explore import Search
from harness.search.schedule import Frame
from tests.conftest import CLIENTS, ROOT

PYTHON = sys.executable
#: A small frame: the runs are real, and the flaws here show within a second of the fault.
FRAME = Frame(window=1.0, quiet=2.5)


def search(tmp_path: Path, client: str, **options: object) -> Search:
    return Search(
        client=f'{PYTHON} "{CLIENTS / client}"',
        frame=options.pop("frame", FRAME),  # type: ignore[arg-type]
        out=tmp_path,
        progress=print,
        **options,  # type: ignore[arg-type]
    )


def replay_with_pytest(scenario: Path, client: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            PYTHON,
            "-m",
            "pytest",
            str(scenario),
            "-p",
            "no:xdist",
            "-q",
            "--client",
            f'{PYTHON} "{CLIENTS / client}"',
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_client_that_never_reconnects_is_found_and_its_scenario_replays(tmp_path: Path) -> None:
    outcome = search(
        tmp_path, "broken/no_reconnect.py", seed=1, budget=5, faults=("abort_tcp",), replays=2
    ).run()
    # A client that never reconnects never resyncs either (its ALSO_FAILS): two checks, each
    # shrunk on its own to the one drop.
    found = {f.behaviours[0]: f for f in outcome.found}
    assert set(found) == {"reconnects-after-drop", "resyncs-after-gap"}
    assert all((f.faults, f.reproduced, f.flaky) == (1, 2, False) for f in found.values())
    replay = replay_with_pytest(found["reconnects-after-drop"].path, "broken/no_reconnect.py")
    assert replay.returncode == 1, replay.stdout[-2000:]
    assert "reconnects-after-drop" in replay.stdout and "failed" in replay.stdout


def test_the_reference_client_gives_nothing_to_the_same_search(tmp_path: Path) -> None:
    outcome = search(
        tmp_path, "reference_client.py", seed=1, budget=3, faults=("abort_tcp",), replays=2
    ).run()
    assert outcome.found == []
    assert outcome.tried + outcome.unjudged >= 3


SEQUENCE_BUGS = sorted(p.name for p in (CLIENTS / "broken_sequences").glob("*.py") if p.name != "__init__.py")


def in_process(name: str) -> str:
    """`python:MODULE:CLASS.in_process` for the broken client in file `name`."""
    tree = ast.parse((CLIENTS / "broken_sequences" / name).read_text())
    cls = next(n.name for n in tree.body if isinstance(n, ast.ClassDef))
    return f"python:clients.broken_sequences.{name.removesuffix('.py')}:{cls}.in_process"


def lacks(name: str) -> str:
    """What the broken client in file `name` declares it lacks (read, not imported)."""
    for node in ast.parse((CLIENTS / "broken_sequences" / name).read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "LACKS":
            return str(ast.literal_eval(node.value))
    raise AssertionError(f"{name} declares no LACKS")


@pytest.mark.skipif(
    os.environ.get("HARNESS_SEARCH_LONG") != "1", reason="minutes per client: HARNESS_SEARCH_LONG=1"
)
@pytest.mark.parametrize("name", SEQUENCE_BUGS)
def test_the_default_search_finds_each_sequence_bug(tmp_path: Path, name: str) -> None:
    # The default search: seed 0, 40 schedules (docs/search.md gives its figures).
    outcome = Search(client=in_process(name), frame=Frame(), out=tmp_path, progress=print).run()
    found = {f.behaviours[0]: f for f in outcome.found}
    assert lacks(name) in found, outcome
    assert found[lacks(name)].faults <= 3 and not found[lacks(name)].flaky
    replay = replay_with_pytest(found[lacks(name)].path, f"broken_sequences/{name}")
    assert replay.returncode == 1 and lacks(name) in replay.stdout
