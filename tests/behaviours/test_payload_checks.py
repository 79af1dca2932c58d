"""The payload checks (H1, H2, H5, H6) and no-event-lost's supersession, on hand-built
journals: the edge cases a live run seldom hits, decided exactly."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from harness.verdict import Status
from tests.behaviours.journal import client_close, closed, event, frame, judge, opened

NEW, FILLED = "NEW", "FILLED"


def sent(t: float, e: str, stamp: int, conns: list[int] | None = None, **extra: Any) -> dict[str, Any]:
    """An `event` entry: account event `e` with E=`stamp`, written to `conns` (default [1])."""
    return event(t, [1] if conns is None else conns, e, stamp, **extra)


def update(t: float, stamp: int, order: int, x: str, **extra: Any) -> dict[str, Any]:
    return sent(t, "ORDER_TRADE_UPDATE", stamp, order_id=order, x=x, **extra)


def reported(e: str, stamp: int, order: int | None = None, status: str | None = None) -> dict[str, Any]:
    """A line of the client's events file."""
    line: dict[str, Any] = {"e": e, "E": stamp}
    if order is not None:
        line["o"] = {"i": order, "X": status}
    return line


def raw_frame(t: float, conn: int = 1, kind: str = "empty") -> dict[str, Any]:
    """A bad frame the send_raw fault wrote (`kind`: empty, non-JSON, binary)."""
    return frame(t, conn, "out", "text", fault="send_raw", frame=kind)


# no-duplicate-delivery ---------------------------------------------------------------------


def duplicated_journal() -> list[dict[str, Any]]:
    return [
        opened(0.5, 1),
        sent(1.0, "ACCOUNT_UPDATE", 10),
        sent(1.0, "ACCOUNT_UPDATE", 10, fault="duplicate_event", copy=2),
        sent(1.2, "TRADE_LITE", 11),
    ]


def test_duplicate_reported_once_passes() -> None:
    events = [reported("ACCOUNT_UPDATE", 10), reported("TRADE_LITE", 11)]
    v = judge("no-duplicate-delivery", duplicated_journal(), ended_at=3, events=events)
    assert v.status is Status.PASS and v.measured["sent_twice"] == 1, v.summary


def test_duplicate_reported_twice_fails_with_the_count() -> None:
    events = [reported("ACCOUNT_UPDATE", 10), reported("ACCOUNT_UPDATE", 10), reported("TRADE_LITE", 11)]
    v = judge("no-duplicate-delivery", duplicated_journal(), ended_at=3, events=events)
    assert v.status is Status.FAIL and "2 times" in v.summary
    assert {"kind": "client_event", "line": 1, "e": "ACCOUNT_UPDATE", "E": 10, "times": 2} in v.evidence


def test_any_event_reported_twice_fails_even_if_sent_once() -> None:
    events = [reported("ACCOUNT_UPDATE", 10), reported("TRADE_LITE", 11), reported("TRADE_LITE", 11)]
    v = judge("no-duplicate-delivery", duplicated_journal(), ended_at=3, events=events)
    assert v.status is Status.FAIL and "TRADE_LITE E=11" in v.summary


def test_duplicated_event_never_reported_fails_unless_in_flight() -> None:
    events = [reported("TRADE_LITE", 11)]
    v = judge("no-duplicate-delivery", duplicated_journal(), ended_at=3, events=events)
    assert v.status is Status.FAIL and "never reached the handler" in v.summary
    v = judge("no-duplicate-delivery", duplicated_journal(), ended_at=1.2, events=events)
    assert v.status is Status.NOT_APPLICABLE  # sent 0.2 s before the end: too late to judge


def test_no_copy_sent_is_an_error_and_no_events_file_not_applicable() -> None:
    journal = [opened(0.5, 1), sent(1.0, "ACCOUNT_UPDATE", 10)]
    assert (
        judge("no-duplicate-delivery", journal, ended_at=3, events=[reported("ACCOUNT_UPDATE", 10)]).status
        is Status.ERROR
    )
    copy_to_nobody = [*journal, sent(1.0, "ACCOUNT_UPDATE", 10, conns=[], copy=2)]
    v = judge("no-duplicate-delivery", copy_to_nobody, ended_at=3, events=[reported("ACCOUNT_UPDATE", 10)])
    assert v.status is Status.ERROR
    assert judge("no-duplicate-delivery", duplicated_journal(), ended_at=3).status is Status.NOT_APPLICABLE


