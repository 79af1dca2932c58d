"""The conformance matrix renders several clients' JSON reports into one table."""

from __future__ import annotations

import re
from typing import Any

import pytest

from harness.matrix import cells, client_names, html_page, markdown
from harness.verdict import Status


def report(client: str, verdicts: list[tuple[str, str, Status, str]]) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {}
    for scenario, behaviour, status, summary in verdicts:
        runs.setdefault(scenario, []).append(
            {"scenario": scenario, "behaviour": behaviour, "status": status.value, "summary": summary}
        )
    return {"client": client, "runs": [{"scenario": s, "verdicts": vs} for s, vs in runs.items()]}


GOOD = report(
    "python good.py",
    [
        ("drop-1006", "reconnects-after-drop", Status.PASS, "reconnected after 0.2 s"),
        ("clean-close", "reconnects-after-drop", Status.PASS, "reconnected after 0.3 s"),
        ("server-pings", "answers-server-ping", Status.PASS, "4 pings answered"),
    ],
)
BAD = report(
    "node bad.js",
    [
        ("drop-1006", "reconnects-after-drop", Status.PASS, "reconnected after 0.2 s"),
        ("clean-close", "reconnects-after-drop", Status.FAIL, "no new connection within 2 s"),
        ("server-pings", "answers-server-ping", Status.NOT_APPLICABLE, "never pinged"),
    ],
)


def test_a_cell_is_the_worst_verdict_with_passed_over_judged() -> None:
    grid = cells(BAD)
    assert grid["reconnects-after-drop"].status is Status.FAIL
    assert (grid["reconnects-after-drop"].passed, grid["reconnects-after-drop"].judged) == (1, 2)
    assert grid["reconnects-after-drop"].worst is not None
    assert grid["reconnects-after-drop"].worst["scenario"] == "clean-close"
    assert grid["answers-server-ping"].status is Status.NOT_APPLICABLE


def test_markdown_has_one_row_per_behaviour_and_lists_each_failure() -> None:
    text = markdown({"good": GOOD, "bad": BAD}, links={"bad": "bad/report.html"})
    assert "| behaviour | good | bad |" in text
    assert "| reconnects-after-drop | PASS 2/2 | FAIL 1/2 |" in text
    assert "| answers-server-ping | PASS 1/1 | n/a |" in text
    assert "- FAIL `reconnects-after-drop` in `clean-close`: no new connection within 2 s" in text
    assert "[bad/report.html](bad/report.html)" in text


def test_html_is_self_contained_and_escapes_commands() -> None:
    page = html_page({"x": report("<script>alert(1)</script>", [("s", "b", Status.FAIL, "a <b> c")])})
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert 'class="s-FAIL"' in page


def test_client_names_are_name_equals_command() -> None:
    assert client_names(["ref=python a.py", "node=node b.js --x=1"]) == {
        "ref": "python a.py",
        "node": "node b.js --x=1",
    }
    for bad in (["python a.py"], ["a b=c"], ["x="], ["x=a", "x=b"]):
        with pytest.raises(ValueError):
            client_names(bad)
