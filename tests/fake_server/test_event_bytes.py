"""The exact bytes of a seeded run of account events and of their journal lines.

The push path is optimised by hand (docs/performance.md); these digests were taken from the
code before that work, so any change to an event's text (a field's order, a number's
formatting) or to its journal entry fails here, whatever the optimisation.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import orjson
import pytest

from fake_server.clock import Clock
from fake_server.exchange import account as account_module
from fake_server.exchange.account import Account
from fake_server.exchange.coinm_account import CoinmAccount
from fake_server.exchange.order_history import HistoryQuery
from fake_server.exchange.orders import OrderRequest
from fake_server.exchange.settings import EventFlow, Settings
from fake_server.exchange.user_events import UserEvent
from fake_server.journal import Journal
from fake_server.server import FakeBinance

#: sha256 of the events below, one orjson text per line, taken before the push path was optimised.
EVENTS_SHA256 = "95fc7017696b717df3693aeddc587018e86dfd5e5704ec07a1a2194657300dd2"
EVENTS_COUNT = 2559
#: sha256 of the journal file a fake writes while publishing those events to one listen key.
JOURNAL_SHA256 = "b8dad7cc396ed0c9bf5e7f0b878e1f7a91ea22d780f51209eba47fb537d5f9b4"


def seeded_activity(
    account: Account,
    unit: Decimal = Decimal("0.001"),
    *,
    every: int = 0,
    look: Callable[[], None] = lambda: None,
) -> list[list[UserEvent]]:
    """Background ticks mixed with client orders that rest, fill as makers and takers, flip
    the position and get cancelled: every number shape the account's events carry. `unit`
    is the product's quantity step; `look` runs after every `every`th tick (0: never)."""
    batches: list[list[UserEvent]] = []
    now = 1_700_000_000_000
    for i in range(600):
        if every and i % every == every - 1:
            look()
        now += i % 3  # several ticks in one millisecond, and gaps
        if i % 50 == 7:
            _, events = account.submit(OrderRequest("BUY", "MARKET", 13 * unit), now)
            batches.append(events)
        if i % 50 == 19:
            _, events = account.submit(OrderRequest("SELL", "MARKET", 29 * unit), now)
            batches.append(events)
        if i % 50 == 23:
            price = account.mark_price + Decimal("150.5")
            _, events = account.submit(OrderRequest("SELL", "LIMIT", 4 * unit, price), now)
            batches.append(events)
        if i % 50 == 31:
            price = account.mark_price - Decimal("2000")
            body, events = account.submit(OrderRequest("BUY", "LIMIT", 100 * unit, price), now)
            batches.append(events)
            batches.append(account.cancel(int(body["orderId"]), None, now)[1])
        if i % 50 == 41:
            batches.append(account.move_mark(account.mark_price - Decimal("300.25"), now))
        batches.append(account.tick(now))
    return batches


def _digest(lines: list[bytes]) -> str:
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


