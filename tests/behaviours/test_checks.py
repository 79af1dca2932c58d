"""The checks on hand-built journals: the edge cases a live run seldom hits, decided exactly."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from harness.verdict import Status
from tests.behaviours.journal import (
    BEHAVIOURS,
    GONE_BODY,
    LISTEN_KEY,
    client_close,
    closed,
    dropped,
    event,
    exited,
    fault,
    judge,
    lapse,
    opened,
    rejected,
    rest,
    said,
    snapshot,
)

# reconnects-after-drop -----------------------------------------------------------------


def test_reconnect_in_time_passes_with_its_delay() -> None:
    v = judge(
        "reconnects-after-drop",
        [opened(0.5, 1), fault(2, "abort_tcp", [1], ends=True), closed(2, 1), opened(2.4, 2)],
        ended_at=3,
        within=5,
    )
    assert v.status is Status.PASS and v.measured["reconnect_delays"] == [0.4]


def test_reconnect_too_late_fails_with_how_late() -> None:
    v = judge(
        "reconnects-after-drop",
        [opened(0.5, 1), fault(2, "abort_tcp", [1], ends=True), closed(2, 1), opened(8, 2)],
        ended_at=10,
        within=5,
    )
    assert v.status is Status.FAIL and "6.00 s later" in v.summary


def test_a_half_open_socket_replaced_without_closing_it_is_a_reconnect() -> None:
    """half_open never ends the socket: a client that opens a new one is reconnecting (it
    used to FAIL "never ended or replaced" beside a detects-dead-connection PASS)."""
    journal = [opened(0.5, 1), fault(1, "half_open", [1], ends=True), opened(2.2, 2)]
    v = judge("reconnects-after-drop", journal, ended_at=6, within=3)
    assert v.status is Status.PASS and v.measured["reconnect_delays"] == [1.2]
    v = judge("reconnects-after-drop", journal[:2], ended_at=6, within=3)
    assert v.status is Status.FAIL and "neither ended nor replaced within 3.00 s" in v.summary


def test_a_replacement_ready_before_the_old_connection_closes_is_the_reconnect() -> None:
    """After serverShutdown a correct client opens the replacement, then closes the old
    connection itself: the new one came first (a search found this judged a FAIL, "no new
    connection after connection 1 ended")."""
    journal = [
        opened(0.5, 1),
        fault(2.77, "server_shutdown", [1], ends=True),
        opened(2.776, 2),
        client_close(2.777, 1),
    ]
    v = judge("reconnects-after-drop", journal, ended_at=9, within=5)
    assert v.status is Status.PASS and v.measured["reconnect_delays"] == [0.0]
    v = judge("reconnects-after-drop", journal[:2] + journal[3:], ended_at=9, within=5)
    assert v.status is Status.FAIL


def test_a_connection_a_lasting_fault_left_open_was_not_dropped() -> None:
    """limit_data on the bytes the client sends, for 0.1 s: the client sent none, so nothing
    was cut (a search found a correct client judged "neither ended nor replaced")."""
    hit = fault(1.0, "limit_data", [1], ends=True, bytes=235, direction="upstream", lasting=0.1)
    v = judge("reconnects-after-drop", [opened(0.5, 1), hit], ended_at=9, within=5)
    assert v.status is Status.NOT_APPLICABLE
    # The same fault without an end is still in force at the end: the connection is dead.
    v = judge(
        "reconnects-after-drop",
        [opened(0.5, 1), fault(1.0, "half_open", [1], ends=True)],
        ended_at=9,
        within=5,
    )
    assert v.status is Status.FAIL


def test_no_reconnect_but_run_too_short_to_tell_is_not_a_fail() -> None:
    v = judge(
        "reconnects-after-drop",
        [opened(0.5, 1), fault(2, "abort_tcp", [1], ends=True), closed(2, 1)],
        ended_at=3,
        within=5,
    )
    assert v.status is Status.NOT_APPLICABLE


def test_no_reconnect_and_client_exited_is_a_fail() -> None:
    v = judge(
        "reconnects-after-drop",
        [
            opened(0.5, 1),
            fault(2, "abort_tcp", [1], ends=True),
            closed(2, 1),
            exited(2.1, code=0),
        ],
        ended_at=2.2,
        within=5,
    )
    assert v.status is Status.FAIL


# backs-off -----------------------------------------------------------------------------

delays = st.lists(st.floats(0.5, 1.0), min_size=5, max_size=8)


@given(jitter=delays, initial=st.floats(0.1, 1.0))  # half jitter keeps gaps >= 0.05 s
def test_doubling_backoff_with_half_jitter_passes(jitter: list[float], initial: float) -> None:
    t, journal = 1.0, [fault(0.9, "reject_handshake")]
    for n, j in enumerate(jitter):
        journal.append(rejected(t))
        t += initial * 2**n * j
    v = judge("backs-off", journal, ended_at=t + 1)
    assert v.status is Status.PASS, v.summary


@given(jitter=st.lists(st.floats(0.9, 1.1), min_size=4, max_size=30), delay=st.floats(0.06, 5.0))
def test_fixed_delay_fails(jitter: list[float], delay: float) -> None:
    t, journal = 1.0, [fault(0.9, "reject_handshake")]
    for j in jitter:
        journal.append(rejected(t))
        t += delay * j
    v = judge("backs-off", journal, ended_at=t + 1)
    assert v.status is Status.FAIL, v.summary


def test_hot_loop_fails_on_the_floor() -> None:
    journal = [rejected(1 + i * 0.001) for i in range(50)]
    v = judge("backs-off", journal, ended_at=5)
    assert v.status is Status.FAIL and "no delay" in v.summary


def test_no_attempt_while_refused_is_not_applicable() -> None:
    v = judge("backs-off", [opened(0.5, 1), fault(1, "reject_handshake")], ended_at=5)
    assert v.status is Status.NOT_APPLICABLE


def test_a_single_refused_attempt_shows_no_backoff_and_is_not_applicable() -> None:
    v = judge("backs-off", [opened(0.5, 1), rejected(1.0), opened(2.5, 2)], ended_at=5)
    assert v.status is Status.NOT_APPLICABLE and "only 1 refused attempt" in v.summary


# resyncs-after-gap ----------------------------------------------------------------------


def test_resync_after_reconnect_passes_and_missing_one_fails() -> None:
    drop = [opened(0.5, 1), snapshot(0.6), *dropped(1, 1), opened(1.3, 2)]
    assert judge("resyncs-after-gap", [*drop, snapshot(1.4)], ended_at=5, within=2).status is Status.PASS
    assert judge("resyncs-after-gap", drop, ended_at=5, within=2).status is Status.FAIL


def test_a_reconnect_too_close_to_the_end_is_not_applicable_not_an_error() -> None:
    """The late reconnect is the client's (judged by reconnects-after-drop), not the harness's."""
    journal = [opened(0.5, 1), fault(1, "abort_tcp", [1], ends=True), closed(1, 1), opened(4.5, 2)]
    v = judge("resyncs-after-gap", journal, ended_at=5, within=2)
    assert v.status is Status.NOT_APPLICABLE and "too late to judge a resync" in v.summary


# surfaces-error-body --------------------------------------------------------------------


def rest_error(t: float) -> dict[str, Any]:
    body = '{"code":-5000,"msg":"Path /fapi/v1/listenKey, Method POST is invalid"}'
    return rest(t, LISTEN_KEY, 404, "POST", body)


def test_error_body_shown_passes() -> None:
    v = judge(
        "surfaces-error-body",
        [rest_error(1), said(1.1, "HTTP 404 code=-5000 msg=Path /fapi/v1/listenKey, Method POST is invalid")],
        ended_at=4,
    )
    assert v.status is Status.PASS


def test_only_the_status_fails() -> None:
    v = judge(
        "surfaces-error-body", [rest_error(1), said(1.1, "Request failed with status code 404")], ended_at=4
    )
    assert v.status is Status.FAIL and "Request failed with status code 404" in v.summary


def test_shown_too_late_fails() -> None:
    v = judge(
        "surfaces-error-body",
        [rest_error(1), said(3.5, "code=-5000 msg=Path /fapi/v1/listenKey, Method POST is invalid")],
        ended_at=4,
        within=2,
    )
    assert v.status is Status.FAIL


def test_no_error_answered_is_not_applicable() -> None:
    assert judge("surfaces-error-body", [], ended_at=4).status is Status.NOT_APPLICABLE


# no-event-lost ----------------------------------------------------------------------------


def sent(t: float, E: int, conns: list[int]) -> dict[str, Any]:
    return event(t, conns, E=E)


def test_event_missing_from_the_client_fails() -> None:
    v = judge(
        "no-event-lost",
        [sent(1, 100, [1]), sent(2, 101, [1])],
        ended_at=3,
        events=[{"e": "ORDER_TRADE_UPDATE", "E": 100}],
    )
    assert v.status is Status.FAIL and v.measured == {"sent": 2, "missing": 1}


def test_events_sent_to_nobody_and_just_before_a_reset_do_not_count() -> None:
    journal = [sent(1, 100, [1]), sent(1.9, 101, [1]), closed(2, 1, how="abort_rst"), sent(2.5, 102, [])]
    v = judge("no-event-lost", journal, ended_at=3, events=[{"e": "ORDER_TRADE_UPDATE", "E": 100}])
    assert v.status is Status.PASS and v.measured["sent"] == 1


# renews-expired-listenkey --------------------------------------------------------------------


def test_put_after_1125_fails() -> None:
    journal = [
        opened(0.5, 1),
        lapse(2),
        rest(3, LISTEN_KEY, 400, "PUT", GONE_BODY),
        rest(4, LISTEN_KEY, 400, "PUT", GONE_BODY),
    ]
    v = judge("renews-expired-listenkey", journal, ended_at=10)
    assert v.status is Status.FAIL and "another PUT" in v.summary


def test_reconnect_on_the_dead_key_fails() -> None:
    journal = [
        opened(0.5, 1),
        lapse(2),
        rest(2.1, LISTEN_KEY, method="POST"),
        opened(2.2, 2, state="expired"),
    ]
    v = judge("renews-expired-listenkey", journal, ended_at=20)
    assert v.status is Status.FAIL and "dead key" in v.summary


# A client that exits on its own ----------------------------------------------------------------


def test_a_fail_of_a_client_that_exited_on_its_own_says_so() -> None:
    """node-ccxt died of an unhandled rejection during long-outage and keeps-retrying never
    said so: every FAIL of a client that exited by itself now names the exit and its code."""
    from harness.record import RunRecord
    from harness.runner import judge as judge_run
    from harness.scenario import Expectation, Scenario

    b = BEHAVIOURS["reconnects-after-drop"]
    scenario = Scenario("t", "t", "", ("t",), 6.0, (Expectation(b.id, b.params(within=2)),))
    journal = [
        opened(0.5, 1),
        fault(1, "abort_tcp", [1], ends=True),
        closed(1, 1),
        said(1.1, "UnhandledPromiseRejection"),
        exited(1.2, 1),
    ]
    (v,) = judge_run(RunRecord(scenario, journal, [], ended_at=6.0), [])
    assert v.status is Status.FAIL
    assert v.summary.endswith(
        'the client exited on its own with code 1 at 1.20 s (its last line: "UnhandledPromiseRejection")'
    )
    assert v.evidence[-1]["kind"] == "client_exit"


# one-live-connection ----------------------------------------------------------------------------


def test_a_replaced_socket_closed_before_the_moment_passes_with_the_counts() -> None:
    journal = [opened(0.5, 1), fault(1, "half_open", [1], ends=True), closed(2.0, 1), opened(2.2, 2)]
    v = judge("one-live-connection", journal, ended_at=5, within=2)
    assert v.status is Status.PASS, v.summary
    assert (v.measured["counts"], v.measured["moments"]) == ([1], [4.2])
    assert "1 at 4.20 s (connection 2)" in v.summary


def test_the_socket_left_open_beside_its_replacement_fails_naming_it() -> None:
    journal = [opened(0.5, 1), fault(1, "half_open", [1], ends=True), opened(2.2, 2)]
    v = judge("one-live-connection", journal, ended_at=5, within=2)
    assert v.status is Status.FAIL, v.summary
    assert "connection 1 (opened at 0.50 s) was still open at 4.20 s" in v.summary
    assert v.measured["leftover"] == [1] and v.evidence[0]["conn"] == 1


def test_a_socket_closed_only_after_the_moment_is_a_leftover_too() -> None:
    journal = [
        opened(0.5, 1),
        fault(1, "half_open", [1], ends=True),
        opened(2.2, 2),
        closed(4.5, 1, "client"),
    ]
    assert judge("one-live-connection", journal, ended_at=6, within=2).status is Status.FAIL
    assert judge("one-live-connection", journal, ended_at=6, within=2.5).status is Status.PASS


def test_an_overlap_while_replacing_within_the_grace_is_fine() -> None:
    """serverShutdown: the replacement opens while the old connection still serves."""
    journal = [
        opened(0.5, 1),
        fault(1, "server_shutdown", [1], ends=True),
        opened(1.2, 2),
        client_close(1.4, 1),
    ]
    assert judge("one-live-connection", journal, ended_at=4, within=1).status is Status.PASS


def test_streams_with_other_filters_are_other_streams() -> None:
    """Four sockets with four `events=` filters are four streams, not leftovers of one."""
    journal: list[Any] = [
        opened(0.5, n, events={"k": [kind]}) for n, kind in enumerate(("A", "B", "C"), start=1)
    ]
    journal += [fault(1, "abort_tcp", [1], ends=True), closed(1, 1), opened(1.3, 4, events={"k": ["A"]})]
    v = judge("one-live-connection", journal, ended_at=4, within=1)
    assert v.status is Status.PASS and v.measured["counts"] == [1]


def test_a_key_switch_is_a_reconnect_of_the_same_stream() -> None:
    journal = [
        opened(0.5, 1, key="k1", streams=["k1"], listen_keys=["k1"]),
        lapse(1, "fault", key="k1"),
        opened(1.5, 2, key="k2", streams=["k2"], listen_keys=["k2"]),
    ]
    v = judge("one-live-connection", journal, ended_at=4, within=1)
    assert v.status is Status.FAIL and v.measured["leftover"] == [1]


def test_no_reconnect_is_not_applicable_and_a_late_one_too_late_to_judge() -> None:
    journal = [opened(0.5, 1), fault(1, "stray_listen_key_expired", [1])]
    v = judge("one-live-connection", journal, ended_at=4, within=1)
    assert v.status is Status.NOT_APPLICABLE and "never reconnected" in v.summary
    late = [opened(0.5, 1), *dropped(3, 1), opened(3.5, 2)]
    v = judge("one-live-connection", late, ended_at=4, within=1)
    assert v.status is Status.NOT_APPLICABLE and "before its 1.00 s deadline ended" in v.summary
