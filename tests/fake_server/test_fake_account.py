"""The fake futures account (fake_server/exchange/account.py), without sockets.

Checks: E and T strictly ordered (reference §5 "Ordering") even when ticks share a
millisecond; ORDER_TRADE_UPDATE and ACCOUNT_UPDATE carry only the fields of
binance-reference.md §3; the REST snapshots a resync reads agree with the events.
"""

from __future__ import annotations

import itertools
import random
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fake_server.exchange.account import Account

#: The USD-M ORDER_TRADE_UPDATE `o` fields, as listed in binance-reference.md §3.
REFERENCE_O_FIELDS = frozenset(
    {
        "s",
        "c",
        "S",
        "o",
        "f",
        "q",
        "p",
        "ap",
        "sp",
        "x",
        "X",
        "i",
        "l",
        "z",
        "L",
        "N",
        "n",
        "T",
        "t",
        "b",
        "a",
        "m",
        "R",
        "wt",
        "ot",
        "ps",
        "cp",
        "AP",
        "cr",
        "pP",
        "si",
        "ss",
        "rp",
        "V",
        "pm",
        "gtd",
        "er",
    }
)
#: Trailing-stop-only fields (activation price, callback rate): absent on the fake's LIMIT orders.
TRAILING_ONLY = frozenset({"AP", "cr"})
ACCOUNT_B_FIELDS = frozenset({"a", "wb", "cw", "bc"})
ACCOUNT_P_FIELDS = frozenset({"s", "pa", "ep", "bep", "cr", "up", "mt", "iw", "ps"})


def run_ticks(times_ms: list[int], seed: int = 1) -> tuple[Account, list[dict[str, Any]]]:
    account = Account("BTCUSDT", random.Random(seed))
    events: list[dict[str, Any]] = []
    for now in times_ms:
        events.extend(account.tick(now))
    return account, events


def test_first_tick_places_an_order_and_the_next_fills_it() -> None:
    account = Account("BTCUSDT", random.Random(1))
    (new,) = account.tick(1_000)
    assert (new["e"], new["o"]["x"], new["o"]["X"]) == ("ORDER_TRADE_UPDATE", "NEW", "NEW")
    lite, trade, update, placed = account.tick(1_000)
    assert (lite["e"], lite["i"]) == ("TRADE_LITE", new["o"]["i"])
    assert (trade["o"]["x"], trade["o"]["X"], trade["o"]["i"]) == ("TRADE", "FILLED", new["o"]["i"])
    assert update["e"] == "ACCOUNT_UPDATE"
    assert placed["o"]["x"] == "NEW" and placed["o"]["i"] == new["o"]["i"] + 1


def test_stamps_strictly_increase_when_every_tick_is_in_the_same_millisecond() -> None:
    _, events = run_ticks([5_000] * 20)
    stamps = [e["E"] for e in events]
    assert stamps == list(range(5_000, 5_000 + len(events)))


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=40))
def test_e_and_t_strictly_increase_per_event_type_whatever_the_clock_does(steps: list[int]) -> None:
    # Ticks whose clock stands still (step 0) or moves by a few ms.
    times, now = [], 1_700_000_000_000
    for step in steps:
        now += step
        times.append(now)
    _, events = run_ticks(times)
    e_all = [e["E"] for e in events]
    assert all(a < b for a, b in itertools.pairwise(e_all))
    for kind in ("ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE", "TRADE_LITE"):
        t_kind = [e["T"] for e in events if e["e"] == kind]
        assert all(a < b for a, b in itertools.pairwise(t_kind)), kind
    for e in events:
        assert e["T"] <= e["E"]  # the transaction happens before the event describing it


def test_stamps_never_precede_the_clock() -> None:
    account, events = run_ticks([1_000, 1_000, 9_000])
    assert events[-1]["E"] >= 9_000
    assert account.update_ms == events[-1]["E"]


def test_order_trade_update_has_exactly_the_reference_fields() -> None:
    _, events = run_ticks([1_000 + i for i in range(10)])
    orders = [e for e in events if e["e"] == "ORDER_TRADE_UPDATE"]
    assert {e["o"]["x"] for e in orders} == {"NEW", "TRADE"}
    for e in orders:
        assert set(e) == {"e", "E", "T", "o"}
        assert set(e["o"]) == REFERENCE_O_FIELDS - TRAILING_ONLY, e["o"]["x"]
        assert isinstance(e["o"]["i"], int) and isinstance(e["o"]["T"], int)
        assert isinstance(e["o"]["m"], bool) and isinstance(e["o"]["R"], bool)
        assert isinstance(e["o"]["q"], str) and isinstance(e["o"]["p"], str)


