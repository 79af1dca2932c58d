"""An account event made with its text (RenderedEvent) reads as the dict it stands for, its
text stays what orjson makes of it, and the account's number texts are Binance's."""

from __future__ import annotations

import copy
import json
import pickle
import random
from decimal import Decimal

import orjson
import pytest

from fake_server.exchange.account import Account, _s
from fake_server.exchange.coinm_account import CoinmAccount
from fake_server.exchange.user_events import RenderedEvent

#: Both products' accounts: USD-M's events and COIN-M's (its own ORDER_TRADE_UPDATE template).
ACCOUNTS = {
    "usdm": lambda: Account("BTCUSDT", random.Random(3)),
    "coinm": lambda: CoinmAccount("BTCUSD_PERP", random.Random(3)),
}


def _events(product: str = "usdm") -> list[RenderedEvent]:
    account = ACCOUNTS[product]()
    events = account.tick(1_700_000_000_000) + account.tick(1_700_000_000_001)
    assert {type(e) for e in events} == {RenderedEvent}
    assert {e["e"] for e in events} == {"ORDER_TRADE_UPDATE", "TRADE_LITE", "ACCOUNT_UPDATE"}
    return [e for e in events if isinstance(e, RenderedEvent)]


@pytest.mark.parametrize("product", sorted(ACCOUNTS))
def test_its_text_is_what_orjson_makes_of_it_before_and_after_it_is_read(product: str) -> None:
    for event in _events(product):
        assert orjson.dumps(event) == event.raw
        parsed = orjson.loads(event.raw)
        assert dict(event) == parsed  # reads every field, parsing the nested ones
        assert orjson.dumps(event) == event.raw


@pytest.mark.parametrize("product", sorted(ACCOUNTS))
def test_it_reads_as_the_dict_of_its_text(product: str) -> None:
    for event in _events(product):
        parsed = orjson.loads(event.raw)
        assert event == parsed and parsed == event
        assert {**event} == parsed and type({**event}) is dict
        assert dict(event.items()) == parsed and list(event.values()) == list(parsed.values())
        assert json.loads(json.dumps(event)) == parsed
        assert copy.deepcopy(event) == parsed and type(copy.deepcopy(event)) is dict
        assert pickle.loads(pickle.dumps(event)) == parsed
        assert event.copy() == parsed and (event | {"extra": 1}) == {**parsed, "extra": 1}
        for key, value in parsed.items():
            assert event[key] == value and event.get(key) == value
        assert event.get("missing", 7) == 7


def test_a_nested_object_is_parsed_only_when_read() -> None:
    event = next(e for e in _events() if dict.__getitem__(e, "e") == "ORDER_TRADE_UPDATE")
    assert type(dict.__getitem__(event, "o")) is orjson.Fragment
    assert event["E"] and type(dict.__getitem__(event, "o")) is orjson.Fragment
    assert event["o"]["i"] == event.order_id and event["o"]["x"] == event.x
    assert type(dict.__getitem__(event, "o")) is dict


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e.__setitem__("E", 1),
        lambda e: e.__delitem__("E"),
        lambda e: e.update(E=1),
        lambda e: e.pop("E"),
        lambda e: e.popitem(),
        lambda e: e.setdefault("new", 1),
        lambda e: e.clear(),
    ],
)
def test_it_cannot_be_changed_so_its_text_cannot_go_stale(change: object) -> None:
    event = _events()[0]
    with pytest.raises(TypeError):
        change(event)  # type: ignore[operator]
    assert orjson.dumps(event) == event.raw


def _reference(d: Decimal) -> str:
    """The account's number text before it was optimised: normalized, no exponent."""
    return "0" if not d else format(d.normalize(), "f")


def test_number_texts_are_the_normalized_decimal() -> None:
    rng = random.Random(11)
    values = [Decimal(v) for v in ("-0", "0E-8", "1E+1", "1E-7", "0.00000010", "100", "100.00", "-12.50")]
    values.append(Decimal("123456789012345678901234567890"))  # more digits than the context keeps
    for _ in range(20_000):
        exponent = rng.randrange(-14, 6)
        values.append(Decimal(rng.randrange(-(10**12), 10**12)).scaleb(exponent))
        values.append(Decimal(rng.randrange(0, 1000)) * Decimal(10) ** exponent)
    assert [v for v in values if _s(v) != _reference(v)] == []


@pytest.mark.parametrize("isolated", [False, True])
def test_an_account_update_shows_the_position_the_snapshots_show(isolated: bool) -> None:
    # ACCOUNT_UPDATE computes only the figures it shows; they must be the snapshots' own
    # (its unrealized PnL is at the mark before this fill moved it: not compared).
    account = Account("BTCUSDT", random.Random(5))
    account.isolated = isolated
    for i in range(40):
        events = account.tick(1_700_000_000_000 + i)
        if account.position:
            (update,) = [e for e in events if e["e"] == "ACCOUNT_UPDATE"]
            (risk,) = account.position_risk_snapshot()
            position = update["a"]["P"][0]
            # The event's cross value is `crossed` where positionRisk's is `cross`
            # (docs/fidelity.md, "Account economics": no page shows the event's).
            assert (position["pa"], position["ep"], position["iw"], position["mt"]) == (
                risk["positionAmt"],
                risk["entryPrice"],
                risk["isolatedWallet"],
                {"cross": "crossed"}.get(risk["marginType"], risk["marginType"]),
            )
            assert (position["iw"] != "0") == isolated
