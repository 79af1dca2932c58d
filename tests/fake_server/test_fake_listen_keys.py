"""The listenKey lifecycle model (fake_server/exchange/listen_keys.py), without sockets.

Rules: binance-reference.md §1. A key lives TTL after its last POST/PUT; POST while a key
is active returns that same key and extends it; PUT extends; DELETE invalidates; PUT and
DELETE without an active key are -1125 (the model answers None); one active key per API
key. A Hypothesis state machine checks the model against a tiny reference model.
"""

from __future__ import annotations

import random
import string

import pytest
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from fake_server.exchange.listen_keys import ListenKeys

TTL = 10.0


def model(seed: int = 1) -> ListenKeys:
    return ListenKeys(TTL, random.Random(seed))


def test_post_creates_a_64_char_alphanumeric_key_valid_for_ttl() -> None:
    keys = model()
    lk, reused = keys.create("A", 100.0)
    assert reused is False
    assert len(lk.key) == 64
    assert set(lk.key) <= set(string.ascii_letters + string.digits)
    assert (lk.created_at, lk.expires_at, lk.state) == (100.0, 110.0, "active")


def test_post_while_active_returns_the_same_key_and_extends_it() -> None:
    keys = model()
    first, _ = keys.create("A", 0.0)
    again, reused = keys.create("A", 7.0)
    assert again.key == first.key
    assert reused is True
    assert again.expires_at == 17.0


def test_put_extends_ttl_from_the_call() -> None:
    keys = model()
    lk, _ = keys.create("A", 0.0)
    extended = keys.keepalive("A", 9.0)
    assert extended is not None and extended.key == lk.key
    assert extended.expires_at == 19.0
    still = keys.active("A", 18.999)
    assert still is not None and still.key == lk.key


def test_expiry_happens_exactly_at_ttl() -> None:
    keys = model()
    lk, _ = keys.create("A", 0.0)
    assert keys.active("A", TTL - 0.001) is lk
    assert keys.active("A", TTL) is None
    assert lk.state == "expired"


@pytest.mark.parametrize("operation", ["keepalive", "delete"])
def test_put_and_delete_without_any_key_are_1125(operation: str) -> None:
    keys = model()
    assert getattr(keys, operation)("A", 0.0) is None


@pytest.mark.parametrize("operation", ["keepalive", "delete"])
def test_put_and_delete_on_an_expired_key_are_1125(operation: str) -> None:
    keys = model()
    lk, _ = keys.create("A", 0.0)
    assert getattr(keys, operation)("A", TTL) is None
    assert lk.state == "expired"


def test_delete_invalidates_and_the_next_post_makes_a_new_key() -> None:
    keys = model()
    lk, _ = keys.create("A", 0.0)
    deleted = keys.delete("A", 1.0)
    assert deleted is lk and lk.state == "deleted"
    assert keys.keepalive("A", 2.0) is None
    assert keys.delete("A", 2.0) is None
    fresh, reused = keys.create("A", 3.0)
    assert reused is False
    assert fresh.key != lk.key
    assert keys.lookup(lk.key) is lk and lk.state == "deleted"


def test_one_active_key_per_api_key_and_they_are_independent() -> None:
    keys = model()
    a, _ = keys.create("A", 0.0)
    b, _ = keys.create("B", 0.0)
    assert a.key != b.key
    keys.delete("A", 1.0)
    assert keys.active("B", 1.0) is b
    assert keys.keepalive("B", 1.0) is b


def test_due_expires_exactly_the_keys_whose_ttl_passed() -> None:
    keys = model()
    a, _ = keys.create("A", 0.0)
    b, _ = keys.create("B", 5.0)
    assert keys.due(TTL - 0.001) == []
    assert keys.due(TTL) == [a]
    assert (a.state, b.state) == ("expired", "active")
    assert keys.due(TTL) == []


def test_expire_now_retires_the_active_key() -> None:
    keys = model()
    lk, _ = keys.create("A", 0.0)
    assert keys.expire("A", 1.0) is lk
    assert lk.state == "expired"
    assert keys.keepalive("A", 1.0) is None
    assert keys.expire("A", 1.0) is None


