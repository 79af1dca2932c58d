"""The parameters many faults share, declared once, as mixins a fault inherits.

- `OnConnections`: `target`, which open connections a connection-level fault acts on;
- `Counted` and `Lasting`, joined in `Budgeted`: `times` and `lasting`, how long a rule a
  fault installs holds (for a number of matching calls or upgrades, or a time window,
  whichever ends first; with neither, until the run ends);
- `BreaksAnswers`: `route` and `front`, the answers a wire fault breaks (WireMock's faults):
  the REST calls a route names, or WebSocket upgrade requests;
- `CountedRewrite`, the budget of a payload fault that acts on the next N account events
  of a type.

They are keyword-only, so a fault's own parameters come first wherever parameters are
listed ("fault 'close' takes: code, reason, target").
"""

from __future__ import annotations

import http
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, cast

import orjson

from fake_server.exchange.rest_call import Call
from fake_server.exchange.user_events import UserEvent
from fake_server.faults import Fault
from fake_server.faults.target import Connection, FaultTarget, Pick
from fake_server.interception import (
    Direction,
    Dribble,
    ReplacedAnswer,
    RestRule,
    UpgradeRule,
    WireBreak,
    WireFrame,
    WireToxic,
)
from fake_server.journal_entries import WsFrameEntry, WsFrameFields
from fake_server.schema import param


@dataclass(frozen=True)
class OnConnections(Fault):
    target: Pick = param(
        "all", doc="which open connections: all, the latest opened or the first", kw_only=True
    )

    def picked(self, fake: FaultTarget) -> list[Connection]:
        return fake.connections(self.target)

    def on_each(self, fake: FaultTarget, act: Callable[[Connection], object]) -> list[int]:
        """Do `act` to every picked connection; their ids (the connections the fault touched)."""
        conns = self.picked(fake)
        for conn in conns:
            act(conn)
        return [c.id for c in conns]


@dataclass(frozen=True)
class WritesFrames(OnConnections):
    """A fault that has the picked connections write frames as it built them (`WireFrame`),
    and journals each as a `ws_frame` entry carrying its name."""

    def write(
        self,
        fake: FaultTarget,
        frames: list[tuple[WireFrame, WsFrameFields]],
        *,
        user_data_only: bool = False,
        then: Callable[[Connection], object] | None = None,
    ) -> list[int]:
        """Write `frames` (each with what its journal entry says of it) on every picked
        connection (only those carrying user data, if asked), then do `then` to it; the ids
        of the connections written to."""
        touched = []
        for conn in self.picked(fake):
            if user_data_only and not conn.carries_user_data:
                continue
            if not conn.send_frames([wire for wire, _ in frames]):
                continue
            touched.append(conn.id)
            for _, fields in frames:
                entry: dict[str, Any] = {"kind": "ws_frame", "conn": conn.id, **fields, "fault": self.name}
                fake.journal.append(cast(WsFrameEntry, entry))
            if then is not None:
                then(conn)
        return touched


#: The largest `times`: more is "no count limit" in all but name, and leave `times` out says so.
MAX_TIMES = 1_000_000


@dataclass(frozen=True)
class Counted(Fault):
    times: int | None = param(
        None,
        doc="how many matching calls or upgrades it acts on; none: no count limit",
        ge=1,
        le=MAX_TIMES,
        kw_only=True,
    )


@dataclass(frozen=True)
class Lasting(Fault):
    lasting: float | None = param(
        None, doc="how long it acts, in seconds from when it fires; none: no time limit", gt=0, kw_only=True
    )

    def until(self, fake: FaultTarget) -> float | None:
        """The scenario time it stops acting, or None."""
        return None if self.lasting is None else fake.clock.now() + self.lasting


