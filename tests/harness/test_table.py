"""The terminal table (harness/report.py `table`): grouped by family, a row per verdict, hints under FAILs."""

from __future__ import annotations

import pytest

from harness.report import table
from harness.verdict import Status, Verdict

HINT = "reconnect on every close you did not initiate, 1006 and clean 1000/1001 alike, with a first retry"
FAMILIES = {"drop-1006": "drops", "clean-close-1001": "drops", "half-open": "heartbeats"}


def v(scenario: str, behaviour: str, status: Status, summary: str = "", hint: str = "") -> Verdict:
    return Verdict(
        status, summary or f"{behaviour} measured 0.19 s", behaviour=behaviour, scenario=scenario, hint=hint
    )


VERDICTS = [
    v("drop-1006", "reconnects-after-drop", Status.FAIL, "no new connection within 3.00 s", HINT),
    v("drop-1006", "no-event-lost", Status.PASS),
    v("half-open", "detects-dead-connection", Status.PASS),
    v("clean-close-1001", "backs-off", Status.NOT_APPLICABLE),
]


def test_rows_are_grouped_under_their_family_in_order_of_appearance() -> None:
    lines = table(VERDICTS, families=FAMILIES, width=140).splitlines()
    headings = [line for line in lines if line and not line.startswith(" ")]
    assert headings[0] == "drops  (2 scenarios: 1 PASS, 1 FAIL, 1 N/A)"
    assert headings[1] == "heartbeats  (1 scenario: 1 PASS)"
    # clean-close-1001 comes under drops although it was judged after half-open.
    assert lines.index(headings[1]) > next(i for i, line in enumerate(lines) if "clean-close-1001" in line)


def test_one_row_per_verdict_with_status_and_summary() -> None:
    text = table(VERDICTS, families=FAMILIES, width=140)
    rows = [
        line for line in text.splitlines() if any(f"  {m}  " in line for m in ("PASS ", "FAIL ", "N/A  "))
    ]
    assert len(rows) == len(VERDICTS)
    first = rows[0].split()
    assert first[:3] == ["drop-1006", "reconnects-after-drop", "FAIL"]
    assert rows[0].endswith("no new connection within 3.00 s")
    # The scenario's name is on its first row only.
    assert rows[1].split()[:2] == ["no-event-lost", "PASS"]


def test_a_fail_has_its_hint_on_the_next_line_and_a_pass_has_none() -> None:
    lines = table(VERDICTS, families=FAMILIES, width=300).splitlines()
    i = next(i for i, line in enumerate(lines) if "FAIL   no new connection" in line)
    assert lines[i + 1].strip() == f"hint: {HINT}"
    assert sum("hint:" in line for line in lines) == 1


def test_the_last_line_tallies_everything() -> None:
    last = table(VERDICTS, families=FAMILIES, width=140).splitlines()[-1]
    assert last == "2 PASS, 1 FAIL, 1 N/A (4 verdicts, 3 scenarios, 2 families)"


@pytest.mark.parametrize("width", [60, 80, 100, 140])
def test_long_text_wraps_within_the_width_instead_of_being_cut(width: int) -> None:
    long = "resynced over REST after 3 reconnect(s), slowest 0.41 s after the new connection " * 3
    text = table([v("drop-1006", "resyncs-after-gap", Status.FAIL, long.strip(), HINT)], width=width)
    assert all(len(line) <= width for line in text.splitlines())
    words = " ".join(text.split())
    assert long.strip() in words and HINT in words


def test_a_narrow_terminal_puts_the_scenario_above_its_rows() -> None:
    lines = table(VERDICTS, families=FAMILIES, width=70).splitlines()
    assert "  drop-1006" in lines
    assert any(line.startswith("    reconnects-after-drop") for line in lines)


def test_scenarios_of_no_known_family_are_grouped_as_other() -> None:
    assert table(VERDICTS[:1]).splitlines()[0].startswith("other  (1 scenario")


def test_nothing_judged() -> None:
    assert table([]) == "no behaviour was judged"
