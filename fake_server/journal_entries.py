"""The journal's entry kinds, one TypedDict each: the one statement of what a kind carries.

The fake's fronts and faults, the harness's client driver and runner write these; RunRecord
and the checks read them back; the tests build them by hand. A TypedDict (not a dataclass)
because an entry is also a line of JSON that a report replays from disk: the same dict is
written, kept in memory, read back and judged, with nothing to convert in between, while
mypy checks every writer's fields and every reader's keys against one declaration.

`t` is stamped by the journal when the entry is appended (writers leave it out); `kind`
names the TypedDict. Fields a kind does not always carry are NotRequired: older journals
lack them, or only some writers know them. docs/journal.md says what each field means.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal, NotRequired, Required, TypedDict, TypeVar, cast, overload


class _Stamped(TypedDict, total=False):
    #: Seconds since the run started, from the run's one Clock (stamped on append).
    t: float


# The fake and the run --------------------------------------------------------------------------


class ServerEntry(_Stamped):
    kind: Literal["server"]
    phase: Literal["start", "stop"]
    rest_url: NotRequired[str]
    ws_url: NotRequired[str]
    control_url: NotRequired[str]
    ca_file: NotRequired[str]


class ProcessClock(TypedDict):
    """What the harness found of one client process's clock at a time factor."""

    pid: int
    #: The program it runs (/proc/PID/exe), "" when it could not be read.
    exe: str
    #: Whether libfaketime is mapped into it; None when its maps could not be read (it ended).
    faketime: bool | None
    #: Whether it is a Go program (reads the time through the vDSO, past libfaketime).
    go: bool


class RunEntry(_Stamped):
    kind: Literal["run"]
    phase: Literal["start", "contact", "clock", "stopping", "stop"]
    scenario: NotRequired[str]
    #: On `start`: how many times as fast as the wall clock Binance time runs, and Binance's
    #: epoch ms at `t` 0 (a signed request's `timestamp` is compared with it).
    time_factor: NotRequired[int]
    epoch0_ms: NotRequired[int]
    #: On `start`, at a time factor: the wall clock (`time.time()`) at `t` 0, so a wall time
    #: read elsewhere maps to Binance's epoch: epoch0_ms / 1000 + (wall - wall0) x time_factor.
    wall0: NotRequired[float]
    #: On `start`, when a client's ceiling (`--max-time-factor`) lowered the factor played:
    #: the scenario's own.
    declared_time_factor: NotRequired[int]
    #: On `clock`: the client's processes, once it made contact and again as it is ended.
    processes: NotRequired[list[ProcessClock]]
    rest_url: NotRequired[str]
    ws_url: NotRequired[str]
    #: On `contact`: the kind of the client's first entry, and its time.
    first: NotRequired[str]
    at: NotRequired[float]
    #: On `stopping`: the worst delay (seconds) of the run's event-loop probe (harness/lateness.py).
    loop_late: NotRequired[float]
    #: On `stopping`: the probe's longest stalls, [when measured, how late], longest first, and
    #: the longest one not listed.
    loop_stalls: NotRequired[list[list[float]]]
    loop_stalls_dropped: NotRequired[float]


class FaultDescription(TypedDict):
    """A fault as its journal entry and the control API name it: what it is, with its parameters."""

    name: str
    layer: str
    ends_connection: bool
    params: dict[str, Any]


class FaultEntry(_Stamped, FaultDescription):
    kind: Literal["fault"]
    #: The connections it touched.
    conns: list[int]
    #: The scenario step and its file line; both None when the control API fired it.
    step: NotRequired[int | None]
    line: NotRequired[int | None]
    source: NotRequired[Literal["control"]]
    #: Seconds the step fired after its due time (its trigger plus `at`): the harness's lateness.
    late: NotRequired[float]


class FaultsClearedEntry(_Stamped):
    kind: Literal["faults_cleared"]
    count: int


# The client process ----------------------------------------------------------------------------