def overlapping_journal() -> list[dict[str, Any]]:
    """A connection replaced with an overlap (a rotation before the 24 h cut): while both are
    open, each event is written to both."""
    return [
        opened(0.5, 1),
        sent(1.0, "TRADE_LITE", 10, conns=[1]),
        opened(1.5, 2),
        sent(2.0, "TRADE_LITE", 11, conns=[1, 2]),
    ]


def test_an_event_written_to_two_overlapping_connections_counts_as_sent_twice() -> None:
    once = [reported("TRADE_LITE", 10), reported("TRADE_LITE", 11)]
    v = judge("no-duplicate-delivery", overlapping_journal(), ended_at=3, events=once)
    assert v.status is Status.PASS and v.measured["sent_twice"] == 1, v.summary
    twice = [*once, reported("TRADE_LITE", 11)]
    v = judge("no-duplicate-delivery", overlapping_journal(), ended_at=3, events=twice)
    assert v.status is Status.FAIL and "TRADE_LITE E=11 2 times" in v.summary, v.summary


@given(st.lists(st.integers(1, 3), min_size=1, max_size=6))
def test_passes_exactly_when_each_event_is_reported_once(times: list[int]) -> None:
    journal: list[dict[str, Any]] = [opened(0.1, 1)]
    events = []
    for n, k in enumerate(times):
        journal += [sent(1 + n / 10, "TRADE_LITE", 100 + n), sent(1 + n / 10, "TRADE_LITE", 100 + n, copy=2)]
        events += [reported("TRADE_LITE", 100 + n)] * k
    v = judge("no-duplicate-delivery", journal, ended_at=5, events=events)
    assert (v.status is Status.PASS) == all(k == 1 for k in times), v.summary


# keeps-event-order --------------------------------------------------------------------------


def reordered_journal() -> list[dict[str, Any]]:
    """Order 7: FILLED (E=21) went out before its NEW (E=20), which was held back."""
    return [
        opened(0.5, 1),
        update(1.0, 19, 6, "NEW"),
        sent(1.5, "TRADE_LITE", 120, order_id=7),
        update(1.5, 21, 7, "TRADE"),
        update(1.5, 20, 7, "NEW", fault="reorder_events", held=True, after=21),
    ]


def test_stale_new_dropped_passes() -> None:
    events = [reported("ORDER_TRADE_UPDATE", 19, 6, NEW), reported("ORDER_TRADE_UPDATE", 21, 7, FILLED)]
    v = judge("keeps-event-order", reordered_journal(), ended_at=3, events=events)
    assert v.status is Status.PASS and v.measured == {"held": 1, "orders": 2}, v.summary


def test_new_applied_after_filled_fails() -> None:
    events = [reported("ORDER_TRADE_UPDATE", 21, 7, FILLED), reported("ORDER_TRADE_UPDATE", 20, 7, NEW)]
    v = judge("keeps-event-order", reordered_journal(), ended_at=3, events=events)
    assert v.status is Status.FAIL and "NEW (E=20) was applied after FILLED (E=21)" in v.summary
    assert v.evidence[-1]["stale"] is True


def test_status_going_back_with_a_newer_e_still_fails() -> None:
    events = [reported("ORDER_TRADE_UPDATE", 21, 7, FILLED), reported("ORDER_TRADE_UPDATE", 22, 7, NEW)]
    v = judge("keeps-event-order", reordered_journal(), ended_at=3, events=events)
    assert v.status is Status.FAIL


def test_reordered_order_ending_short_of_its_newest_update_fails() -> None:
    events = [reported("ORDER_TRADE_UPDATE", 20, 7, NEW)]  # FILLED never applied
    v = judge("keeps-event-order", reordered_journal(), ended_at=3, events=events)
    assert v.status is Status.FAIL and "not its newest update (E=21)" in v.summary


