"""abandons-hung-handshake on hand-built journals: the give-up time and the retry are measured
from the attempt's TCP accept and the client's close of it, whatever fault held it."""

from __future__ import annotations

from harness.verdict import Status
from tests.behaviours.journal import dropped, exited, fault, held, judge, opened, rejected, unopened

CHECK = "abandons-hung-handshake"


def _hung(start: float, conn: int = 2, gave_up_after: float | None = 1.0) -> list:
    """An upgrade hang_upgrade held from `start` (its request read at once), and the client's
    close of it `gave_up_after` seconds later (None: it never closed it)."""
    entries: list = [fault(start - 0.1, "hang_upgrade", times=1), held(start, conn)]
    if gave_up_after is not None:
        entries.append(unopened(start + gave_up_after, conn, gave_up_after))
    return entries


def test_giving_up_in_time_and_retrying_passes_with_both_figures() -> None:
    journal = [opened(0.5, 1), *dropped(1.0), *_hung(1.2), opened(2.35, 3)]
    v = judge(CHECK, journal, ended_at=5, within=1.5, retry_within=1)
    assert v.status is Status.PASS
    assert v.measured == {"give_up_after": [1.0], "retry_after": [0.15]}
    assert "after at most 1.00 s (deadline 1.50 s)" in v.summary


def test_a_client_that_never_gives_up_fails_with_how_long_it_waited() -> None:
    journal = [opened(0.5, 1), *dropped(1.0), *_hung(1.2, gave_up_after=None)]
    v = judge(CHECK, journal, ended_at=5, within=1.5, retry_within=1)
    assert v.status is Status.FAIL
    assert "still waiting when the run ended, 3.80 s after" in v.summary and v.evidence


def test_giving_up_after_the_deadline_fails() -> None:
    journal = [opened(0.5, 1), *dropped(1.0), *_hung(1.2, gave_up_after=2.5), opened(3.8, 3)]
    v = judge(CHECK, journal, ended_at=6, within=1.5, retry_within=1)
    assert v.status is Status.FAIL and "gave up only after 2.50 s" in v.summary


def test_giving_up_without_trying_again_fails() -> None:
    journal = [opened(0.5, 1), *dropped(1.0), *_hung(1.2), exited(2.4, 0)]
    v = judge(CHECK, journal, ended_at=5, within=1.5, retry_within=1)
    assert v.status is Status.FAIL and "made no new attempt within 1.00 s" in v.summary
    assert v.measured["give_up_after"] == [1.0]


def test_the_next_attempt_may_be_refused_or_held_again() -> None:
    """Any connection the fake saw after the give-up is the retry: a refused one, or another
    held one (timed from its accept, which ws_unopened gives with `waited`)."""
    refused = [opened(0.5, 1), *dropped(1.0), *_hung(1.2), rejected(2.5, conn=3)]
    assert judge(CHECK, refused, ended_at=5, within=1.5, retry_within=1).measured["retry_after"] == [0.3]
    again = [
        opened(0.5, 1),
        *dropped(1.0),
        fault(1.1, "timeout", scope="new", times=2),
        held(1.2, 2, "timeout"),
        unopened(2.2, 2, 1.0, "timeout"),
        held(2.4, 3, "timeout"),
        unopened(3.4, 3, 1.0, "timeout"),
        opened(3.6, 4),
    ]
    v = judge(CHECK, again, ended_at=6, within=1.5, retry_within=1)
    assert v.status is Status.PASS and v.measured["retry_after"] == [0.2, 0.2]


def test_a_late_answer_taken_after_the_deadline_fails_and_one_in_time_says_nothing() -> None:
    late = [opened(0.5, 1), *dropped(1.0), fault(1.1, "slow_upgrade", delay=2.0), opened(3.2, 2, delayed=2.0)]
    v = judge(CHECK, late, ended_at=6, within=1.5, retry_within=1)
    assert v.status is Status.FAIL and "waited 2.00 s and took the late answer" in v.summary
    soon = [opened(0.5, 1), *dropped(1.0), fault(1.1, "slow_upgrade", delay=0.5), opened(1.7, 2, delayed=0.5)]
    v = judge(CHECK, soon, ended_at=6, within=1.5, retry_within=1)
    assert v.status is Status.NOT_APPLICABLE and "answered within the 1.50 s deadline" in v.summary


def test_a_slow_upgrade_left_before_its_answer_is_a_give_up() -> None:
    journal = [
        opened(0.5, 1),
        *dropped(1.0),
        fault(1.1, "slow_upgrade", delay=2.0),
        unopened(2.2, 2, 1.0, "slow_upgrade"),
        opened(2.4, 3),
    ]
    v = judge(CHECK, journal, ended_at=6, within=1.5, retry_within=1)
    assert v.status is Status.PASS and v.measured == {"give_up_after": [1.0], "retry_after": [0.2]}


def test_attempts_the_fault_closed_first_do_not_judge_the_client() -> None:
    journal = [
        opened(0.5, 1),
        *dropped(1.0),
        fault(1.1, "timeout", scope="new", timeout=0.6, lasting=2),
        held(1.2, 2, "timeout"),
        unopened(1.8, 2, 0.6, "timeout", initiator="server", how="fault"),
        opened(2.0, 3),
    ]
    v = judge(CHECK, journal, ended_at=6, within=1.5, retry_within=1)
    assert v.status is Status.NOT_APPLICABLE and "closed each of the 1 held attempt(s) itself" in v.summary
    # ... unless the client was still waiting when the fault closed it, past the deadline.
    journal[-2] = unopened(3.2, 2, 2.0, "timeout", initiator="server", how="fault")
    v = judge(CHECK, journal, ended_at=6, within=1.5, retry_within=1)
    assert v.status is Status.FAIL and "it never gave up: the fake closed it after 2.00 s" in v.summary


def test_the_run_ending_with_the_client_gone_after_it_is_not_a_give_up() -> None:
    """The harness ending the client closes the attempt it still waited on: that close comes
    after the run's end and proves nothing."""
    journal = [opened(0.5, 1), *dropped(1.0), *_hung(1.2, gave_up_after=None), unopened(5.1, 2, 3.9)]
    v = judge(CHECK, journal, ended_at=5, within=1.5, retry_within=1)
    assert v.status is Status.FAIL and "still waiting when the run ended" in v.summary
    short = [opened(0.5, 1), *dropped(1.0), *_hung(4.0, gave_up_after=None), unopened(5.1, 2, 1.1)]
    assert judge(CHECK, short, ended_at=5, within=1.5, retry_within=1).status is Status.NOT_APPLICABLE


def test_no_held_attempt_is_not_applicable_with_the_reason() -> None:
    gone = [opened(0.5, 1), fault(1.0, "hang_upgrade", times=1), *dropped(1.0), exited(1.2, 0)]
    v = judge(CHECK, gone, ended_at=5, within=1.5, retry_within=1)
    assert v.status is Status.NOT_APPLICABLE
    assert "made 0 connection attempt(s) after that; the client exited on its own at 1.20 s" in v.summary
    open_only = [opened(0.5, 1), fault(1.0, "timeout", [1], scope="open")]
    v = judge(CHECK, open_only, ended_at=5, within=1.5, retry_within=1)
    assert v.status is Status.NOT_APPLICABLE and "timeout fired at 1.00 s on connection 1" in v.summary
    # A scenario with no fault that holds attempts cannot judge it: a harness problem.
    assert judge(CHECK, [opened(0.5, 1)], ended_at=5, within=1.5).status is Status.ERROR