@pytest.mark.parametrize("memo_size", [account_module._TEXTS_MAX, 8])
def test_a_seeded_run_of_events_has_the_same_bytes(memo_size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # 8: the account's memo of number texts starts again every few values, as in a long run.
    monkeypatch.setattr(account_module, "_TEXTS", {})
    monkeypatch.setattr(account_module, "_TEXTS_MAX", memo_size)
    batches = seeded_activity(Account("BTCUSDT", random.Random(7)))
    lines = [orjson.dumps(e) for batch in batches for e in batch]
    assert (len(lines), _digest(lines)) == (EVENTS_COUNT, EVENTS_SHA256)


class _StoppedClock(Clock):
    """A clock that always reads the same instant, so journal lines have fixed `t`s."""

    def now(self) -> float:
        return 12.345678

    def epoch_ms(self) -> int:
        return 1_700_000_000_000


async def test_their_journal_lines_have_the_same_bytes(tmp_path: Path) -> None:
    clock = _StoppedClock()
    path = tmp_path / "journal.jsonl"
    journal = Journal(clock, path)
    fake = FakeBinance(Settings(events=EventFlow(rate=0)), clock, journal)
    fake.rest_create_listen_key(fake.settings.credentials.api_key)
    for batch in seeded_activity(Account("BTCUSDT", random.Random(7))):
        fake.publish(batch)
    journal.close()
    lines = path.read_bytes().split(b"\n")
    assert _digest(lines) == JOURNAL_SHA256


#: Both products' accounts in both margin modes, for the pins below.
PRODUCTS: dict[str, tuple[Callable[[], Account], Decimal]] = {
    "usdm": (lambda: Account("BTCUSDT", random.Random(7)), Decimal("0.001")),
    "coinm": (lambda: CoinmAccount("BTCUSD_PERP", random.Random(7)), Decimal("1")),
}
#: sha256 of each (product, margin mode)'s seeded events and of its account state and REST
#: answers read every 37 ticks, taken before the background flow got its own fast path
#: (docs/performance.md, "Making events").
PINNED: dict[tuple[str, bool], tuple[str, str]] = {
    ("usdm", False): (
        "95fc7017696b717df3693aeddc587018e86dfd5e5704ec07a1a2194657300dd2",  # EVENTS_SHA256
        "3358382dd300f6fe949b243b3e3c51eab8edeb3cedbc2fd390123ac65034d9f8",
    ),
    ("usdm", True): (
        "29ba9d0dd10acb784605686d0372cf53332b062a9b606cb841f66a8fa00019f1",
        "51fe9dfcedefed96b7d082f4d03eba74d2fefbde5429a6ed05bd0204b94ee8d3",
    ),
    ("coinm", False): (
        "aafb98417aef06d4eee8faae223dfdf3fd597a10a5640a7bc2e9f5d9bcf6a623",
        "c0892c2a90444a09d07ae2d2c2f5b19d0b5566c4c4c718b995bbd9ff1a82380d",
    ),
    ("coinm", True): (
        "4337e13e6f10cf83e08b7341b6f3f4a71cd28157d5e06c4bf225d29b1afced97",
        "fd7f52829bc89bc03722322eb08a6ca6281b4f4a754a60f0469bac1cd0b3b20d",
    ),
}


def _seeded_run(product: str, isolated: bool) -> tuple[list[bytes], list[bytes]]:
    """The events of `seeded_activity` in `product`'s account and margin mode, as texts, and
    the account as the REST answers and its own fields show it every 37 ticks (reprs: a
    Decimal's exponent shows, which `format(..., "f")` writes in /fapi/v1/income)."""
    make, unit = PRODUCTS[product]
    account = make()
    account.isolated = isolated
    if isolated:
        account.added_margin = Decimal("12.5") * unit
    views: list[bytes] = []

    def look() -> None:
        state = (
            account.position,
            account.entry_price,
            account.mark_price,
            account.wallet,
            account.update_ms,
            list(account.fills)[-3:],
            [account.orders[i] for i in sorted(account.orders)[-3:]],
        )
        views.append(repr(state).encode())
        views.append(
            orjson.dumps(
                [
                    account.account_snapshot(),
                    account.account_v3_snapshot(),
                    account.position_risk_snapshot(),
                    account.position_risk_v3_snapshot(),
                    account.open_orders_snapshot(),
                    account.all_orders_snapshot(HistoryQuery(limit=5)),
                    [account.trade_row(f) for f in list(account.fills)[-5:]],
                    [(format(f.realized, "f"), format(-f.commission, "f")) for f in account.fills],
                ],
                default=str,
            )
        )

    batches = seeded_activity(account, unit, every=37, look=look)
    return [orjson.dumps(e) for batch in batches for e in batch], views


@pytest.mark.parametrize("product", sorted(PRODUCTS))
@pytest.mark.parametrize("isolated", [False, True], ids=["cross", "isolated"])
def test_both_products_events_and_state_are_pinned(product: str, isolated: bool) -> None:
    lines, views = _seeded_run(product, isolated)
    assert (_digest(lines), _digest(views)) == PINNED[product, isolated]
