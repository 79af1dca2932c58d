"""The futures account's user-data events, rendered to their JSON text as they are made.

Why: the text is what goes on the wire, and a background tick makes four events; making
each from a template (an f-string of the fixed keys with the varying values put in) and
writing that text as is costs less than building a dict of 35 fields and serialising it,
and an order's fixed leading fields are rendered once for all its updates (`order_head`).
The event is a `RenderedEvent` (user_events.py), which still reads as that dict.

The texts are byte for byte what orjson makes of the dicts the account used to build
(tests/fake_server/test_event_bytes.py pins them): fields in the same order, numbers as the
account's texts (strings), booleans as `true`/`false`. Free text (the symbol, a client's
order id) is escaped by orjson (the background flow's ids, `web_<hex>`, need none and skip
it: `order_head`'s `client`); names from Binance's vocabularies (side, order type, time in
force, execution type, status, self-trade prevention mode, margin type, expiry reason) are
put in as they are: orders.py admits nothing else, and none of them needs escaping.

Field names and shapes: docs/binance-reference.md §3 (USD-M ORDER_TRADE_UPDATE, TRADE_LITE,
ACCOUNT_UPDATE) and, for COIN-M's order update, coinm_account.py's sources; account.py says
when each is made. Parameters are positional: these run four times a tick.
"""

from __future__ import annotations

import orjson
from orjson import Fragment

from fake_server.exchange.futures_order import Order
from fake_server.exchange.user_events import RenderedEvent, UserEvent

#: JSON texts of the symbols seen (there is one per account).
_SYMBOLS: dict[str, str] = {}


def _symbol(symbol: str) -> str:
    found = _SYMBOLS.get(symbol)
    if found is None:
        found = _SYMBOLS[symbol] = orjson.dumps(symbol).decode()
    return found


def order_head(o: Order, qty: str, price: str, client: str | None = None) -> str:
    """The text every ORDER_TRADE_UPDATE of `o` opens its `o` with: `{"s":...,"p":"...",`.
    `client`: the client order id's JSON text, when the caller knows it needs no escaping
    (the background flow's `web_<hex>`)."""
    if client is None:
        client = orjson.dumps(o.client_id).decode()
    return (
        f'{{"s":{_symbol(o.symbol)},"c":{client},"S":"{o.side}",'
        f'"o":"{o.type}","f":"{o.time_in_force}","q":"{qty}","p":"{price}",'
    )


def order_update(
    o: Order,
    stamp: int,
    trade_time: int,
    exec_type: str,
    avg_price: str,
    last_qty: str,
    executed: str,
    last_price: str,
    fee: str,
    trade_id: int,
    bid: str,
    ask: str,
    maker: bool,
    realized: str,
    expiry_reason: str,
    margin_asset: str,
    coinm: bool,
) -> RenderedEvent:
    """ORDER_TRADE_UPDATE of `o`, whose `head` is made (numbers given as texts). COIN-M's
    (`coinm`) has its own field order (coinm_account.ORDER_UPDATE_FIELDS), with the margin
    asset `ma` and none of USD-M's `si`, `ss`, `gtd`."""
    t = str(trade_time)  # twice in the text: an int's text costs more than a str's
    if coinm:
        inner = (
            f'{o.head}"ap":"{avg_price}","sp":"0","x":"{exec_type}","X":"{o.status}","i":{o.order_id},'
            f'"l":"{last_qty}","z":"{executed}","L":"{last_price}","ma":"{margin_asset}",'
            f'"N":"{margin_asset}","n":"{fee}","T":{t},"t":{trade_id},"rp":"{realized}",'
            f'"b":"{bid}","a":"{ask}","m":{"true" if maker else "false"},'
            f'"R":{"true" if o.reduce_only else "false"},"wt":"CONTRACT_PRICE","ot":"{o.type}",'
            f'"ps":"BOTH","cp":false,"pP":false,"V":"{o.stp}","pm":"NONE","er":"{expiry_reason}"}}'
        )
    else:
        inner = (
            f'{o.head}"ap":"{avg_price}","sp":"0","x":"{exec_type}","X":"{o.status}","i":{o.order_id},'
            f'"l":"{last_qty}","z":"{executed}","L":"{last_price}","N":"{margin_asset}","n":"{fee}",'
            f'"T":{t},"t":{trade_id},"b":"{bid}","a":"{ask}","m":{"true" if maker else "false"},'
            f'"R":{"true" if o.reduce_only else "false"},"wt":"CONTRACT_PRICE","ot":"{o.type}",'
            f'"ps":"BOTH","cp":false,"rp":"{realized}","pP":false,"si":0,"ss":0,"V":"{o.stp}",'
            f'"pm":"NONE","gtd":{o.good_till_date},"er":"{expiry_reason}"}}'
        )
    # A RenderedEvent is completed where it is made (no helper: a call costs as much as
    # setting its four attributes), here and in `fill_events`.
    event = RenderedEvent(e="ORDER_TRADE_UPDATE", E=stamp, T=trade_time, o=Fragment(inner))
    event.raw = f'{{"e":"ORDER_TRADE_UPDATE","E":{stamp},"T":{t},"o":{inner}}}'.encode()
    event.nested = (("o", inner),)
    event.order_id = o.order_id
    event.x = exec_type
    return event


def fill_events(
    o: Order,
    trade_time: int,
    maker: bool,
    price: str,
    qty: str,
    fee: str,
    trade_id: int,
    realized: str,
    wallet: str,
    amount: str,
    entry: str,
    unrealized: str,
    margin_type: str,
    isolated_wallet: str,
    margin_asset: str,
    coinm: bool,
) -> list[UserEvent]:
    """What a whole fill of `o` makes, stamped `trade_time` and the next two: TRADE_LITE,
    ORDER_TRADE_UPDATE (TRADE) and ACCOUNT_UPDATE (the margin asset's balance and the
    symbol's one position after it). Numbers come as texts; `o`'s own are made."""
    order_id = o.order_id
    # TRADE_LITE is flat, so its dict is whole and orjson writes it.
    lite = RenderedEvent(
        e="TRADE_LITE",
        E=trade_time,
        T=trade_time,
        s=o.symbol,
        q=o.qty_text,
        p=o.price_text,
        m=maker,
        c=o.client_id,
        S=o.side,
        L=price,
        l=qty,
        t=trade_id,
        i=order_id,
    )
    lite.raw = orjson.dumps(lite)
    lite.nested = ()
    lite.order_id = order_id
    lite.x = None
    # The average price is this fill's, and it executed all of the order.
    trade = order_update(
        o, trade_time + 1, trade_time, "TRADE", price, qty, o.qty_text, price, fee, trade_id, "0", "0",
        maker, realized, "0", margin_asset, coinm,
    )  # fmt: skip
    inner = (
        f'{{"m":"ORDER","B":[{{"a":"{margin_asset}","wb":"{wallet}","cw":"{wallet}","bc":"0"}}],'
        f'"P":[{{"s":{_symbol(o.symbol)},"pa":"{amount}","ep":"{entry}","bep":"{entry}","cr":"0",'
        f'"up":"{unrealized}","mt":"{margin_type}","iw":"{isolated_wallet}","ps":"BOTH"}}]}}'
    )
    stamp = trade_time + 2
    account = RenderedEvent(e="ACCOUNT_UPDATE", E=stamp, T=trade_time, a=Fragment(inner))
    account.raw = f'{{"e":"ACCOUNT_UPDATE","E":{stamp},"T":{trade_time},"a":{inner}}}'.encode()
    account.nested = (("a", inner),)
    account.order_id = account.x = None
    return [lite, trade, account]
