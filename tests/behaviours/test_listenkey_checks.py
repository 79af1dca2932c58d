"""The listenKey-lifecycle checks on hand-built journals: edge cases decided exactly.

keeps-listenkey-alive (A1), replaces-dead-listenkey (A3), retries-failed-keepalive (A4) and
uses-current-listenkey (A7). Deadlines are passed as each check's Params, as a scenario's
`expect:` would.
"""

from __future__ import annotations

from typing import Any

from harness.verdict import Status
from tests.behaviours.journal import (
    GONE_BODY,
    LISTEN_KEY,
    event,
    exited,
    fault,
    judge,
    lapse,
    opened,
    rejected,
    rest,
)

UNKNOWN_BODY = '{"code":-1000,"msg":"An unknown error occured while processing the request."}'


def call(t: float, method: str, status: int = 200, body: str = '{"listenKey":"k"}') -> dict[str, Any]:
    return rest(t, LISTEN_KEY, status, method, body)


def post(t: float, status: int = 200) -> dict[str, Any]:
    return call(t, "POST", status)


def put(t: float, status: int = 200, body: str = '{"listenKey":"k"}', **extra: Any) -> dict[str, Any]:
    return {**call(t, "PUT", status, body), **extra}


def gone(t: float) -> dict[str, Any]:
    return put(t, 400, GONE_BODY)


def failing(t: float) -> dict[str, Any]:
    return put(t, 500, UNKNOWN_BODY)


# keeps-listenkey-alive -------------------------------------------------------------------


def test_a_key_created_too_late_for_a_keepalive_is_not_judged_but_a_short_scenario_is_an_error() -> None:
    # TTL 2 s: a keepalive is due within 1.5 s. A first key at 3.5 s of a 4 s run is the
    # client's lateness; a 1 s scenario could judge no client at all.
    late = judge("keeps-listenkey-alive", [post(3.5)], ended_at=4, ttl=2)
    assert late.status is Status.NOT_APPLICABLE and "created at 3.50 s" in late.summary
    short = judge("keeps-listenkey-alive", [post(0.2)], ended_at=1, ttl=2)
    assert short.status is Status.ERROR and "shorten the scenario's listen_key_ttl" in short.summary


def test_keepalive_at_half_the_ttl_passes_with_its_figures() -> None:
    journal = [post(0.5), put(1.5), put(2.51), put(3.5)]
    v = judge("keeps-listenkey-alive", journal, ended_at=4, ttl=2)
    assert v.status is Status.PASS, v.summary
    assert v.measured["keepalives"] == 3 and v.measured["first_keepalive"] == 1.0
    assert v.measured["max_gap"] == 1.5 and v.measured["longest_gap"] == 1.01


def test_no_keepalive_after_the_post_fails_and_names_the_lapse() -> None:
    journal = [post(0.5), lapse(2.5), post(2.51)]
    v = judge("keeps-listenkey-alive", journal, ended_at=4, ttl=2)
    assert v.status is Status.FAIL, v.summary
    assert "after the key was created" in v.summary and "lapsed at 2.50 s" in v.summary
    assert v.measured["keepalives"] == 0 and v.measured["lapses"] == 1


def test_keepalives_that_stop_leave_an_open_gap_to_the_end_of_the_run() -> None:
    v = judge("keeps-listenkey-alive", [post(0.5), put(1.5)], ended_at=4, ttl=2)
    assert v.status is Status.FAIL and "last 2.50 s of the run" in v.summary


def test_a_failed_put_still_counts_as_the_timer_firing() -> None:
    """The cadence is judged on what the client sent; a failed PUT is retries-failed-keepalive's."""
    v = judge("keeps-listenkey-alive", [post(0.5), failing(1.5), put(2.5), put(3.5)], ended_at=4, ttl=2)
    assert v.status is Status.PASS, v.summary


