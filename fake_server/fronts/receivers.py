"""Which connections a push goes to, looked up by what it is for instead of scanning them all.

Each open connection is filed under the keys of what it receives: `user:<listenKey>` for a
user-data connection bound to that key (in its URL or SUBSCRIBEd), `market:<stream>` for a
market stream it gets, `wsapi` for a WebSocket API session. A push then costs in proportion
to its receivers: with 2,000 idle connections open, one user event used to check all 2,000.

Receivers come out in connection-id order, the order the fake accepted them, which is the
order the journal's `conns` lists have always had. The front refiles a connection when what
it receives may have changed: at the upgrade, after each message it sent (SUBSCRIBE,
UNSUBSCRIBE, a WebSocket API subscription), and when it is gone.
"""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar

from fake_server.exchange.stream_session import StreamSession


class Filed(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def session(self) -> StreamSession | None: ...


C = TypeVar("C", bound=Filed)

WSAPI = "wsapi"
#: Connections that get at least one market stream (publish_market walks them in order).
MARKET = "market"


def keys_of(session: StreamSession | None) -> frozenset[str]:
    """The keys a connection with `session` is filed under now."""
    if session is None:
        return frozenset()
    keys: set[str] = set()
    if session.carries_user_data:
        keys.update(f"user:{k}" for k in session.route.listen_keys)
        keys.update(f"user:{k}" for k in session.streams)
    markets = session.market_streams()
    if markets:
        keys.add(MARKET)
        keys.update(f"market:{name}" for name in markets)
    if session.ws_api is not None:
        keys.add(WSAPI)
    return frozenset(keys)


class Receivers(Generic[C]):
    def __init__(self) -> None:
        self._by_key: dict[str, dict[int, C]] = {}
        self._sorted: dict[str, list[C]] = {}
        self._keys: dict[int, frozenset[str]] = {}

    def file(self, conn: C) -> None:
        """File `conn` under what it receives now. (Whether it is still open is the sender's
        question, asked per push: a close does not refile.)"""
        old = self._keys.get(conn.id, frozenset())
        new = keys_of(conn.session)
        if new == old:
            return
        for key in old - new:
            members = self._by_key[key]
            del members[conn.id]
            if not members:
                del self._by_key[key]
            self._sorted.pop(key, None)
        for key in new - old:
            self._by_key.setdefault(key, {})[conn.id] = conn
            self._sorted.pop(key, None)
        if new:
            self._keys[conn.id] = new
        else:
            self._keys.pop(conn.id, None)

    def drop(self, conn: C) -> None:
        """Forget `conn` (it is gone)."""
        for key in self._keys.pop(conn.id, frozenset()):
            members = self._by_key[key]
            del members[conn.id]
            if not members:
                del self._by_key[key]
            self._sorted.pop(key, None)

    def of(self, key: str) -> list[C]:
        """The connections filed under `key`, in id order."""
        found = self._sorted.get(key)
        if found is None:
            members = self._by_key.get(key)
            if not members:
                return []
            found = self._sorted[key] = [members[i] for i in sorted(members)]
        return found

    def user(self, listen_key: str) -> list[C]:
        return self.of(f"user:{listen_key}")

    def market(self, stream: str) -> list[C]:
        return self.of(f"market:{stream}")
