"""Issue 9 on hand-built journals: one rule for a client with no user-data stream, the
fake's refusals in its reason, NOT-APPLICABLE (never PASS, never ERROR) where the run never
made the situation a check judges, and "went deaf" apart from "writes no events file"."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from harness.applicability import NO_STREAM
from harness.defaults import SCENARIOS
from harness.record import RunRecord
from harness.scenario import Scenario
from harness.scenario_file import default_registries, load_scenarios
from harness.verdict import Status, Verdict
from tests.behaviours.journal import (
    BEHAVIOURS,
    LISTEN_KEY,
    closed,
    dropped,
    event,
    exited,
    fault,
    frame,
    judge,
    lapse,
    opened,
    ready,
    rejected,
    rest,
    said,
    snapshot,
)

UUID = "0b6e3c2a-6f5e-4d0b-9a51-3c1f2e8d7a44"


@cache
def catalog() -> tuple[Scenario, ...]:
    faults, behaviours = default_registries()
    return tuple(load_scenarios(sorted(SCENARIOS.rglob("*.yaml")), faults=faults, behaviours=behaviours))


def judge_in(
    scenario: Scenario,
    behaviour: str,
    journal: list[dict[str, Any]],
    *,
    ended_at: float,
    events: list[dict[str, Any]] | None = None,
) -> Verdict:
    """Judge `behaviour` on `journal` as a run of this catalog scenario (its steps, its
    timers, its `expect:` params) that ended at `ended_at`."""
    params = next((e.params for e in scenario.expect if e.behaviour == behaviour), None)
    b = BEHAVIOURS[behaviour]
    record = RunRecord(scenario, sorted(journal, key=lambda e: e["t"]), events or [], ended_at=ended_at)
    return b.check(record, params if params is not None else b.params())


def fired_at_start(scenario: Scenario) -> list[dict[str, Any]]:
    """The faults a scenario fires on its own clock (`on: start`), reaching no connection:
    all a client that never connects ever meets."""
    return [
        {**fault(step.at, "x"), **step.fault.describe(), "step": i, "line": step.line}
        for i, step in enumerate(scenario.steps)
        if step.on == "start" and step.at < scenario.duration
    ]


# One rule for a client with no user-data stream ------------------------------------------


def test_every_behaviour_is_judged_by_some_catalog_scenario() -> None:
    """So the never-connected test below covers all of them."""
    judged = {e.behaviour for s in catalog() for e in s.expect}
    assert judged == set(BEHAVIOURS)


@pytest.mark.parametrize("exits", [False, True], ids=["silent", "exits-at-once"])
def test_a_client_that_never_connects_gets_the_shared_verdict_everywhere(exits: bool) -> None:
    """Across the whole catalog: FAIL where the behaviour needs a stream, NOT-APPLICABLE
    where it cannot arise without one, the same reason every time, and never an ERROR."""
    for scenario in catalog():
        journal = fired_at_start(scenario) + ([exited(0.05, code=0)] if exits else [])
        for expectation in scenario.expect:
            b = BEHAVIOURS[expectation.behaviour]
            v = judge_in(scenario, b.id, journal, ended_at=0.06 if exits else scenario.duration)
            where = (scenario.name, b.id, v.summary)
            assert v.status is (Status.FAIL if b.needs_stream else Status.NOT_APPLICABLE), where
            assert v.summary.startswith(NO_STREAM + ": "), where
            why = "the client exited on its own with code 0" if exits else "it never contacted the fake"
            assert why in v.summary, where


def test_the_shared_reason_cites_the_fakes_refusals() -> None:
    """A SUBSCRIBE answered with an error (with the request before it), a REST route the fake
    does not serve, a refused handshake that no fault made: said in the fake's own words."""
    refused = '{"error":{"code":2,"msg":"Invalid request: request ID must be an unsigned integer"},"id":null}'
    journal = [
        rest(0.1, LISTEN_KEY, method="POST", body='{"listenKey":"k"}'),
        rest(
            0.2,
            "/fapi/v3/account",
            404,
            body='{"code":-5000,"msg":"Path /fapi/v3/account, Method GET is invalid"}',
        ),
        rest(
            0.25,
            "/fapi/v3/account",
            404,
            body='{"code":-5000,"msg":"Path /fapi/v3/account, Method GET is invalid"}',
        ),
        opened(0.3, 1, path="/private/stream", listen_keys=[]),
        frame(0.4, 1, "in", "text", f'{{"method":"SUBSCRIBE","params":["k"],"id":"{UUID}"}}'),
        frame(0.41, 1, "out", "text", refused, method=None, error=2),
        rejected(0.5, 404, "unknown_path", path="/ws/k"),
    ]
    for behaviour in ("reconnects-after-drop", "no-event-lost"):
        v = judge(behaviour, journal, ended_at=4)
        assert v.summary.startswith(NO_STREAM), v.summary
        assert "it opened /private/stream but never subscribed to its user data there" in v.summary
        assert (
            f'your SUBSCRIBE id "{UUID}" was answered with code 2 '
            '"Invalid request: request ID must be an unsigned integer"'
        ) in v.summary
        assert (
            'GET /fapi/v3/account answered 404 -5000 "Path /fapi/v3/account, Method GET is invalid" (2 times)'
            in v.summary
        )
        assert "the handshake on /ws/k was refused with 404 (unknown_path)" in v.summary
        assert {e["kind"] for e in v.evidence} >= {"ws_open", "ws_frame", "rest", "ws_reject"}


