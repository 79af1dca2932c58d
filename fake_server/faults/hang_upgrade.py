"""`hang_upgrade`: the upgrade request is read and never answered.

Failure mode E2's hung handshake, one step further in than `timeout`'s swallowed connection:
TCP is up and the HTTP request went through, but no 101 (and no error) ever comes back, as
when a gateway accepts the upgrade and loses its backend. A client with no handshake (open)
timeout waits forever and never reconnects (pmxt-dev/pmxt#253 "no connection timeout",
x86y/dynasty#30 "hang indefinitely", altangent/ccxws#245 "Opening handshake has timed out"
on Binance). The `abandons-hung-handshake` check judges it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import Budgeted
from fake_server.faults.target import FaultTarget
from fake_server.schema import param


@register
@dataclass(frozen=True)
class HangUpgrade(Budgeted, name="hang_upgrade", layer="http"):
    """Read each upgrade request and answer nothing; close TCP `hold` seconds later, or never.

    On the wire: the client's `GET ... Upgrade: websocket` is read in full, then no byte
    comes back; nothing more is read either. With `hold`, the fake closes TCP (FIN) that many
    seconds after the request; with none, the connection stays until the client gives up or
    the run ends. For `times` upgrades or `lasting` seconds (with neither, until the run
    ends). The journal has a `ws_invalid` (`why: fault`, `fault: hang_upgrade`, `path`) when
    the request is held, and a `ws_unopened` when the connection ends, saying who ended it
    and after how long.
    """

    hold: float | None = param(
        None, doc="seconds after the request until the fake closes TCP; none: never", gt=0
    )

    def holds_for(self) -> float:
        """An upgrade it took just before it stops is held until `hold` (none: never)."""
        return float("inf") if self.hold is None else self.hold

    def apply(self, fake: FaultTarget) -> list[int]:
        return self.upgrade_rule(fake, action="hang", hold=self.hold)