def test_order_checks_error_or_not_applicable_without_their_inputs() -> None:
    events = [reported("ORDER_TRADE_UPDATE", 21, 7, FILLED)]
    assert (
        judge("keeps-event-order", reordered_journal()[:4], ended_at=3, events=events).status is Status.ERROR
    )
    no_ids = [reported("ORDER_TRADE_UPDATE", 21)]
    assert (
        judge("keeps-event-order", reordered_journal(), ended_at=3, events=no_ids).status
        is Status.NOT_APPLICABLE
    )
    # Held and released 0.2 s before the end: not judged yet.
    assert (
        judge("keeps-event-order", reordered_journal(), ended_at=1.7, events=events).status
        is Status.NOT_APPLICABLE
    )


# no-event-lost: supersession and copies ----------------------------------------------------


def test_stale_update_dropped_is_not_lost_but_a_missing_newest_is() -> None:
    dropped_stale = [
        reported("ORDER_TRADE_UPDATE", 19, 6, NEW),
        reported("TRADE_LITE", 120),
        reported("ORDER_TRADE_UPDATE", 21, 7, FILLED),
    ]
    v = judge("no-event-lost", reordered_journal(), ended_at=3, events=dropped_stale)
    assert v.status is Status.PASS and v.measured["sent"] == 3, v.summary
    missing_fill = [dropped_stale[0], dropped_stale[1]]
    v = judge("no-event-lost", reordered_journal(), ended_at=3, events=missing_fill)
    assert (
        v.status is Status.FAIL and v.measured["missing"] == 2
    )  # the FILLED, and the NEW it did not supersede


def test_second_copy_is_not_owed() -> None:
    v = judge(
        "no-event-lost",
        duplicated_journal(),
        ended_at=3,
        events=[reported("ACCOUNT_UPDATE", 10), reported("TRADE_LITE", 11)],
    )
    assert v.status is Status.PASS and v.measured["sent"] == 2


# survives-bad-frame ------------------------------------------------------------------------


def test_connection_kept_and_next_event_delivered_passes() -> None:
    journal = [opened(0.5, 1), raw_frame(1.0), sent(1.2, "TRADE_LITE", 11)]
    v = judge("survives-bad-frame", journal, ended_at=3, events=[reported("TRADE_LITE", 11)])
    assert v.status is Status.PASS and v.measured["bad_frames"] == 1, v.summary


def test_client_closing_after_a_bad_frame_fails() -> None:
    close = client_close(1.01, 1)
    journal = [opened(0.5, 1), raw_frame(1.0), close, opened(1.3, 2), sent(1.5, "TRADE_LITE", 11, conns=[2])]
    v = judge("survives-bad-frame", journal, ended_at=3, events=[reported("TRADE_LITE", 11)])
    assert v.status is Status.FAIL and "it sent close 1000" in v.summary


def test_client_crashing_after_a_bad_frame_fails() -> None:
    journal = [opened(0.5, 1), raw_frame(1.0), closed(1.05, 1, initiator="client", how="reset")]
    v = judge("survives-bad-frame", journal, ended_at=3, events=[reported("TRADE_LITE", 11)])
    assert v.status is Status.FAIL and "(reset)" in v.summary


def test_second_connection_while_the_first_is_up_fails() -> None:
    journal = [opened(0.5, 1), raw_frame(1.0), opened(1.2, 2), sent(1.5, "TRADE_LITE", 11, conns=[1, 2])]
    v = judge("survives-bad-frame", journal, ended_at=3, events=[reported("TRADE_LITE", 11)])
    assert v.status is Status.FAIL and "still up" in v.summary


def test_next_event_lost_fails_and_too_late_is_not_applicable() -> None:
    """Issue 9: no event after the bad frame early enough is a situation the run never made
    (NOT-APPLICABLE with that reason), not a harness problem (it was an ERROR)."""
    journal = [opened(0.5, 1), raw_frame(1.0), sent(1.2, "TRADE_LITE", 11), sent(1.4, "TRADE_LITE", 12)]
    v = judge("survives-bad-frame", journal, ended_at=3, events=[reported("TRADE_LITE", 12)])
    assert v.status is Status.FAIL and "E=11" in v.summary
    v = judge("survives-bad-frame", journal, ended_at=1.5, events=[reported("TRADE_LITE", 9)])
    assert v.status is Status.NOT_APPLICABLE and "early enough" in v.summary


