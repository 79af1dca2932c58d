"""Live control messages on a stream connection, as pure parsing and answering (no I/O).

binance-reference.md §2 "Live control messages" (futures and spot are the same; the futures
page is [DER] websocket-market-streams/Live-Subscribing-Unsubscribing-to-streams):

- `{"method":"SUBSCRIBE"|"UNSUBSCRIBE","params":[...],"id":N}` -> `{"result":null,"id":N}`
- `LIST_SUBSCRIPTIONS` -> `{"result":[...],"id":N}`
- `SET_PROPERTY ["combined", true|false]` -> `{"result":null,"id":N}`;
  `GET_PROPERTY ["combined"]` -> `{"result":true|false,"id":N}`. `combined` starts false on
  `/ws`-style (raw) connections and true on `/stream`-style ones.
- Errors go out wrapped, `{"error":{"code":C,"msg":M},"id":N}` (observed on the wire; the
  docs list them unwrapped, reference §6.14): 0 "Unknown property", 1 "Invalid value type:
  expected Boolean", 2 "Invalid request: ..." (property name, id, method, too many
  parameters, missing `method`), 3 "Invalid JSON: expected value at line L column C",
  4 "Too many subscriptions" (observed, failure mode C5).
- Futures: invalid JSON gets `{"error":{"code":3,"msg":...}}` with no `id`, and then the
  connection is closed ([DER] change log 2023-06-22). The caller closes it (`Answer.close`).
- Request ids (docs/fidelity.md "Request ids on control messages" has the sources): an
  integer in the product's range (futures: unsigned, 0 .. 2**64-1, as the futures page
  says; spot: signed 64-bit, as the spot page says), a string of 1 to 36 letters, digits
  and hyphens (the spot and Alpha pages: "alphanumeric; max length 36"; hyphens because
  Binance's own futures SDKs send a hyphenated UUID, exactly 36 characters), or null.
  Futures takes strings and null too: Binance's official USD-M SDKs subscribe with string
  ids there. A missing id, a boolean, a float, an integer out of range or any other string
  is code 2 "request ID must be an unsigned integer" (the text the spot page still lists
  for an unsupported id). Answers echo the id as sent: a string stays a string, null null.

Choices where the sources are silent (each also said where it is made):
- Texts the docs give are used verbatim. Where the docs give only a pattern, the serde-style
  position (`at line L column C`) is computed from the request text; where they give
  nothing (a params value of the wrong type, a request that is not an object) the wording
  below is ours, always under the documented code 2 prefix "Invalid request: ".
- When the id itself is bad or missing, the error carries `"id": null`.
- A missing `params` is an empty list (the docs' LIST_SUBSCRIPTIONS example has none).
- SUBSCRIBE past the cap is refused whole (code 4) and subscribes nothing. Names are not
  validated: an unknown or upper-case stream name is subscribed and stays silent, as on
  Binance (stream symbols must be lower-case, reference §2).
- UNSUBSCRIBE of a name not subscribed is a no-op answered with `result: null`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson

METHODS = ("SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "SET_PROPERTY", "GET_PROPERTY")
MAX_ID = 2**64 - 1
#: Integer ids the futures stream servers take (the futures page: "an unsigned INT").
FUTURES_ID_RANGE = (0, MAX_ID)
#: Integer ids the spot stream servers take (the spot page: "64-bit signed integer").
SPOT_ID_RANGE = (-(2**63), 2**63 - 1)
#: String ids: "alphanumeric; max length 36", and the hyphens of a UUID.
_STRING_ID = re.compile(r"[A-Za-z0-9-]{1,36}")
#: What the journal keeps of a request: at most this many params, strings this long.
JOURNAL_PARAMS = 10
JOURNAL_TEXT = 100

UNKNOWN_PROPERTY = 0
INVALID_VALUE_TYPE = 1
INVALID_REQUEST = 2
INVALID_JSON = 3
TOO_MANY_SUBSCRIPTIONS = 4

_METHOD_VALUE = re.compile(r'"method"\s*:\s*("(?:[^"\\]|\\.)*"|[^,}\s]+)')


@dataclass
class Subscriptions:
    """One connection's streams (ordered, unique) and its `combined` property."""

    combined: bool
    limit: int = 1024
    _streams: dict[str, None] = field(default_factory=dict)

    @classmethod
    def of(cls, streams: tuple[str, ...] | list[str], *, combined: bool, limit: int) -> Subscriptions:
        subs = cls(combined, limit)
        subs._streams = dict.fromkeys(streams)
        return subs

    @property
    def streams(self) -> list[str]:
        return list(self._streams)

    def __contains__(self, name: object) -> bool:
        return name in self._streams

    def __len__(self) -> int:
        return len(self._streams)

    def add(self, names: list[str]) -> bool:
        """Subscribe `names` (duplicates ignored); False, with nothing added, past the cap."""
        new = [n for n in dict.fromkeys(names) if n not in self._streams]
        if len(self._streams) + len(new) > self.limit:
            return False
        self._streams.update(dict.fromkeys(new))
        return True

    def remove(self, names: list[str]) -> None:
        for name in names:
            self._streams.pop(name, None)


