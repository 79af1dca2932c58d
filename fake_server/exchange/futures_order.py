"""An order of the futures account and one of its fills: the state its events and REST
answers describe (account.py makes and changes them, futures_events.py renders them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple


@dataclass(slots=True)
class Order:
    order_id: int
    client_id: str
    symbol: str
    side: str
    price: Decimal
    qty: Decimal
    time_ms: int
    update_ms: int
    status: str = "NEW"
    executed: Decimal = Decimal(0)
    type: str = "LIMIT"
    time_in_force: str = "GTC"
    reduce_only: bool = False
    stp: str = "EXPIRE_TAKER"
    good_till_date: int = 0
    avg_price: Decimal = Decimal(0)
    #: Placed by the client through REST (False: the background flow).
    by_client: bool = False
    #: The JSON text of the fields every ORDER_TRADE_UPDATE of the order opens with (symbol
    #: to price), with the texts of its quantity and price, made for its first event
    #: (`Account._described`) and emptied when the price or quantity change (an amendment):
    #: a background order's NEW, TRADE_LITE and TRADE share them.
    head: str = field(default="", repr=False, compare=False)
    qty_text: str = field(default="", repr=False, compare=False)
    price_text: str = field(default="", repr=False, compare=False)


class Fill(NamedTuple):
    """One of the account's trades: a row of GET /fapi/v1/userTrades and its commission
    (and realized PnL) rows of GET /fapi/v1/income. A NamedTuple rather than a frozen
    dataclass: every background tick makes one, and a frozen dataclass costs several times
    as much to build."""

    trade_id: int
    order_id: int
    side: str
    price: Decimal
    qty: Decimal
    commission: Decimal
    realized: Decimal
    maker: bool
    time: int
