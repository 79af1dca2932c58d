"""`revoke_listen_key`: another client of the same API key DELETEs the shared listenKey.

Binance keeps one active listenKey per account and product: a `POST` while one is active
returns that same key (binance-reference.md §1), so every process on the API key (a second
bot, a dashboard, the web client) shares it, and any one's `DELETE` ends the stream for all
of them. Users met it as a stream that just stopped: python-binance deleted the key when it
closed its socket, and the web client's updates stopped with it
(sammchardy/python-binance#264; binance-exchange/binance-official-api-docs PR#34 asked the
docs to say so); two unicorn-binance-websocket-api managers on one account, one stopping
(oliver-zehentleitner/unicorn-binance-websocket-api#275, #396); a second `client.ws.user()`
handle closing the first's key (ccxt/binance-api-node#294).

What reaches the other clients' sockets is the DELETE's, decided in docs/fidelity.md
("A DELETE by another client"): by default nothing (the spot docs: `listenKeyExpired` "will
not be pushed when the stream is closed normally"; the fake's own DELETE sends nothing
either); `notify: true` pushes the `listenKeyExpired` futures users logged right after such a
DELETE (unicorn-binance-websocket-api#275, #287).
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_server.faults import Fault, register
from fake_server.faults.target import FaultTarget
from fake_server.schema import param


@register
@dataclass(frozen=True)
class RevokeListenKey(Fault, name="revoke_listen_key", layer="binance"):
    """DELETE the account's active listenKey now, as another client of the same API key does.

    On the wire: nothing by default. The sockets bound to the key stay open (pings and
    pongs go on) and carry no user event any more; the next keepalive `PUT` answers 400
    `{"code":-1125,"msg":"This listenKey does not exist."}` and the next `POST` makes a new
    key. `notify: true` also pushes `{"e":"listenKeyExpired","E":<ms>,"listenKey":<key>}` on
    them. Journaled as `listen_key` `deleted` with `why: fault`; touches the key's connections.
    """

    notify: bool = param(
        False, doc="also push listenKeyExpired on the key's sockets, as futures users saw; false: silent"
    )

    def apply(self, fake: FaultTarget) -> list[int]:
        lk = fake.revoke_listen_key(notify=self.notify)
        if lk is None:
            return []
        return [c.id for c in fake.connections() if lk.key in c.listen_keys]
