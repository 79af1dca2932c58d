"""Broken client: lacks ``attempts-under-limit``.

One process runs four "strategies", each a reference client with its own user-data socket
on the same account and IP, filtered to the events it trades on (`events=`). Each socket
reconnects with the reference's sane backoff, so none storms on its own; but nothing counts
their attempts together, and when an outage drops them all at once their sum crosses the
server's per-IP connection-attempt limit, and every strategy is locked out together.

Mimics C4/F2 (nautechsystems/nautilus_trader#1339: several instances on one IP, suspected
of the 300 connections per 5 min limit; bmoscon/cryptofeed#613: ~125 sockets reconnecting
after the 24 h cut got 429s and never recovered; ccxt/node-binance-api#215: one socket and
REST snapshot per symbol earned an IP ban).

Run: ``python /abs/path/clients/broken/socket_per_stream.py``
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import Config, ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "attempts-under-limit"
SCENARIO = "limits/connection-attempts.yaml"

#: One socket per strategy, each with the events it needs (USD-M's `events=` filter).
STRATEGIES = ("ORDER_TRADE_UPDATE", "TRADE_LITE", "ACCOUNT_UPDATE", "MARGIN_CALL/ACCOUNT_CONFIG_UPDATE")


class StrategyClient(ReferenceClient):
    """A reference client whose socket carries one strategy's events."""

    def __init__(self, config: Config, events: str) -> None:
        super().__init__(config)
        self.events = events

    def ws_url_for(self, key: str) -> str:
        return f"{self.config.ws_url}/private/ws?listenKey={key}&events={self.events}"


async def serve_all(clients: list[StrategyClient]) -> int:
    """Run every strategy until SIGTERM/SIGINT (one handler for all: a loop keeps one)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runners = [asyncio.create_task(c.run()) for c in clients]
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait({stopper, *runners}, return_when=asyncio.FIRST_COMPLETED)
    stopper.cancel()
    for runner in runners:
        runner.cancel()
    for runner in runners:
        with contextlib.suppress(asyncio.CancelledError):
            await runner
    return 0 if stop.is_set() else 1


def main() -> int:
    try:
        config = Config.from_env(os.environ)
    except (KeyError, ValueError) as exc:
        print(f"bad environment: {exc!r}", file=sys.stderr, flush=True)
        return 2
    return asyncio.run(serve_all([StrategyClient(config, events) for events in STRATEGIES]))


if __name__ == "__main__":
    sys.exit(main())