def test_refusing_posts_do_not_start_the_clock_and_a_refreshing_post_counts() -> None:
    journal = [post(0.1, status=503), post(0.5), post(1.6), post(2.7)]
    v = judge("keeps-listenkey-alive", journal, ended_at=3.5, ttl=2)
    assert v.status is Status.PASS and "POSTs" in v.summary


def test_explicit_max_gap_overrides_the_ttl_fraction() -> None:
    journal = [post(0.5), put(1.5), put(2.5)]
    v = judge("keeps-listenkey-alive", journal, ended_at=3, ttl=2, max_gap=0.8)
    assert v.status is Status.FAIL and "0.80 s" in v.summary


def test_run_shorter_than_the_allowed_gap_is_an_error_not_a_fail() -> None:
    v = judge("keeps-listenkey-alive", [post(0.5)], ended_at=5)  # TTL 3600: the real one
    assert v.status is Status.ERROR and "listen_key_ttl" in v.summary


def test_client_exiting_before_a_keepalive_was_due_is_not_applicable() -> None:
    v = judge("keeps-listenkey-alive", [post(0.5), exited(1.0)], ended_at=4, ttl=2)
    assert v.status is Status.NOT_APPLICABLE


def test_no_key_ever_created_is_not_applicable() -> None:
    v = judge("keeps-listenkey-alive", [post(0.5, status=503)], ended_at=4, ttl=2)
    assert v.status is Status.NOT_APPLICABLE


# replaces-dead-listenkey -----------------------------------------------------------------


def test_post_and_live_reconnect_after_1125_pass_with_delays() -> None:
    journal = [post(0.2), opened(0.3, 1), lapse(0.8, "fault"), gone(1.2), post(1.25), opened(1.3, 2)]
    v = judge("replaces-dead-listenkey", journal, ended_at=4, within=1, connect_within=2)
    assert v.status is Status.PASS, v.summary
    assert v.measured == {"post_delay": 0.05, "reconnect_delay": 0.1, "answered_1125": 1}


def test_second_put_after_1125_fails_even_before_the_deadline() -> None:
    journal = [post(0.2), opened(0.3, 1), lapse(0.8, "fault"), gone(1.2), gone(1.4)]
    v = judge("replaces-dead-listenkey", journal, ended_at=1.5, within=1, connect_within=2)
    assert v.status is Status.FAIL and "PUT the dead key again" in v.summary
    assert len(v.evidence) == 2


def test_late_post_fails_with_how_late() -> None:
    journal = [post(0.2), opened(0.3, 1), lapse(0.8, "fault"), gone(1.2), post(3.2), opened(3.3, 2)]
    v = judge("replaces-dead-listenkey", journal, ended_at=4, within=1, connect_within=4)
    assert v.status is Status.FAIL and "after 2.00 s" in v.summary  # judged at its own deadline


def test_new_key_but_reconnect_on_the_dead_one_fails() -> None:
    journal = [
        post(0.2),
        opened(0.3, 1),
        lapse(0.8, "fault"),
        gone(1.2),
        post(1.25),
        opened(1.3, 2, "expired"),
    ]
    v = judge("replaces-dead-listenkey", journal, ended_at=4, within=1, connect_within=2)
    assert v.status is Status.FAIL and "dead key" in v.summary


def test_1125_too_late_to_judge_is_an_error() -> None:
    journal = [post(0.2), opened(0.3, 1), lapse(0.8, "fault"), gone(3.9)]
    v = judge("replaces-dead-listenkey", journal, ended_at=4, within=1, connect_within=2)
    assert v.status is Status.NOT_APPLICABLE


def test_key_replaced_before_any_1125_is_not_applicable() -> None:
    journal = [post(0.2), opened(0.3, 1), lapse(0.8, "fault"), post(0.81), opened(0.9, 2), put(1.8)]
    v = judge("replaces-dead-listenkey", journal, ended_at=4)
    assert v.status is Status.NOT_APPLICABLE


def test_no_key_death_at_all_is_an_error() -> None:
    v = judge("replaces-dead-listenkey", [post(0.2), opened(0.3, 1), put(1.2)], ended_at=4)
    assert v.status is Status.ERROR


