"""How a COIN-M answer names what the USD-M one says (pure).

Most COIN-M answers are USD-M's with the market's `pair` after its `symbol` (BTCUSD after
BTCUSD_PERP: Order Book, the tickers, Index Price and Mark Price, the order answers) and a
few fields renamed because a COIN-M value is in the base asset where USD-M's is in the quote
asset (24 h ticker `baseVolume` for `quoteVolume`). The COIN-M pages under
developers.binance.com/docs/derivatives/coin-margined-futures/ give each answer's fields.
"""

from __future__ import annotations

from typing import Any


def with_pair(
    fields: dict[str, Any], pair: str, *, name: str = "pair", renamed: dict[str, str] | None = None
) -> dict[str, Any]:
    """`fields` with `name` (the pair) right after `symbol`, and the `renamed` keys renamed."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        out[renamed.get(key, key) if renamed else key] = value
        if key == "symbol":
            out[name] = pair
    return out