@dataclass(frozen=True)
class Budgeted(Lasting, Counted):
    """A rule that holds for `times` uses or `lasting` seconds, whichever ends first."""

    def rest_rule(
        self,
        fake: FaultTarget,
        route: str,
        *,
        answer: ReplacedAnswer | None = None,
        delay: float = 0.0,
        applies: Callable[[Call], bool] | None = None,
        breaks: WireBreak | None = None,
        dribble: Dribble | None = None,
    ) -> list[int]:
        """Install a REST rule on `route` for this fault's budget; touches no connection."""
        method, path = split_route(route)
        rule = RestRule(self.times, self.until(fake), method, path, applies, delay, answer, breaks, dribble)
        fake.intercept_rest(rule)
        return []

    def upgrade_rule(self, fake: FaultTarget, **what: Any) -> list[int]:
        """Install an upgrade rule (`UpgradeRule`'s fields) for this fault's budget, in its name."""
        fake.intercept_upgrades(UpgradeRule(self.times, self.until(fake), fault=self.name, **what))
        return []


@dataclass(frozen=True)
class Shaping(Lasting, OnConnections):
    """A transport toxic on the target connections' bytes, for `lasting` seconds (None: as
    long as they live). Connections opened later are a clean path, so a reconnect escapes
    it; Toxiproxy's toxics also slow links opened later, which a scenario gets by firing the
    fault again on `ws_open`."""

    def shape(self, fake: FaultTarget, direction: Direction, **toxic: Any) -> list[int]:
        until = self.until(fake)
        rule = WireToxic(direction, math.inf if until is None else until, **toxic)
        return self.on_each(fake, lambda c: c.shape(rule))


@dataclass
class CountedRewrite:
    """An `EventRewrite` (faults/target.py) that acts on the next `left` account events of
    `event_type` (None: of any type) and is spent after them."""

    left: int
    event_type: str | None

    @property
    def spent(self) -> bool:
        return self.left <= 0

    def takes(self, event: UserEvent) -> bool:
        """Whether the rule acts on `event` (counting it against its budget)."""
        if self.left > 0 and self.event_type in (None, event.get("e")):
            self.left -= 1
            return True
        return False


def replaced(
    status: int,
    body: str | dict[str, object],
    *,
    headers: dict[str, str] | None = None,
    executed: bool = False,
    binance_headers: bool = True,
    counts_weight: bool = True,
) -> ReplacedAnswer:
    """An answer that replaces the route's: a mapping body is sent as JSON, a string as is,
    with a Content-Type guessed from it unless `headers` sets one."""
    text = body if isinstance(body, str) else orjson.dumps(body).decode()
    return ReplacedAnswer(status, text, dict(headers or {}), executed, binance_headers, counts_weight)


# Parameter kinds several faults declare (their checks run where the fault is written) -----

#: Close codes an endpoint may send (RFC 6455 §7.4; 1012-1014 registered since): 1004-1006
#: and 1015 are reserved, and websockets refuses to send them.
SENDABLE_CLOSE_CODES = frozenset({1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014})
#: Headers that frame the HTTP message itself: a fault setting them would break the answer.
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "upgrade"})
#: An HTTP token (RFC 9110 §5.6.2): what a header name is made of.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_METHODS = frozenset({"*", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"})


def _close_code_error(code: int) -> str | None:
    if code in SENDABLE_CLOSE_CODES or 3000 <= code <= 4999:
        return None
    return (
        f"{code} is not a close code a server may send: use 1000-1003, 1007-1014 (RFC 6455 §7.4) or 3000-4999"
    )


def _close_reason_error(reason: str) -> str | None:
    size = len(reason.encode("utf-8"))
    return None if size <= 123 else f"a close reason fits in 123 bytes of UTF-8 (RFC 6455 §5.5), got {size}"


def _control_payload_error(data: str) -> str | None:
    size = len(data.encode("utf-8"))
    return None if size <= 125 else f"a control frame's payload fits in 125 bytes (RFC 6455 §5.5), got {size}"