def test_without_events_file_the_delivery_is_not_applicable_not_a_pass() -> None:
    """Issue 9: a socket that stays open proves nothing about the reader behind it, so a
    client that reports no events gets no PASS (it used to: 'the delivery is not judged')."""
    journal = [opened(0.5, 1), raw_frame(1.0), sent(1.2, "TRADE_LITE", 11)]
    v = judge("survives-bad-frame", journal, ended_at=3)
    assert v.status is Status.NOT_APPLICABLE and "writes no events file" in v.summary
    assert "before any event" in v.summary  # a reader dying on the first frame looks the same
    earlier = judge("survives-bad-frame", [sent(0.8, "TRADE_LITE", 10), *journal], ended_at=3)
    assert earlier.status is Status.NOT_APPLICABLE and "before any event" not in earlier.summary
    assert judge("survives-bad-frame", [opened(0.5, 1)], ended_at=3).status is Status.ERROR


# tolerates-unknown-events ------------------------------------------------------------------


def unknown_journal() -> list[dict[str, Any]]:
    return [
        opened(0.5, 1),
        sent(1.0, "NEW_EVENT_TYPE", 10, fault="unknown_event", variant="unknown_type"),
        sent(1.0, "MARGIN_CALL", 11, fault="unknown_event", variant="retyped_field"),
        sent(
            1.0,
            "ORDER_TRADE_UPDATE",
            12,
            fault="unknown_event",
            variant="unknown_fields",
            order_id=5,
            x="NEW",
        ),
        sent(1.5, "TRADE_LITE", 13),
    ]


def test_unknown_events_skipped_and_known_ones_delivered_passes() -> None:
    events = [reported("ORDER_TRADE_UPDATE", 12), reported("TRADE_LITE", 13)]
    v = judge("tolerates-unknown-events", unknown_journal(), ended_at=3, events=events)
    assert v.status is Status.PASS and v.measured == {"unexpected": 3, "known_after": 2}, v.summary


def test_known_event_with_unknown_fields_dropped_fails() -> None:
    # It handles ORDER_TRADE_UPDATE (an earlier one, E=1, is in its events file), yet drops the
    # one that carries unknown fields.
    events = [reported("ORDER_TRADE_UPDATE", 1), reported("TRADE_LITE", 13)]
    v = judge("tolerates-unknown-events", unknown_journal(), ended_at=3, events=events)
    assert v.status is Status.FAIL and v.measured["missing"] == 1


def test_dropping_the_connection_on_an_unknown_event_fails() -> None:
    journal = [*unknown_journal(), closed(1.01, 1, initiator="client", how="close_frame")]
    events = [reported("ORDER_TRADE_UPDATE", 12), reported("TRADE_LITE", 13)]
    v = judge("tolerates-unknown-events", journal, ended_at=3, events=events)
    assert v.status is Status.FAIL and "after the first unexpected event" in v.summary


def test_unknown_checks_without_their_inputs() -> None:
    events = [reported("TRADE_LITE", 13)]
    assert (
        judge(
            "tolerates-unknown-events",
            [opened(0.5, 1), sent(1.5, "TRADE_LITE", 13)],
            ended_at=3,
            events=events,
        ).status
        is Status.ERROR
    )
    assert judge("tolerates-unknown-events", unknown_journal(), ended_at=3).status is Status.NOT_APPLICABLE


# The reference client's side: what keeps-event-order and no-duplicate-delivery rely on ------


@given(st.permutations(["NEW", "PARTIALLY_FILLED", "PARTIALLY_FILLED", "FILLED"]))
def test_reference_order_progress_applies_any_arrival_order_forward_only(arrival: list[str]) -> None:
    from clients.reference_client import OrderProgress

    life = ["NEW", "PARTIALLY_FILLED", "PARTIALLY_FILLED", "FILLED"]
    updates: dict[str, list[dict[str, Any]]] = {status: [] for status in life}
    for stamp, status in enumerate(life, 100):
        updates[status].append({"e": "ORDER_TRADE_UPDATE", "E": stamp, "o": {"i": 7, "X": status}})
    progress = OrderProgress()
    applied = [u for status in arrival for u in [updates[status].pop(0)] if not progress.is_stale(u)]
    stamps = [u["E"] for u in applied]
    assert stamps == sorted(stamps) and applied[-1]["o"]["X"] == "FILLED"


