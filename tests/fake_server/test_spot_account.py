"""The spot account's events and snapshots (binance-reference.md §3 "Spot and margin")."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from fake_server.exchange.spot_account import SpotAccount

EXECUTION_REPORT_FIELDS = set(
    [
        "e",
        "E",
        "s",
        "c",
        "S",
        "o",
        "f",
        "q",
        "p",
        "P",
        "F",
        "g",
        "C",
        "x",
        "X",
        "r",
        "i",
        "l",
        "z",
        "L",
        "n",
        "N",
        "T",
        "t",
        "I",
        "w",
        "m",
        "M",
        "O",
        "Z",
        "Y",
        "Q",
        "W",
        "V",
    ]
)


def test_execution_report_has_exactly_the_reference_fields() -> None:
    account = SpotAccount("BTCUSDT", random.Random(1))
    new, position = account.tick(1_000)
    assert set(new) == EXECUTION_REPORT_FIELDS
    assert (new["e"], new["x"], new["X"], new["g"], new["C"], new["r"]) == (
        "executionReport",
        "NEW",
        "NEW",
        -1,
        "",
        "NONE",
    )
    assert position["e"] == "outboundAccountPosition" and set(position) == {"e", "E", "u", "B"}


@given(st.integers(1, 50), st.integers(0, 10_000))
def test_stamps_increase_and_snapshots_match_the_events(ticks: int, seed: int) -> None:
    account = SpotAccount("BTCUSDT", random.Random(seed))
    events = [e for _ in range(ticks) for e in account.tick(5_000)]
    stamps = [e["E"] for e in events]
    assert stamps == sorted(set(stamps))
    open_ids = {o["orderId"] for o in account.open_orders_snapshot()}
    placed = {e["i"] for e in events if e["e"] == "executionReport" and e["x"] == "NEW"}
    filled = {e["i"] for e in events if e["e"] == "executionReport" and e["x"] == "TRADE"}
    assert open_ids == placed - filled and len(open_ids) == 1
    last = next(e for e in reversed(events) if e["e"] == "outboundAccountPosition")
    balances = {b["asset"]: (b["free"], b["locked"]) for b in account.account_snapshot()["balances"]}
    assert balances == {b["a"]: (b["f"], b["l"]) for b in last["B"]}
    assert all(Decimal(f) >= 0 and Decimal(lk) >= 0 for f, lk in balances.values())
