"""A USD-M bot that prepares itself over REST before it opens its user-data stream.

What issue 17 is about: a real bot does not start with the listenKey. It reads the market
(the symbol from exchangeInfo, recent klines, the order book), its limits and money (leverage
brackets, balances), and sets its trading settings (leverage, margin type); only then does it
open the stream, from where on it behaves exactly like the reference client (reconnects,
keepalive, key renewal, resync).

Binance may refuse a setting for a reason that is no fault: -4046 "No need to change margin
type", -4047/-4048 (an open order or a position forbids the change). Real bots log those
and go on with the setting the account has; so does this one. A refusal without a code, or a
5xx, is retried like any REST call. The reads are retried until they succeed: a bot without
its market data has nothing to trade on.

Run: ``python /abs/path/clients/startup_bot.py`` with the harness' environment
(docs/client-contract.md); ``STARTUP_BOT_LEVERAGE`` and ``STARTUP_BOT_MARGIN_TYPE`` change
what it asks for (default 5 and ISOLATED).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clients.reference_client import ReferenceClient, RestError


class StartupBot(ReferenceClient):
    """The reference client with a bot's start-up in front of its stream."""

    #: What the bot reads on start-up, in order, for the log and the tests.
    symbol = ""

    async def start_up(self) -> None:
        info = await self.rest_retrying("GET", "/fapi/v1/exchangeInfo")
        self.symbol = next(s["symbol"] for s in info["symbols"] if s.get("status") == "TRADING")
        pick = {"symbol": self.symbol}
        klines = await self.rest_retrying(
            "GET", "/fapi/v1/klines", params={**pick, "interval": "1m", "limit": 100}
        )
        book = await self.rest_retrying("GET", "/fapi/v1/depth", params={**pick, "limit": 50})
        brackets = await self.rest_retrying("GET", "/fapi/v1/leverageBracket", signed=True, params=pick)
        balances = await self.rest_retrying("GET", "/fapi/v2/balance", signed=True)
        usdt = next((b["availableBalance"] for b in balances if b.get("asset") == "USDT"), "0")
        # One symbol asked for: Binance answers its object; without a symbol, a list of them.
        entry = brackets[0] if isinstance(brackets, list) and brackets else brackets
        top = entry["brackets"][0] if isinstance(entry, dict) and entry.get("brackets") else {}
        self.log(
            f"start-up {self.symbol}: {len(klines)} klines, last close {klines[-1][4] if klines else '-'}, "
            f"best bid {book['bids'][0][0] if book['bids'] else '-'}, max leverage "
            f"{top.get('initialLeverage', '-')}, USDT available {usdt}"
        )
        leverage = int(os.environ.get("STARTUP_BOT_LEVERAGE", "5"))
        margin_type = os.environ.get("STARTUP_BOT_MARGIN_TYPE", "ISOLATED")
        await self.set_up("/fapi/v1/leverage", {**pick, "leverage": leverage})
        await self.set_up("/fapi/v1/marginType", {**pick, "marginType": margin_type})

    async def set_up(self, path: str, params: dict[str, str | int]) -> Any:
        """POST a trading setting; a refusal with Binance's code is logged and accepted."""
        backoff = self.new_backoff()
        while True:
            try:
                answer = await self.rest("POST", path, signed=True, params=params)
            except RestError as exc:
                if (
                    exc.code is not None
                    and exc.status is not None
                    and 400 <= exc.status < 500
                    and exc.status != 429
                ):
                    # Already printed by rest(); e.g. -4047 with an open order: keep what we have.
                    self.log(f"start-up: {path} refused ({exc.code}); going on with the account's setting")
                    return None
                await self.retry_sleep(backoff, exc)
                continue
            self.log(f"start-up: {path} {answer}")
            return answer


if __name__ == "__main__":
    sys.exit(StartupBot.main())
