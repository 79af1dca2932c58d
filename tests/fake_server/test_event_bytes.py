"""The exact bytes of a seeded run of account events and of their journal lines.

The push path is optimised by hand (docs/performance.md); these digests were taken from the
code before that work, so any change to an event's text (a field's order, a number's
formatting) or to its journal entry fails here, whatever the optimisation.
"""

from __future__ import annotations

import hashlib
import random
from decimal import Decimal
from pathlib import Path

import orjson
import pytest

from fake_server.clock import Clock
from fake_server.exchange import account as account_module
from fake_server.exchange.account import Account
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


def seeded_activity(account: Account) -> list[list[UserEvent]]:
    """Background ticks mixed with client orders that rest, fill as makers and takers, flip
    the position and get cancelled: every number shape the account's events carry."""
    batches: list[list[UserEvent]] = []
    now = 1_700_000_000_000
    for i in range(600):
        now += i % 3  # several ticks in one millisecond, and gaps
        if i % 50 == 7:
            _, events = account.submit(OrderRequest("BUY", "MARKET", Decimal("0.013")), now)
            batches.append(events)
        if i % 50 == 19:
            _, events = account.submit(OrderRequest("SELL", "MARKET", Decimal("0.029")), now)
            batches.append(events)
        if i % 50 == 23:
            price = account.mark_price + Decimal("150.5")
            _, events = account.submit(OrderRequest("SELL", "LIMIT", Decimal("0.004"), price), now)
            batches.append(events)
        if i % 50 == 31:
            price = account.mark_price - Decimal("2000")
            body, events = account.submit(OrderRequest("BUY", "LIMIT", Decimal("0.1"), price), now)
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
