"""`foreign_account_event`: an account event that belongs to another account, on this one's
user-data connections.

What ties a Binance user event to its account is the stream, not the payload: a USD-M
`ACCOUNT_UPDATE` or `ORDER_TRADE_UPDATE` carries no account id, so on one connection
subscribed to several users' listenKeys only the combined stream's `{"stream": <listenKey>}`
envelope says whose it is (binance/binance-websocket-examples#4,
binance-exchange/node-binance-api#213); COIN-M events add `i`, the account alias
(binance-reference.md §3); clients have lost that key on the way to the handler
(JKorf/Binance.Net#1443). An event of another account on the wrong stream is not what
Binance documents but a fault a scenario asks for: the mix-up a multi-account client makes
when it routes by the wrong key, or reuses a connection across accounts.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from typing import Literal

import orjson

from fake_server.exchange.user_events import UserEvent
from fake_server.faults import register
from fake_server.faults.common import OnConnections
from fake_server.faults.target import FaultTarget
from fake_server.journal_entries import WsFrameEntry
from fake_server.schema import param

#: The other account's order ids: Binance's are unique per symbol, so never this account's.
FOREIGN_FIRST_ORDER_ID = 9_000_000_001
#: The other account's alias, in COIN-M's `i` (this account's is the profile's).
FOREIGN_ALIAS = "XfoR"


@register
@dataclass(frozen=True)
class ForeignAccountEvent(OnConnections, name="foreign_account_event", layer="payload"):
    """Write `count` events of another account (`event_type`) on the target user-data
    connections, now.

    The events are real ones of a second account (its own orders, wallet and position, ids
    from 9000000001), stamped from this account's E sequence so E still rises on the
    connection. On the wire each carries what names its owner on that route: on a combined
    connection (`/private/stream`) the envelope `{"stream": <the other account's listenKey>,
    "data": …}`; on COIN-M the other alias in `i`; on a raw USD-M or PM connection nothing,
    as on Binance (only REST shows the order is not this account's). Futures profiles only
    (spot: nothing sent). Journaled per connection as `ws_frame` (`dir: out`, `op: text`,
    `data`, `fault: foreign_account_event`, `frame: foreign`), not as this account's `event`.
    """

    event_type: Literal["ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE"] = param(
        "ORDER_TRADE_UPDATE",
        doc="ORDER_TRADE_UPDATE (another account's orders) or ACCOUNT_UPDATE (its wallet)",
    )
    count: int = param(1, doc="how many of the other account's events are written", ge=1, le=100)
    seed: int = param(7, doc="seeds the other account (its orders, prices and listenKey)")

    def apply(self, fake: FaultTarget) -> list[int]:
        if fake.profile.name == "spot":
            return []
        rng = random.Random(self.seed)
        key = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(64))
        extras = {k: FOREIGN_ALIAS if k == "i" else v for k, v in fake.profile.event_extras.items()}
        events = [{**e, **extras} for e in self._events(fake, rng)]
        touched = []
        for conn in self.picked(fake):
            if not conn.carries_user_data:
                continue
            sent = [orjson.dumps({"stream": key, "data": e} if conn.combined else e).decode() for e in events]
            if all([conn.send_raw(text.encode(), binary=False) for text in sent]):
                touched.append(conn.id)
                for text in sent:
                    fake.journal.append(
                        WsFrameEntry(
                            kind="ws_frame",
                            conn=conn.id,
                            dir="out",
                            op="text",
                            data=text,
                            fault=self.name,
                            frame="foreign",
                        )
                    )
        return touched

    def _events(self, fake: FaultTarget, rng: random.Random) -> list[UserEvent]:
        """`count` events of the type from the other account's activity, restamped."""
        # The same product's account (COIN-M's counts contracts in BTC), trading elsewhere.
        other = type(fake.futures_account)(fake.symbol, rng, first_order_id=FOREIGN_FIRST_ORDER_ID)
        now_ms = fake.clock.epoch_ms()
        made: list[UserEvent] = []
        while len(made) < self.count:
            made += [e for e in other.tick(now_ms) if e["e"] == self.event_type]
        out = []
        for event in made[: self.count]:
            stamp = fake.account.stamp(now_ms)  # this connection's E sequence goes on rising
            moved: UserEvent = {**event, "E": stamp, "T": stamp}
            if isinstance(event.get("o"), dict):
                moved["o"] = {**event["o"], "T": stamp}
            out.append(moved)
        return out
