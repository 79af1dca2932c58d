"""`expire_listen_key`: failure modes A2/A3/A7, the key dies now.

Futures pushes `listenKeyExpired` on the sockets bound to it and keeps them open (reference
§2); every later keepalive answers -1125. With `notify: false` the key dies silently: the
legacy spot and margin streams sent no such event (reference §1 "Expiry notification", obs
nardew/cryptoxlib-aio#65), and users saw keys die despite keepalives with nothing pushed
(JKorf/Binance.Net#796), so only the next keepalive's -1125 tells the client (A3). With
`copies: 2` the notice comes twice, byte for byte, as futures users logged it
(nardew/cryptoxlib-aio#65 and #68: two identical frames 14 ms apart; JKorf/Binance.Net#796:
one handler logged the expiry twice).
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import Fault, register
from fake_server.faults.target import FaultTarget
from fake_server.schema import param


@register
@dataclass(frozen=True)
class ExpireListenKey(Fault, name="expire_listen_key", layer="binance"):
    """Expire the account's active listenKey now; `notify: false` pushes nothing (silent death).

    On the wire: `{"e":"listenKeyExpired","E":<ms>,"listenKey":<key>}` (PM: no `listenKey`)
    on every connection bound to the key, `copies` times back to back with the same E; the
    sockets stay open and carry no user event any more. Each copy after the first is
    journaled with `copy`.
    """

    notify: bool = param(True, doc="push listenKeyExpired on the key's sockets; false: the key dies silently")
    copies: int = param(
        1, doc="how many times the notice is pushed, back to back (2: sent twice)", ge=1, le=10
    )

    def apply(self, fake: FaultTarget) -> list[int]:
        lk = fake.expire_listen_key(notify=self.notify, copies=self.copies)
        if lk is None:
            return []
        return [c.id for c in fake.connections() if lk.key in c.listen_keys]