class ClientStartEntry(_Stamped):
    kind: Literal["client_start"]
    argv: list[str]
    #: The guard's pid, which is the client's process group (absent for a coroutine client).
    pid: NotRequired[int]
    #: At a time factor: where the client's clock starts. "shared": at the harness's readings
    #: (harness/faketime_start.py), so it reads the fake's clock from its first instant;
    #: "own": at its own start, behind the fake's by its start-up times the factor, for the
    #: reason in `clock_start_why`.
    clock_start: NotRequired[Literal["shared", "own"]]
    clock_start_why: NotRequired[str]


class ClientOutputEntry(_Stamped):
    kind: Literal["client_output"]
    stream: Literal["stdout", "stderr"]
    line: str
    #: On the marker line that ends a stream cut short: the bytes of output not kept.
    not_kept: NotRequired[int]


class ClientExitEntry(_Stamped):
    kind: Literal["client_exit"]
    code: int


# REST and listen keys --------------------------------------------------------------------------


class RestNote(TypedDict, total=False):
    """What the REST front learns while answering: the weight it counted, and what a fault did."""

    weight: int
    #: The `X-MBX-USED-WEIGHT-1M` sent; None when nginx/CloudFront answered.
    used_weight: int | None
    #: Epoch ms, on a 418.
    banned_until: int | None
    #: On a fault's answer: whether the request took effect anyway.
    executed: bool | None
    #: `slow_rest`: how long the answer was held back.
    delayed: float
    #: A wire fault broke the answer (`status` is then 0: no HTTP status reached the client
    #: in full): empty, malformed_chunk, random_data or reset.
    broken: str
    #: `chunked_dribble`: the seconds over which the answer's body was sent.
    dribbled: float


class RestEntry(_Stamped, RestNote, total=False):
    kind: Required[Literal["rest"]]
    method: Required[str]
    path: Required[str]
    status: Required[int]
    body: Required[str]
    #: Whether a fault wrote the answer.
    fault: Required[bool]
    #: What was sent, without `signature`.
    query: dict[str, str]
    api_key: bool
    ip: str


class ListenKeyEntry(_Stamped):
    kind: Literal["listen_key"]
    action: Literal["created", "reused", "extended", "deleted", "expired"]
    key: str
    why: NotRequired[Literal["ttl", "fault"]]


# WebSocket connections -------------------------------------------------------------------------


class WsOpenFields(TypedDict, total=False):
    """What the exchange's stream session knows of a handshake it accepted."""

    route: Required[str]
    route_kind: Required[str]
    user: Required[bool]
    listen_keys: list[str]
    #: Each key's state at the handshake: only `active` gets events.
    key_states: Required[dict[str, str]]
    #: Listen key -> its `events=` filter (None: all events).
    events: dict[str, list[str] | None]
    streams: list[str]
    combined: bool


class WsOpenEntry(_Stamped, WsOpenFields, total=False):
    kind: Required[Literal["ws_open"]]
    conn: Required[int]
    path: str
    peer: str
    #: Handshakes from this IP in the attempt window.
    attempts: int
    #: `slow_upgrade`: the seconds the fake held the request before answering it.
    delayed: float


class WsRejectEntry(_Stamped, total=False):
    kind: Required[Literal["ws_reject"]]
    conn: Required[int]
    status: Required[int]
    why: Required[str]
    path: str
    body: str
    peer: str
    attempts: int
    #: `slow_upgrade`: the seconds the fake held the request before answering it.
    delayed: float
    #: `bad_accept`: the 101 carried this Sec-WebSocket-Accept instead of the right one.
    accept: str


class WsInvalidEntry(_Stamped):
    kind: Literal["ws_invalid"]
    conn: int
    peer: str
    why: Literal["bad_request", "handshake_timeout", "fault"]
    error: str
    #: `why: fault`: the fault that held the request or broke its answer, and the path
    #: requested when the request was read.
    fault: NotRequired[str]
    path: NotRequired[str]


class WsUnopenedEntry(_Stamped):
    """A connection whose handshake a fault held ended before it opened: `initiator:
    client` is the client giving up on it."""

    kind: Literal["ws_unopened"]
    conn: int
    peer: str
    #: The fault that held it: timeout, hang_upgrade, slow_upgrade or bad_accept.
    fault: str
    initiator: Literal["server", "client"]
    #: eof or reset (the client's), fault (the fault's own close), abort_rst (the fake stopped).
    how: str
    #: Seconds from the TCP accept to the end.
    waited: float


