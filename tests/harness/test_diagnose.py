"""The diagnosis folds failures per behaviour, says what to change and links the reports."""

from __future__ import annotations

from harness.behaviours import load_all
from harness.citations import cite, failure_mode
from harness.diagnose import diagnosis, findings
from harness.verdict import Status, Verdict


def v(scenario: str, behaviour: str, status: Status, summary: str = "measured") -> Verdict:
    return Verdict(status, summary, behaviour=behaviour, scenario=scenario)


def test_failures_are_folded_per_behaviour_most_widespread_first() -> None:
    verdicts = [
        v("drop-1006", "reconnects-after-drop", Status.FAIL, "no new connection within 3.00 s"),
        v("clean-close-1001", "reconnects-after-drop", Status.FAIL),
        v("half-open", "reconnects-after-drop", Status.PASS),
        v("server-pings", "answers-server-ping", Status.FAIL),
        v("drop-1006", "no-event-lost", Status.PASS),
    ]
    found = findings(verdicts, load_all())
    assert [f.behaviour.id for f in found] == ["reconnects-after-drop", "answers-server-ping"]
    assert [x.scenario for x in found[0].failed] == ["drop-1006", "clean-close-1001"]
    assert found[0].passed == 1


def test_the_text_says_what_to_change_and_links_the_reports() -> None:
    registry = load_all()
    verdicts = [v("drop-1006", "reconnects-after-drop", Status.FAIL, "no new connection within 3.00 s")]
    text = diagnosis(verdicts, registry, client="python bot.py")
    assert text.startswith("Diagnosis of: python bot.py")
    assert "1 problem found" in text
    assert "no new connection within 3.00 s" in text  # the measured proof
    assert registry["reconnects-after-drop"].hint.split()[0] in text  # what to change
    assert "https://github.com/binance/binance-connector-python/issues/180" in text


def test_a_clean_run_says_so_and_errors_are_not_problems_of_the_client() -> None:
    registry = load_all()
    text = diagnosis(
        [
            v("drop-1006", "reconnects-after-drop", Status.PASS),
            v("half-open", "detects-dead-connection", Status.ERROR, "the client exited before contacting"),
        ],
        registry,
        client="c",
    )
    assert "No problem found" in text
    assert "could not judge 1 verdict" in text and "exited before contacting" in text


def test_citations_become_links() -> None:
    assert (
        cite("sammchardy/python-binance#1608").url
        == "https://github.com/sammchardy/python-binance/issues/1608"
    )
    assert cite("hummingbot/hummingbot PR#7310").url == "https://github.com/hummingbot/hummingbot/pull/7310"
    assert cite("https://dev.binance.vision/t/new-connection-with-websocket/15063").url == (
        "https://dev.binance.vision/t/new-connection-with-websocket/15063"
    )
    assert cite("C1 drop-1006-no-close-frame").url is None
    assert failure_mode("C1 drop-1006-no-close-frame") == "C1"
    assert failure_mode("failure-modes.md E4 maintenance-window") == "E4"
    assert failure_mode("forum thread") is None
