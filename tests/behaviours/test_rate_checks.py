"""The rate-limit checks on hand-built journals: no-reconnect-storm, attempts-under-limit,
honours-retry-after and stays-under-message-rate, at the edges a live run seldom hits.

Deadlines and limits are passed as each behaviour's Params, as a scenario's `expect:` would.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from harness.verdict import Status
from tests.behaviours import journal as base
from tests.behaviours.journal import LISTEN_KEY, fault, judge

KEY_PATH = "/private/ws/k"
PEER = "127.0.0.1:5000"


def opened(t: float, conn: int = 1, path: str = KEY_PATH, peer: str = PEER) -> dict[str, Any]:
    """A handshake with the URL and peer address the rate checks group attempts by."""
    return base.opened(t, conn, path=path, peer=peer)


def refused(
    t: float, path: str = KEY_PATH, status: int = 503, why: str = "fault", peer: str = PEER
) -> dict[str, Any]:
    return base.rejected(t, status, why, path=path, peer=peer)


def rest(
    t: float, status: int = 200, method: str = "POST", path: str = LISTEN_KEY, **kw: Any
) -> dict[str, Any]:
    return base.rest(t, path, status, method, **kw)


def frame(t: float, op: str = "ping", conn: int = 1, direction: str = "in") -> dict[str, Any]:
    return base.frame(t, conn, direction, op)


def outage(times: list[float], open_at: float | None = None) -> list[dict[str, Any]]:
    """A refusal fault, then these refused attempts, then (maybe) the handshake that opened."""
    journal = [opened(0.1), fault(0.5, "reject_handshake", status=503)] + [refused(t) for t in times]
    return journal + ([opened(open_at, 2)] if open_at is not None else [])


# no-reconnect-storm ----------------------------------------------------------------------


def test_a_burst_of_quick_retries_is_a_storm() -> None:
    v = judge("no-reconnect-storm", outage([1.0, 1.06, 1.12, 1.18, 1.24, 1.30]), ended_at=4)
    assert v.status is Status.FAIL and v.measured["busiest_window"] == 6
    assert len(v.evidence) == 6


def test_a_doubling_backoff_from_an_eighth_of_a_second_is_no_storm() -> None:
    # The reference client's fastest possible schedule: 5 attempts need 1.875 s.
    v = judge("no-reconnect-storm", outage([1.0, 1.125, 1.375, 1.875, 2.875], 4.875), ended_at=5)
    assert v.status is Status.PASS and v.measured["busiest_window"] == 4


@given(
    jitter=st.lists(st.floats(0.5, 1.0), min_size=2, max_size=12),
    start=st.floats(0.6, 5.0),
)
def test_any_jittered_doubling_backoff_from_a_quarter_second_passes(
    jitter: list[float], start: float
) -> None:
    times, t = [], start
    for n, j in enumerate(jitter):
        times.append(t)
        t += 0.25 * 2**n * j
    v = judge("no-reconnect-storm", outage(times), ended_at=t + 1)
    assert v.status is Status.PASS, v.summary


def test_attempts_exactly_a_window_apart_are_not_in_one_window() -> None:
    v = judge("no-reconnect-storm", outage([1.5, 2.5, 3.5]), ended_at=4, max_attempts=1, window=1.0)
    assert v.status is Status.PASS and v.measured["busiest_window"] == 1


def test_each_socket_is_judged_by_its_own_url() -> None:
    paths = [f"/private/ws?listenKey=k&events={e}" for e in ("A", "B", "C", "D")]
    attempts = [refused(1.0 + 0.2 * i + 0.01 * n, path=p) for n, p in enumerate(paths) for i in range(3)]
    journal = [opened(0.1), fault(0.5, "reject_handshake", status=503), *attempts]
    assert judge("no-reconnect-storm", journal, ended_at=3).status is Status.PASS
    same_url = [dict(a, path=KEY_PATH) for a in attempts]
    v = judge("no-reconnect-storm", [opened(0.1), fault(0.5, "reject_handshake"), *same_url], ended_at=3)
    assert v.status is Status.FAIL and v.measured["busiest_window"] == 12


def test_attempts_after_the_run_began_ending_are_not_judged() -> None:
    v = judge("no-reconnect-storm", outage([1.0, 2.0, 3.0, 3.01, 3.02, 3.03, 3.04, 3.05]), ended_at=3)
    assert v.status is Status.PASS


def test_a_client_that_never_tries_again_is_not_applicable() -> None:
    v = judge("no-reconnect-storm", outage([1.0]), ended_at=5)
    assert v.status is Status.NOT_APPLICABLE and "never tried again" in v.summary


def test_a_run_with_no_refusal_and_no_drop_is_a_harness_error() -> None:
    assert judge("no-reconnect-storm", [opened(0.1)], ended_at=3).status is Status.ERROR


def test_burst_then_backoff_passes_backs_off_but_not_no_reconnect_storm() -> None:
    """The two checks are decided by different lacks: delays that grow after a burst."""
    times = [1.0, 1.065, 1.13, 1.195, 1.26, 1.325, 1.5, 1.85, 2.6, 4.1]
    assert judge("backs-off", outage(times), ended_at=6).status is Status.PASS
    assert judge("no-reconnect-storm", outage(times), ended_at=6).status is Status.FAIL


# attempts-under-limit ----------------------------------------------------------------------


def limited(attempts: int = 8, window: float = 4.0) -> dict[str, Any]:
    return fault(0.0, "connection_attempt_limit", attempts=attempts, window=window)


def test_the_limit_the_server_enforced_is_the_one_judged() -> None:
    journal = [limited(), *(opened(0.5 + 0.3 * i, i) for i in range(9))]
    v = judge("attempts-under-limit", journal, ended_at=4)  # Params say 300: the step wins
    assert v.status is Status.FAIL and "attempt 9 came at 2.90 s" in v.summary
    assert v.measured["busiest_window"] == 9 and v.measured["limit"] == 8


def test_under_the_enforced_limit_passes_with_the_count() -> None:
    journal = [limited(), *(opened(0.5 + 0.3 * i, i) for i in range(8))]
    v = judge("attempts-under-limit", journal, ended_at=4)
    assert v.status is Status.PASS and v.measured["busiest_window"] == 8


def test_a_429_for_too_many_attempts_fails_even_if_the_count_looks_fine() -> None:
    journal = [limited(), opened(0.5), refused(1.0, status=429, why="connection_attempts")]
    v = judge("attempts-under-limit", journal, ended_at=4)
    assert v.status is Status.FAIL and v.measured["refused"] == 1


def test_without_an_enforced_limit_the_params_decide() -> None:
    journal = [opened(0.5 + 0.1 * i, i) for i in range(10)]
    assert judge("attempts-under-limit", journal, ended_at=4).status is Status.PASS  # 300 / 5 min
    v = judge("attempts-under-limit", journal, ended_at=4, limit=5, window=1.0)
    assert v.status is Status.FAIL and v.measured["busiest_window"] == 10


def test_attempts_are_counted_per_ip() -> None:
    journal = [limited(attempts=4)]
    journal += [opened(0.5 + 0.1 * i, i, peer=f"127.0.0.{1 + i % 2}:{5000 + i}") for i in range(8)]
    v = judge("attempts-under-limit", journal, ended_at=4)
    assert v.status is Status.PASS and v.measured["busiest_window"] == 4


def test_no_attempt_at_all_is_not_applicable() -> None:
    assert judge("attempts-under-limit", [limited()], ended_at=4).status is Status.NOT_APPLICABLE


# honours-retry-after ---------------------------------------------------------------------------


def rest_429(retry_after: str = "1", name: str = "Retry-After") -> list[dict[str, Any]]:
    return [
        fault(0.0, "http_error", route="POST /fapi/v1/listenKey", status=429, headers={name: retry_after}),
        rest(0.3, 429, fault=True),
    ]


def test_a_rest_call_inside_the_retry_after_fails() -> None:
    v = judge("honours-retry-after", [*rest_429(), rest(0.55)], ended_at=4)
    assert v.status is Status.FAIL and "0.25 s later" in v.summary and v.measured["waited"] == 0.25


def test_any_rest_call_counts_not_only_the_refused_route() -> None:
    journal = [*rest_429(), rest(0.8, method="PUT"), rest(1.4)]
    assert judge("honours-retry-after", journal, ended_at=4).status is Status.FAIL


def test_waiting_the_full_retry_after_then_succeeding_passes() -> None:
    v = judge("honours-retry-after", [*rest_429(), rest(1.31)], ended_at=4)
    assert v.status is Status.PASS and v.measured["waits"] == [
        {"kind": "rest", "retry_after": 1.0, "waited": 1.01}
    ]


def test_the_header_name_is_case_insensitive() -> None:
    v = judge("honours-retry-after", [*rest_429(name="retry-after"), rest(0.4)], ended_at=4)
    assert v.status is Status.FAIL


def test_a_handshake_during_a_rest_retry_after_is_another_kind() -> None:
    journal = [*rest_429(), opened(0.5), rest(1.4)]
    assert judge("honours-retry-after", journal, ended_at=4).status is Status.PASS


def test_a_handshake_inside_a_refused_upgrades_retry_after_fails() -> None:
    journal = [
        opened(0.2),
        fault(0.5, "reject_handshake", status=418, headers={"Retry-After": "1"}),
        refused(0.7, status=418),
        opened(1.2, 2),
    ]
    v = judge("honours-retry-after", journal, ended_at=4)
    assert v.status is Status.FAIL and "handshake" in v.summary
    journal[-1] = opened(1.75, 2)
    assert judge("honours-retry-after", journal, ended_at=4).status is Status.PASS


def test_not_coming_back_fails_only_once_the_run_lasted_long_enough() -> None:
    """Before the recovery deadline, a client that sent nothing more showed no waiting at all:
    NOT-APPLICABLE with that reason (issue 9: it was a PASS with no evidence)."""
    assert judge("honours-retry-after", rest_429(), ended_at=7, recover_within=5).status is Status.FAIL
    v = judge("honours-retry-after", rest_429(), ended_at=4, recover_within=5)
    assert v.status is Status.NOT_APPLICABLE and "no further REST call" in v.summary and v.evidence


def test_a_broken_answer_after_the_wait_is_no_recovery() -> None:
    """A call whose answer a wire fault broke (status 0) did not succeed: the client has not
    come back until a call is answered."""
    journal = [*rest_429(), rest(1.4, 0, broken="reset", fault=True)]
    v = judge("honours-retry-after", journal, ended_at=7, recover_within=5)
    assert v.status is Status.FAIL
    journal.append(rest(1.6))
    assert judge("honours-retry-after", journal, ended_at=7, recover_within=5).status is Status.PASS


def test_an_answer_of_another_status_is_not_the_faults() -> None:
    journal = [rest_429()[0], rest(0.3, 500, fault=True), rest(0.4)]
    assert judge("honours-retry-after", journal, ended_at=4).status is Status.NOT_APPLICABLE


def test_a_scenario_without_retry_after_is_a_harness_error() -> None:
    journal = [fault(0.0, "http_error", status=429), rest(0.3, 429, fault=True), rest(0.4)]
    assert judge("honours-retry-after", journal, ended_at=4).status is Status.ERROR


# stays-under-message-rate ---------------------------------------------------------------------


def test_ten_messages_in_a_second_pass_and_an_eleventh_fails() -> None:
    ten = [opened(0.1), *(frame(1.0 + 0.05 * i, "pong" if i % 2 else "ping") for i in range(10))]
    v = judge("stays-under-message-rate", ten, ended_at=3)
    assert v.status is Status.PASS and v.measured["busiest_window"] == 10
    v = judge("stays-under-message-rate", [*ten, frame(1.6, "text")], ended_at=3)
    assert v.status is Status.FAIL and v.measured["busiest_window"] == 11 and v.evidence[0]["t"] == 1.6


def test_spot_allows_five() -> None:
    six = [opened(0.1), *(frame(1.0 + 0.1 * i) for i in range(6))]
    assert judge("stays-under-message-rate", six, ended_at=3).status is Status.PASS
    assert judge("stays-under-message-rate", six, ended_at=3, profile="spot").status is Status.FAIL


def test_each_connection_has_its_own_budget_and_server_frames_do_not_count() -> None:
    journal = [opened(0.1), opened(0.1, 2)]
    journal += [frame(1.0 + 0.05 * i, conn=1 + i % 2) for i in range(16)]
    journal += [frame(1.0 + 0.01 * i, direction="out") for i in range(30)]
    journal += [frame(1.5, "close")]
    v = judge("stays-under-message-rate", journal, ended_at=3)
    assert v.status is Status.PASS and v.measured["busiest_window"] == 8


def test_a_close_for_too_many_messages_fails() -> None:
    cut = {
        "t": 1.0,
        "kind": "ws_close",
        "conn": 1,
        "code": 1008,
        "how": "too_many_messages",
        "initiator": "server",
    }
    v = judge("stays-under-message-rate", [opened(0.1), cut], ended_at=3)
    assert v.status is Status.FAIL and v.measured["cut"] == 1


@given(gaps=st.lists(st.floats(0.101, 2.0), min_size=1, max_size=40))
def test_messages_spaced_a_tenth_of_a_second_apart_always_pass(gaps: list[float]) -> None:
    times = [1.0]
    for g in gaps:
        times.append(times[-1] + g)
    journal = [opened(0.1), *(frame(t) for t in times)]
    assert judge("stays-under-message-rate", journal, ended_at=times[-1] + 1).status is Status.PASS


def test_no_connection_is_not_applicable() -> None:
    assert judge("stays-under-message-rate", [], ended_at=3).status is Status.NOT_APPLICABLE
