"""The WebSocket API and lifecycle checks on hand-built journals: resubscribes-after-termination,
fresh-signature-on-reconnect and replaces-before-shutdown, edge cases decided exactly."""

from __future__ import annotations

import json
from typing import Any

from harness.verdict import Status
from tests.behaviours import journal as base
from tests.behaviours.journal import closed, exited, fault, frame, judge

KEY = "harnessApiKey"


def wsapi_open(t: float, conn: int) -> dict[str, Any]:
    """A WebSocket API connection: it carries no listenKey."""
    return {**base.opened(t, conn, route_kind="wsapi"), "key_states": {}}


def futures_open(t: float, conn: int) -> dict[str, Any]:
    return base.opened(t, conn, route_kind="private")


def request(
    t: float, conn: int, ts: int, sig: str, method: str = "userDataStream.subscribe.signature"
) -> dict[str, Any]:
    params = {"apiKey": KEY, "recvWindow": 1000, "timestamp": ts, "signature": sig}
    return frame(t, conn, "in", "text", json.dumps({"id": 1, "method": method, "params": params}))


def answer(t: float, conn: int, body: dict[str, Any], error: int | None = None) -> dict[str, Any]:
    """The fake's WebSocket API answer on `conn`, journaled as the connection journals it."""
    return frame(t, conn, "out", "text", json.dumps(body), status=body["status"], error=error)


def subscribed(t: float, conn: int) -> dict[str, Any]:
    return answer(t, conn, {"id": 1, "status": 200, "result": {"subscriptionId": 0}})


def refused(t: float, conn: int, code: int = -1021) -> dict[str, Any]:
    body = {"id": 1, "status": 400, "error": {"code": code, "msg": "outside of the recvWindow"}}
    return answer(t, conn, body, code)


def event(t: float, conns: list[int], e: str = "executionReport") -> dict[str, Any]:
    """An account event of the spot stream (executionReport unless named)."""
    return base.event(t, conns, e)


def subscribed_conn(t: float, conn: int, sig: str = "s1") -> list[dict[str, Any]]:
    """A WebSocket API connection opened at t and subscribed right after."""
    return [wsapi_open(t, conn), request(t + 0.01, conn, int(t * 1000), sig), subscribed(t + 0.02, conn)]


# resubscribes-after-termination ------------------------------------------------------------


def test_resubscribe_on_the_same_connection_passes_with_its_delays() -> None:
    journal = [*subscribed_conn(0.2, 1), event(1.0, [1], "eventStreamTerminated")]
    journal += [request(1.05, 1, 1050, "s2"), subscribed(1.06, 1), event(1.3, [1])]
    v = judge("resubscribes-after-termination", journal, ended_at=3, within=1.5)
    assert v.status is Status.PASS, v.summary
    assert v.measured["resubscribe_delays"] == [0.06] and v.measured["first_event_delays"] == [0.24]


def test_reconnecting_and_subscribing_counts_as_resubscribing() -> None:
    journal = [*subscribed_conn(0.2, 1), event(1.0, [1], "eventStreamTerminated")]
    journal += [
        closed(1.1, 1, initiator="client", how="close_frame"),
        *subscribed_conn(1.3, 2, "s2"),
        event(1.5, [2]),
    ]
    v = judge("resubscribes-after-termination", journal, ended_at=3, within=1.5)
    assert v.status is Status.PASS, v.summary


def test_ignored_termination_fails_with_the_events_sent_to_nobody() -> None:
    journal = [*subscribed_conn(0.2, 1), event(1.0, [1], "eventStreamTerminated")]
    journal += [event(1.2, []), event(1.4, []), event(2.6, [])]
    v = judge("resubscribes-after-termination", journal, ended_at=3, within=1.5)
    assert v.status is Status.FAIL
    assert "2 events went to nobody" in v.summary and v.measured["unsent_events"] == 2
    assert v.evidence[0]["e"] == "eventStreamTerminated"


def test_late_resubscription_fails_and_says_how_late() -> None:
    journal = [*subscribed_conn(0.2, 1), event(1.0, [1], "eventStreamTerminated"), subscribed(2.8, 1)]
    v = judge("resubscribes-after-termination", journal, ended_at=3, within=1.5)
    assert v.status is Status.FAIL and "it came 1.80 s after" in v.summary


def test_termination_too_close_to_the_end_is_not_judged() -> None:
    journal = [*subscribed_conn(0.2, 1), event(2.5, [1], "eventStreamTerminated")]
    v = judge("resubscribes-after-termination", journal, ended_at=3, within=1.5)
    assert v.status is Status.NOT_APPLICABLE