# retries-failed-keepalive ------------------------------------------------------------------


def test_quick_retry_passes_with_its_delay() -> None:
    journal = [post(0.3), failing(1.5), put(1.7), put(2.9)]
    v = judge("retries-failed-keepalive", journal, ended_at=4, within=0.6)
    assert v.status is Status.PASS, v.summary
    assert v.measured == {"retry_delays": [0.2], "lapses": 0}


def test_waiting_a_whole_interval_fails_and_names_the_lapse() -> None:
    journal = [post(0.3), failing(1.5), lapse(2.5), post(2.5), put(2.7)]
    v = judge("retries-failed-keepalive", journal, ended_at=4, within=0.6)
    assert v.status is Status.FAIL, v.summary
    assert "1.00 s later (POST)" in v.summary and "lapsed at 2.50 s" in v.summary


def test_only_the_first_retry_of_a_streak_is_timed() -> None:
    """Backing off through a longer outage is right: later retries may wait longer."""
    journal = [post(0.3), failing(1.5), failing(1.7), failing(2.5), put(3.8)]
    v = judge("retries-failed-keepalive", journal, ended_at=4, within=0.6)
    assert v.status is Status.PASS and v.measured["retry_delays"] == [0.2]


def test_never_retrying_fails_once_the_deadline_passed() -> None:
    v = judge("retries-failed-keepalive", [post(0.3), failing(1.5)], ended_at=4, within=0.6)
    assert v.status is Status.FAIL and "never" in v.summary


def test_failure_at_the_end_of_the_run_is_an_error_not_a_fail() -> None:
    v = judge("retries-failed-keepalive", [post(0.3), failing(3.9)], ended_at=4, within=0.6)
    assert v.status is Status.NOT_APPLICABLE


def test_a_broken_answer_is_a_failed_keepalive_too() -> None:
    """No status at all (an empty answer, garbage, a reset: status 0 with `broken`) failed the
    PUT as surely as a 500; waiting a whole interval after it is the same lack."""
    broken = put(1.5, 0, "", broken="empty", fault=True)
    v = judge("retries-failed-keepalive", [post(0.3), broken, put(1.65)], ended_at=4, within=0.6)
    assert v.status is Status.PASS and v.measured["retry_delays"] == [0.15]
    v = judge("retries-failed-keepalive", [post(0.3), broken, put(2.7)], ended_at=4, within=0.6)
    assert v.status is Status.FAIL and "a broken answer (empty)" in v.summary


def test_1125_is_not_a_transient_failure() -> None:
    v = judge("retries-failed-keepalive", [post(0.3), gone(1.5), put(3.5)], ended_at=4, within=0.6)
    assert v.status is Status.ERROR and "no keepalive failed" in v.summary


def test_no_put_at_all_is_not_applicable() -> None:
    v = judge("retries-failed-keepalive", [post(0.3)], ended_at=4, within=0.6)
    assert v.status is Status.NOT_APPLICABLE


# uses-current-listenkey --------------------------------------------------------------------


def refused(t: float, lasting: float | None = 0.8, times: int | None = None) -> dict[str, Any]:
    return fault(t, "reject_handshake", lasting=lasting, times=times)


def test_reconnect_on_a_new_key_with_events_flowing_passes() -> None:
    journal = [
        opened(0.5, 1),
        event(0.7, [1]),
        lapse(1.0, "fault"),
        refused(1.05),
        opened(2.2, 3, key="k2"),
        event(2.4, [3]),
    ]
    v = judge("uses-current-listenkey", journal, ended_at=4.5, within=2.5)
    assert v.status is Status.PASS, v.summary
    assert v.measured == {"reconnect_delay": 0.35, "event_delay": 0.55}


def test_any_connection_on_a_dead_key_fails() -> None:
    journal = [opened(0.5, 1), lapse(1.0, "fault"), refused(1.05), opened(2.2, 3, "expired"), event(2.4, [])]
    v = judge("uses-current-listenkey", journal, ended_at=4.5, within=2.5)
    assert v.status is Status.FAIL and "was expired" in v.summary
    assert v.measured == {"stale_connections": 1}


