"""Exchange-semantics faults: things Binance itself decides, like a key expiring early.

`expire_listen_key` is failure modes A2/A3: the key dies now; futures pushes
`listenKeyExpired` on the sockets bound to it and keeps them open (reference §2); every
later keepalive answers -1125.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fake_server.faults import Fault, register

if TYPE_CHECKING:
    from fake_server.server import FakeBinance


@register
@dataclass(frozen=True)
class ExpireListenKey(Fault):
    """Expire the account's active listenKey now."""

    name = "expire_listen_key"
    layer = "binance"

    def apply(self, server: FakeBinance) -> list[int]:
        lk = server.expire_listen_key()
        if lk is None:
            return []
        return [
            c.id
            for c in server.ws.open_connections()
            if c.route is not None and lk.key in c.route.listen_keys
        ]
