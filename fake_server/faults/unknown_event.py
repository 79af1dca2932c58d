"""`unknown_event`: failure mode H2, events a strict parser does not expect: an unknown type,
undocumented fields, and a documented event whose `p` is an array where other events' `p`
is a string."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from fake_server.exchange.user_events import UserEvent
from fake_server.faults import Fault, register
from fake_server.faults.target import FaultTarget
from fake_server.schema import param

Variant = Literal["unknown_type", "retyped_field", "unknown_fields"]

#: Undocumented fields: nested and of mixed types, as new Binance fields tend to be.
UNKNOWN_FIELDS: dict[str, Any] = {"zx": {"v": [1, "2", None], "ok": True}}


@register
@dataclass(frozen=True)
class UnknownEvent(Fault, name="unknown_event", layer="payload"):
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

    event_type: str = param("NEW_EVENT_TYPE", doc="the type of the unknown_type event")
    variants: tuple[Variant, ...] = param(
        ("unknown_type", "retyped_field", "unknown_fields"),
        doc="which events to send, in order: unknown_type, retyped_field, unknown_fields",
    )

    def apply(self, fake: FaultTarget) -> list[int]:
        fake.settle()
        reached: set[int] = set()
        for variant in self.variants:
            reached.update(fake.publish(self._events(variant, fake), fault=self.name, variant=variant))
        return sorted(reached)

    def _events(self, variant: Variant, fake: FaultTarget) -> list[UserEvent]:
        now_ms = fake.clock.epoch_ms()
        if variant == "unknown_type":
            stamp = fake.account.stamp(now_ms)
            return [{"e": self.event_type, "E": stamp, "T": stamp, "s": fake.symbol, **UNKNOWN_FIELDS}]
        if variant == "retyped_field":
            return [] if fake.profile.name == "spot" else [fake.futures_account.margin_call(now_ms)]
        return [_with_unknown_fields(e) for e in fake.account.tick(now_ms)]


def _with_unknown_fields(event: UserEvent) -> UserEvent:
    out = {**event, **UNKNOWN_FIELDS}
    for inner in ("o", "a"):
        if isinstance(event.get(inner), dict):
            out[inner] = {**event[inner], **UNKNOWN_FIELDS}
    return out
