"""A user-data event as the exchange makes it and sends it: one JSON object.

Futures events (`ORDER_TRADE_UPDATE`, `ACCOUNT_UPDATE`, `listenKeyExpired`, ...) and spot
ones (`executionReport`, `outboundAccountPosition`, ...) carry their type in `e` and their
time in `E` (binance-reference.md §3); the fake routes and journals them by these two fields.
Market pushes are `MarketEvent`s (market.py), a different stream.
"""

from __future__ import annotations

from typing import Any

UserEvent = dict[str, Any]
