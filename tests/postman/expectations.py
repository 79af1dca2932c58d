"""The expectation tables' vocabulary and checker: what Binance answers one request of one of
its Postman collections, held against what the fake answered (tests/postman/test_collections.py).

A `Row` per request of a collection, in the collection's order, gives the HTTP status and the
answer's shape: an object's keys with their JSON types (exactly those keys; `optional` ones
may be missing), the same for every item of a list, a list of fixed-length rows (klines), an
empty list, or Binance's error object with its code. Each table (usdm_expectations.py,
coinm_expectations.py) names the doc page of every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JsonType = type


@dataclass(frozen=True)
class Obj:
    """An object with exactly these keys (and perhaps the optional ones), of these types."""

    keys: dict[str, JsonType]
    optional: dict[str, JsonType] = field(default_factory=dict)


@dataclass(frozen=True)
class Items:
    """A non-empty list whose every item is an object of this shape."""

    keys: dict[str, JsonType]
    optional: dict[str, JsonType] = field(default_factory=dict)


@dataclass(frozen=True)
class Rows:
    """A non-empty list of lists of this length (klines and their variants)."""

    length: int


@dataclass(frozen=True)
class Error:
    """Binance's error object, `{"code": <this code>, "msg": "..."}`."""

    code: int


#: An empty list: nothing of that kind exists on a fresh account (or in the fake's market).
EMPTY = "EMPTY"

Shape = Obj | Items | Rows | Error | str


@dataclass(frozen=True)
class Row:
    name: str
    #: "METHOD /path", to catch a request the collection moved to another route.
    route: str
    status: int
    shape: Shape
    page: str
    note: str = ""


def _type_name(value: Any) -> str:
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict"}.get(
        type(value), type(value).__name__
    )


def _object_mismatches(
    where: str, body: Any, keys: dict[str, JsonType], optional: dict[str, JsonType]
) -> list[str]:
    if not isinstance(body, dict):
        return [f"{where}: expected an object, got {_type_name(body)}"]
    found = []
    missing = sorted(set(keys) - set(body))
    extra = sorted(set(body) - set(keys) - set(optional))
    if missing:
        found.append(f"{where}: missing keys {missing}")
    if extra:
        found.append(f"{where}: unexpected keys {extra}")
    for key, value in body.items():
        wanted = keys.get(key, optional.get(key))
        # bool is an int in Python; JSON keeps them apart, so must we.
        if wanted is not None and (type(value) is not wanted):
            found.append(f"{where}.{key}: expected {wanted.__name__}, got {_type_name(value)}")
    return found


def mismatches(row: Row, status: int | None, body: Any) -> list[str]:
    """How an answer differs from the row (empty when it matches)."""
    if status != row.status:
        return [f"status {status}, expected {row.status} (body {str(body)[:200]})"]
    shape = row.shape
    if isinstance(shape, Error):
        if not isinstance(body, dict) or set(body) != {"code", "msg"} or body["code"] != shape.code:
            return [f"expected error {shape.code}, got {str(body)[:200]}"]
        return []
    if isinstance(shape, Obj):
        return _object_mismatches("answer", body, shape.keys, shape.optional)
    if not isinstance(body, list):
        return [f"expected a list, got {_type_name(body)}"]
    if shape == EMPTY:
        return [] if body == [] else [f"expected [], got {len(body)} items"]
    if not body:
        return ["expected a non-empty list, got []"]
    if isinstance(shape, Rows):
        return [
            f"row {i}: expected a list of {shape.length}, got {str(item)[:80]}"
            for i, item in enumerate(body)
            if not isinstance(item, list) or len(item) != shape.length
        ][:3]
    assert isinstance(shape, Items)
    found: list[str] = []
    for i, item in enumerate(body):
        found += _object_mismatches(f"item {i}", item, shape.keys, shape.optional)
    return found[:5]


#: Binance's `{"code": 200, "msg": "success"}` and the like (both futures products).
SUCCESS = Obj({"code": int, "msg": str})
#: The three download-id requests of both futures products.
DOWNLOAD_ID = Obj({"avgCostTimestampOfLast30d": int, "downloadId": str})


def listen_key_rows(path: str) -> tuple[Row, Row, Row]:
    """The user-data-stream folder of both futures collections: close and keepalive come
    before the start, so they find no key (-1125)."""
    before = "played before the start: no key yet"
    return (
        Row(
            "Close User Data Stream (USER_STREAM)",
            f"DELETE {path}",
            400,
            Error(-1125),
            "user-data-streams/Close-User-Data-Stream",
            before,
        ),
        Row(
            "Keepalive User Data Stream (USER_STREAM)",
            f"PUT {path}",
            400,
            Error(-1125),
            "user-data-streams/Keepalive-User-Data-Stream",
            before,
        ),
        Row(
            "Start User Data Stream (USER_STREAM)",
            f"POST {path}",
            200,
            Obj({"listenKey": str}),
            "user-data-streams/Start-User-Data-Stream",
        ),
    )


def download_rows(prefix: str, kind: str, history: str, link: str) -> tuple[Row, Row]:
    """Asking for a download id of the `kind` history ("income": "Transaction History") and
    reading the collection's own id back: one the fake did not hand out (-1130, our choice:
    docs/fidelity.md "USD-M REST surface")."""
    ask = f"Get Download Id For Futures {history}"
    read = f"Get Futures {link} Download Link by Id"
    return (
        Row(f"{ask} (USER_DATA)", f"GET {prefix}/{kind}/asyn", 200, DOWNLOAD_ID, _page(ask)),
        Row(
            f"{read} (USER_DATA)",
            f"GET {prefix}/{kind}/asyn/id",
            400,
            Error(-1130),
            _page(read),
            "the collection's id is not one the fake handed out (fidelity: -1130, our choice)",
        ),
    )


def _page(title: str) -> str:
    return "account/rest-api/" + title.replace(" ", "-")
