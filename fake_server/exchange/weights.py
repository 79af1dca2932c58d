"""Request weight per client IP: the 429 and 418 answers of Binance's REST limiter, as a pure model.

Rules (binance-reference.md §4 "Headers and limits", the 429 and 418 rows; USD-M general
info "LIMITS"): every route costs a weight; the weight an IP used in the current minute is
reported on every answer (`X-MBX-USED-WEIGHT-1M`); limits are per IP, not per API key. Over
the limit the answer is HTTP 429 with `Retry-After` and -1003 "Too many requests; current
limit is %s requests per minute. ..."; an IP that keeps calling while told to wait is banned:
HTTP 418 with `Retry-After` (seconds until the ban lifts) and "Way too many requests; IP
banned until %s. ...". Bans "scale in duration for repeat offenders, from 2 minutes to 3
days".

Choices where Binance publishes nothing (also in docs/fidelity.md):
- The window is the fixed epoch minute (the header resets on the minute), not a rolling one.
- A call over the limit still adds its weight (the header can read above the limit).
- A weight-0 call (USD-M `POST /fapi/v1/order` costs 0 IP weight) is not refused for weight
  already used; a ban refuses every call.
- "Keeps calling while told to wait": a call made after a 429 and before that 429's
  Retry-After ran out. The Nth such call (`RestLimits.ignored_429s_to_ban`) starts a ban;
  that call is the first 418. A client that waits out Retry-After starts clean.
- Ban lengths follow `RestLimits.ban_steps`, one step further per ban of the same IP, and
  never come down during a run. Calls during a ban neither count weight nor lengthen it.
- `%s` in the 418 message is the epoch millisecond the ban ends.

Time comes in as Binance epoch milliseconds, from the one Clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from fake_server.exchange.settings import RestLimits

Outcome = Literal["ok", "limited", "banned"]


@dataclass(frozen=True)
class Admission:
    """What the limiter decided for one call."""

    outcome: Outcome
    #: Weight this call added (0 when refused by a ban).
    weight: int
    #: Weight used by the IP in the current window, this call included: the header value.
    used: int
    #: Seconds to wait (429: to the next window; 418: to the end of the ban); None when ok.
    retry_after: int | None = None
    #: Epoch ms the ban ends (418 only).
    banned_until: int | None = None
    #: True when this very call started the ban.
    ban_started: bool = False


@dataclass
class _Ip:
    window: int = -1
    used: int = 0
    #: Epoch ms until which the last 429 told this IP to wait.
    wait_until: int = 0
    ignored: int = 0
    bans: int = 0
    banned_until: int = 0


@dataclass
class RequestWeights:
    limits: RestLimits
    _ips: dict[str, _Ip] = field(default_factory=dict)

    @property
    def interval_ms(self) -> int:
        return max(1, round(self.limits.interval * 1000))

    def _state(self, ip: str, now_ms: int) -> _Ip:
        state = self._ips.setdefault(ip, _Ip())
        window = now_ms // self.interval_ms
        if window != state.window:
            state.window, state.used = window, 0
        if now_ms >= state.wait_until:
            state.ignored = 0
        return state

    def used(self, ip: str, now_ms: int) -> int:
        """The weight `ip` used in the current window (the X-MBX-USED-WEIGHT-1M value)."""
        return self._state(ip, now_ms).used

    def admit(self, ip: str, weight: int, now_ms: int) -> Admission:
        """Count one call of `weight` from `ip` at `now_ms` and decide its answer."""
        state = self._state(ip, now_ms)
        if now_ms < state.banned_until:
            return Admission(
                "banned", 0, state.used, _seconds(state.banned_until - now_ms), state.banned_until
            )
        state.used += weight
        if weight == 0 or state.used <= self.limits.weight_per_minute:
            return Admission("ok", weight, state.used)
        window_end = (state.window + 1) * self.interval_ms
        if now_ms < state.wait_until:
            state.ignored += 1
            if state.ignored >= self.limits.ignored_429s_to_ban:
                return self._ban(state, weight, now_ms)
        state.wait_until = window_end
        return Admission("limited", weight, state.used, _seconds(window_end - now_ms))

    def _ban(self, state: _Ip, weight: int, now_ms: int) -> Admission:
        steps = self.limits.ban_steps
        length = steps[min(state.bans, len(steps) - 1)]
        state.bans += 1
        state.banned_until = now_ms + round(length * 1000)
        state.wait_until, state.ignored = 0, 0
        return Admission(
            "banned",
            weight,
            state.used,
            _seconds(state.banned_until - now_ms),
            state.banned_until,
            ban_started=True,
        )


@dataclass
class OrderCounts:
    """Orders placed per account in the current 10 s and 1 min windows (counted, not enforced).

    Reported on order answers as X-MBX-ORDER-COUNT-10S and -1M (USD-M general info "Order
    Rate Limits"; reference §4 names the -1M header for futures).
    """

    _counts: dict[tuple[str, str, int], int] = field(default_factory=dict)

    def add(self, account: str, now_ms: int) -> dict[str, int]:
        """Count one order of `account`; the counts of its current windows by header suffix."""
        current = {(account, label, now_ms // span) for label, span in (("10S", 10_000), ("1M", 60_000))}
        # Forget the account's finished windows so a long run does not grow without bound.
        for key in [k for k in self._counts if k[0] == account and k not in current]:
            del self._counts[key]
        for key in current:
            self._counts[key] = self._counts.get(key, 0) + 1
        return {label: self._counts[acc, label, window] for acc, label, window in current}


def _seconds(ms: int) -> int:
    return max(1, math.ceil(ms / 1000))