def hex_bytes(most: int | None = None) -> Callable[[str | None], str | None]:
    """The check of a parameter holding bytes written in hex (None passes), `most` bytes at most."""

    def error(text: str | None) -> str | None:
        if text is None:
            return None
        try:
            size = len(bytes.fromhex(text))
        except ValueError as exc:
            return f"not hex bytes: {exc}"
        return None if most is None or size <= most else f"at most {most} bytes, got {size}"

    return error


def _http_status_error(status: int) -> str | None:
    return None if 200 <= status <= 599 else f"an HTTP status from 200 to 599, got {status}"


def _upgrade_status_error(status: int) -> str | None:
    if error := _http_status_error(status):
        return error
    known = status in {s.value for s in http.HTTPStatus}
    return None if known else f"{status} is not an HTTP status the WebSocket server can send"


def _headers_error(headers: dict[str, str]) -> str | None:
    for name, value in headers.items():
        if not _TOKEN.match(name):
            return f"{name!r} is not a header name (letters, digits and !#$%&'*+-.^_`|~ only)"
        if name.lower() in FRAMING_HEADERS:
            return f"{name!r} frames the HTTP message itself; a fault cannot set it"
        if any(c in value for c in "\r\n\0"):
            return f"the value of {name!r} must not contain CR, LF or NUL"
    return None


def _route_error(route: str) -> str | None:
    method, path = split_route(route)
    if method not in _METHODS:
        return f"{method!r} is not an HTTP method (write 'METHOD /path', '/path' or '*')"
    if path != "*" and not path.startswith("/"):
        return f"a path starts with '/' (write 'METHOD /path', '/path' or '*'), got {route!r}"
    return None


def split_route(route: str) -> tuple[str, str]:
    """("METHOD", "/path") of a route parameter; "*" stands for any method or any path."""
    method, _, path = route.strip().rpartition(" ")
    return method.upper() or "*", path


def close_code(default: int) -> Any:
    return param(default, doc="the close code (1000-1003, 1007-1014 or 3000-4999)", check=_close_code_error)


def close_reason() -> Any:
    return param("", doc="the close reason (at most 123 bytes of UTF-8)", check=_close_reason_error)


def control_data(what: str) -> Any:
    return param("", doc=f"{what} (UTF-8, at most 125 bytes)", check=_control_payload_error)


def http_status(default: int | None) -> Any:
    doc = "the HTTP status of the answer (200-599)" + ("; none: the code's own" if default is None else "")
    return param(default, doc=doc, check=lambda s: None if s is None else _http_status_error(s))


def upgrade_status(default: int) -> Any:
    return param(default, doc="the HTTP status the upgrade is answered with", check=_upgrade_status_error)


def header_map() -> Any:
    return param(doc="extra headers of the answer, name: value", factory=dict, check=_headers_error)


def direction_param() -> Any:
    return param(
        "downstream",
        doc="downstream: what the fake writes to the client; upstream: what the client sends",
    )


def route_param(default: str) -> Any:
    return param(default, doc="the REST calls it acts on: 'METHOD /path', '/path' or '*'", check=_route_error)


Front = Literal["rest", "websocket"]


@dataclass(frozen=True)
class BreaksAnswers(Budgeted):
    """A wire fault: the answers it matches are broken on the wire as `breaks` says (the
    bytes: fake_server/fronts/wire_breaks.py), for `times` answers or `lasting` seconds.

    On `front: rest` it matches the REST calls `route` names; the call is not carried out,
    and its `rest` journal entry has `status` 0 and `broken`. On `front: websocket` it
    matches every upgrade request (`route` is not used), journaled as a `ws_invalid` with
    `why: fault`.
    """

    breaks: ClassVar[WireBreak]

    route: str = route_param("PUT /fapi/v1/listenKey")
    front: Front = param(
        "rest", doc="rest: the REST calls `route` names; websocket: every WebSocket upgrade request"
    )

    def apply(self, fake: FaultTarget) -> list[int]:
        if self.front == "websocket":
            return self.upgrade_rule(fake, action="break", breaks=self.breaks)
        return self.rest_rule(fake, self.route, breaks=self.breaks)
