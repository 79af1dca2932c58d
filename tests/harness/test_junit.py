"""`pytest scenarios/ --junitxml`: one test case per (scenario, behaviour), FAILs say why and what to fix.

CI systems show JUnit files, not the terminal table, so the failure message itself must
carry the verdict's summary (with its figures) and the hint. The same session also writes
the HTML report (`--harness-html`), which is checked here too: one pytest run serves both.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness import behaviours
from harness.defaults import ROOT
from tests.harness._subprocess import run_pytest

# Both tests read one pytest session: keep them on one xdist worker.
pytestmark = pytest.mark.xdist_group("junit-session")

NO_RECONNECT = f'"{sys.executable}" "{ROOT / "clients" / "broken" / "no_reconnect.py"}"'

TINY = """\
family: drops
description: The server drops the user-data connection 0.5 s after it opened.
source: [failure-modes.md C1 drop-1006-no-close-frame]
duration: 2.5s
events:
  rate: 4
steps:
  - on: ws_open
    at: 0.5s
    fault: abort_tcp
    mode: fin
expect:
  reconnects-after-drop: {within: 1s}
  no-event-lost:
"""


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A pytest session over one tiny scenario against a client that never reconnects."""
    tmp_path = tmp_path_factory.mktemp("junit")
    scenario = tmp_path / "scenarios" / "drops" / "tiny-drop.yaml"
    scenario.parent.mkdir(parents=True)
    scenario.write_text(TINY)
    proc = run_pytest(
        scenario,
        "--client",
        NO_RECONNECT,
        "--junitxml",
        tmp_path / "junit.xml",
        "--harness-html",
        tmp_path / "report.html",
        "-p",
        "no:xdist",
    )
    return tmp_path, proc


def test_one_testcase_per_scenario_and_behaviour_and_a_fail_explains_itself(
    session: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    tmp_path, proc = session
    assert proc.returncode == 1, proc.stdout[-3000:]
    xml = tmp_path / "junit.xml"
    cases = {c.get("name"): c for c in ET.parse(xml).getroot().iter("testcase")}
    # Named like a parametrized test under its family, not after the file's path.
    assert set(cases) == {"tiny-drop[reconnects-after-drop]", "tiny-drop[no-event-lost]"}
    assert {c.get("classname") for c in cases.values()} == {"drops"}
    assert cases["tiny-drop[no-event-lost]"].find("failure") is None

    failure = cases["tiny-drop[reconnects-after-drop]"].find("failure")
    assert failure is not None
    message = failure.get("message", "")
    hint = behaviours.load_all()["reconnects-after-drop"].hint
    assert "FAIL: reconnects-after-drop in scenario tiny-drop" in message
    assert "no new connection within 1.00 s" in message
    assert f"hint: {hint}" in message
    assert "evidence (journal)" in (failure.text or "")  # the element's text has the whole story


def test_the_session_writes_the_html_report_with_the_runs_timeline(
    session: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    tmp_path, proc = session
    assert "HTML report:" in proc.stdout
    page = (tmp_path / "report.html").read_text()
    assert 'id="s-tiny-drop"' in page and '<svg class="timeline"' in page
    assert 'data-fault="abort_tcp"' in page
    assert "no new connection within 1.00 s" in page


def test_each_item_carries_its_share_of_the_scenario_time(
    session: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """The first item plays the scenario, the second reads its result: without sharing, one
    case would show the whole 2.5 s and the other nothing."""
    tmp_path, _ = session
    times = [float(c.get("time", "0")) for c in ET.parse(tmp_path / "junit.xml").getroot().iter("testcase")]
    assert len(times) == 2
    assert sum(times) >= 2.5  # the scenario lasts 2.5 s from the client's first contact
    assert min(times) >= 0.4 * sum(times), times