def test_account_update_has_exactly_the_reference_fields() -> None:
    _, events = run_ticks([1_000 + i for i in range(10)])
    updates = [e for e in events if e["e"] == "ACCOUNT_UPDATE"]
    assert len(updates) == 9
    for e in updates:
        assert set(e) == {"e", "E", "T", "a"}
        assert set(e["a"]) == {"m", "B", "P"}
        assert e["a"]["m"] == "ORDER"
        assert [set(b) for b in e["a"]["B"]] == [ACCOUNT_B_FIELDS]
        assert [set(p) for p in e["a"]["P"]] == [ACCOUNT_P_FIELDS]


def test_fill_event_describes_the_fill() -> None:
    account = Account("BTCUSDT", random.Random(1))
    (new,) = account.tick(1_000)
    trade = account.tick(1_001)[1]["o"]
    placed = new["o"]
    assert (trade["q"], trade["l"], trade["z"]) == (placed["q"], placed["q"], placed["q"])
    assert trade["L"] == trade["ap"] == placed["p"]
    fee = Decimal(placed["q"]) * Decimal(placed["p"]) * Decimal("0.0002")
    assert Decimal(trade["n"]) == fee.quantize(Decimal("0.00000001"))
    assert trade["t"] > 0 and placed["t"] == 0


@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=1, max_value=30))
def test_open_orders_snapshot_matches_the_events(seed: int, ticks: int) -> None:
    account = Account("BTCUSDT", random.Random(seed))
    placed: set[int] = set()
    filled: set[int] = set()
    for i in range(ticks):
        for e in account.tick(1_000 + i):
            if e["e"] == "ORDER_TRADE_UPDATE":
                (placed if e["o"]["x"] == "NEW" else filled).add(e["o"]["i"])
        snapshot = account.open_orders_snapshot()
        assert {o["orderId"] for o in snapshot} == placed - filled
        for o in snapshot:
            assert o["status"] == "NEW" and o["executedQty"] == "0"


@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=1, max_value=40))
def test_wallet_and_position_agree_with_account_update(seed: int, ticks: int) -> None:
    account = Account("BTCUSDT", random.Random(seed))
    wallet, position = Decimal("10000"), Decimal(0)
    last_update: dict[str, Any] | None = None
    for i in range(ticks):
        for e in account.tick(1_000 + i):
            if e["e"] == "ORDER_TRADE_UPDATE" and e["o"]["x"] == "TRADE":
                qty = Decimal(e["o"]["l"])
                position += qty if e["o"]["S"] == "BUY" else -qty
                # The fill's realized profit goes in, its commission comes out.
                wallet += Decimal(e["o"]["rp"]) - Decimal(e["o"]["n"])
            elif e["e"] == "ACCOUNT_UPDATE":
                last_update = e
    snap = account.account_snapshot()
    risk = account.position_risk_snapshot()[0]
    if last_update is None:
        assert Decimal(snap["totalWalletBalance"]) == wallet == Decimal("10000")
        return
    (balance,) = last_update["a"]["B"]
    (pos,) = last_update["a"]["P"]
    assert Decimal(balance["wb"]) == Decimal(balance["cw"]) == wallet
    assert Decimal(snap["totalWalletBalance"]) == Decimal(snap["assets"][0]["walletBalance"]) == wallet
    assert Decimal(pos["pa"]) == position
    assert Decimal(snap["positions"][0]["positionAmt"]) == Decimal(risk["positionAmt"]) == position
    assert pos["ep"] == snap["positions"][0]["entryPrice"] == risk["entryPrice"]
    assert (Decimal(pos["ep"]) == 0) == (position == 0)
    assert snap["updateTime"] == account.update_ms


def test_entry_price_restarts_at_the_fill_price_when_the_position_flips() -> None:
    # Seed 1: the first fill buys 0.002, the second sells 0.008 (short 0.006 from that sell).
    account = Account("BTCUSDT", random.Random(1))
    updates = []
    sells = {}
    for i in range(3):
        for e in account.tick(1_000 + i):
            if e["e"] == "ACCOUNT_UPDATE":
                updates.append(e["a"]["P"][0])
            elif e["e"] == "ORDER_TRADE_UPDATE" and e["o"]["x"] == "TRADE":
                sells[e["o"]["i"]] = e["o"]
    first, flipped = updates
    assert Decimal(first["pa"]) > 0 > Decimal(flipped["pa"])
    sell = list(sells.values())[1]
    assert sell["S"] == "SELL"
    assert flipped["ep"] == sell["L"] != first["ep"]


def test_listen_key_expired_stamp_follows_the_last_event() -> None:
    """The server stamps listenKeyExpired from the same sequence (reference §5: order by E)."""
    account, events = run_ticks([1_000, 1_000, 1_000])
    assert account.stamp(1_000) > max(e["E"] for e in events)