class WsFrameFields(TypedDict, total=False):
    """A frame as the exchange's stream session journals it (the front adds `conn`)."""

    dir: Required[Literal["in", "out"]]
    op: Required[Literal["ping", "pong", "text", "binary", "close", "reserved"]]
    #: The text, or the bytes in hex (ping, pong, binary).
    data: str
    #: A pong: whether it answers a ping the fake sent.
    answers_ping: bool
    #: A close frame's code and reason.
    code: int | None
    reason: str
    #: An answer to a control message: the request's method, id and params as sent, and
    #: the error code (None on success).
    method: Any
    id: Any
    #: The request's id under another name, as a journal written by another tool may carry it.
    request_id: Any
    params: Any
    params_total: int
    error: int | None
    #: An answer on the WebSocket API: its HTTP-like status.
    status: Any
    #: `send_raw` and the frame faults: the fault that wrote this frame, and the kind of frame.
    fault: str
    frame: str
    #: A frame written by hand (the frame faults): its opcode (0-15) and RSV bits (0-7).
    opcode: int
    rsv: int
    #: `fragment_messages`: a text message sent in this many frames, of `size` payload bytes.
    fragments: int
    size: int


class WsFrameEntry(_Stamped, WsFrameFields, total=False):
    kind: Required[Literal["ws_frame"]]
    conn: Required[int]


class WsCloseEntry(_Stamped):
    kind: Literal["ws_close"]
    conn: int
    #: As the client sees it: 1006 when no close frame was exchanged.
    code: int | None
    reason: str
    initiator: Literal["server", "client"]
    how: str
    #: Seconds the connection lived.
    lived: NotRequired[float]


class UserStreamFields(TypedDict):
    """The first moment a connection carries user data (trigger `user_stream_ready`)."""

    keys: list[str]
    via: Literal["url", "subscribe", "ws_api"]


class UserStreamEntry(_Stamped, UserStreamFields):
    kind: Literal["user_stream"]
    conn: int


# What the fake pushed --------------------------------------------------------------------------


class EventNote(TypedDict, total=False):
    """What a payload fault (or the control API) adds to an account event's entry."""

    fault: str
    #: The second copy of an event sent twice.
    copy: int
    #: An order update sent late, after the update whose E is `after`.
    held: bool
    after: int
    #: What `unknown_event` sent.
    variant: str
    #: An event `backdate_event` sent with a lower E: the E it was made with.
    backdated_from: int
    #: `oversized_event`: the bytes of the padded event's JSON.
    size: int
    #: An event sent as is through the control API.
    raw: bool
    source: Literal["control"]


class EventEntry(_Stamped, EventNote, total=False):
    kind: Required[Literal["event"]]
    e: Required[str]
    #: None only for a raw event sent through the control API without an integer E.
    E: Required[int | None]
    #: The connections it was written to; empty: it reached nobody.
    conns: Required[list[int]]
    order_id: int
    #: An order update's execution type.
    x: str


class MarketEntry(_Stamped, total=False):
    kind: Required[Literal["market"]]
    stream: Required[str]
    e: Required[str]
    E: Required[int]
    conns: Required[list[int]]
    a: int
    U: int
    u: int
    pu: int


Entry = (
    ServerEntry
    | RunEntry
    | FaultEntry
    | FaultsClearedEntry
    | ClientStartEntry
    | ClientOutputEntry
    | ClientExitEntry
    | RestEntry
    | ListenKeyEntry
    | WsOpenEntry
    | WsRejectEntry
    | WsInvalidEntry
    | WsUnopenedEntry
    | WsFrameEntry
    | WsCloseEntry
    | UserStreamEntry
    | EventEntry
    | MarketEntry
)

Kind = Literal[
    "server",
    "run",
    "fault",
    "faults_cleared",
    "client_start",
    "client_output",
    "client_exit",
    "rest",
    "listen_key",
    "ws_open",
    "ws_reject",
    "ws_invalid",
    "ws_unopened",
    "ws_frame",
    "ws_close",
    "user_stream",
    "event",
    "market",
]

E = TypeVar("E", bound=Mapping[str, object])


