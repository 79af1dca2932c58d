"""`stray_listen_key_expired`: a `listenKeyExpired` the key table does not back.

Binance sends `listenKeyExpired` when the key of a connection expires, and nothing more
arrives on it afterwards (binance-reference.md §2, §3); the notice itself carries the key it
is about (USD-M and COIN-M). Users logged notices that did not fit that story: two identical
ones 14 ms apart (nardew/cryptoxlib-aio#65, #68), an expiry "despite keep-alive" that one
handler logged twice (JKorf/Binance.Net#796), a notice right after a DELETE of the key
rather than at its expiry (oliver-zehentleitner/unicorn-binance-websocket-api#287). A
client that tears down its stream on every notice, without looking at which key it names or
whether its key is really gone, drops a healthy connection (and, racing with its own
renewal, may close the new one).

This fault pushes the notice without touching the key table: `names: active` names the key
the connection is bound to, which stays alive (a notice before the key actually expired: a
`POST` returns that same key, a `PUT` extends it); `names: previous` names the key the
account had before (a late notice, arriving after the client moved to a new key). A scenario
wanting "sent twice" on a real expiry uses `expire_listen_key` with `copies: 2`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fake_server.faults import Fault, register
from fake_server.faults.target import FaultTarget
from fake_server.schema import param


@register
@dataclass(frozen=True)
class StrayListenKeyExpired(Fault, name="stray_listen_key_expired", layer="binance"):
    """Push `listenKeyExpired` on the active key's connections while the key stays alive.

    On the wire: `{"e":"listenKeyExpired","E":<ms>,"listenKey":<named>}` (PM: no
    `listenKey`), `copies` times back to back, on every connection bound to the active key,
    with E from the account's one sequence; nothing else changes: events go on flowing on
    those sockets and the key answers PUT and POST as before. `names: previous` with no
    earlier key, or no active key, sends nothing. Journaled as `event` entries with `fault:
    stray_listen_key_expired` (and `copy` on each copy after the first); no `listen_key` entry.
    """

    names: Literal["active", "previous"] = param(
        "active", doc="the key the notice names: active (it is not expiring) or previous (a late notice)"
    )
    copies: int = param(1, doc="how many times the notice is pushed, back to back", ge=1, le=10)

    def apply(self, fake: FaultTarget) -> list[int]:
        named = fake.active_listen_key() if self.names == "active" else fake.previous_listen_key()
        if named is None:
            return []
        return fake.push_listen_key_expired(named, copies=self.copies, fault=self.name)