def test_client_that_exited_after_the_termination_is_judged() -> None:
    journal = [*subscribed_conn(0.2, 1), event(2.5, [1], "eventStreamTerminated")]
    journal.append(exited(2.6))
    v = judge("resubscribes-after-termination", journal, ended_at=3, within=1.5)
    assert v.status is Status.FAIL


def test_no_termination_or_one_that_reached_nobody_is_an_error() -> None:
    assert judge("resubscribes-after-termination", subscribed_conn(0.2, 1), ended_at=3).status is Status.ERROR
    journal = [*subscribed_conn(0.2, 1), event(1.0, [], "eventStreamTerminated")]
    assert judge("resubscribes-after-termination", journal, ended_at=3).status is Status.ERROR


def test_subscribed_again_but_silent_fails() -> None:
    journal = [*subscribed_conn(0.2, 1), event(1.0, [1], "eventStreamTerminated"), subscribed(1.1, 1)]
    journal += [event(1.3, []), event(1.6, [])]
    v = judge("resubscribes-after-termination", journal, ended_at=3, within=1.5)
    assert v.status is Status.FAIL and "no event reached" in v.summary


def test_never_connected_fails_resubscribing() -> None:
    v = judge("resubscribes-after-termination", [event(1.0, [], "eventStreamTerminated")], ended_at=3)
    assert v.status is Status.FAIL and "never" in v.summary


# fresh-signature-on-reconnect --------------------------------------------------------------


def dropped_then(*reconnect: dict[str, Any]) -> list[dict[str, Any]]:
    return [*subscribed_conn(0.2, 1), fault(2.0, "abort_tcp", [1], ends=True), closed(2.0, 1), *reconnect]


def test_new_signature_on_the_new_connection_passes() -> None:
    journal = dropped_then(*subscribed_conn(2.2, 2, "s2"), event(2.4, [2]))
    v = judge("fresh-signature-on-reconnect", journal, ended_at=4, within=1.2)
    assert v.status is Status.PASS, v.summary
    assert v.measured["subscribe_delays"] == [0.02] and v.measured["first_event_delays"] == [0.18]


def test_resent_signature_fails_whatever_the_answer() -> None:
    for answer in (refused(2.22, 2), subscribed(2.22, 2)):
        journal = dropped_then(wsapi_open(2.2, 2), request(2.21, 2, 200, "s1"), answer, event(2.4, [2]))
        v = judge("fresh-signature-on-reconnect", journal, ended_at=4, within=1.2)
        assert v.status is Status.FAIL and "re-sent the request signed for connection 1" in v.summary
        assert "first sent 2.00 s earlier" in v.summary
        assert any(e.get("dir") == "in" and e["conn"] == 2 for e in v.evidence)


def test_resent_logon_signature_fails_too() -> None:
    journal = [wsapi_open(0.2, 1), request(0.21, 1, 200, "L1", "session.logon"), subscribed(0.23, 1)]
    journal += [closed(2.0, 1), wsapi_open(2.2, 2), request(2.21, 2, 200, "L1", "session.logon")]
    v = judge("fresh-signature-on-reconnect", journal, ended_at=4, within=1.2)
    assert v.status is Status.FAIL and "re-sent" in v.summary


def test_fresh_but_refused_subscription_fails_with_the_code() -> None:
    journal = dropped_then(wsapi_open(2.2, 2), request(2.21, 2, 2210, "s2"), refused(2.22, 2, -1022))
    v = judge("fresh-signature-on-reconnect", journal, ended_at=4, within=1.2)
    assert v.status is Status.FAIL and "refused with -1022" in v.summary


def test_no_reconnect_fails_and_no_drop_is_an_error() -> None:
    v = judge("fresh-signature-on-reconnect", dropped_then(), ended_at=4)
    assert v.status is Status.FAIL and "never reconnected" in v.summary
    assert judge("fresh-signature-on-reconnect", subscribed_conn(0.2, 1), ended_at=4).status is Status.ERROR


def test_reconnect_at_the_very_end_is_not_judged() -> None:
    """Too late to judge, and the lateness is the client's (reconnects-after-drop judges it)."""
    v = judge("fresh-signature-on-reconnect", dropped_then(wsapi_open(3.8, 2)), ended_at=4, within=1.2)
    assert v.status is Status.NOT_APPLICABLE and "too close to the end" in v.summary


