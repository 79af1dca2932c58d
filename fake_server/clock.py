"""The one clock the whole fake reads.

Binance's timers are long (an hour for a listenKey, 24 h for a connection), so every
duration in the fake goes through this object: today it runs at real speed, and a later
version can run it fast without touching the code that reads it. Nothing in the fake calls
`time.time()` or `loop.call_later()` directly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class Clock:
    """Scenario time in seconds since the run started, plus Binance epoch milliseconds."""

    def __init__(self, *, epoch_ms: int | None = None) -> None:
        self._t0 = time.monotonic()
        # Binance timestamps are epoch milliseconds; derive them from the monotonic clock
        # so they never go backwards during a run, whatever the wall clock does.
        self._epoch0_ms = epoch_ms if epoch_ms is not None else int(time.time() * 1000)

    def now(self) -> float:
        """Seconds since the run started (monotonic)."""
        return time.monotonic() - self._t0

    def epoch_ms(self) -> int:
        """Binance's `E`/`T`/`serverTime` value for now."""
        return self._epoch0_ms + int(self.now() * 1000)

    def call_later(self, delay: float, callback: Callable[[], object]) -> asyncio.TimerHandle:
        """Schedule `callback` after `delay` scenario seconds on the running loop."""
        return asyncio.get_running_loop().call_later(max(0.0, delay), callback)

    async def sleep(self, delay: float) -> None:
        await asyncio.sleep(max(0.0, delay))
