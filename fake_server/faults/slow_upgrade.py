"""`slow_upgrade`: the upgrade is answered, as usual, but late.

The handshake of an overloaded gateway: the 101 comes `delay` seconds after the request. A
client whose open timeout is shorter gives up and retries (the timeout errors of
altangent/ccxws#245 on Binance's streams); one with none waits it out; one with a sane timeout
and a delay below it connects normally. WebSocket twin of `slow_rest`.
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import Budgeted
from fake_server.faults.target import FaultTarget
from fake_server.schema import param


@register
@dataclass(frozen=True)
class SlowUpgrade(Budgeted, name="slow_upgrade", layer="http"):
    """Hold each upgrade request `delay` seconds, then answer it as usual (a 101, or the
    refusal any other rule in force gives).

    On the wire: nothing for `delay` seconds after the request, then the normal answer; the
    connection then works like any other. Its `ws_open` (or `ws_reject`) carries `delayed`.
    A client that closes meanwhile gets no answer, and the journal has a `ws_unopened`
    (`fault: slow_upgrade`) with how long it waited. For `times` upgrades or `lasting`
    seconds (with neither, until the run ends).
    """

    delay: float = param(2.0, doc="seconds each upgrade request waits before it is answered", gt=0)

    def holds_for(self) -> float:
        """An upgrade it took just before it stops is still held its whole delay."""
        return self.delay

    def apply(self, fake: FaultTarget) -> list[int]:
        return self.upgrade_rule(fake, action="late", delay=self.delay)
