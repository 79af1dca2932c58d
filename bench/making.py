"""What making an account event costs on its own: `Account.tick`'s thread CPU per event.

The push figures give making an event only as a difference (the fake's CPU per message
less the push path's, each over a separate push), which moves with the load by a few
microseconds. This times `tick` alone in one process: slices of ticks, each timed with
`time.thread_time`, the best slice kept (the one the machine disturbed least). Run on two
checkouts, it compares their making of events directly (docs/performance.md).
"""

from __future__ import annotations

import random
import time
from typing import NamedTuple

from fake_server.exchange.account import Account
from fake_server.exchange.coinm_account import CoinmAccount

#: Ticks before the timing starts: the position, fills and order history are under way.
WARM_TICKS = 2_000


class Making(NamedTuple):
    """Thread CPU per event (us): the best slice and the median one."""

    best_us: float
    median_us: float


def making(kind: str = "usdm", slices: int = 30, ticks: int = 250) -> Making:
    """`Account.tick` of a USD-M account (`usdm`, `isolated`) or a COIN-M one (`coinm`)."""
    account = (
        CoinmAccount("BTCUSD_PERP", random.Random(1))
        if kind == "coinm"
        else Account("BTCUSDT", random.Random(1))
    )
    account.isolated = kind == "isolated"
    now = 1_700_000_000_000
    for _ in range(WARM_TICKS):
        account.tick(now)
        now += 1
    per_event: list[float] = []
    for _ in range(slices):
        events = 0
        start = time.thread_time()
        for _ in range(ticks):
            events += len(account.tick(now))
            now += 1
        per_event.append((time.thread_time() - start) / events * 1e6)
    per_event.sort()
    return Making(per_event[0], per_event[len(per_event) // 2])
