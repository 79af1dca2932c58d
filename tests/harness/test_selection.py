"""Selecting by family, behaviour and tag: `binance-harness run` options and pytest markers / -k."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from harness.cli import _load, _parser, _select, main
from harness.scenario import Scenario
from tests.harness._subprocess import run_pytest


def selected(*argv: str) -> dict[str, list[str]]:
    args = _parser().parse_args(["run", *argv])
    return {s.name: [e.behaviour for e in s.expect] for s in _select(_load(args.paths), args)}


#: The bundled catalog: the oracle the selections are compared with (it grows; the rules don't).
CATALOG = _load([])


def names(keep: Callable[[Scenario], bool]) -> set[str]:
    chosen = {s.name for s in CATALOG if keep(s)}
    assert chosen, "the oracle must select something, or the test proves nothing"
    return chosen


def test_family_selects_only_that_family() -> None:
    assert set(selected("--family", "heartbeats")) == names(lambda s: s.family == "heartbeats")
    assert set(selected("--family", "heartbeats", "--family", "http")) == names(
        lambda s: s.family in ("heartbeats", "http")
    )


def test_tag_selects_tagged_scenarios_and_options_combine_with_and() -> None:
    forum = selected("--tag", "forum")
    assert set(forum) == names(lambda s: "forum" in s.tags)
    assert "clean-close-1001" not in forum and {"drop-1006", "listenkey-404"} <= set(forum)
    assert set(selected("--tag", "forum", "--family", "heartbeats")) == names(
        lambda s: "forum" in s.tags and s.family == "heartbeats"
    )


def test_behaviour_keeps_scenarios_judging_it_and_only_it() -> None:
    chosen = selected("--behaviour", "reconnects-after-drop")
    assert set(chosen) == names(lambda s: any(e.behaviour == "reconnects-after-drop" for e in s.expect))
    assert {"drop-1006", "clean-close-1001"} <= set(chosen)
    assert all(behaviours == ["reconnects-after-drop"] for behaviours in chosen.values())


def test_k_matches_name_family_or_tag() -> None:
    assert set(selected("-k", "1006")) == names(lambda s: "1006" in s.name)
    assert set(selected("-k", "drops")) == names(
        lambda s: any("drops" in t for t in (s.name, s.family, *s.tags))
    )
    assert "listenkey-404" in selected("-k", "forum")


def test_unknown_behaviour_and_empty_selection_are_input_errors(capsys) -> None:
    assert main(["run", "--behaviour", "reconnect"]) == 2
    assert "unknown behaviour 'reconnect'" in capsys.readouterr().err
    assert main(["run", "--family", "nope"]) == 2
    assert "no scenario selected" in capsys.readouterr().err


def test_help_documents_the_selection_options(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = capsys.readouterr().out
    for option in ("--family F", "--behaviour B", "--tag T", "--baseline FILE", "--write-baseline FILE"):
        assert option in out


def _collected(proc_stdout: str) -> set[str]:
    return {line for line in proc_stdout.splitlines() if line.startswith("scenarios/")}


def _items(keep: Callable[[Scenario, str], bool]) -> set[str]:
    """The pytest ids of the catalog's (scenario, behaviour) items that `keep` selects."""
    chosen = {
        f"scenarios/{s.path.parent.name}/{s.path.name}::{e.behaviour}"
        for s in CATALOG
        for e in s.expect
        if s.path is not None and keep(s, e.behaviour)
    }
    assert chosen, "the oracle must select something, or the test proves nothing"
    return chosen


@pytest.mark.parametrize(
    ("selection", "keep"),
    [
        (["-m", "heartbeats and not forum"], lambda s, b: s.family == "heartbeats" and "forum" not in s.tags),
        (
            ["-m", "reconnects-after-drop and drops"],
            lambda s, b: b == "reconnects-after-drop" and s.family == "drops",
        ),
        (["-k", "forum and surfaces"], lambda s, b: "forum" in s.tags and b == "surfaces-error-body"),
        (
            ["-k", "heartbeats and answers"],
            lambda s, b: s.family == "heartbeats" and b == "answers-server-ping",
        ),
    ],
    ids=["m-family-tag", "m-behaviour-family", "k-tag-behaviour", "k-family-behaviour"],
)
def test_pytest_selects_by_markers_and_keywords_without_warnings(
    selection: list[str], keep: Callable[[Scenario, str], bool], tmp_path: Path
) -> None:
    proc = run_pytest(
        "scenarios",
        "--collect-only",
        "--strict-markers",
        "-W",
        "error::pytest.PytestUnknownMarkWarning",
        *selection,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert _collected(proc.stdout) == _items(keep)
    assert "warning" not in proc.stdout.lower()
