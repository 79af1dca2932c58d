"""Which WebSocket paths the fake serves, and what each one carries.

USD-M futures since 2026-03-05 splits its stream server into routed paths (binance-reference.md
§1 table, §2 "URL forms" and "Futures routing"; [DER] Important-WebSocket-Change-Notice):

- `/private/ws/<key>` and `/private/ws?listenKey=<key>&events=A/B`: raw user events;
- `/private/stream?listenKey=<k1>&events=A/B&listenKey=<k2>&events=C`: user events wrapped as
  `{"stream": <key>, "data": <event>}`. Each key is filtered by the `events=` that follows
  it, up to the next `listenKey=` ([DER] change notice example). Choices (the docs show
  neither case): an `events=` before any key filters every key that has no `events=` of
  its own, and a key given twice gets the union of its filters. Without `events=`, a key
  gets every event.
- `/public/ws/<s1>/<s2>` (raw) and `/public/stream?streams=<s1>/<s2>` (combined), and the
  same under `/market`: market streams of that category; `/public` and `/market` alone
  accept streams by SUBSCRIBE only (raw).
- The legacy unrouted `/ws/<name>` and `/stream?streams=<name>` were decommissioned for
  market and private data on 2026-04-23: such a connection "gets only public-category
  streams" (depth, bookTicker). The fake accepts it, routes no user data to it, and pushes
  only public-category market streams (reference §2, uncertain item 6: we follow the
  reading that such connections stay up, which also matches the "accepted and silent"
  field reports of E3).

- `/pm/ws/<key>`: portfolio margin's user stream; `/ws-api/v3`: the spot WebSocket API.

Which of these routes carries user data depends on the product (`Profile.user_routes`): on
COIN-M the unrouted `/ws/<key>` and `/stream?streams=<key>` still do.

Anything else answers HTTP 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

RouteKind = Literal["private", "legacy", "public", "market", "wsapi"]


@dataclass(frozen=True)
class StreamRoute:
    kind: RouteKind
    name: str  # a stable label for the journal, e.g. "private/ws"
    listen_keys: tuple[str, ...] = ()
    #: Whether events start wrapped as {"stream","data"} (the connection's `combined` property).
    wrapped: bool = False
    #: The `events=` filter of each listen key (same order); None means every event.
    filters: tuple[frozenset[str] | None, ...] = ()
    #: The stream names the URL subscribes (market streams; listen keys on user routes),
    #: where LIST_SUBSCRIPTIONS starts.
    streams: tuple[str, ...] = ()

    def events_of(self, listen_key: str) -> frozenset[str] | None:
        for key, events in zip(self.listen_keys, self.filters):
            if key == listen_key:
                return events
        return None

    def wants(self, listen_key: str, event_type: str) -> bool:
        """Whether a user event of `event_type` for `listen_key` passes the key's filter."""
        events = self.events_of(listen_key)
        return events is None or event_type in events


def parse(target: str) -> StreamRoute | None:
    """The route for a request target (path and query), or None for an unknown path."""
    parts = urlsplit(target)
    path = parts.path.rstrip("/") or "/"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    segments = [s for s in path.split("/") if s]
    head, mode, rest = segments[:1], segments[1:2], segments[2:]
    if head == ["private"]:
        if mode == ["ws"]:
            path_key = rest[:1]
            keys, filters = _keys_and_filters(pairs, path_key[0] if path_key else None)
            # Raw mode carries one key: the path's, else the first listenKey= of the query.
            return StreamRoute("private", "private/ws", keys[:1], False, filters[:1], keys[:1])
        if mode == ["stream"]:
            keys, filters = _keys_and_filters(pairs, None)
            # `streams=` names subscribe at connect time, as a SUBSCRIBE would a moment later:
            # a listen key among them binds the connection too (Binance's own Node SDK
            # reconnects this way; docs/fidelity.md "streams= on /private/stream").
            named = _streams_query(pairs)
            extra = tuple(k for k in _key_like(named) if k not in keys)
            streams = tuple(dict.fromkeys(keys + named))
            return StreamRoute(
                "private", "private/stream", keys + extra, True, filters + (None,) * len(extra), streams
            )
        return None
    if head == ["pm"] and mode == ["ws"] and len(rest) == 1:
        # Portfolio margin: wss://fstream.binance.com/pm/ws/<key> (reference §1 table).
        return StreamRoute("private", "pm/ws", tuple(rest), False, (None,), tuple(rest))
    if segments == ["ws-api", "v3"]:
        # The spot WebSocket API, where user data is a subscription (fake_server/exchange/ws_api.py).
        return StreamRoute("wsapi", "ws-api")
    if head in (["ws"], ["stream"]):
        names = tuple(segments[1:]) if head == ["ws"] else _streams_query(pairs)
        keys = _key_like(names)
        return StreamRoute("legacy", head[0], keys, head == ["stream"], (None,) * len(keys), names)
    if head in (["public"], ["market"]):
        kind: RouteKind = "public" if head == ["public"] else "market"
        if not mode:
            return StreamRoute(kind, head[0])
        if mode == ["ws"]:
            return StreamRoute(kind, f"{head[0]}/ws", streams=tuple(rest))
        if mode == ["stream"] and not rest:
            return StreamRoute(kind, f"{head[0]}/stream", wrapped=True, streams=_streams_query(pairs))
    return None


def _streams_query(pairs: list[tuple[str, str]]) -> tuple[str, ...]:
    names = [n for k, v in pairs if k == "streams" for n in v.split("/") if n]
    return tuple(dict.fromkeys(names))


def _key_like(names: tuple[str, ...]) -> tuple[str, ...]:
    """The names that denote listen keys rather than market streams (no `@`, no `!`)."""
    return tuple(n for n in names if "@" not in n and not n.startswith("!"))


def _keys_and_filters(
    pairs: list[tuple[str, str]], path_key: str | None
) -> tuple[tuple[str, ...], tuple[frozenset[str] | None, ...]]:
    """Listen keys in order, each with the `events=` that follow it (a key given twice gets
    the union of its filters); a key with none gets the `events=` that precede every key,
    or no filter at all."""
    filters: dict[str, set[str] | None] = {}
    leading: set[str] = set()  # events= before any key
    current = path_key
    if path_key is not None:
        filters[path_key] = None
    for name, value in pairs:
        if name == "listenKey" and value:
            current = value
            filters.setdefault(value, None)
        elif name == "events":
            events = {e for e in value.split("/") if e}
            if current is None:
                leading |= events
            else:
                filters[current] = (filters[current] or set()) | events
    chosen = [events if events is not None else (leading or None) for events in filters.values()]
    return tuple(filters), tuple(None if e is None else frozenset(e) for e in chosen)
