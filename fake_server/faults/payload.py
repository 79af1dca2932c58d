"""Payload faults: what the fake writes on user-data connections, bent the ways clients meet.

Binance promises one ordered stream of well-formed events per connection (reference §5
"Ordering"); none of these faults is what Binance documents, each is a fault a scenario
asks for, modelled on a public failure report:

- `duplicate_event` (H6): the next account event(s) sent twice, back to back, same bytes;
- `reorder_events` (H5): an order's update held back and sent right after that order's
  next update, so FILLED arrives before NEW;
- `send_raw` (H1): an empty text frame, a text frame that is not JSON, or a binary frame;
- `unknown_event` (H2): an event of an unknown type, events with undocumented fields, and
  a documented event whose `p` is an array where other events' `p` is a string;
- `burst_events` (H3): a few hundred account events written at once.

Faults on the account's next events register a rule in `FakeBinance.payload_rules`, which
`publish` runs every outgoing event through; the others send at once. Every send is
journaled (docs/journal.md): account events as `event` entries carrying `fault` (plus
`copy: 2` on a second copy, `held: true` and `after` (the E it was sent after) on an event
sent late), raw frames as `ws_frame` entries with `dir: out` and `fault: send_raw`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from fake_server.faults import Fault, register
from fake_server.faults.target import Outgoing, Pick

if TYPE_CHECKING:
    from fake_server.exchange.account import Event
    from fake_server.faults.target import FaultTarget


def _publish(fake: FaultTarget, events: list[Event], **note: Any) -> set[int]:
    """Publish account events (through the payload rules in force); the connections reached."""
    return set(fake.publish(events, **note))


def _positive(count: int) -> None:
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")


# Sending twice (H6) ---------------------------------------------------------------------


@register
@dataclass(frozen=True)
class DuplicateEvent(Fault):
    """Send each of the next `count` account events twice in a row: same payload, same E and ids.

    `event_type` (e.g. ORDER_TRADE_UPDATE) limits it to events of that type. The second
    copy's journal entry has `fault: duplicate_event` and `copy: 2`.
    """

    name = "duplicate_event"
    layer = "payload"
    count: int = 1
    event_type: str | None = None

    def __post_init__(self) -> None:
        _positive(self.count)

    def apply(self, fake: FaultTarget) -> list[int]:
        fake.rewrite_events(_Duplicates(self.count, self.event_type))
        return []


@dataclass
class _Duplicates:
    left: int
    event_type: str | None

    @property
    def spent(self) -> bool:
        return self.left <= 0

    def rewrite(self, outgoing: list[Outgoing]) -> list[Outgoing]:
        out: list[Outgoing] = []
        for event, note in outgoing:
            out.append((event, note))
            if self.left > 0 and self.event_type in (None, event["e"]):
                self.left -= 1
                out.append((event, {**note, "fault": DuplicateEvent.name, "copy": 2}))
        return out


# Out of order (H5) ----------------------------------------------------------------------


def order_update(event: Event) -> tuple[int, str] | None:
    """(order id, execution type) of an order update: futures ORDER_TRADE_UPDATE or spot
    executionReport; None for any other event."""
    if event.get("e") == "ORDER_TRADE_UPDATE" and isinstance(event.get("o"), dict):
        return int(event["o"]["i"]), str(event["o"]["x"])
    if event.get("e") == "executionReport":
        return int(event["i"]), str(event["x"])
    return None


@register
@dataclass(frozen=True)
class ReorderEvents(Fault):
    """Hold back the next `count` order updates of execution type `x` (NEW: an order placed).

    Each is sent right after the next update of the same order (for a background order, its
    fill one tick later), so the client sees e.g. FILLED before NEW, with the older E last.
    Other events pass meanwhile. An order that never gets another update keeps its held
    update: it is never sent (nor journaled). The late send's journal entry has
    `fault: reorder_events`, `held: true` and `after` (the E it followed).
    """

    name = "reorder_events"
    layer = "payload"
    count: int = 1
    x: str = "NEW"

    def __post_init__(self) -> None:
        _positive(self.count)

    def apply(self, fake: FaultTarget) -> list[int]:
        fake.rewrite_events(_Holds(self.count, self.x))
        return []


@dataclass
class _Holds:
    left: int
    x: str
    held: dict[int, Outgoing] = field(default_factory=dict)

    @property
    def spent(self) -> bool:
        return self.left <= 0 and not self.held

    def rewrite(self, outgoing: list[Outgoing]) -> list[Outgoing]:
        out: list[Outgoing] = []
        for event, note in outgoing:
            update = order_update(event)
            if update is None:
                out.append((event, note))
                continue
            order_id, x = update
            late = self.held.pop(order_id, None)
            if late is None and self.left > 0 and x == self.x:
                self.left -= 1
                self.held[order_id] = (event, note)
                continue
            out.append((event, note))
            if late is not None:
                held_event, held_note = late
                extra = {"fault": ReorderEvents.name, "held": True, "after": event["E"]}
                out.append((held_event, {**held_note, **extra}))
        return out


# Frames that are not events (H1) ---------------------------------------------------------

RawFrame = Literal["empty", "text", "binary"]


@register
@dataclass(frozen=True)
class SendRaw(Fault):
    """Write one data frame that is not an event on the target user-data connections, now.

    `frame`: `empty` (a text frame with no payload), `text` (the text `data`, not JSON by
    default: a proxy's error page) or `binary` (the bytes `binary_hex`, a gzip header by
    default). hummingbot#4627 saw "Expecting value: line 1 column 1 (char 0)" on both
    Binance user streams. Journaled per connection as `ws_frame` (`dir: out`, `op: text` or
    `binary`, `data`: the text or the hex bytes, `fault: send_raw`, `frame`).
    """

    name = "send_raw"
    layer = "payload"
    frame: RawFrame = "text"
    data: str = "Internal Server Error"
    binary_hex: str = "1f8b0800000000000003"
    target: Pick = "all"

    def __post_init__(self) -> None:
        bytes.fromhex(self.binary_hex)  # ValueError: the loader reports it at the step

    def apply(self, fake: FaultTarget) -> list[int]:
        binary = self.frame == "binary"
        payload = (
            bytes.fromhex(self.binary_hex) if binary else b"" if self.frame == "empty" else self.data.encode()
        )
        touched = []
        for conn in fake.connections(self.target):
            if not conn.carries_user_data:
                continue
            if conn.send_raw(payload, binary=binary):
                touched.append(conn.id)
                fake.journal.append(
                    "ws_frame",
                    conn=conn.id,
                    dir="out",
                    op="binary" if binary else "text",
                    data=payload.hex() if binary else payload.decode(),
                    fault=self.name,
                    frame=self.frame,
                )
        return touched


# Events a strict parser does not expect (H2) ---------------------------------------------

Variant = Literal["unknown_type", "retyped_field", "unknown_fields"]

#: Undocumented fields: nested and of mixed types, as new Binance fields tend to be.
UNKNOWN_FIELDS: dict[str, Any] = {"zx": {"v": [1, "2", None], "ok": True}}


@register
@dataclass(frozen=True)
class UnknownEvent(Fault):
    """Send, now and in this order, the events of `variants` to the active key's connections.

    - `unknown_type`: `{"e": event_type, "E", "T", ...}`, a type no client knows yet (as
      TRADE_LITE was in 2024: ccxt/go-binance#612, unicorn-fy#50);
    - `retyped_field`: a MARGIN_CALL (a documented event, reference §3) whose `p` is an
      array of positions, where TRADE_LITE's `p` is a string: the clash that broke
      go-binance's union struct (#612). Futures profiles only;
    - `unknown_fields`: one tick of account activity (real events: the REST snapshots
      agree), each with undocumented fields added at the top and inside `o`/`a`.

    Journaled as `event` entries with `fault: unknown_event` and `variant`.
    """

    name = "unknown_event"
    layer = "payload"
    event_type: str = "NEW_EVENT_TYPE"
    variants: tuple[Variant, ...] = ("unknown_type", "retyped_field", "unknown_fields")

    def apply(self, fake: FaultTarget) -> list[int]:
        fake.settle()
        reached: set[int] = set()
        for variant in self.variants:
            events = self._events(variant, fake)
            reached.update(_publish(fake, events, fault=self.name, variant=variant))
        return sorted(reached)

    def _events(self, variant: Variant, fake: FaultTarget) -> list[Event]:
        now_ms = fake.clock.epoch_ms()
        if variant == "unknown_type":
            stamp = fake.account.stamp(now_ms)
            return [{"e": self.event_type, "E": stamp, "T": stamp, "s": fake.symbol, **UNKNOWN_FIELDS}]
        if variant == "retyped_field":
            return [] if fake.profile.name == "spot" else [fake.futures_account.margin_call(now_ms)]
        return [_with_unknown_fields(e) for e in fake.account.tick(now_ms)]


def _with_unknown_fields(event: Event) -> Event:
    out = {**event, **UNKNOWN_FIELDS}
    for inner in ("o", "a"):
        if isinstance(event.get(inner), dict):
            out[inner] = {**event[inner], **UNKNOWN_FIELDS}
    return out


# Bursts (H3) ----------------------------------------------------------------------------


@register
@dataclass(frozen=True)
class BurstEvents(Fault):
    """Make at least `count` account events at once (whole ticks of activity) and send them
    back to back, in one pass of the event loop: a burst far above any `events.rate`.

    The events are real activity (the REST snapshots agree); each is journaled with
    `fault: burst_events`.
    """

    name = "burst_events"
    layer = "payload"
    count: int = 300

    def __post_init__(self) -> None:
        _positive(self.count)

    def apply(self, fake: FaultTarget) -> list[int]:
        fake.settle()
        events: list[Event] = []
        while len(events) < self.count:
            events += fake.account.tick(fake.clock.epoch_ms())
        return sorted(_publish(fake, events, fault=self.name))
