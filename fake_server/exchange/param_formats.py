"""The formats Binance reads numeric request parameters in, as its own error messages state them.

Binance names the format in its -1100 answer: "Illegal characters found in parameter
'timestamp'; legal range is '^[0-9]{1,20}$'" for a LONG such as `timestamp`, `recvWindow`,
`orderId` or `startTime`, and '^([0-9]{1,20})(\\.[0-9]{1,20})?$' for a DECIMAL such as
`quantity` (seen in client issues, docs/fidelity.md "Malformed requests"). Only ASCII digits,
at most 20 of them: Python's `str.isdigit()` lets "²" and other Unicode digits through and
`int()` refuses strings over 4,300 digits, so every handler reads these parameters here.
"""

from __future__ import annotations

import re
from decimal import Decimal

#: Binance's legal range of a LONG parameter, verbatim from its -1100 message.
LONG_RANGE = "^[0-9]{1,20}$"
_LONG = re.compile("[0-9]{1,20}")
#: A DECIMAL parameter: Binance's range, with a leading "-" and a bare ".5" also read (so
#: that a negative or odd amount gets the route's own refusal, such as -4003, not -1100).
_DECIMAL = re.compile(r"-?([0-9]{1,20}(\.[0-9]{0,20})?|\.[0-9]{1,20})")


def long_value(raw: str) -> int | None:
    """`raw` as a LONG, or None when it is not 1 to 20 ASCII digits."""
    return int(raw) if _LONG.fullmatch(raw) else None


def decimal_value(raw: str) -> Decimal | None:
    """`raw` as a DECIMAL, or None when it is not in the format Binance reads."""
    return Decimal(raw) if _DECIMAL.fullmatch(raw) else None
