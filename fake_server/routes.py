"""Which WebSocket paths the fake serves, and what each one carries.

USD-M futures since 2026-03-05 serves user data under `/private` (binance-reference.md §1
table, §2 "Futures routing"):
- `/private/ws/<key>` and `/private/ws?listenKey=<key>&events=A/B`: raw events;
- `/private/stream?listenKey=<k1>&events=..&listenKey=<k2>..`: events wrapped as
  `{"stream": <key>, "data": <event>}` (combined-stream form).
The legacy unrouted `/ws/<key>` and `/stream?streams=<key>` were decommissioned for private
data on 2026-04-23: a connection there "gets only public-category streams", so the fake
accepts it and routes no user data to it (reference §2, uncertain item 6: we follow the
reading that such connections stay up but carry no private data, which also matches the
"accepted and silent" field reports of E3). `/public/...` and `/market/...` are accepted
(market streams arrive with the fidelity issue). Anything else answers HTTP 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, urlsplit

RouteKind = Literal["private", "legacy", "public"]


@dataclass(frozen=True)
class Route:
    kind: RouteKind
    name: str  # a stable label for the journal, e.g. "private/ws"
    listen_keys: tuple[str, ...] = ()
    wrapped: bool = False
    #: For the `events=` filter of the private routes; None means every event.
    events: frozenset[str] | None = None

    def wants(self, event_type: str) -> bool:
        return self.events is None or event_type in self.events


def parse(target: str) -> Route | None:
    """The route for a request target (path and query), or None for an unknown path."""
    parts = urlsplit(target)
    path = parts.path.rstrip("/") or "/"
    query = parse_qs(parts.query)
    segments = [s for s in path.split("/") if s]
    events = _events(query)
    if segments[:2] == ["private", "ws"]:
        keys = tuple(segments[2:3]) or tuple(query.get("listenKey", [])[:1])
        return Route("private", "private/ws", keys, False, events)
    if segments[:2] == ["private", "stream"]:
        return Route("private", "private/stream", tuple(query.get("listenKey", [])), True, events)
    if segments[:1] == ["ws"]:
        return Route("legacy", "ws", tuple(segments[1:2]))
    if segments[:1] == ["stream"]:
        streams = "/".join(query.get("streams", [])).split("/")
        return Route("legacy", "stream", tuple(s for s in streams if s), True)
    if segments[:1] in (["public"], ["market"]):
        return Route("public", "/".join(segments[:2]))
    return None


def _events(query: dict[str, list[str]]) -> frozenset[str] | None:
    names = [n for v in query.get("events", []) for n in v.split("/") if n]
    return frozenset(names) if names else None
