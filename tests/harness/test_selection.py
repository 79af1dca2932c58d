"""Selecting by family, behaviour and tag: `binance-harness run` options and pytest markers / -k."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import _load, _parser, _select, main
from tests.harness._subprocess import run_pytest


def selected(*argv: str) -> dict[str, list[str]]:
    args = _parser().parse_args(["run", *argv])
    return {s.name: [e.behaviour for e in s.expect] for s in _select(_load(args.paths), args)}


def test_family_selects_only_that_family() -> None:
    assert set(selected("--family", "heartbeats")) == {"half-open", "server-pings"}
    assert set(selected("--family", "heartbeats", "--family", "http")) == {
        "half-open",
        "server-pings",
        "listenkey-404",
    }


def test_tag_selects_tagged_scenarios_and_options_combine_with_and() -> None:
    forum = selected("--tag", "forum")
    assert "clean-close-1001" not in forum and {"drop-1006", "listenkey-404"} <= set(forum)
    assert set(selected("--tag", "forum", "--family", "heartbeats")) == {"server-pings"}


def test_behaviour_keeps_scenarios_judging_it_and_only_it() -> None:
    chosen = selected("--behaviour", "reconnects-after-drop")
    assert set(chosen) == {"drop-1006", "clean-close-1001", "half-open"}
    assert all(behaviours == ["reconnects-after-drop"] for behaviours in chosen.values())


def test_k_matches_name_family_or_tag() -> None:
    assert set(selected("-k", "1006")) == {"drop-1006"}
    assert set(selected("-k", "drops")) == {"drop-1006", "clean-close-1001"}
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


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (
            ["-m", "heartbeats and not forum"],
            {
                "scenarios/heartbeats/half-open.yaml::detects-dead-connection",
                "scenarios/heartbeats/half-open.yaml::reconnects-after-drop",
            },
        ),
        (
            ["-m", "reconnects-after-drop and drops"],
            {
                "scenarios/drops/clean-close-1001.yaml::reconnects-after-drop",
                "scenarios/drops/drop-1006.yaml::reconnects-after-drop",
            },
        ),
        (["-k", "forum and surfaces"], {"scenarios/http/listenkey-404.yaml::surfaces-error-body"}),
        (["-k", "heartbeats and answers"], {"scenarios/heartbeats/server-pings.yaml::answers-server-ping"}),
    ],
    ids=["m-family-tag", "m-behaviour-family", "k-tag-behaviour", "k-family-behaviour"],
)
def test_pytest_selects_by_markers_and_keywords_without_warnings(
    selection: list[str], expected: set[str], tmp_path: Path
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
    assert _collected(proc.stdout) == expected
    assert "warning" not in proc.stdout.lower()
