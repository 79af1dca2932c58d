"""`reject_handshake`: the refused-upgrade part of failure modes E4/F1/G1 (maintenance, bans)."""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import register
from fake_server.faults.common import Budgeted, header_map, upgrade_status
from fake_server.faults.target import FaultTarget
from fake_server.interception import UpgradeRefusal
from fake_server.schema import param


@register
@dataclass(frozen=True)
class RejectHandshake(Budgeted, name="reject_handshake", layer="websocket"):
    """Answer WebSocket upgrades with an HTTP error, for `times` upgrades or `lasting` seconds.

    With neither set, every upgrade is refused until the run ends.
    """

    status: int = upgrade_status(503)
    body: str = param("", doc="the answer's body, sent as is")
    headers: dict[str, str] = header_map()

    def apply(self, fake: FaultTarget) -> list[int]:
        fake.intercept_upgrades(
            UpgradeRefusal(self.times, self.until(fake), self.status, self.body, dict(self.headers))
        )
        return []