def test_listen_key_streams_are_not_applicable() -> None:
    journal = [futures_open(0.2, 1), closed(2.0, 1), futures_open(2.2, 2)]
    v = judge("fresh-signature-on-reconnect", journal, ended_at=4)
    assert v.status is Status.NOT_APPLICABLE


# replaces-before-shutdown ------------------------------------------------------------------


def shutdown(t: float, conns: list[int]) -> list[dict[str, Any]]:
    return [event(t, conns, "serverShutdown"), fault(t, "server_shutdown", conns, ends=True)]


def test_futures_replacement_before_the_close_passes_with_its_lead() -> None:
    journal = [futures_open(0.2, 1), *shutdown(1.0, [1]), futures_open(1.05, 2)]
    journal.append(closed(1.06, 1, initiator="client", how="close_frame"))
    v = judge("replaces-before-shutdown", journal, ended_at=4, within=1)
    assert v.status is Status.PASS, v.summary
    assert v.measured["replace_delays"] == [0.05] and v.measured["lead_before_close"] == [0.01]


def test_spot_replacement_is_ready_when_subscribed() -> None:
    journal = [*subscribed_conn(0.2, 1), *shutdown(1.0, [1]), *subscribed_conn(1.05, 2, "s2")]
    journal.append(closed(2.5, 1, how="server_shutdown"))
    v = judge("replaces-before-shutdown", journal, ended_at=4, within=1)
    assert v.status is Status.PASS and v.measured["replace_delays"] == [0.07]


def test_spot_replacement_subscribed_after_the_close_fails() -> None:
    journal = [*subscribed_conn(0.2, 1), *shutdown(1.0, [1]), wsapi_open(1.05, 2)]
    journal += [closed(2.5, 1, how="server_shutdown"), event(2.55, []), subscribed(2.6, 2)]
    v = judge("replaces-before-shutdown", journal, ended_at=4, within=5)
    assert v.status is Status.FAIL and "ready only 0.10 s after it" in v.summary
    assert v.measured["unsent_events"] == 1


def test_waiting_for_the_close_fails_with_the_gap() -> None:
    journal = [futures_open(0.2, 1), *shutdown(1.0, [1]), closed(2.5, 1, how="server_shutdown")]
    journal += [event(2.6, [], "ORDER_TRADE_UPDATE"), futures_open(2.75, 2)]
    v = judge("replaces-before-shutdown", journal, ended_at=4, within=1)
    assert v.status is Status.FAIL
    assert "closed (1006, server_shutdown) 1.50 s after serverShutdown" in v.summary
    assert "1 events went to nobody" in v.summary
    assert [e["kind"] for e in v.evidence] == ["event", "ws_close", "ws_open"]


def test_closing_the_old_connection_first_fails_even_if_the_new_one_is_quick() -> None:
    journal = [futures_open(0.2, 1), *shutdown(1.0, [1]), closed(1.01, 1, initiator="client")]
    journal.append(futures_open(1.05, 2))
    v = judge("replaces-before-shutdown", journal, ended_at=4, within=1)
    assert v.status is Status.FAIL


def test_replacement_within_the_grace_but_after_the_deadline_fails() -> None:
    journal = [
        futures_open(0.2, 1),
        *shutdown(1.0, [1]),
        futures_open(2.2, 2),
        closed(2.3, 1, how="server_shutdown"),
    ]
    v = judge("replaces-before-shutdown", journal, ended_at=4, within=1)
    assert v.status is Status.FAIL and "it was ready after 1.20 s" in v.summary


def test_old_connection_still_open_at_the_end() -> None:
    journal = [futures_open(0.2, 1), *shutdown(3.5, [1])]
    assert judge("replaces-before-shutdown", journal, ended_at=4, within=1).status is Status.NOT_APPLICABLE
    journal = [futures_open(0.2, 1), *shutdown(1.0, [1])]
    v = judge("replaces-before-shutdown", journal, ended_at=4, within=1)
    assert v.status is Status.FAIL and "no replacement" in v.summary


def test_notice_that_reached_no_user_connection_is_not_applicable() -> None:
    """The scenario has the fault and it fired, on another connection of the client's: the
    situation never arose, which is not a harness problem (issue 9: it was an ERROR)."""
    journal = [futures_open(0.2, 1), *shutdown(1.0, [7])]
    v = judge("replaces-before-shutdown", journal, ended_at=4)
    assert v.status is Status.NOT_APPLICABLE and "on connection 7" in v.summary
    assert judge("replaces-before-shutdown", [futures_open(0.2, 1)], ended_at=4).status is Status.ERROR
