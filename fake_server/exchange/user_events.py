"""A user-data event as the exchange makes it and sends it: one JSON object.

Futures events (`ORDER_TRADE_UPDATE`, `ACCOUNT_UPDATE`, `listenKeyExpired`, ...) and spot
ones (`executionReport`, `outboundAccountPosition`, ...) carry their type in `e` and their
time in `E` (binance-reference.md §3); the fake routes and journals them by these two fields.
Market pushes are `MarketEvent`s (market.py), a different stream.

Most events are plain dicts, serialised when they are sent. The futures account's events,
the bulk of what the fake pushes, are `RenderedEvent`s instead: dicts that carry the JSON
text they were made with (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, ValuesView
from typing import Any, NoReturn

import orjson

UserEvent = dict[str, Any]


class RenderedEvent(dict[str, Any]):
    """An event made together with its JSON text, `raw`, which the fronts write as is.

    Why: building a dict of an order update's 35 fields and serialising it for every push
    was a large part of what the fake spent per event. The account renders the text once from a
    template instead (futures_events.py), and everything else that reads events (faults,
    the control API, tests) still reads this dict: its top-level fields are held as usual,
    while a nested object (an order update's `o`, an account update's `a`) is held as its
    text (an `orjson.Fragment`) until Python code reads it, and is parsed then, once. So
    `orjson.dumps(event) == event.raw` whether or not anyone read it, and only a reader pays
    for the parsing.

    An event is not changed once made: the mutators refuse, so `raw` cannot go stale (a
    fault that alters an event copies it: `{**event, ...}` is a plain dict, every field
    parsed). A copy or a pickle is a plain dict too. A nested object, once parsed, is a
    plain dict like any event's: nothing changes it in place.
    """

    __slots__ = ("nested", "order_id", "raw", "x")

    #: The exact bytes orjson makes of the event.
    raw: bytes
    #: The fields held as text (in `orjson.Fragment`s), with their text, until parsed.
    nested: tuple[tuple[str, str], ...]
    #: The order and the execution type the event is about (None when none), for its
    #: journal entry, which must not pay for parsing `o`.
    order_id: int | None
    x: str | None

    def _parse(self) -> None:
        nested, self.nested = self.nested, ()
        for key, text in nested:
            dict.__setitem__(self, key, orjson.loads(text))

    def __getitem__(self, key: str) -> Any:
        value = dict.__getitem__(self, key)
        if type(value) is orjson.Fragment:
            self._parse()
            value = dict.__getitem__(self, key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[str]:
        # Overridden only so that `{**event}`, `dict(event)` and `update(event)` go through
        # `keys()` and `__getitem__` (which parses) instead of copying the Fragments.
        return dict.__iter__(self)

    def items(self) -> ItemsView[str, Any]:  # type: ignore[override]
        self._parse()
        return dict.items(self)

    def values(self) -> ValuesView[Any]:  # type: ignore[override]
        self._parse()
        return dict.values(self)

    def __eq__(self, other: object) -> bool:
        self._parse()
        if isinstance(other, RenderedEvent):
            other._parse()
        return dict.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None

    def __repr__(self) -> str:
        self._parse()
        return dict.__repr__(self)

    def copy(self) -> dict[str, Any]:
        return dict(self)

    def __or__(self, other: dict[str, Any]) -> dict[str, Any]:  # type: ignore[override]
        return {**self, **other}

    def __reduce__(self) -> tuple[type[dict[str, Any]], tuple[list[tuple[str, Any]]]]:
        return dict, (list(self.items()),)

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("a rendered event is not changed once made: copy it ({**event})")

    __setitem__ = __delitem__ = update = pop = popitem = setdefault = clear = __ior__ = _refuse
