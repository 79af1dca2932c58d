"""Broken client: lacks ``no-reconnect-storm``.

After a failure it first retries quickly, five times at a fixed 60 ms, and only then backs
off like the reference client (0.25 s doubling, jitter). The delays do grow, so it passes
``backs-off``; but against a refusing server each outage opens with six attempts in a
third of a second, on every socket, after every drop. A common pattern: "retry a few times
at once, the glitch is probably transient", with the backoff reserved for long outages.

Mimics F2 ``reconnect-storm`` (nautechsystems/nautilus_trader#1989: 4-5 reconnects a
second; bitrich-info/xchange-stream#199: a handshake-429 loop; altangent/ccxws#63: the
reconnect delay had to be raised to stop the churn).

Run: ``python /abs/path/clients/broken/retry_burst.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import Backoff, ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "no-reconnect-storm"
SCENARIO = "reconnect/refused-storm.yaml"

QUICK_RETRIES = 5
QUICK_DELAY = 0.06  # seconds; above backs-off's 50 ms hot-loop floor, on purpose


class QuickRetriesFirst(Backoff):
    """The reference backoff, preceded by a few quick retries after every reset."""

    def __init__(self, inner: Backoff) -> None:
        super().__init__(inner.initial, inner.maximum, inner.factor, inner.rng)
        self.quick = 0

    def next_delay(self) -> float:
        if self.quick < QUICK_RETRIES:
            self.quick += 1
            return QUICK_DELAY
        return super().next_delay()

    def reset(self) -> None:
        super().reset()
        self.quick = 0


class RetryBurstClient(ReferenceClient):
    def new_backoff(self, maximum: float | None = None) -> Backoff:
        return QuickRetriesFirst(super().new_backoff(maximum))


if __name__ == "__main__":
    sys.exit(RetryBurstClient.main())
