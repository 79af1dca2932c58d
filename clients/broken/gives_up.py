"""Broken client: lacks ``keeps-retrying``.

After 5 failed connection attempts in a row it prints "Max reconnect retries reached" and
stops trying: the process stays up, idle and deaf, until someone restarts it. Its attempts
use the reference client's backoff, and everything else is the reference client's, so an
outage shorter than its budget is survived and a longer one is not.

Mimics F1 ``reconnect-gives-up`` (sammchardy/python-binance#122: 5 attempts with a growing
delay, then {'e': 'error', 'm': 'Max reconnect retries reached'}; #1654 and #1633: how to
reconnect once the library stopped; ccxt/node-binance-api#86: "the one and only reconnection
attempt failed").

Run: ``python /abs/path/clients/broken/gives_up.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "keeps-retrying"
SCENARIO = "reconnect/long-outage.yaml"

#: python-binance's MAX_RECONNECTS in #122.
MAX_RECONNECTS = 5


class GivesUpClient(ReferenceClient):
    def reconnect_attempts_limit(self) -> int | None:
        return MAX_RECONNECTS


if __name__ == "__main__":
    sys.exit(GivesUpClient.main())
