"""The listenKey lifecycle, as a pure model (no I/O, time passed in).

Rules (binance-reference.md §1): a key lives TTL after creation; PUT extends it by TTL
from that call; DELETE invalidates it; POST while the account has an active key returns
that same key and extends it; one active key per API key; PUT/DELETE on an unknown or
expired key is -1125. USD-M futures PUT/DELETE take no parameter: the key is found from
the API key.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from typing import Literal

KeyState = Literal["active", "expired", "deleted"]
_ALPHABET = string.ascii_letters + string.digits


@dataclass
class ListenKey:
    key: str
    api_key: str
    created_at: float
    expires_at: float
    state: KeyState = "active"


class ListenKeys:
    def __init__(self, ttl: float, rng: random.Random) -> None:
        self.ttl = ttl
        self._rng = rng
        self._by_key: dict[str, ListenKey] = {}
        self._active: dict[str, ListenKey] = {}  # api key -> its one active listenKey

    def _new_key(self) -> str:
        # Real keys are 64 alphanumeric characters; seeded so runs are reproducible.
        return "".join(self._rng.choice(_ALPHABET) for _ in range(64))

    def active(self, api_key: str, now: float) -> ListenKey | None:
        """The API key's active listenKey, expiring it first if its time has passed."""
        lk = self._active.get(api_key)
        if lk is not None and now >= lk.expires_at:
            self._retire(lk, "expired")
            return None
        return lk

    def create(self, api_key: str, now: float) -> tuple[ListenKey, bool]:
        """POST: the active key extended (reused=True), or a new one."""
        lk = self.active(api_key, now)
        if lk is not None:
            lk.expires_at = now + self.ttl
            return lk, True
        lk = ListenKey(self._new_key(), api_key, now, now + self.ttl)
        self._by_key[lk.key] = lk
        self._active[api_key] = lk
        return lk, False

    def keepalive(self, api_key: str, now: float) -> ListenKey | None:
        """PUT: extend the active key; None means -1125."""
        lk = self.active(api_key, now)
        if lk is not None:
            lk.expires_at = now + self.ttl
        return lk

    def delete(self, api_key: str, now: float) -> ListenKey | None:
        """DELETE: invalidate the active key; None means -1125."""
        lk = self.active(api_key, now)
        if lk is not None:
            self._retire(lk, "deleted")
        return lk

    def expire(self, api_key: str, now: float) -> ListenKey | None:
        """Expire the active key now (a fault, or the TTL reached)."""
        lk = self.active(api_key, now)
        if lk is not None:
            self._retire(lk, "expired")
        return lk

    def due(self, now: float) -> list[ListenKey]:
        """Expire and return every active key whose TTL has passed."""
        due = [lk for lk in self._active.values() if now >= lk.expires_at]
        for lk in due:
            self._retire(lk, "expired")
        return due

    def lookup(self, key: str) -> ListenKey | None:
        return self._by_key.get(key)

    def previous(self, api_key: str, now: float) -> ListenKey | None:
        """The API key's latest key before its active one (or its latest, when none is
        active): the key a client used before it switched, which stray notices may name."""
        active = self.active(api_key, now)
        return next(
            (lk for lk in reversed(self._by_key.values()) if lk.api_key == api_key and lk is not active),
            None,
        )

    def _retire(self, lk: ListenKey, state: KeyState) -> None:
        lk.state = state
        if self._active.get(lk.api_key) is lk:
            del self._active[lk.api_key]
