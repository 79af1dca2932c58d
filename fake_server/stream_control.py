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
- Futures ids are unsigned integers (0 .. 2**64-1); anything else is code 2. Spot would
  also accept strings and null; this module plays futures.

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


@dataclass(frozen=True)
class Answer:
    """The frame to send back, and whether the connection must then be closed."""

    reply: dict[str, Any]
    method: str | None = None
    close: bool = False

    @property
    def error_code(self) -> int | None:
        error = self.reply.get("error")
        return error["code"] if isinstance(error, dict) else None


def error(code: int, msg: str, request_id: int | None) -> Answer:
    return Answer({"error": {"code": code, "msg": msg}, "id": request_id})


def answer(text: str | bytes, subs: Subscriptions) -> Answer:
    """Answer one text frame; may change `subs`. Never raises."""
    try:
        request = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        # The futures answer carries no id, and the connection is closed after it.
        msg = f"Invalid JSON: expected value at line {exc.lineno} column {exc.colno}"
        return Answer({"error": {"code": INVALID_JSON, "msg": msg}}, close=True)
    raw = text if isinstance(text, str) else text.decode("utf-8", "replace")
    if not isinstance(request, dict):
        return error(INVALID_REQUEST, "Invalid request: expected a JSON object", None)
    request_id = request.get("id")
    valid_id = (
        request_id
        if isinstance(request_id, int) and not isinstance(request_id, bool) and 0 <= request_id <= MAX_ID
        else None
    )
    if "method" not in request:
        line, column = _end_position(raw)
        return error(
            INVALID_REQUEST,
            f"Invalid request: missing field `method` at line {line} column {column}",
            valid_id,
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
            valid_id,
        )
    if valid_id is None:
        return error(INVALID_REQUEST, "Invalid request: request ID must be an unsigned integer", None)
    params = request.get("params", [])
    if params is None:
        params = []
    if not isinstance(params, list):
        return error(INVALID_REQUEST, "Invalid request: params must be an array", valid_id)
    handled = _HANDLERS[method](params, subs, valid_id)
    return Answer(handled.reply, method, handled.close)


def _subscribe(params: list[Any], subs: Subscriptions, request_id: int) -> Answer:
    if not all(isinstance(p, str) for p in params):
        return error(INVALID_REQUEST, "Invalid request: stream names must be strings", request_id)
    if not subs.add(params):
        return error(TOO_MANY_SUBSCRIPTIONS, "Too many subscriptions", request_id)
    return Answer({"result": None, "id": request_id})


def _unsubscribe(params: list[Any], subs: Subscriptions, request_id: int) -> Answer:
    if not all(isinstance(p, str) for p in params):
        return error(INVALID_REQUEST, "Invalid request: stream names must be strings", request_id)
    subs.remove(params)
    return Answer({"result": None, "id": request_id})


def _list(params: list[Any], subs: Subscriptions, request_id: int) -> Answer:
    if params:
        return error(INVALID_REQUEST, "Invalid request: too many parameters", request_id)
    return Answer({"result": subs.streams, "id": request_id})


def _property_name(params: list[Any], most: int, request_id: int) -> Answer | None:
    if len(params) > most:
        return error(INVALID_REQUEST, "Invalid request: too many parameters", request_id)
    if not params or not isinstance(params[0], str):
        return error(INVALID_REQUEST, "Invalid request: property name must be a string", request_id)
    if params[0] != "combined":
        return error(UNKNOWN_PROPERTY, "Unknown property", request_id)
    return None


def _set_property(params: list[Any], subs: Subscriptions, request_id: int) -> Answer:
    failed = _property_name(params, 2, request_id)
    if failed is not None:
        return failed
    if len(params) < 2 or not isinstance(params[1], bool):
        return error(INVALID_VALUE_TYPE, "Invalid value type: expected Boolean", request_id)
    subs.combined = params[1]
    return Answer({"result": None, "id": request_id})


def _get_property(params: list[Any], subs: Subscriptions, request_id: int) -> Answer:
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
