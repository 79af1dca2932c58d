"""The one clock the whole fake reads.

Binance's timers are long (an hour for a listenKey, 24 h for a connection), so every
duration in the fake goes through this object, and it can run fast: at `factor` 60 a
scenario's hour of Binance time passes in a minute of wall time, for every timer of the
fake, every journal stamp and every `E`/`serverTime`, while the client's own clock is run
at the same factor by libfaketime (harness/faketime.py). Nothing in the fake calls
`time.time()` or `loop.call_later()` directly; the few wall-time waits left (the control
API's, a write's time slice) are about the harness's machine, not Binance.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class Clock:
    """Scenario time (Binance time) in seconds since the run started, plus Binance epoch
    milliseconds; both run `factor` times as fast as the wall clock."""

    def __init__(self, *, epoch_ms: int | None = None, factor: float = 1.0) -> None:
        if not factor >= 1.0:
            raise ValueError(f"a clock's factor is at least 1 (real time), not {factor!r}")
        self.factor = factor
        self._t0 = time.monotonic()
        #: The wall clock (`time.time()`) at the start, read together with the monotonic one:
        #: where Binance's epoch stands against the wall, for a client's clock to match it.
        self.wall0 = time.time()
        # Binance timestamps are epoch milliseconds; derive them from the monotonic clock
        # so they never go backwards during a run, whatever the wall clock does.
        self._epoch0_ms = epoch_ms if epoch_ms is not None else int(self.wall0 * 1000)

    @property
    def epoch0_ms(self) -> int:
        """Binance's epoch milliseconds at the start of the run (`now()` 0)."""
        return self._epoch0_ms

    def now(self) -> float:
        """Binance seconds since the run started (monotonic)."""
        return (time.monotonic() - self._t0) * self.factor

    def wall(self, seconds: float) -> float:
        """Wall seconds that `seconds` of Binance time take."""
        return seconds / self.factor

    def epoch_ms(self) -> int:
        """Binance's `E`/`T`/`serverTime` value for now."""
        return self._epoch0_ms + int(self.now() * 1000)

    def outside_recv_window(self, age_ms: float, window_ms: int) -> bool:
        """Whether a signed request `age_ms` Binance ms old is outside its `recvWindow`.

        At a time factor the window counts wall time. What ages a request between signing
        and the fake's check is the client's CPU work and loopback, which a fast clock does
        not speed up: on Binance 1 s of it is 1 s of age, here it is F s. A fixed
        allowance of 0.25 s of wall time did not hold under load: ccxt's first signed call
        took 0.36-1.36 s of wall time from signing to the fake at a load of 4-8, and at x60
        was refused with -1021, which Binance would have accepted. A signature kept on
        purpose is still refused once it is older than the window in wall time (5 s: at
        x600 about 50 min of Binance time), and at real time this is Binance's rule
        exactly (docs/time-factor.md, docs/fidelity.md)."""
        return age_ms / self.factor > window_ms

    def call_later(self, delay: float, callback: Callable[[], object]) -> asyncio.TimerHandle:
        """Schedule `callback` after `delay` Binance seconds on the running loop."""
        return asyncio.get_running_loop().call_later(max(0.0, delay) / self.factor, callback)

    async def sleep(self, delay: float) -> None:
        await asyncio.sleep(max(0.0, delay) / self.factor)
