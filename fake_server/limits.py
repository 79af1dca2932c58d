"""Fault rules that hold for a number of uses or for a time window, whichever ends first.

Both the REST front (http_error) and the WebSocket front (reject_handshake) keep such
rules; this is the one place that decides whether a rule still holds and spends it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar


@dataclass
class Limited:
    remaining: int | None  # uses left; None for no count limit
    until: float | None  # scenario time the rule ends; None for no time limit

    def spent(self, now: float) -> bool:
        return self.remaining == 0 or (self.until is not None and now >= self.until)


R = TypeVar("R", bound=Limited)


def take(rules: list[R], now: float, matches: Callable[[R], bool] = lambda r: True) -> R | None:
    """The first rule still holding that matches, with one use spent; spent rules are dropped."""
    rules[:] = [r for r in rules if not r.spent(now)]
    for rule in rules:
        if matches(rule):
            if rule.remaining is not None:
                rule.remaining -= 1
            return rule
    return None