def test_a_key_that_died_while_the_upgrade_was_held_is_not_a_stale_reconnect() -> None:
    """The client asked at 2.0 s on a live key; slow_upgrade held the answer 0.3 s and the key
    died at 2.1 s in between. Reconnecting on a new key in time passes; asking at 2.2 s, after
    the death, is the stale reconnect."""
    held = [opened(0.5, 1), lapse(2.1, "fault"), opened(2.3, 3, "expired", delayed=0.3)]
    recovered = [opened(2.9, 4, key="k2"), event(3.2, [4])]
    v = judge("uses-current-listenkey", held + recovered, ended_at=6, within=2.5)
    assert v.status is Status.PASS, v.summary
    late = [opened(0.5, 1), lapse(2.1, "fault"), opened(2.3, 3, "expired", delayed=0.1), *recovered]
    v = judge("uses-current-listenkey", late, ended_at=6, within=2.5)
    assert v.status is Status.FAIL and "was expired" in v.summary


def test_a_key_that_died_right_after_the_client_checked_it_is_not_a_stale_reconnect() -> None:
    """PUT answered 200 at 2.0 s, the key died at 2.05 s, the client asked at 2.1 s: it
    checked right before connecting and could not know. Checking, then waiting out a 0.5 s
    backoff before asking, is the stale reconnect (failure mode A7's sequence form)."""
    recovered = [opened(3.0, 4, key="k2"), event(3.2, [4])]

    def asked_at(t: float) -> list[Any]:
        return [
            opened(0.5, 1),
            rest(2.0, "/fapi/v1/listenKey", method="PUT"),
            lapse(2.05, "fault"),
            opened(t, 3, "expired"),
            *recovered,
        ]

    v = judge("uses-current-listenkey", asked_at(2.1), ended_at=6, within=2.5)
    assert v.status is Status.PASS, v.summary
    v = judge("uses-current-listenkey", asked_at(2.5), ended_at=6, within=2.5)
    assert v.status is Status.FAIL and "was expired" in v.summary


def test_live_key_but_no_event_in_time_fails() -> None:
    journal = [
        opened(0.5, 1),
        lapse(1.0, "fault"),
        refused(1.05),
        event(2.0, []),
        opened(3.5, 3, key="k2"),
        event(4.5, [3]),
    ]
    v = judge("uses-current-listenkey", journal, ended_at=5, within=2.5)
    assert v.status is Status.FAIL and "first came after 2.65 s" in v.summary


def test_refusals_limited_by_count_end_at_the_last_refusal() -> None:
    journal = [
        opened(0.5, 1),
        lapse(1.0, "fault"),
        refused(1.05, lasting=None, times=2),
        rejected(1.2),
        rejected(1.6),
        opened(1.9, 3, key="k2"),
        event(2.0, [3]),
    ]
    v = judge("uses-current-listenkey", journal, ended_at=4.5, within=2.5)
    assert v.status is Status.PASS and v.measured["event_delay"] == 0.4


def test_no_account_events_after_the_outage_is_an_error() -> None:
    journal = [opened(0.5, 1), lapse(1.0, "fault"), refused(1.05), opened(2.2, 3, key="k2")]
    v = judge("uses-current-listenkey", journal, ended_at=4.5, within=2.5)
    assert v.status is Status.ERROR and "events.rate" in v.summary


def test_server_never_back_is_an_error() -> None:
    journal = [opened(0.5, 1), lapse(1.0, "fault"), refused(1.05, lasting=None)]
    v = judge("uses-current-listenkey", journal, ended_at=4.5)
    assert v.status is Status.NOT_APPLICABLE


def test_no_key_death_is_an_error() -> None:
    v = judge("uses-current-listenkey", [opened(0.5, 1), event(1, [1])], ended_at=4.5)
    assert v.status is Status.ERROR