def test_a_subscribe_the_fake_accepted_makes_a_stream() -> None:
    """/private/stream joined by a SUBSCRIBE of the key is a user-data stream from the answer on."""
    journal = [
        opened(0.3, 1, path="/private/stream", listen_keys=[]),
        frame(0.4, 1, "in", "text", '{"method":"SUBSCRIBE","params":["k"],"id":1}'),
        frame(0.41, 1, "out", "text", '{"result":null,"id":1}', method="SUBSCRIBE", error=None),
        *dropped(1, 1),
    ]
    v = judge("reconnects-after-drop", journal, ended_at=4, within=1)
    assert v.status is Status.FAIL and NO_STREAM not in v.summary, v.summary


def test_answers_journaled_with_their_request_id_are_cited_without_the_request() -> None:
    """A newer journal may carry the request id on the answer itself: still cited."""
    answer = frame(0.41, 1, "out", "text", '{"error":{"code":2,"msg":"bad"}}', method="SUBSCRIBE", error=2)
    v = judge("answers-server-ping", [answer | {"request_id": "abc"}], ended_at=4)
    assert 'your SUBSCRIBE id "abc" was answered with code 2 "bad"' in v.summary


def test_a_fault_answer_is_not_cited_but_a_wsapi_error_is() -> None:
    journal = [
        rest(0.1, LISTEN_KEY, 503, "POST", '{"code":-1001,"msg":"Service Unavailable."}', fault=True),
        opened(0.3, 1, path="/ws-api/v3", route_kind="wsapi"),
        frame(0.4, 1, "in", "text", '{"id":"s1","method":"userDataStream.subscribe.signature","params":{}}'),
        frame(
            0.41,
            1,
            "out",
            "text",
            '{"id":"s1","status":400,"error":{"code":-1022,"msg":"Signature for this request is not valid."}}',
            status=400,
            error=-1022,
        ),
    ]
    v = judge("resubscribes-after-termination", journal, ended_at=4, profile="spot")
    assert v.status is Status.FAIL
    assert "-1001" not in v.summary
    assert (
        'your userDataStream.subscribe.signature id "s1" was answered with status 400, code -1022 '
        '"Signature for this request is not valid."'
    ) in v.summary


# A scenario's fault that never fired is not a harness problem -------------------------------


def scenario_named(name: str) -> Scenario:
    return next(s for s in catalog() if s.name == name)


def test_a_trigger_the_client_never_reached_is_not_applicable_with_its_story() -> None:
    """long-outage refuses upgrades 0.1 s after the first user-data connection: a client that
    connected at the very end never met it (keeps-retrying said ERROR: 'no outage with an end')."""
    outage = scenario_named("long-outage")
    v = judge_in(outage, "keeps-retrying", [opened(4.95, 1), ready(4.95, 1)], ended_at=5.0)
    assert v.status is Status.NOT_APPLICABLE, v.summary
    assert "never fired" in v.summary and "which came at 4.95 s" in v.summary


def test_a_fault_the_scenario_really_lacks_is_still_a_harness_error() -> None:
    v = judge_in(scenario_named("quiet-stream"), "keeps-retrying", [opened(0.5, 1)], ended_at=4)
    assert v.status is Status.ERROR and "the scenario has no" in v.summary


def test_a_key_that_died_calls_for_a_reconnect_too() -> None:
    """listenkey/expired drops no connection: its gap is the key's death, so a client that
    stays on its one connection FAILS resyncs-after-gap (it did), never an ERROR."""
    expired = scenario_named("expired")
    journal = [opened(0.3, 1), fault(1.8, "expire_listen_key"), lapse(1.8, "fault")]
    v = judge_in(expired, "resyncs-after-gap", journal, ended_at=7)
    assert v.status is Status.FAIL and "never reconnected" in v.summary, v.summary
    assert v.evidence[0]["kind"] == "listen_key"


