"""`fragment_messages`: text messages go out in several frames, as RFC 6455 allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fake_server.faults import register
from fake_server.faults.common import Lasting, OnConnections, control_data
from fake_server.faults.target import FaultTarget
from fake_server.interception import Fragmenting
from fake_server.schema import param

#: More fragments than this say nothing more about reassembly, and cost a frame header each.
MAX_FRAGMENTS = 100


@register
@dataclass(frozen=True)
class FragmentMessages(
    Lasting,
    OnConnections,
    name="fragment_messages",
    layer="websocket",
    mirrors="Autobahn case family 5 (fragmentation: 5.3-5.8, 5.19-5.20 with pings and delays)",
):
    """Send every text message written on the target connections (events, market data,
    answers) as `fragments` frames, for `lasting` seconds or `messages` messages each.

    On the wire, for a payload P cut in parts P1..Pn as even as can be: `01 <len> P1` (text,
    FIN clear), `00 <len> P2` ... (continuation), `80 <len> Pn` (continuation, FIN set),
    each `gap` seconds after the one before; what the fake writes meanwhile on the
    connection (the next events, pongs) waits behind the last fragment, so messages never
    interleave. With `control`, a ping or pong (`data`) goes right after the first
    fragment: control frames may come between fragments (§5.4), data frames may not. A
    client must hand the reassembled message to its parser; one that parses the first
    frame alone sees truncated JSON (bitrich-info/xchange-stream PR#360: "the first part
    was sent to the message handler and the rest of the message was ignored"). Journaled
    per message as `ws_frame` (`op: text`, `fault`, `fragments`, `size` of the payload),
    and the control frame as its own `ws_frame`; the ping awaits no pong.
    """

    fragments: int = param(3, doc="frames per message: the first, then continuations", ge=2, le=MAX_FRAGMENTS)
    gap: float = param(0.0, doc="seconds between two frames of a message", ge=0)
    control: Literal["none", "ping", "pong"] = param(
        "none", doc="a control frame sent between the first and the second fragment: none, ping or pong"
    )
    data: str = control_data("the control frame's payload")
    messages: int | None = param(
        None,
        doc="how many messages per connection it fragments; none: every one while it lasts",
        ge=1,
        le=1_000_000,
    )

    def holds_for(self) -> float:
        """A message started just before the fault stops still goes out in all its frames."""
        return (self.fragments - 1) * self.gap

    def apply(self, fake: FaultTarget) -> list[int]:
        until = self.until(fake)

        def rule() -> Fragmenting:  # one budget per connection
            return Fragmenting(
                self.messages,
                until,
                fragments=self.fragments,
                gap=self.gap,
                control=None if self.control == "none" else self.control,
                control_data=self.data.encode(),
                fault=self.name,
            )

        return self.on_each(fake, lambda c: c.fragment(rule()))
