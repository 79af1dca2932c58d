"""Broken client: lacks ``no-spurious-disconnect``.

It runs a receive watchdog on the data: when no data frame has arrived for a third of the
server's ping interval, it closes the connection itself and reconnects. Server pings and
the pongs to its own pings do not feed the watchdog (websockets answers them below the
application), so on a quiet user stream it tears down healthy connections, over and over.
The ratio mirrors Binance_Futures_python's default 60 s receive limit against futures' 3 min
ping cadence. Everything else is the reference client's.

Mimics D2 ``client-liveness-too-strict`` (Binance-docs/Binance_Futures_python#63, #47: a
60 s watchdog on a quiet user stream; users placed dummy orders every 30 s to keep it fed;
ccxt/go-binance PR#693: a read deadline shorter than Binance's 3 min ping).

Run: ``python /abs/path/clients/broken/data_watchdog.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "no-spurious-disconnect"
SCENARIO = "heartbeats/quiet-stream.yaml"

#: Binance_Futures_python's receive limit (60 s) over futures' ping interval (180 s).
WATCHDOG_SHARE = 60 / 180


class DataWatchdogClient(ReferenceClient):
    def data_timeout(self) -> float | None:
        return self.config.ping_interval * WATCHDOG_SHARE


if __name__ == "__main__":
    sys.exit(DataWatchdogClient.main())
