"""What the fake is told to be: Binance's timers (possibly shortened) and account activity.

These live in the fake, not the harness, because `serve` and the control API configure the
fake without any scenario; the harness's scenario model reuses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Timers:
    """Binance's timers as the fake applies them (seconds).

    Defaults are the real USD-M futures values (binance-reference.md §1 and §2: 60 min key
    validity, ping every 3 min, pong within 10 min, 24 h connection life). Scenarios shorten
    them so a behaviour shows within seconds.
    """

    listen_key_ttl: float = 3600.0
    ping_interval: float = 180.0
    pong_timeout: float = 600.0
    connection_life: float = 86400.0
    #: The keepalive cadence the scenario assumes of the client; None means min(30 min, TTL/2).
    keepalive_interval: float | None = None
    #: The client's own ping budget the scenario assumes (told to the client, not enforced).
    client_ping_interval: float = 20.0
    client_ping_timeout: float = 10.0

    @property
    def effective_keepalive_interval(self) -> float:
        if self.keepalive_interval is not None:
            return self.keepalive_interval
        return min(1800.0, self.listen_key_ttl / 2)


@dataclass(frozen=True)
class EventFlow:
    """The account activity the fake generates.

    Each tick places an order (ORDER_TRADE_UPDATE NEW) and fills the previous one
    (ORDER_TRADE_UPDATE TRADE and ACCOUNT_UPDATE), whether or not a client is connected:
    Binance does not replay what a disconnected client missed, which is what makes a
    resync after a gap necessary.
    """

    rate: float = 2.0  # ticks per second; 0 for a quiet account
    symbol: str = "BTCUSDT"
    seed: int = 1


@dataclass(frozen=True)
class Credentials:
    """The dummy key pair the fake accepts; anything else is an invalid API key."""

    api_key: str = "harnessApiKey0000000000000000000000000000000000000000000000000000"
    api_secret: str = "harnessApiSecret00000000000000000000000000000000000000000000000000"


@dataclass(frozen=True)
class Settings:
    timers: Timers = field(default_factory=Timers)
    events: EventFlow = field(default_factory=EventFlow)
    credentials: Credentials = field(default_factory=Credentials)
    host: str = "127.0.0.1"
