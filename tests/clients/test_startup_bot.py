"""clients/startup_bot.py (issue 17): a bot that reads the market, its brackets and balances and
sets leverage and margin type before its stream, played through the drop and expiry
scenarios. Each must PASS every check, and the journal must show the start-up calls answered
by the fake before the first listenKey: a bot dying on a 404 there would never reach its
stream, and every check would then FAIL.

The scenarios' account keeps an order open (events.rate > 0), so Binance, and the fake, refuse
a margin-type change with -4047: the bot must log it and go on, as real bots do.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.verdict import Status
from tests.conftest import Play

SCENARIOS = (
    "drops/drop-1006.yaml",
    "drops/clean-close-1001.yaml",
    "drops/forced-24h-close.yaml",
    "listenkey/expired.yaml",
    "listenkey/dead-key-1125.yaml",
)
START_UP = [
    ("GET", "/fapi/v1/exchangeInfo"),
    ("GET", "/fapi/v1/klines"),
    ("GET", "/fapi/v1/depth"),
    ("GET", "/fapi/v1/leverageBracket"),
    ("GET", "/fapi/v2/balance"),
    ("POST", "/fapi/v1/leverage"),
    ("POST", "/fapi/v1/marginType"),
]
#: Binance's refusals of a margin-type change that are no fault of the bot's.
MARGIN_TYPE_REFUSALS = (-4046, -4047, -4048)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: f"@{s}")
def test_the_startup_bot_passes_the_drop_and_expiry_scenarios(play: Play, scenario: str) -> None:
    result = play(scenario, "startup_bot.py")
    assert not result.problems, result.problems
    assert result.verdicts
    failed = [(v.behaviour, v.status, v.summary) for v in result.verdicts if v.status is not Status.PASS]
    assert not failed, failed

    assert result.record is not None
    calls: list[Any] = list(result.record.of("rest"))
    first_key = next(
        i for i, e in enumerate(calls) if (e["method"], e["path"]) == ("POST", "/fapi/v1/listenKey")
    )
    before = calls[:first_key]
    assert [(e["method"], e["path"]) for e in before] == START_UP
    assert all(e["status"] == 200 for e in before[:-1]), [(e["path"], e["status"], e["body"]) for e in before]
    margin = before[-1]
    lines = [o["line"] for o in result.record.output()]
    if margin["status"] != 200:
        assert any(f'"code":{code}' in margin["body"] for code in MARGIN_TYPE_REFUSALS), margin["body"]
        assert any("/fapi/v1/marginType refused" in line and "going on" in line for line in lines), lines


@pytest.mark.parametrize("scenario", ["drops/drop-1006.yaml"], ids=lambda s: f"@{s}")
def test_a_bot_that_takes_the_refusal_as_fatal_fails(play: Play, scenario: str) -> None:
    result = play(scenario, "../tests/harness/clients/strict_startup.py")
    v = result.verdict("reconnects-after-drop")
    assert v.status is Status.FAIL, v.summary
    assert "never opened a user-data stream" in v.summary, v.summary