def with_note(entry: E, note: Mapping[str, Any]) -> E:
    """`entry` with `note`'s fields added, for a writer that learns an entry in parts (a fault's
    note, the ids an update carries). mypy cannot merge two TypedDicts, so this one cast does
    it for every such writer: `note`'s keys must be fields of `entry`'s kind."""
    return cast(E, {**entry, **note})


class Lookup:
    """`of(kind, **match)`: entries of one kind, typed as that kind (several kinds: any entry).

    Shared by the live Journal and the RunRecord a check reads, so both look entries up the
    same way and a check's `record.of("ws_close")` is a list of WsCloseEntry to mypy.
    """

    def entries_in_order(self) -> Iterable[Entry]:
        raise NotImplementedError

    @overload
    def of(self, __kind: Literal["server"], **match: Any) -> Iterator[ServerEntry]: ...
    @overload
    def of(self, __kind: Literal["run"], **match: Any) -> Iterator[RunEntry]: ...
    @overload
    def of(self, __kind: Literal["fault"], **match: Any) -> Iterator[FaultEntry]: ...
    @overload
    def of(self, __kind: Literal["faults_cleared"], **match: Any) -> Iterator[FaultsClearedEntry]: ...
    @overload
    def of(self, __kind: Literal["client_start"], **match: Any) -> Iterator[ClientStartEntry]: ...
    @overload
    def of(self, __kind: Literal["client_output"], **match: Any) -> Iterator[ClientOutputEntry]: ...
    @overload
    def of(self, __kind: Literal["client_exit"], **match: Any) -> Iterator[ClientExitEntry]: ...
    @overload
    def of(self, __kind: Literal["rest"], **match: Any) -> Iterator[RestEntry]: ...
    @overload
    def of(self, __kind: Literal["listen_key"], **match: Any) -> Iterator[ListenKeyEntry]: ...
    @overload
    def of(self, __kind: Literal["ws_open"], **match: Any) -> Iterator[WsOpenEntry]: ...
    @overload
    def of(self, __kind: Literal["ws_reject"], **match: Any) -> Iterator[WsRejectEntry]: ...
    @overload
    def of(self, __kind: Literal["ws_invalid"], **match: Any) -> Iterator[WsInvalidEntry]: ...
    @overload
    def of(self, __kind: Literal["ws_unopened"], **match: Any) -> Iterator[WsUnopenedEntry]: ...
    @overload
    def of(self, __kind: Literal["ws_frame"], **match: Any) -> Iterator[WsFrameEntry]: ...
    @overload
    def of(self, __kind: Literal["ws_close"], **match: Any) -> Iterator[WsCloseEntry]: ...
    @overload
    def of(self, __kind: Literal["user_stream"], **match: Any) -> Iterator[UserStreamEntry]: ...
    @overload
    def of(self, __kind: Literal["event"], **match: Any) -> Iterator[EventEntry]: ...
    @overload
    def of(self, __kind: Literal["market"], **match: Any) -> Iterator[MarketEntry]: ...
    # The pairs checks ask for together: a handshake either way, a refusal either way, a push.
    @overload
    def of(
        self, __a: Literal["ws_open"], __b: Literal["ws_reject"], **match: Any
    ) -> Iterator[WsOpenEntry | WsRejectEntry]: ...
    @overload
    def of(
        self, __a: Literal["rest"], __b: Literal["ws_reject"], **match: Any
    ) -> Iterator[RestEntry | WsRejectEntry]: ...
    @overload
    def of(
        self, __a: Literal["ws_reject"], __b: Literal["rest"], **match: Any
    ) -> Iterator[RestEntry | WsRejectEntry]: ...
    @overload
    def of(
        self, __a: Literal["event"], __b: Literal["market"], **match: Any
    ) -> Iterator[EventEntry | MarketEntry]: ...
    @overload
    def of(self, *kinds: Kind, **match: Any) -> Iterator[Entry]: ...

    def of(self, *kinds: str, **match: Any) -> Iterator[Entry]:
        """Entries of the given kinds (all kinds when none) whose fields equal `match`, in order."""
        for e in self.entries_in_order():
            if (not kinds or e["kind"] in kinds) and all(e.get(k) == v for k, v in match.items()):
                yield e
