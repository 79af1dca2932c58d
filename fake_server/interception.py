"""Where faults act on the fronts: rules that hold for a budget of uses or a time window.

A fault does not reach into a front; it installs one of these rules through its target
(fake_server/faults/target.py) and the front consults the rules at its interception point:
the REST front before it answers a call (`RestRule`), the WebSocket front before it
accepts an upgrade (`UpgradeRefusal`) and before it pushes data (`PushHold`), the WebSocket
front when it accepts a TCP connection (`Swallow`), a connection when it writes or reads
bytes (`WireToxic`, the transport toxics) and when it frames a message (`Fragmenting`),
and the WebSocket front before it handles an upgrade request it has read (`UpgradeRule`:
hold it, answer it late or wrongly, break the answer); `WireFrame` is a frame a fault has
a connection write as it is. Every budgeted rule holds for `remaining` uses or until
`until` (scenario time), whichever ends first; with neither, until the run ends. `take`
is the one place that decides whether a rule still holds and spends it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from fake_server.exchange.rest_call import Call


@dataclass
class Budget:
    remaining: int | None  # uses left; None for no count limit
    until: float | None  # scenario time the rule ends; None for no time limit

    def spent(self, now: float) -> bool:
        return self.remaining == 0 or (self.until is not None and now >= self.until)


R = TypeVar("R", bound=Budget)


def take(rules: list[R], now: float, matches: Callable[[R], bool] = lambda r: True) -> R | None:
    """The first rule still holding that matches, with one use spent; spent rules are dropped."""
    rules[:] = [r for r in rules if not r.spent(now)]
    for rule in rules:
        if matches(rule):
            if rule.remaining is not None:
                rule.remaining -= 1
            return rule
    return None


@dataclass(frozen=True)
class ReplacedAnswer:
    """The answer a fault gives instead of the route's."""

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    #: Run the route's handler anyway and throw its answer away: the request took effect
    #: (e.g. the order was placed) although the client is told it failed.
    executed: bool = False
    #: False for answers made in front of Binance (CloudFront, nginx): no X-MBX-* header
    #: and no weight counted.
    binance_headers: bool = True
    #: Whether the call counts toward the IP's weight (503 B and D "not counted").
    counts_weight: bool = True


#: How a wire fault breaks an answer instead of sending it (fake_server/fronts/wire_breaks.py
#: holds the bytes): `empty` closes with no byte, `malformed_chunk` sends a 200 status line
#: and headers then a body that is not chunked encoding, `random_data` sends bytes that are
#: not HTTP, each then closing TCP (FIN); `reset` closes with an RST.
WireBreak = Literal["empty", "malformed_chunk", "random_data", "reset"]


@dataclass(frozen=True)
class Dribble:
    """An answer whose body leaves in `chunks` pieces, one every `duration / chunks` seconds."""

    chunks: int
    duration: float


@dataclass
class RestRule(Budget):
    """What happens to the REST calls it matches: held back `delay` seconds, and/or answered
    with `answer` instead of the route's, or its answer broken on the wire (`breaks`) or
    dribbled out slowly (`dribble`)."""

    method: str = "*"  # "*" for any
    path: str = "*"  # "*" for any
    #: A further condition on the call, e.g. -1008 spares reduce-only orders.
    applies: Callable[[Call], bool] | None = None
    #: Seconds the call waits before it is carried out and answered.
    delay: float = 0.0
    #: None: the route answers as usual (after `delay`).
    answer: ReplacedAnswer | None = None
    #: Break the answer on the wire instead of sending it; the call is not carried out.
    breaks: WireBreak | None = None
    #: Send the answer, its body in slow pieces.
    dribble: Dribble | None = None

    def matches(self, call: Call) -> bool:
        return (
            self.method in ("*", call.method)
            and self.path in ("*", call.path)
            and (self.applies is None or self.applies(call))
        )


@dataclass
class UpgradeRefusal(Budget):
    """Answer WebSocket upgrades with this HTTP status, body and headers."""

    status: int = 503
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


#: What an `UpgradeRule` makes of an upgrade request: `hang` never answers it, `late` handles
#: it as usual `delay` seconds late, `bad_accept` answers 101 with a wrong
#: Sec-WebSocket-Accept, and `break` breaks the answer (`breaks`) as it would a REST call's.
UpgradeAction = Literal["hang", "late", "bad_accept", "break"]


@dataclass
class UpgradeRule(Budget):
    """What happens to an upgrade request the WebSocket front has read, instead of its answer.

    `fault` names the fault that installed it, for the journal. A connection a `hang` or
    `bad_accept` left unusable is closed `hold` seconds after the request came (None: it stays
    open until the client gives up or the run ends)."""

    fault: str = ""
    action: UpgradeAction = "hang"
    delay: float = 0.0
    hold: float | None = None
    breaks: WireBreak = "empty"


@dataclass(frozen=True)
class PushHold:
    """Pushes (user events, market data) to these connections are dropped until `until`;
    pings, pongs and answers to the client's messages still flow."""

    conns: frozenset[int]
    until: float  # scenario time; math.inf: as long as the connections live

    def holds(self, conn: int, now: float) -> bool:
        return conn in self.conns and now < self.until


#: Which way a transport toxic acts, as Toxiproxy names its streams: `downstream` is what the
#: fake writes to the client, `upstream` what the client sends to the fake.
Direction = Literal["downstream", "upstream"]


@dataclass(frozen=True)
class WireToxic:
    """A transport toxic on one direction of a connection's bytes, until `until` (scenario
    time; math.inf: as long as the connection lives). Several in force on one connection
    add up, as Toxiproxy chains its toxics: their latencies add, the lowest rate holds, the
    first slicer cuts, the smallest byte limit ends the connection, the longest close delay
    holds the close."""

    direction: Direction
    until: float
    #: Seconds every chunk waits, and the most it may wait more or less (uniformly drawn).
    latency: float = 0.0
    jitter: float = 0.0
    #: Bytes per second the link carries at most; None: no limit.
    rate: float | None = None
    #: Chunks of about `slice_size` bytes (+/- `slice_variation`), `slice_delay` s apart.
    slice_size: int | None = None
    slice_variation: int = 0
    slice_delay: float = 0.0
    #: Bytes that may still pass from now on, then TCP is closed; None: no limit.
    limit: int | None = None
    #: Seconds each TCP close the fake makes on the connection waits (slow_close).
    close_delay: float = 0.0


@dataclass(frozen=True)
class WireFrame:
    """One frame a fault has a connection write as it is: any opcode (0-15, the reserved ones
    too), RSV bits (0-7) and FIN, any payload; what websockets refuses to build."""

    opcode: int
    payload: bytes = b""
    fin: bool = True
    rsv: int = 0


@dataclass
class Fragmenting(Budget):
    """Each text message written on a connection goes out as `fragments` frames (RFC 6455
    §5.4), each `gap` seconds after the one before, with a `control` frame (payload
    `control_data`) written right after the first; `remaining` counts messages. Journaled
    as written by the fault named `fault`."""

    fragments: int = 2
    gap: float = 0.0
    control: Literal["ping", "pong"] | None = None
    control_data: bytes = b""
    fault: str = ""


@dataclass
class Swallow(Budget):
    """Accept new TCP connections and never read or answer them: the upgrade request stays
    unanswered. Each is closed `close_after` seconds after it was accepted (None: never, until
    the client gives up or the run ends)."""

    close_after: float | None = None
