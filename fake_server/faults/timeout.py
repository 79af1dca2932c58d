"""`timeout`: TCP is up and nothing passes: an open connection stops forwarding, a new one is
accepted and never answered.

Failure modes E2 (half-open-network-loss) and F2's accept-then-close: a client with no
connect or handshake timeout hangs forever (pmxt-dev/pmxt#253 "no connect timeout",
x86y/dynasty#30 "hangs indefinitely", binance/binance-connector-python#227).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fake_server.faults import register
from fake_server.faults.common import Budgeted, OnConnections
from fake_server.faults.target import FaultTarget
from fake_server.interception import Swallow
from fake_server.schema import param


@register
@dataclass(frozen=True)
class Timeout(
    Budgeted,
    OnConnections,
    name="timeout",
    layer="tcp",
    ends_connection=True,
    mirrors="Toxiproxy toxic `timeout`",
):
    """Stop all data both ways; close TCP (FIN) `timeout` seconds later, or never.

    On the wire, `open` (the target connections): nothing more is written or read, not
    even pongs, and after `timeout` seconds a FIN with no close frame (the client sees
    1006; `ws_close` says `abort_fin`). `new`: TCP connections made while the fault holds
    (`times` connections or `lasting` seconds; with neither, until the run ends) are
    accepted and never read or answered, so the upgrade request hangs, then closed after
    `timeout` seconds; the journal has a `ws_invalid` with `why: fault` for each. With no
    `timeout` the connection stays open until the client gives up. Toxiproxy's `timeout`
    toxic (`timeout` in milliseconds there, 0 for never).
    """

    timeout: float | None = param(None, doc="seconds until TCP is closed; none: held open", gt=0)
    scope: Literal["open", "new", "both"] = param(
        "both", doc="open: the target connections; new: TCP connections accepted while it holds; both"
    )

    def holds_for(self) -> float:
        """A connection it took just before it stops is held until `timeout` (none: never)."""
        return float("inf") if self.timeout is None else self.timeout

    def apply(self, fake: FaultTarget) -> list[int]:
        if self.scope != "open":
            fake.swallow_connections(Swallow(self.times, self.until(fake), close_after=self.timeout))
        if self.scope == "new":
            return []
        return self.on_each(fake, lambda c: c.hang(self.timeout))
