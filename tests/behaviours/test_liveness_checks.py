"""The heartbeat, stall and outage checks on hand-built journals: edge cases decided exactly.

Covers answers-server-ping (after its split from echoes-ping-payload), echoes-ping-payload,
no-spurious-disconnect, reconciles-during-silence, keeps-retrying and
stops-on-restricted-location. Deadlines are passed explicitly, as a scenario would.
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from harness.verdict import Status
from tests.behaviours.journal import (
    LISTEN_KEY,
    Entry,
    client_close,
    closed,
    event,
    exited,
    fault,
    frame,
    judge,
    lapse,
    opened,
    rejected,
    rest,
    said,
    snapshot,
)

RESTRICTED_MSG = (
    "Service unavailable from a restricted location according to 'b. Eligibility' in "
    "https://www.binance.com/en/terms. Please contact customer service if you believe you "
    "received this message in error."
)


def ping(t: float, data: str, conn: int = 1) -> Entry:
    return frame(t, conn, "out", "ping", data)


def pong(t: float, data: str, conn: int = 1) -> Entry:
    return frame(t, conn, "in", "pong", data)


# answers-server-ping ----------------------------------------------------------------------


def test_any_pong_in_time_answers_a_ping_whatever_its_payload() -> None:
    v = judge(
        "answers-server-ping",
        [opened(0, 1), ping(1, "aa"), pong(1.01, ""), ping(2, "bb"), pong(2.02, "bb")],
        ended_at=4,
        within=1,
    )
    assert v.status is Status.PASS and v.measured["pings"] == 2


def test_pong_timeout_despite_pongs_fails_and_points_at_the_payload() -> None:
    v = judge(
        "answers-server-ping",
        [opened(0, 1), ping(1, "aa"), pong(1.01, ""), closed(3, 1, "server", "pong_timeout", 1008)],
        ended_at=4,
        within=1,
    )
    assert v.status is Status.FAIL and "echoes-ping-payload" in v.summary


# echoes-ping-payload -----------------------------------------------------------------------


def test_echoed_pings_pass() -> None:
    v = judge(
        "echoes-ping-payload",
        [opened(0, 1), ping(1, "aa"), pong(1.01, "aa"), ping(2, "bb"), pong(2.01, "bb")],
        ended_at=4,
        within=1,
    )
    assert v.status is Status.PASS and v.measured["pings_echoed"] == 2


def test_an_empty_pong_fails_with_the_ping_and_the_pong() -> None:
    v = judge("echoes-ping-payload", [opened(0, 1), ping(1, "aa"), pong(1.01, "")], ended_at=4, within=1)
    assert v.status is Status.FAIL and "empty payload" in v.summary
    assert [e["op"] for e in v.evidence] == ["ping", "pong"]


def test_pings_without_any_pong_are_left_to_answers_server_ping() -> None:
    v = judge("echoes-ping-payload", [opened(0, 1), ping(1, "aa"), ping(2, "bb")], ended_at=4, within=1)
    assert v.status is Status.NOT_APPLICABLE


def test_a_late_echo_after_the_next_ping_is_not_a_wrong_payload() -> None:
    journal = [opened(0, 1), ping(1, "aa"), ping(1.5, "bb"), pong(1.6, "aa"), pong(1.61, "bb")]
    v = judge("echoes-ping-payload", journal, ended_at=4, within=1)
    assert v.status is Status.PASS and v.measured["pings_echoed"] == 2


def test_an_unsolicited_pong_next_to_the_echo_does_no_harm() -> None:
    journal = [opened(0, 1), ping(1, "aa"), pong(1.01, "zz"), pong(1.02, "aa")]
    assert judge("echoes-ping-payload", journal, ended_at=4, within=1).status is Status.PASS


def test_a_wrong_pong_at_the_end_of_the_run_is_not_judged_yet() -> None:
    journal = [opened(0, 1), ping(1, "aa"), pong(1.01, "aa"), ping(3.5, "bb"), pong(3.51, "")]
    v = judge("echoes-ping-payload", journal, ended_at=4, within=1)
    assert v.status is Status.PASS and v.measured["pings_echoed"] == 1


def test_echoes_without_server_pings_is_a_scenario_error() -> None:
    assert judge("echoes-ping-payload", [opened(0, 1)], ended_at=4, within=1).status is Status.ERROR


# no-spurious-disconnect ----------------------------------------------------------------------


def test_a_client_close_of_a_healthy_connection_fails_with_its_silence() -> None:
    journal = [opened(0.5, 1), event(0.6, [1]), client_close(1.6, 1), opened(1.8, 2)]
    v = judge("no-spurious-disconnect", journal, ended_at=4)
    assert v.status is Status.FAIL and v.measured["spurious_closes"] == 1
    assert v.measured["silence_before_close"] == 1.0
    assert v.evidence[0]["kind"] == "ws_close"


def test_closes_after_a_breaking_fault_or_a_dead_key_are_excused() -> None:
    journal = [
        opened(0.5, 1),
        fault(1, "half_open", [1], ends=True),
        closed(2, 1, "client", "eof"),
        opened(2.2, 2),
        lapse(3),
        client_close(3.1, 2),
        opened(3.2, 3),
    ]
    v = judge("no-spurious-disconnect", journal, ended_at=4)
    assert v.status is Status.PASS and v.measured["connections"] == 3


def test_a_stall_does_not_excuse_a_client_close() -> None:
    journal = [opened(0.5, 1), fault(1, "stall_data", [1]), client_close(2, 1), opened(2.2, 2)]
    assert judge("no-spurious-disconnect", journal, ended_at=4).status is Status.FAIL


def test_server_closes_and_closes_after_the_end_of_the_run_are_not_the_clients() -> None:
    journal = [
        opened(0.5, 1),
        closed(1, 1, "server", "fault", 1001),
        opened(1.2, 2),
        client_close(4.1, 2),
    ]
    assert judge("no-spurious-disconnect", journal, ended_at=4).status is Status.PASS


def test_a_run_without_the_required_quiet_period_is_a_scenario_error() -> None:
    journal = [opened(0, 1), *(event(t / 2, [1]) for t in range(1, 8))]
    v = judge("no-spurious-disconnect", journal, ended_at=4, min_silence=2)
    assert v.status is Status.ERROR and "quiet" in v.summary
    quiet = judge("no-spurious-disconnect", [opened(0, 1)], ended_at=4, min_silence=2)
    assert quiet.status is Status.PASS and quiet.measured["longest_silence"] == 4.0


def test_a_quiet_period_broken_by_the_clients_own_key_lapse_is_not_judged() -> None:
    """The client let its key run out, and the fake's listenKeyExpired broke the quiet: the
    run tested no quiet stream through the client's doing, NOT-APPLICABLE naming the lapse;
    a key killed by a fault is the scenario's doing and stays an ERROR."""
    journal = [opened(0, 1), lapse(1.5), event(1.5, [1], "listenKeyExpired")]
    v = judge("no-spurious-disconnect", journal, ended_at=4, min_silence=3)
    assert v.status is Status.NOT_APPLICABLE and "lapse 1.50 s into the run" in v.summary
    assert v.evidence[0]["kind"] == "listen_key"
    killed = [opened(0, 1), lapse(1.5, "fault"), event(1.5, [1], "listenKeyExpired")]
    assert judge("no-spurious-disconnect", killed, ended_at=4, min_silence=3).status is Status.ERROR
    # A lapse while no connection was open broke no quiet: the scenario's events did.
    busy = [lapse(0.2), opened(0.5, 1), *(event(t / 2, [1]) for t in range(2, 8))]
    assert judge("no-spurious-disconnect", busy, ended_at=4, min_silence=3).status is Status.ERROR


