"""Durations as people write them in scenario files: ``250ms``, ``1.5s``, ``3m``, ``1h``.

Binance's timers span five orders of magnitude (a 250 ms reconnect budget next to a 24 h
connection life), so scenario files state them with a unit rather than as raw seconds,
which are easy to misread (is ``3600`` an hour or a typo?). Internally everything is a
``float`` number of seconds, so the model and the clock never deal with units.

Accepted forms (see docs/scenario-format.md):

- a number followed by one unit, optionally separated by a space:
  ``ms`` (milliseconds), ``s`` (seconds), ``m`` (minutes), ``h`` (hours);
  e.g. ``250ms``, ``1.5s``, ``3m``, ``60m``, ``1h``, ``24h``;
- a bare number (int, float, or a numeric string) meaning seconds.

Negative, infinite and NaN durations are refused: no timer in the fake means "never" or
"in the past". Units are lower case only, so ``M`` cannot be mistaken for months.
"""

from __future__ import annotations

import math
import re

#: Seconds per unit. Milliseconds are handled by division (see `parse_duration`).
UNITS: dict[str, float] = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}

_DURATION = re.compile(
    r"^\s*(?P<sign>[+-]?)(?P<num>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(?P<unit>[A-Za-z]*)\s*$"
)

#: Units people write that we do not accept, with the spelling we do: a precise hint
#: beats a generic "invalid duration".
_UNIT_HINTS: dict[str, str] = {
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "min": "m",
    "mins": "m",
    "minute": "m",
    "minutes": "m",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "msec": "ms",
    "msecs": "ms",
    "millis": "ms",
    "millisecond": "ms",
    "milliseconds": "ms",
    "S": "s",
    "H": "h",
    "MS": "ms",
    "Ms": "ms",
}

_FORMS = "a number followed by ms, s, m or h (e.g. 250ms, 1.5s, 3m, 1h), or a bare number of seconds"


def parse_duration(text: str | float) -> float:
    """Return the duration `text` as a number of seconds.

    Raises ValueError with a message that says what was wrong and what is accepted; the
    scenario loader puts that message next to the file, line and field. Raises TypeError
    for a value that is neither text nor a number (a bool included).
    """
    if isinstance(text, bool):
        # bool is an int subclass; `true` as a duration is always a mistake.
        raise TypeError(f"expected a duration, got the boolean {text!r}; write {_FORMS}")
    if isinstance(text, int | float):
        try:
            seconds = float(text)
        except OverflowError:  # an int beyond every float
            raise ValueError(
                f"invalid duration: {len(str(text))} digits is too long for a number of seconds"
            ) from None
        return _check(seconds, repr(text))
    if not isinstance(text, str):
        raise TypeError(f"expected a duration, got {type(text).__name__}; write {_FORMS}")
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"invalid duration {text!r}: write {_FORMS}")
    unit = match["unit"]
    value = float(match["num"])
    if match["sign"] == "-":
        value = -value
    if unit == "":
        return _check(value, text)
    if unit == "ms":
        # Divide rather than multiply by 0.001 so that "250ms" is exactly 250 / 1000.
        return _check(value / 1000, text)
    if unit in UNITS:
        return _check(value * UNITS[unit], text)
    if unit in _UNIT_HINTS:
        number = match["num"]
        raise ValueError(
            f"invalid duration {text!r}: unit {unit!r} is not accepted; did you mean '{number}{_UNIT_HINTS[unit]}'?"
        )
    if unit in ("d", "day", "days"):
        raise ValueError(f"invalid duration {text!r}: days are not accepted; write hours, e.g. '24h'")
    if unit == "M":
        raise ValueError(f"invalid duration {text!r}: units are lower case; write 'm' for minutes")
    raise ValueError(f"invalid duration {text!r}: unknown unit {unit!r}; write {_FORMS}")


def _check(seconds: float, shown: str) -> float:
    if math.isnan(seconds) or math.isinf(seconds):
        raise ValueError(f"invalid duration {shown}: it must be a finite number of seconds")
    if seconds < 0:
        raise ValueError(f"invalid duration {shown}: durations cannot be negative")
    return seconds


def format_duration(seconds: float) -> str:
    """Render `seconds` in the unit a person would write, for messages and reports.

    The result parses back to `seconds` (up to float rounding): ``0.25 -> '250ms'``,
    ``90 -> '90s'``, ``3600 -> '60m'``, ``86400 -> '24h'``.
    """
    if seconds != 0 and seconds < 1:
        return f"{_trim(seconds * 1000)}ms"
    if seconds >= 7200 and seconds % 3600 == 0:
        return f"{_trim(seconds / 3600)}h"
    if seconds >= 120 and seconds % 60 == 0:
        return f"{_trim(seconds / 60)}m"
    return f"{_trim(seconds)}s"


def _trim(value: float) -> str:
    """`value` without a trailing `.0`, and with no more digits than it needs."""
    text = repr(round(float(value), 9))
    return text.removesuffix(".0")