def test_a_fault_that_fired_while_the_client_was_away_is_not_applicable() -> None:
    journal = [opened(0.2, 1), closed(0.4, 1, "client", "close_frame", 1000), fault(0.5, "half_open")]
    v = judge("detects-dead-connection", journal, ended_at=4)
    assert v.status is Status.NOT_APPLICABLE and "no user-data connection open" in v.summary


def test_backs_off_never_says_no_reconnect_beside_a_reconnect() -> None:
    """The client waited out the refusals and came back: the verdict must not claim it 'did
    not reconnect at all' (the committed matrix had that beside a reconnect PASS)."""
    journal = [
        opened(0.5, 1),
        fault(1, "reject_handshake", lasting=2),
        *dropped(1.1, 1),
        opened(3.5, 2),
    ]
    v = judge("backs-off", journal, ended_at=5)
    assert v.status is Status.NOT_APPLICABLE and "did not reconnect" not in v.summary
    assert "next connection opened at 3.50 s" in v.summary
    alone = judge("backs-off", journal[:-1], ended_at=5)
    assert "did not reconnect at all" in alone.summary


# No PASS without evidence --------------------------------------------------------------------


def test_no_event_on_a_live_connection_is_not_a_pass() -> None:
    """'all 0 events sent on live connections were reported' was a PASS."""
    journal = [opened(0.5, 1), event(1.0, []), event(1.5, [])]
    v = judge("no-event-lost", journal, ended_at=3, events=[{"e": "ORDER_TRADE_UPDATE", "E": 1}])
    assert v.status is Status.NOT_APPLICABLE and "no account event" in v.summary


def test_a_passing_no_event_lost_names_its_events() -> None:
    journal = [opened(0.5, 1), event(1.0, [1], E=10), event(1.5, [1], E=11)]
    events = [{"e": "ORDER_TRADE_UPDATE", "E": 10}, {"e": "ORDER_TRADE_UPDATE", "E": 11}]
    v = judge("no-event-lost", journal, ended_at=3, events=events)
    assert v.status is Status.PASS and [e["E"] for e in v.evidence] == [10, 11]


def test_a_client_that_sent_no_message_is_not_judged_on_its_pace() -> None:
    """'0 messages on 0 connection(s)' was a PASS."""
    v = judge("stays-under-message-rate", [opened(0.1)], ended_at=3)
    assert v.status is Status.NOT_APPLICABLE and "sent no message" in v.summary


def test_error_answers_too_late_to_judge_are_not_a_pass() -> None:
    body = '{"code":-1003,"msg":"Too many requests."}'
    v = judge("surfaces-error-body", [opened(0.1), rest(3.5, LISTEN_KEY, 429, "POST", body)], ended_at=4)
    assert v.status is Status.NOT_APPLICABLE and "too late" in v.summary


# Went deaf, or writes no events file ----------------------------------------------------------


def deaf_journal() -> list[dict[str, Any]]:
    """Events on connection 1 before and after a fault at 1 s; the socket stays open."""
    return [
        opened(0.2, 1),
        event(0.5, [1], E=5),
        event(0.8, [1], E=8),
        frame(1.0, 1, "out", "text", fault="send_raw", frame="empty"),
        event(1.2, [1], E=12),
        event(1.6, [1], E=16),
        event(2.0, [1], E=20),
    ]


BEFORE = [{"e": "ORDER_TRADE_UPDATE", "E": 5}, {"e": "ORDER_TRADE_UPDATE", "E": 8}]


def test_a_client_that_stops_reporting_after_a_fault_went_deaf() -> None:
    for behaviour in ("survives-bad-frame", "no-event-lost"):
        v = judge(behaviour, deaf_journal(), ended_at=3, events=BEFORE)
        assert v.status is Status.FAIL, (behaviour, v.summary)
        assert "went deaf after" in v.summary and "connection 1 stayed open" in v.summary
        assert "none of the 3 events" in v.summary


