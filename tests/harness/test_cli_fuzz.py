"""Random command lines never end in a traceback: every one gets exit status 0, 1 or 2 and,
when refused, a message.

Playing scenarios and serving are replaced by stubs (they are tested on their own), so an
example costs milliseconds and what is tested is everything the CLI does with its arguments
before and after: parsing, the flag types, loading and selecting scenarios, writing reports.
Everything written lands in a temporary folder that is also the working directory.

Examples: 150 in CI (under 20 s on two cores), derandomized; HARNESS_FUZZ_EXAMPLES=5000 for
a longer run.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import cli
from harness.defaults import ROOT
from harness.search.explore import Search
from tests.harness._memory import memory_bound

LISTENKEY_404 = ROOT / "scenarios" / "http" / "listenkey-404.yaml"
EXAMPLES = int(os.environ.get("HARNESS_FUZZ_EXAMPLES", "150"))


def _options() -> dict[str, list[tuple[str, bool]]]:
    """Each subcommand's options, read from the parser (new flags are fuzzed without a
    change here): (flag, whether it takes a value)."""
    parser = cli._parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {
        name: [(a.option_strings[0], a.nargs != 0) for a in p._actions if a.option_strings]
        for name, p in sub.choices.items()
    }


OPTIONS = _options()
#: Values a careless or hostile user gives (no NUL: a real command line cannot carry one).
VALUES = [
    "",
    " ",
    "fast",
    "0",
    "-1",
    "5s",
    "250ms",
    "-5s",
    "1:30",
    "99999",
    "65535",
    "inf",
    "nan",
    "1e309",
    "\u00b2",
    "\u0663",
    "9" * 5000,
    "true",
    "python 'unclosed",
    "definitely-not-a-command-xyz",
    "a=",
    "a=true",
    "a=true b=x",
    "usdm",
    "drops",
    "reconnects-after-drop",
    "forum",
    "listenkey-404",
    # paths, relative to the temporary working directory
    ".",
    "a-folder",
    "a-file",
    "a-file/below",
    "missing/deeper/report.json",
    "bad.yaml",
    "not-json.json",
    "/dev/full",
    "/dev/null",
    "/dev/zero",
    "scenarios/listenkey-404.yaml",
    "scenarios",
]
#: Random words: no NUL, no '/' and not '..', so nothing is written outside the working directory.
WORDS = st.text(
    alphabet=st.characters(blacklist_characters="\0/", blacklist_categories=("Cs",)), max_size=12
).filter(lambda word: word not in (".", ".."))
#: Mostly the listed values (each a case someone tried), sometimes random words.
VALUE = st.one_of(st.sampled_from(VALUES), st.sampled_from(VALUES), st.sampled_from(VALUES), WORDS)
ALL_FLAGS = sorted({flag for options in OPTIONS.values() for flag, _ in options})
#: The subcommands that take scenario paths.
WITH_PATHS = ("run", "diagnose", "matrix", "list")


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    """Mostly well-formed command lines with bad values (what reaches the checks), sometimes
    tokens in any order (what reaches argparse's own errors)."""
    command = draw(st.sampled_from(sorted(OPTIONS)))
    if draw(st.integers(0, 9)) == 0:
        tokens = st.one_of(st.sampled_from(ALL_FLAGS), VALUE)
        return [draw(st.sampled_from([command, "--help", "nope"])), *draw(st.lists(tokens, max_size=8))]
    argv = [command]
    if command in WITH_PATHS and draw(st.integers(0, 3)) == 0:
        argv.append(draw(VALUE))
    flags = [(f, v) for f, v in OPTIONS[command] if f not in ("-h", "--help")]
    for flag, takes_value in draw(st.lists(st.sampled_from(flags), min_size=1, max_size=4)) if flags else []:
        argv += [f"{flag}={draw(VALUE)}"] if takes_value else [flag]
    return argv


@contextlib.contextmanager
def sandbox() -> Iterator[Path]:
    """A fresh working directory holding the files the values name."""
    before = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="cli-fuzz-") as name:
        root = Path(name)
        (root / "a-folder").mkdir()
        (root / "a-file").write_text("")
        (root / "bad.yaml").write_text("family: [unclosed\n")
        (root / "not-json.json").write_text("{")
        # A copy: a value used as an output path may overwrite it.
        (root / "scenarios").mkdir()
        shutil.copy(LISTENKEY_404, root / "scenarios")
        os.chdir(root)
        tempfile.tempdir = name  # --keep keeps the runs folder: here, not in /tmp
        try:
            yield root
        finally:
            tempfile.tempdir = None
            os.chdir(before)


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Playing returns no verdicts at once; serving and searching return at once."""

    def play_clients(scenarios: Any, players: list[cli.Player], *, jobs: int | None) -> list[cli.Played]:
        played = []
        for player in players:
            player.root.mkdir(parents=True, exist_ok=True)
            played.append(cli.Played(player.client, [], [], []))
        return played

    async def serve(settings: Any, scenario: Any, journal: Any) -> None:
        return None

    def probe(self: Any, steps: Any) -> None:
        # The menu and the flags are still checked and one schedule drawn; none is played.
        self.outcome.tried = self.budget

    monkeypatch.setattr(cli, "_play_clients", play_clients)
    monkeypatch.setattr(cli, "_serve_forever", serve)
    monkeypatch.setattr(Search, "_probe", probe)
    with memory_bound():
        yield


def answer(argv: list[str]) -> tuple[int, str]:
    """main(argv)'s exit status and what it wrote to stderr."""
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # argparse: 0 for --help, 2 for a refused argument
            code = exc.code if isinstance(exc.code, int) else 2
    return code, err.getvalue()


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=command_lines())
def test_random_command_lines_never_give_a_traceback(stubbed: None, argv: list[str]) -> None:
    with sandbox():
        code, err = answer(argv)
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    if code == 2:
        assert err.strip(), f"{argv}: refused without a word"


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--ping-interval", "fast"],
        ["serve", "--control-port", "99999"],
        ["serve", "--rate", "inf"],
        ["run", "--json", "a-folder"],
        ["run", "--html", "/dev/full", "scenarios/listenkey-404.yaml"],
        ["run", "--dir", "a-file"],
        ["run", "--client", ""],
        ["matrix", "--client", "a=true", "--out", "a-file"],
    ],
)
def test_the_command_lines_of_the_issue_get_an_answer(stubbed: None, argv: list[str]) -> None:
    with sandbox():
        code, err = answer(argv)
    assert code == 2 and err.strip() and "Traceback" not in err, (argv, code, err)