def test_reference_event_key_tells_repeats_from_other_events() -> None:
    from clients.reference_client import event_key

    fill = {"e": "ORDER_TRADE_UPDATE", "E": 5, "o": {"i": 7, "x": "TRADE", "t": 9, "X": "FILLED"}}
    assert event_key(fill) == event_key(dict(fill))
    assert event_key(fill) != event_key({**fill, "E": 6})
    assert event_key({"e": "X"}) != event_key({"e": "X", "n": 1})  # without E, the whole payload


def test_a_type_the_client_never_handles_does_not_decide_whether_its_reader_survived() -> None:
    """ccxt has no TRADE_LITE handler: the first event after a bad frame being a TRADE_LITE it
    never reports says nothing about the reader, the next ORDER_TRADE_UPDATE does."""
    journal = [
        opened(0.5, 1),
        event(0.8, [1], e="ORDER_TRADE_UPDATE", E=1),
        frame(1.0, 1, "out", "text", fault="send_raw", frame="empty"),
        event(1.1, [1], e="TRADE_LITE", E=2),
        event(1.2, [1], e="ORDER_TRADE_UPDATE", E=3),
    ]
    handled = [{"e": "ORDER_TRADE_UPDATE", "E": 1}, {"e": "ORDER_TRADE_UPDATE", "E": 3}]
    v = judge("survives-bad-frame", journal, ended_at=4, events=handled)
    assert v.status is Status.PASS, v.summary
    # The same reader dying at the frame: the next ORDER_TRADE_UPDATE never comes.
    dead = judge("survives-bad-frame", journal, ended_at=4, events=handled[:1])
    assert dead.status is Status.FAIL and "ORDER_TRADE_UPDATE E=3" in dead.summary


# Another account's events, lifecycle notices sent twice ------------------------------------------


def foreign_frame(t: float, conn: int = 1) -> dict[str, Any]:
    """Another account's event, written by foreign_account_event (a frame, not this account's event)."""
    data = '{"e":"ORDER_TRADE_UPDATE","E":20,"T":20,"o":{"i":9000000001,"x":"NEW","X":"NEW"}}'
    return frame(t, conn, "out", "text", data, fault="foreign_account_event", frame="foreign")


def test_another_accounts_event_is_unexpected_and_the_stream_must_go_on() -> None:
    journal = [opened(0.5, 1), sent(0.8, "TRADE_LITE", 19), foreign_frame(1.0), sent(1.5, "TRADE_LITE", 21)]
    events = [reported("TRADE_LITE", 19), reported("ORDER_TRADE_UPDATE", 20), reported("TRADE_LITE", 21)]
    v = judge("tolerates-unknown-events", journal, ended_at=3, events=events)
    assert v.status is Status.PASS and "foreign_account" in v.summary, v.summary
    closing = [*journal, closed(1.1, 1, initiator="client", how="close_frame")]
    v = judge("tolerates-unknown-events", closing, ended_at=3, events=events)
    assert v.status is Status.FAIL and "another account's event" not in v.summary
    assert "connection 1" in v.summary
    v = judge("tolerates-unknown-events", journal, ended_at=3, events=events[:2])
    assert v.status is Status.FAIL and v.measured["missing"] == 1


def test_a_lifecycle_notice_sent_twice_is_not_an_event_the_handler_owes() -> None:
    journal = [
        opened(0.5, 1),
        sent(1.0, "listenKeyExpired", 10),
        sent(1.0, "listenKeyExpired", 10, copy=2),
        sent(1.2, "TRADE_LITE", 11),
    ]
    v = judge("no-duplicate-delivery", journal, ended_at=3, events=[reported("TRADE_LITE", 11)])
    assert v.status is Status.ERROR and "no event was sent twice" in v.summary