def test_keys_are_reproducible_from_the_seed() -> None:
    assert model(7).create("A", 0.0)[0].key == model(7).create("A", 0.0)[0].key
    assert model(7).create("A", 0.0)[0].key != model(8).create("A", 0.0)[0].key


API_KEYS = st.sampled_from(["A", "B"])
# Steps that land before, exactly on, and after the TTL boundary.
STEPS = st.sampled_from([0.0, 0.5, TTL / 2, TTL - 0.001, TTL, TTL + 0.001, 3 * TTL])


class ListenKeyMachine(RuleBasedStateMachine):
    """ListenKeys against a reference: {api key: (key, expires_at)} plus each key's state."""

    @initialize()
    def setup(self) -> None:
        self.sut = model(seed=3)
        self.now = 0.0
        self.active_ref: dict[str, tuple[str, float]] = {}
        self.state_ref: dict[str, str] = {}

    def _ref_active(self, api: str) -> tuple[str, float] | None:
        entry = self.active_ref.get(api)
        if entry is not None and self.now >= entry[1]:
            self.state_ref[entry[0]] = "expired"
            del self.active_ref[api]
            return None
        return entry

    @rule(dt=STEPS)
    def advance(self, dt: float) -> None:
        self.now += dt

    @rule(api=API_KEYS)
    def post(self, api: str) -> None:
        expected = self._ref_active(api)
        lk, reused = self.sut.create(api, self.now)
        if expected is not None:
            assert reused and lk.key == expected[0]
        else:
            assert not reused
            assert lk.key not in self.state_ref  # never hands out an old key
        self.active_ref[api] = (lk.key, self.now + TTL)
        self.state_ref[lk.key] = "active"
        assert lk.expires_at == self.now + TTL

    @rule(api=API_KEYS)
    def put(self, api: str) -> None:
        expected = self._ref_active(api)
        lk = self.sut.keepalive(api, self.now)
        if expected is None:
            assert lk is None
        else:
            assert lk is not None and lk.key == expected[0]
            self.active_ref[api] = (lk.key, self.now + TTL)

    @rule(api=API_KEYS)
    def delete(self, api: str) -> None:
        expected = self._ref_active(api)
        lk = self.sut.delete(api, self.now)
        if expected is None:
            assert lk is None
        else:
            assert lk is not None and lk.key == expected[0]
            self.state_ref[lk.key] = "deleted"
            del self.active_ref[api]

    @rule(api=API_KEYS)
    def expire_now(self, api: str) -> None:
        expected = self._ref_active(api)
        lk = self.sut.expire(api, self.now)
        assert (lk.key if lk else None) == (expected[0] if expected else None)
        if expected is not None:
            self.state_ref[expected[0]] = "expired"
            del self.active_ref[api]

    @rule()
    def sweep(self) -> None:
        due_ref = sorted(k for k, exp in self.active_ref.values() if self.now >= exp)
        assert sorted(lk.key for lk in self.sut.due(self.now)) == due_ref
        for api in list(self.active_ref):
            self._ref_active(api)

    @invariant()
    def same_active_keys_and_states(self) -> None:
        for api in ("A", "B"):
            expected = self._ref_active(api)
            lk = self.sut.active(api, self.now)
            assert (lk.key if lk else None) == (expected[0] if expected else None)
            if lk is not None and expected is not None:
                assert lk.expires_at == expected[1]
        for key, state in self.state_ref.items():
            found = self.sut.lookup(key)
            assert found is not None and found.state == state, key
        # One active key per API key: no two API keys share a key, no key is active twice.
        active = [k for k, s in self.state_ref.items() if s == "active"]
        assert len(active) == len(self.active_ref) <= 2


ListenKeyMachine.TestCase.settings = hsettings(max_examples=150, stateful_step_count=30, deadline=None)
test_listen_key_model_matches_reference = ListenKeyMachine.TestCase