RequestId = int | str | None


@dataclass(frozen=True)
class Answer:
    """The frame to send back, whether the connection must then be closed, and what the
    journal keeps of the request it answers (`request`: its method, id and params)."""

    reply: dict[str, Any]
    close: bool = False
    request: dict[str, Any] = field(default_factory=dict)

    @property
    def error_code(self) -> int | None:
        error = self.reply.get("error")
        return error["code"] if isinstance(error, dict) else None


def error(code: int, msg: str, request_id: RequestId) -> Answer:
    return Answer({"error": {"code": code, "msg": msg}, "id": request_id})


def valid_id(value: object, id_range: tuple[int, int] = FUTURES_ID_RANGE) -> bool:
    """Whether a request id is one the stream server takes (see the module docstring)."""
    if value is None:
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return id_range[0] <= value <= id_range[1]
    return isinstance(value, str) and _STRING_ID.fullmatch(value) is not None


def answer(text: str | bytes, subs: Subscriptions, id_range: tuple[int, int] = FUTURES_ID_RANGE) -> Answer:
    """Answer one text frame; may change `subs`. Never raises.

    `id_range`: the integer ids the product takes (FUTURES_ID_RANGE or SPOT_ID_RANGE).
    """
    try:
        request = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        # The futures answer carries no id, and the connection is closed after it.
        msg = f"Invalid JSON: expected value at line {exc.lineno} column {exc.colno}"
        return Answer({"error": {"code": INVALID_JSON, "msg": msg}}, close=True)
    if not isinstance(request, dict):
        return error(INVALID_REQUEST, "Invalid request: expected a JSON object", None)
    answered = _answer(request, text, subs, id_range)
    return Answer(answered.reply, answered.close, _journal_request(request))


def _answer(
    request: dict[str, Any], text: str | bytes, subs: Subscriptions, id_range: tuple[int, int]
) -> Answer:
    raw = text if isinstance(text, str) else text.decode("utf-8", "replace")
    request_id = request.get("id")
    id_ok = "id" in request and valid_id(request_id, id_range)
    # Errors found before the id is judged carry the id only when it is a valid one.
    echoed = request_id if id_ok else None
    if "method" not in request:
        line, column = _end_position(raw)
        return error(
            INVALID_REQUEST,
            f"Invalid request: missing field `method` at line {line} column {column}",
            echoed,
        )
    method = request["method"]
    if method not in METHODS:
        expected = ", ".join(f"`{m}`" for m in METHODS)
        line, column = _method_position(raw)
        shown = method if isinstance(method, str) else orjson.dumps(method).decode()
        return error(
            INVALID_REQUEST,
            f"Invalid request: unknown variant `{shown}`, expected one of {expected} "
            f"at line {line} column {column}",
            echoed,
        )
    if not id_ok:
        return error(INVALID_REQUEST, "Invalid request: request ID must be an unsigned integer", None)
    params = request.get("params", [])
    if params is None:
        params = []
    if not isinstance(params, list):
        return error(INVALID_REQUEST, "Invalid request: params must be an array", echoed)
    return _HANDLERS[method](params, subs, echoed)