def test_a_client_that_connected_too_late_for_the_quiet_period_is_not_judged() -> None:
    """Its lateness, not the scenario, left no 2 s of quiet: NOT-APPLICABLE, not ERROR."""
    v = judge("no-spurious-disconnect", [opened(2.9, 1)], ended_at=4, min_silence=2)
    assert v.status is Status.NOT_APPLICABLE and "opened at 2.90 s" in v.summary


def test_no_spurious_disconnect_without_a_connection_fails() -> None:
    assert judge("no-spurious-disconnect", [], ended_at=4).status is Status.FAIL


# reconciles-during-silence -------------------------------------------------------------------


def stalled_run(*extra: Entry) -> list[Entry]:
    """A connection opened at 0.5 and stalled at 1; fills at 1.25 and 1.5 reach nobody."""
    return [
        opened(0.5, 1),
        event(0.75, [1]),
        fault(1, "stall_data", [1]),
        event(1.25, []),
        event(1.5, []),
        *extra,
    ]


def test_snapshots_during_the_stall_pass_with_the_worst_lag() -> None:
    v = judge("reconciles-during-silence", stalled_run(snapshot(1.4), snapshot(1.9)), ended_at=4, period=1)
    assert v.status is Status.PASS and v.measured["max_lag"] == 0.4


