"""Control messages and the incoming-message counter, as pure code (no sockets).

Sources: binance-reference.md §2 "Live control messages" (request and reply shapes, error
codes 0-3, wrapped errors on the wire, invalid JSON closes on futures), the request-id rule
of docs/fidelity.md "Request ids on control messages" (unsigned ints on futures, signed
64-bit ints on spot, strings of 1-36 letters, digits and hyphens, null), failure-modes.md C5 (code 4 "Too many subscriptions"), §2 table (10 messages/s on
futures, 5 on spot; 1024 streams per connection). The same rules over real sockets are in
test_stream_connection.py.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fake_server.message_rate import MessageRate
from fake_server.stream_control import FUTURES_ID_RANGE, SPOT_ID_RANGE, Subscriptions, answer


def subs(*streams: str, combined: bool = False, limit: int = 1024) -> Subscriptions:
    return Subscriptions.of(list(streams), combined=combined, limit=limit)


def ask(s: Subscriptions, message: object) -> dict[str, object]:
    reply = answer(json.dumps(message), s)
    assert not reply.close
    return reply.reply


def test_subscribe_unsubscribe_and_list() -> None:
    s = subs("btcusdt@depth")
    assert ask(s, {"method": "SUBSCRIBE", "params": ["btcusdt@aggTrade", "ethusdt@depth"], "id": 1}) == {
        "result": None,
        "id": 1,
    }
    assert ask(s, {"method": "UNSUBSCRIBE", "params": ["ethusdt@depth", "never@seen"], "id": 312}) == {
        "result": None,
        "id": 312,
    }
    assert ask(s, {"method": "LIST_SUBSCRIPTIONS", "id": 3}) == {
        "result": ["btcusdt@depth", "btcusdt@aggTrade"],
        "id": 3,
    }


def test_subscribing_twice_lists_once() -> None:
    s = subs()
    ask(s, {"method": "SUBSCRIBE", "params": ["a@depth", "a@depth"], "id": 1})
    ask(s, {"method": "SUBSCRIBE", "params": ["a@depth"], "id": 2})
    assert s.streams == ["a@depth"]


@pytest.mark.parametrize("start", [False, True])
def test_combined_property_set_and_get(start: bool) -> None:
    s = subs(combined=start)
    assert ask(s, {"method": "GET_PROPERTY", "params": ["combined"], "id": 2}) == {"result": start, "id": 2}
    assert ask(s, {"method": "SET_PROPERTY", "params": ["combined", not start], "id": 5}) == {
        "result": None,
        "id": 5,
    }
    assert s.combined is (not start)
    assert ask(s, {"method": "GET_PROPERTY", "params": ["combined"], "id": 6}) == {
        "result": not start,
        "id": 6,
    }


@pytest.mark.parametrize(
    ("message", "code", "msg", "echoed_id"),
    [
        ({"method": "GET_PROPERTY", "params": ["merged"], "id": 7}, 0, "Unknown property", 7),
        (
            {"method": "SET_PROPERTY", "params": ["combined", "yes"], "id": 7},
            1,
            "Invalid value type: expected Boolean",
            7,
        ),
        (
            {"method": "SET_PROPERTY", "params": ["combined"], "id": 7},
            1,
            "Invalid value type: expected Boolean",
            7,
        ),
        (
            {"method": "SET_PROPERTY", "params": [5, True], "id": 7},
            2,
            "Invalid request: property name must be a string",
            7,
        ),
        (
            {"method": "GET_PROPERTY", "params": [], "id": 7},
            2,
            "Invalid request: property name must be a string",
            7,
        ),
        (
            {"method": "SET_PROPERTY", "params": ["combined", True, 1], "id": 7},
            2,
            "Invalid request: too many parameters",
            7,
        ),
        (
            {"method": "GET_PROPERTY", "params": ["combined", "x"], "id": 7},
            2,
            "Invalid request: too many parameters",
            7,
        ),
        (
            {"method": "LIST_SUBSCRIPTIONS", "params": ["x"], "id": 7},
            2,
            "Invalid request: too many parameters",
            7,
        ),
        (
            {"method": "SUBSCRIBE", "params": ["a@depth"], "id": -1},
            2,
            "Invalid request: request ID must be an unsigned integer",
            None,
        ),
        (
            # Underscore: not "alphanumeric", and no Binance SDK sends one (the old rule
            # refused "abc" too; strings of letters, digits and hyphens are ids now).
            {"method": "SUBSCRIBE", "params": ["a@depth"], "id": "abc_def"},
            2,
            "Invalid request: request ID must be an unsigned integer",
            None,
        ),
        (
            {"method": "SUBSCRIBE", "params": ["a@depth"], "id": "a" * 37},
            2,
            "Invalid request: request ID must be an unsigned integer",
            None,
        ),
        (
            {"method": "SUBSCRIBE", "params": ["a@depth"], "id": ""},
            2,
            "Invalid request: request ID must be an unsigned integer",
            None,
        ),
        (
            {"method": "SUBSCRIBE", "params": ["a@depth"], "id": 1.5},
            2,
            "Invalid request: request ID must be an unsigned integer",
            None,
        ),
        (
            {"method": "SUBSCRIBE", "params": ["a@depth"], "id": 2**64},
            2,
            "Invalid request: request ID must be an unsigned integer",
            None,
        ),
        (
            {"method": "SUBSCRIBE", "params": ["a@depth"], "id": True},
            2,
            "Invalid request: request ID must be an unsigned integer",
            None,
        ),
        (
            {"method": "SUBSCRIBE", "params": ["a@depth"]},
            2,
            "Invalid request: request ID must be an unsigned integer",
            None,
        ),
        (
            {"method": "SUBSCRIBE", "params": "a@depth", "id": 7},
            2,
            "Invalid request: params must be an array",
            7,
        ),
        (
            {"method": "SUBSCRIBE", "params": [1], "id": 7},
            2,
            "Invalid request: stream names must be strings",
            7,
        ),
    ],
)
def test_documented_errors_are_wrapped_with_the_id(
    message: dict[str, object], code: int, msg: str, echoed_id: int | None
) -> None:
    assert ask(subs(), message) == {"error": {"code": code, "msg": msg}, "id": echoed_id}


@pytest.mark.parametrize(
    "request_id",
    [
        # binance-sdk-derivatives-trading-usds-futures (Python): str(uuid.uuid4()), 36 chars.
        "0b7cb9a2-3f4e-4d5c-8a9b-1c2d3e4f5a6b",
        # @binance/derivatives-trading-usds-futures (Node): 16 random bytes in hex.
        "9f86d081884c7d659a2feaa0c55ad015",
        "A",
        "z" * 36,
        None,
        0,
        2**64 - 1,
    ],
)
def test_string_null_and_unsigned_ids_are_answered_with_the_id_as_sent(request_id: object) -> None:
    s = subs()
    assert ask(s, {"method": "SUBSCRIBE", "params": ["a@depth"], "id": request_id}) == {
        "result": None,
        "id": request_id,
    }
    assert s.streams == ["a@depth"]
    assert ask(s, {"method": "LIST_SUBSCRIPTIONS", "id": request_id}) == {
        "result": ["a@depth"],
        "id": request_id,
    }


@pytest.mark.parametrize(
    ("request_id", "futures", "spot"),
    [(-1, False, True), (-(2**63), False, True), (-(2**63) - 1, False, False), (2**63, True, False)],
)
def test_integer_ids_follow_the_product(request_id: int, futures: bool, spot: bool) -> None:
    """Futures pages: an unsigned INT; spot page: a 64-bit signed integer."""
    message = json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": request_id})
    for id_range, accepted in ((FUTURES_ID_RANGE, futures), (SPOT_ID_RANGE, spot)):
        reply = answer(message, subs(), id_range).reply
        assert ("result" in reply) == accepted
        assert reply["id"] == (request_id if accepted else None)


@given(st.text(max_size=40))
def test_a_string_id_is_taken_exactly_when_it_is_1_to_36_letters_digits_or_hyphens(text: str) -> None:
    reply = answer(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": text}), subs()).reply
    taken = 1 <= len(text) <= 36 and all(c.isascii() and (c.isalnum() or c == "-") for c in text)
    assert reply == ({"result": [], "id": text} if taken else {"error": reply.get("error"), "id": None})
    assert ("error" in reply) != taken


def test_the_answer_keeps_the_request_for_the_journal() -> None:
    """What connection.py journals with each answer: the method, the id as sent (refused or
    not) and the first params, long strings cut."""
    refused = answer(json.dumps({"method": "SUBSCRIBE", "params": ["k" * 150], "id": "abc_def"}), subs())
    assert refused.error_code == 2
    assert refused.request == {"method": "SUBSCRIBE", "id": "abc_def", "params": ["k" * 100]}
    many = answer(json.dumps({"method": "SUBSCRIBE", "params": [f"s{i}@depth" for i in range(12)]}), subs())
    assert many.request == {
        "method": "SUBSCRIBE",
        "params": [f"s{i}@depth" for i in range(10)],
        "params_total": 12,
    }
    assert "id" not in many.request  # no id sent: refused, and the key says so by its absence
    assert answer(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": None}), subs()).request == {
        "method": "LIST_SUBSCRIPTIONS",
        "id": None,
    }
    assert answer("{", subs()).request == {}


def test_unknown_method_names_the_variants_and_position() -> None:
    text = '{"method":"SUBSCRIBEE","id":1}'
    reply = answer(text, subs()).reply
    assert reply == {
        "error": {
            "code": 2,
            "msg": "Invalid request: unknown variant `SUBSCRIBEE`, expected one of `SUBSCRIBE`, "
            "`UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY` at line 1 column 22",
        },
        "id": 1,
    }
    assert text[21] == '"'  # column 22 is the closing quote of the method's value, as serde says


def test_missing_method_points_at_the_end_of_the_object() -> None:
    text = '{"params":["a@depth"],"id":9}'
    assert answer(text, subs()).reply == {
        "error": {"code": 2, "msg": f"Invalid request: missing field `method` at line 1 column {len(text)}"},
        "id": 9,
    }


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("", "line 1 column 1"),
        ("hello", "line 1 column 1"),
        ('{"method":', "line 1 column 11"),
        ("\n\n x", "line 3 column 2"),
    ],
)
def test_invalid_json_is_code_3_without_id_and_closes(text: str, where: str) -> None:
    reply = answer(text, subs())
    assert reply.close
    assert reply.reply == {"error": {"code": 3, "msg": f"Invalid JSON: expected value at {where}"}}


def test_too_many_subscriptions_is_code_4_and_subscribes_nothing() -> None:
    s = subs("a@depth", "b@depth", limit=3)
    assert ask(s, {"method": "SUBSCRIBE", "params": ["c@depth", "d@depth"], "id": 1}) == {
        "error": {"code": 4, "msg": "Too many subscriptions"},
        "id": 1,
    }
    assert s.streams == ["a@depth", "b@depth"]
    assert ask(s, {"method": "SUBSCRIBE", "params": ["a@depth", "c@depth"], "id": 2}) == {
        "result": None,
        "id": 2,
    }
    assert len(s) == 3


def test_usdm_cap_is_1024_streams() -> None:
    s = subs()
    names = [f"s{i}@depth" for i in range(1025)]
    assert ask(s, {"method": "SUBSCRIBE", "params": names[:1024], "id": 1}) == {"result": None, "id": 1}
    assert ask(s, {"method": "SUBSCRIBE", "params": names[1024:], "id": 2})["error"] == {
        "code": 4,
        "msg": "Too many subscriptions",
    }


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
requests = st.fixed_dictionaries(
    {},
    optional={
        "method": st.sampled_from(
            ["SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "SET_PROPERTY", "GET_PROPERTY"]
        )
        | json_values,
        "params": json_values | st.lists(st.text(max_size=12), max_size=5),
        "id": st.integers(-5, 2**65) | json_values,
    },
)


@given(message=requests | json_values)
def test_any_json_gets_one_wellformed_answer(message: object) -> None:
    s = subs("x@depth", limit=4)
    reply = answer(json.dumps(message), s)
    assert not reply.close
    assert set(reply.reply) in ({"result", "id"}, {"error", "id"})
    if "error" in reply.reply:
        assert reply.reply["error"]["code"] in (0, 1, 2, 4)
        assert isinstance(reply.reply["error"]["msg"], str)
    assert len(s) <= 4


@given(text=st.text(max_size=60) | st.binary(max_size=60).map(lambda b: b.decode("latin-1")))
def test_any_text_is_answered_without_raising(text: str) -> None:
    reply = answer(text, subs())
    assert ("error" in reply.reply) or ("result" in reply.reply)
    assert reply.close == (reply.reply.get("error", {}).get("code") == 3)


# The incoming-message counter -------------------------------------------------------------


def test_eleventh_message_within_a_second_breaks_the_futures_limit() -> None:
    rate = MessageRate(10)
    assert all(rate.admit(0.05 * i) for i in range(10))  # 10 messages in 0.45 s
    assert not rate.admit(0.99)


def test_the_window_rolls() -> None:
    rate = MessageRate(10)
    assert all(rate.admit(0.01 * i) for i in range(10))
    assert rate.admit(1.0)  # the first left the window (exactly one second later)
    assert not rate.admit(1.005)  # ten in (0.005, 1.005]: 0.01 .. 0.09 and 1.0


def test_steady_pace_at_the_limit_is_never_cut() -> None:
    rate = MessageRate(4)
    assert all(rate.admit(i * 0.25) for i in range(200))  # exact binary fractions: no rounding


def test_no_limit() -> None:
    rate = MessageRate(None)
    assert all(rate.admit(0.0) for _ in range(1000))
    assert rate.count == 1000