def _journal_request(request: dict[str, Any]) -> dict[str, Any]:
    """What the journal keeps of a request, small: its method as sent (None when it sent
    none), its id as sent (the key is absent when the request had none) and its first
    params, long strings cut."""
    kept: dict[str, Any] = {"method": _small(request.get("method"))}
    if "id" in request:
        kept["id"] = _small(request["id"])
    params = request.get("params")
    if isinstance(params, list):
        kept["params"] = [_small(p) for p in params[:JOURNAL_PARAMS]]
        if len(params) > JOURNAL_PARAMS:
            kept["params_total"] = len(params)
    elif params is not None:
        kept["params"] = _small(params)
    return kept


def _small(value: object) -> object:
    """A JSON value as the journal keeps it: scalars as they are, strings and containers
    (as JSON text) cut to JOURNAL_TEXT characters."""
    if isinstance(value, str):
        return value[:JOURNAL_TEXT]
    if value is None or isinstance(value, bool | int | float):
        return value
    return orjson.dumps(value).decode()[:JOURNAL_TEXT]


def _subscribe(params: list[Any], subs: Subscriptions, request_id: RequestId) -> Answer:
    if not all(isinstance(p, str) for p in params):
        return error(INVALID_REQUEST, "Invalid request: stream names must be strings", request_id)
    if not subs.add(params):
        return error(TOO_MANY_SUBSCRIPTIONS, "Too many subscriptions", request_id)
    return Answer({"result": None, "id": request_id})


def _unsubscribe(params: list[Any], subs: Subscriptions, request_id: RequestId) -> Answer:
    if not all(isinstance(p, str) for p in params):
        return error(INVALID_REQUEST, "Invalid request: stream names must be strings", request_id)
    subs.remove(params)
    return Answer({"result": None, "id": request_id})


def _list(params: list[Any], subs: Subscriptions, request_id: RequestId) -> Answer:
    if params:
        return error(INVALID_REQUEST, "Invalid request: too many parameters", request_id)
    return Answer({"result": subs.streams, "id": request_id})


def _property_name(params: list[Any], most: int, request_id: RequestId) -> Answer | None:
    if len(params) > most:
        return error(INVALID_REQUEST, "Invalid request: too many parameters", request_id)
    if not params or not isinstance(params[0], str):
        return error(INVALID_REQUEST, "Invalid request: property name must be a string", request_id)
    if params[0] != "combined":
        return error(UNKNOWN_PROPERTY, "Unknown property", request_id)
    return None


def _set_property(params: list[Any], subs: Subscriptions, request_id: RequestId) -> Answer:
    failed = _property_name(params, 2, request_id)
    if failed is not None:
        return failed
    if len(params) < 2 or not isinstance(params[1], bool):
        return error(INVALID_VALUE_TYPE, "Invalid value type: expected Boolean", request_id)
    subs.combined = params[1]
    return Answer({"result": None, "id": request_id})


def _get_property(params: list[Any], subs: Subscriptions, request_id: RequestId) -> Answer:
    failed = _property_name(params, 1, request_id)
    if failed is not None:
        return failed
    return Answer({"result": subs.combined, "id": request_id})


_HANDLERS = {
    "SUBSCRIBE": _subscribe,
    "UNSUBSCRIBE": _unsubscribe,
    "LIST_SUBSCRIPTIONS": _list,
    "SET_PROPERTY": _set_property,
    "GET_PROPERTY": _get_property,
}


def _position(raw: str, index: int) -> tuple[int, int]:
    """serde-style 1-based line and column of the character at `index`."""
    before = raw[:index]
    line = before.count("\n") + 1
    return line, index - (before.rfind("\n") + 1) + 1


def _end_position(raw: str) -> tuple[int, int]:
    """Where serde reports a missing field: the object's closing brace."""
    return _position(raw, max(0, len(raw.rstrip()) - 1))


def _method_position(raw: str) -> tuple[int, int]:
    """Where serde reports an unknown variant: the last character of the method's value."""
    match = _METHOD_VALUE.search(raw)
    return _position(raw, match.end() - 1) if match else (1, 1)