def test_one_lost_event_or_a_gap_is_not_deafness() -> None:
    """Deafness is: nothing reported from some moment on, two events or more."""
    gap = [*BEFORE, {"e": "ORDER_TRADE_UPDATE", "E": 16}]  # 12 and 20 lost, 16 reported
    v = judge("no-event-lost", deaf_journal(), ended_at=3, events=gap)
    assert v.status is Status.FAIL and "went deaf" not in v.summary and v.measured["missing"] == 2
    last = [*BEFORE, {"e": "ORDER_TRADE_UPDATE", "E": 12}]  # only 16, the last one, lost
    v = judge("no-event-lost", deaf_journal()[:-1], ended_at=3, events=last)
    assert v.status is Status.FAIL and "went deaf" not in v.summary and v.measured["missing"] == 1


def test_a_client_that_reports_nothing_is_not_deaf_but_not_applicable() -> None:
    for behaviour in ("survives-bad-frame", "no-event-lost", "tolerates-unknown-events"):
        v = judge(behaviour, deaf_journal(), ended_at=3)
        assert v.status is Status.NOT_APPLICABLE and "writes no events file" in v.summary, behaviour


def test_deaf_after_a_duplicate_or_a_reordered_update_or_an_unknown_event() -> None:
    journal = deaf_journal()
    journal[3] = event(1.0, [1], "ACCOUNT_UPDATE", E=9, fault="unknown_event", variant="unknown_fields")
    v = judge("tolerates-unknown-events", journal, ended_at=3, events=BEFORE)
    assert v.status is Status.FAIL and "went deaf after the first unexpected event" in v.summary
    journal[3] = event(1.0, [1], E=8, copy=2, fault="duplicate_event")
    v = judge("no-duplicate-delivery", journal, ended_at=3, events=BEFORE)
    assert v.status is Status.FAIL and "went deaf after the first event sent twice" in v.summary
    journal[3] = event(1.0, [1], E=7, order_id=3, held=True, after=8, fault="reorder_events")
    events = [{"e": "ORDER_TRADE_UPDATE", "E": 5, "o": {"i": 3, "X": "NEW"}}]
    v = judge("keeps-event-order", journal, ended_at=3, events=events)
    assert v.status is Status.FAIL and "went deaf after the first update sent out of order" in v.summary


# What the fake refused, where a check needs it ------------------------------------------------


def test_no_rest_snapshot_says_which_calls_the_fake_refused() -> None:
    """A client that resyncs through a route the fake does not serve is told so."""
    body = '{"code":-5000,"msg":"Path /fapi/v3/account, Method GET is invalid"}'
    journal = [opened(0.5, 1), snapshot(0.6), *dropped(1, 1), opened(1.3, 2)]
    journal.append(rest(1.35, "/fapi/v3/account", 404, body=body))
    v = judge("resyncs-after-gap", journal, ended_at=5, within=2)
    assert v.status is Status.FAIL
    assert (
        'GET /fapi/v3/account answered 404 -5000 "Path /fapi/v3/account, Method GET is invalid"' in v.summary
    )


# surfaces-error-body: codes and messages as tokens ------------------------------------------


MSG_451 = "Service unavailable from a restricted location according to 'b. Eligibility'."
BODY_451 = json.dumps({"code": 0, "msg": MSG_451})


def shown(body: str, status: int, *lines: str) -> Status:
    journal = [rest(1, LISTEN_KEY, status, "POST", body), *(said(1.1, line) for line in lines)]
    return judge("surfaces-error-body", journal, ended_at=4).status


def test_a_code_counts_as_a_token_not_inside_a_longer_number() -> None:
    body = '{"code":-1125,"msg":"This listenKey does not exist."}'
    assert shown(body, 400, "code=-1125 msg=This listenKey does not exist.") is Status.PASS
    assert shown(body, 400, '{"code":-1125,"msg":"This listenKey does not exist."}') is Status.PASS
    assert shown(body, 400, "code=-11250 msg=This listenKey does not exist.") is Status.FAIL
    assert shown(body, 400, "code=1125 msg=This listenKey does not exist.") is Status.FAIL
    assert shown(body, 400, "err -1125.5 This listenKey does not exist.") is Status.FAIL


def test_code_0_is_never_a_bare_digit() -> None:
    """The 451 body's code is 0: a 0 in a timestamp or a status must not count (the same
    client got 4 PASS and 4 FAIL in 8 runs); its msg is what shows the error."""
    assert shown(BODY_451, 451, "HTTP 451 at 10:20:30.000 (attempt 0)") is Status.FAIL
    assert shown(BODY_451, 451, "code 0, 451") is Status.FAIL  # labelled, but the msg is missing
    assert shown(BODY_451, 451, f"HTTP 451: {MSG_451}") is Status.PASS
    assert shown(BODY_451, 451, f'{{"code":0,"msg":"{MSG_451}"}}') is Status.PASS