def test_no_snapshot_within_the_period_fails_with_the_missed_change() -> None:
    v = judge("reconciles-during-silence", stalled_run(snapshot(0.6)), ended_at=4, period=1)
    assert v.status is Status.FAIL and "within 1.00 s" in v.summary
    assert [e["kind"] for e in v.evidence] == ["fault", "event", "rest"]


def test_a_stall_at_the_end_of_the_run_is_not_judged() -> None:
    v = judge("reconciles-during-silence", stalled_run(), ended_at=2, period=1)
    assert v.status is Status.NOT_APPLICABLE


def test_changes_delivered_on_a_new_connection_are_seen_anyway() -> None:
    journal = [
        opened(0.5, 1),
        fault(1, "stall_data", [1]),
        event(1.25, []),
        client_close(1.3, 1),
        opened(1.4, 2),
        snapshot(1.45),
        event(1.5, [2]),
    ]
    v = judge("reconciles-during-silence", journal, ended_at=4, period=1)
    assert v.status is Status.PASS and v.summary.startswith("1 account changes")


def test_changes_after_a_lasting_stall_ended_are_not_judged() -> None:
    journal = [
        opened(0.5, 1),
        fault(1, "stall_data", [1], lasting=0.4),
        event(1.25, []),
        snapshot(1.3),
        event(2, []),
    ]
    assert judge("reconciles-during-silence", journal, ended_at=4, period=1).status is Status.PASS


def test_a_run_without_a_stall_or_without_changes_is_a_scenario_error() -> None:
    no_stall = judge("reconciles-during-silence", [opened(0.5, 1), event(1, [1])], ended_at=4, period=1)
    assert no_stall.status is Status.ERROR
    quiet = judge(
        "reconciles-during-silence", [opened(0.5, 1), fault(1, "stall_data", [1])], ended_at=4, period=1
    )
    assert quiet.status is Status.ERROR and "events.rate" in quiet.summary


@given(st.lists(st.floats(min_value=0.05, max_value=0.9), min_size=1, max_size=20))
def test_a_client_that_snapshots_at_least_once_a_period_always_passes(gaps: list[float]) -> None:
    times, t = [], 1.0
    for gap in gaps:
        t += gap
        times.append(t)
    journal = [opened(0.5, 1), fault(1, "stall_data", [1]), *(event(x - 0.01, []) for x in times)]
    journal += [snapshot(x) for x in times]
    v = judge("reconciles-during-silence", journal, ended_at=t + 1, period=1)
    assert v.status is Status.PASS


# keeps-retrying ----------------------------------------------------------------------------


def outage(*extra: Entry) -> list[Entry]:
    """Connected at 0.5, dropped at 1 while upgrades are refused from 1 to 3."""
    return [
        opened(0.5, 1),
        fault(1, "reject_handshake", [], lasting=2.0),
        fault(1, "abort_tcp", [1], ends=True),
        closed(1, 1),
        *(rejected(1.1 + i * 0.3) for i in range(6)),
        *extra,
    ]


def test_connected_soon_after_the_recovery_passes() -> None:
    v = judge("keeps-retrying", outage(opened(3.3, 2)), ended_at=5, within=1.5)
    assert v.status is Status.PASS
    assert v.measured == {"reconnect_after_recovery": 0.3, "refused_attempts": 6}


def test_a_client_that_stopped_trying_fails_once_the_deadline_passed() -> None:
    v = judge("keeps-retrying", outage(), ended_at=5, within=1.5)
    assert v.status is Status.FAIL and "last attempt was at 2.60 s" in v.summary


def test_a_late_reconnect_fails_with_how_late() -> None:
    v = judge("keeps-retrying", outage(opened(4.8, 2)), ended_at=6, within=1.5)
    assert v.status is Status.FAIL and "connected 1.80 s after recovery" in v.summary


def test_a_run_ending_before_the_deadline_is_not_judged_unless_the_client_exited() -> None:
    assert judge("keeps-retrying", outage(), ended_at=4, within=1.5).status is Status.NOT_APPLICABLE
    exited_run = outage(exited(3.5))
    assert judge("keeps-retrying", exited_run, ended_at=4, within=1.5).status is Status.FAIL


def test_a_fault_limited_to_times_recovers_with_its_last_refusal() -> None:
    journal = [
        fault(0, "http_error", [], times=3),
        *(rest(0.2 * i, LISTEN_KEY, 503, "POST", fault=True) for i in range(1, 4)),
        opened(1.0, 1),
    ]
    v = judge("keeps-retrying", journal, ended_at=3, within=1)
    assert v.status is Status.PASS and v.measured["reconnect_after_recovery"] == 0.4


def test_a_connection_open_through_the_outage_counts_at_once() -> None:
    journal = [opened(0.5, 1), fault(1, "reject_handshake", [], lasting=1.0)]
    v = judge("keeps-retrying", journal, ended_at=3, within=1)
    assert v.status is Status.PASS and v.measured["reconnect_after_recovery"] == 0.0


def test_no_outage_with_an_end_is_a_scenario_error() -> None:
    journal = [opened(0.5, 1), fault(1, "abort_tcp", [1], ends=True), fault(1, "reject_handshake", [])]
    assert judge("keeps-retrying", journal, ended_at=3, within=1).status is Status.ERROR


# stops-on-restricted-location --------------------------------------------------------------------

BODY_451 = json.dumps({"code": 0, "msg": RESTRICTED_MSG})


def refused_451(t: float) -> Entry:
    return rest(t, LISTEN_KEY, 451, "POST", BODY_451, fault=True)


def test_stopping_and_showing_the_msg_passes() -> None:
    journal = [
        refused_451(0.4),
        said(0.41, f"REST POST /fapi/v1/listenKey failed: HTTP 451 code=0 msg={RESTRICTED_MSG}"),
        exited(0.5, code=3),
    ]
    v = judge("stops-on-restricted-location", journal, ended_at=0.6, max_attempts=3, within=2, watch=2.5)
    assert v.status is Status.PASS and v.measured["attempts_after_451"] == 0


def test_more_attempts_than_allowed_fail_whatever_the_output() -> None:
    journal = [refused_451(0.4 + 0.2 * i) for i in range(5)] + [said(0.41, RESTRICTED_MSG)]
    v = judge("stops-on-restricted-location", journal, ended_at=4, max_attempts=3, within=2, watch=2.5)
    assert v.status is Status.FAIL and v.measured["attempts_after_451"] == 4


def test_up_to_the_limit_passes_and_other_requests_do_not_count() -> None:
    journal = [refused_451(0.4 + 0.2 * i) for i in range(4)] + [
        rest(0.5, "/fapi/v2/account", 451, body=BODY_451),
        said(0.41, RESTRICTED_MSG),
    ]
    v = judge("stops-on-restricted-location", journal, ended_at=4, max_attempts=3, within=2, watch=2.5)
    assert v.status is Status.PASS and v.measured["attempts_after_451"] == 3


def test_a_451_never_explained_fails() -> None:
    journal = [refused_451(0.4), said(0.41, "Request failed with status code 451")]
    v = judge("stops-on-restricted-location", journal, ended_at=4, max_attempts=3, within=2, watch=2.5)
    assert v.status is Status.FAIL and "never shows" in v.summary


def test_without_a_451_it_is_a_scenario_error_and_without_time_to_watch_it_is_not_judged() -> None:
    """No 451 step at all is the scenario's problem; a 451 too late to watch for its 2.5 s is
    the client's late start (the loader makes `watch` fit from the earliest start)."""
    assert judge("stops-on-restricted-location", [], ended_at=4).status is Status.ERROR
    journal = [refused_451(0.4), said(0.41, RESTRICTED_MSG)]
    v = judge("stops-on-restricted-location", journal, ended_at=2, max_attempts=3, within=1, watch=2.5)
    assert v.status is Status.NOT_APPLICABLE and "before its 2.50 s deadline ended" in v.summary
