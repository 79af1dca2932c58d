"""What the fake is told to be: Binance's timers (possibly shortened) and account activity.

These live in the fake, not the harness, because `serve` and the control API configure the
fake without any scenario; the harness's scenario model reuses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from fake_server.exchange.profiles import ProfileName
from fake_server.schema import param

if TYPE_CHECKING:
    from fake_server.exchange.profiles import Profile


def _timer(default: float | None, doc: str) -> Any:
    return param(default, doc=doc, gt=0, message="a timer must be longer than 0s")


@dataclass(frozen=True)
class Timers:
    """Binance's timers as the fake applies them (seconds).

    Defaults are the real USD-M futures values (binance-reference.md §1 and §2: 60 min key
    validity, ping every 3 min, pong within 10 min, 24 h connection life). Scenarios shorten
    them so a behaviour shows within seconds.
    """

    listen_key_ttl: float = _timer(3600.0, "how long a listenKey lives without a keepalive")
    #: None: the profile's (3 min / 10 min on futures, 20 s / 1 min on spot).
    ping_interval: float | None = _timer(None, "seconds between server pings; none: the profile's")
    pong_timeout: float | None = _timer(None, "how long a ping's pong may take; none: the profile's")
    connection_life: float = _timer(86400.0, "how long a connection lives before the server closes it")
    #: The keepalive cadence the scenario assumes of the client; None means min(30 min, TTL/2).
    keepalive_interval: float | None = _timer(None, "the keepalive cadence assumed of the client")
    #: The client's own ping budget the scenario assumes (told to the client, not enforced).
    client_ping_interval: float = _timer(20.0, "the client's own ping interval assumed")
    client_ping_timeout: float = _timer(10.0, "the client's own pong timeout assumed")

    def for_profile(self, profile: Profile) -> Timers:
        """These timers with every unset one taken from the product's rules."""
        return replace(
            self,
            ping_interval=profile.ping_interval if self.ping_interval is None else self.ping_interval,
            pong_timeout=profile.pong_timeout if self.pong_timeout is None else self.pong_timeout,
        )

    @property
    def effective_keepalive_interval(self) -> float:
        if self.keepalive_interval is not None:
            return self.keepalive_interval
        return min(1800.0, self.listen_key_ttl / 2)


#: The fastest the fake generates activity. Our choice, not Binance's: each tick is a timer
#: callback that builds and sends events, and beyond a few hundred a second the event loop
#: spends its time ticking (`events.rate: 1e9` pegged a core and grew memory), so a run would
#: judge the fake's lag instead of the client. 100 a second is far above Binance's own order
#: limit on USD-M (300 orders per 10 s, `RestLimits.orders_per_10s`).
MAX_TICKS_PER_SECOND = 100.0


def _per_second(default: float, doc: str, what: str) -> Any:
    return param(
        default,
        doc=doc,
        ge=0,
        le=MAX_TICKS_PER_SECOND,
        message=f"{what} is between 0 and {MAX_TICKS_PER_SECOND:g} per second",
    )


@dataclass(frozen=True)
class EventFlow:
    """The account activity the fake generates.

    Each tick places an order (ORDER_TRADE_UPDATE NEW) and fills the previous one
    (ORDER_TRADE_UPDATE TRADE and ACCOUNT_UPDATE), whether or not a client is connected:
    Binance does not replay what a disconnected client missed, which is what makes a
    resync after a gap necessary.
    """

    rate: float = _per_second(
        2.0, "ticks of account activity per second; 0: a quiet account", "the fill rate"
    )
    #: None: the profile's symbol (BTCUSDT; BTCUSD_PERP on COIN-M).
    symbol: str | None = param(None, doc="the traded symbol; none: the profile's")
    seed: int = param(1, doc="the seed of the account's and the market's random choices")
    #: Market-stream pushes per second on each subscribed stream (aggTrade, bookTicker, depth,
    #: markPrice); 0 = no market data, the default, so user-data scenarios are unchanged.
    market_rate: float = _per_second(
        0.0, "market pushes per second on each subscribed stream; 0: none", "the market rate"
    )


@dataclass(frozen=True)
class Credentials:
    """The dummy key pair the fake accepts; anything else is an invalid API key."""

    api_key: str = "harnessApiKey0000000000000000000000000000000000000000000000000000"
    api_secret: str = "harnessApiSecret00000000000000000000000000000000000000000000000000"


@dataclass(frozen=True)
class StreamLimits:
    """WebSocket limits per connection and per client IP (binance-reference.md §2 table).

    Defaults are USD-M futures: 10 incoming messages per second (pings, pongs and control
    frames all count), 1024 streams per connection (since 2025-07-02). Spot streams use 5
    messages/s. Futures documents no connection-attempt limit, so by default attempts are
    only counted; spot's is 300 per 5 minutes per IP.
    """

    #: Incoming messages per rolling second before close 1008 "Too many requests"; None = no limit.
    incoming_messages_per_second: int | None = 10
    max_streams_per_connection: int = 1024
    #: Handshakes per IP within `connection_attempt_window` before HTTP 429; None = count only.
    connection_attempts: int | None = None
    connection_attempt_window: float = 300.0


@dataclass(frozen=True)
class RestLimits:
    """Binance's REST request-weight limit as the fake enforces it, per client IP.

    Defaults are USD-M futures (binance-reference.md §4 "Headers and limits": 2400 weight per
    minute; 429 with Retry-After, then 418 bans that "scale from 2 min to 3 days"). The
    window is Binance's fixed minute (`X-MBX-USED-WEIGHT-1M` resets on the minute); scenarios
    may shorten it, like the timers, and the header keeps its name. The model is
    fake_server/exchange/weights.py.
    """

    #: 2400 is Binance's; `serve --weight-limit` raises it for a test that plays more weight
    #: than a minute allows (tests/postman: Binance's collection costs about 3 900).
    weight_per_minute: int = param(
        2400, doc="request weight per window before 429", ge=1, message="a weight limit is at least 1"
    )
    #: Length of one weight window in seconds (60: the real minute).
    interval: float = 60.0
    #: The Nth call made while a 429's Retry-After runs gets the IP banned (418). Binance
    #: does not publish its rule ("repeatedly ... failing to back off"): our choice.
    ignored_429s_to_ban: int = 5
    #: Successive ban lengths of one IP in seconds; the last one repeats. 2 min and 3 days
    #: are Binance's documented bounds; the steps between (5 min, 15 min, 1 h, 6 h, 24 h)
    #: are our choice, close to the 5 min -> 24 h seen in sammchardy/python-binance#128.
    ban_steps: tuple[float, ...] = (120.0, 300.0, 900.0, 3600.0, 21600.0, 86400.0, 259200.0)
    #: ORDERS limits per account, reported in exchangeInfo and counted in the
    #: X-MBX-ORDER-COUNT-10S/-1M headers, but not enforced.
    orders_per_minute: int = 1200
    orders_per_10s: int = 300


@dataclass(frozen=True)
class Settings:
    timers: Timers = field(default_factory=Timers)
    events: EventFlow = field(default_factory=EventFlow)
    credentials: Credentials = field(default_factory=Credentials)
    rest_limits: RestLimits = field(default_factory=RestLimits)
    host: str = "127.0.0.1"
    #: None: the profile's limits (10 messages/s on futures, 5 on spot; 1024 streams).
    limits: StreamLimits | None = None
    #: Which product's rules the fake plays (fake_server/exchange/profiles.py).
    profile: ProfileName = "usdm"
    #: Serve https/wss with a throwaway CA (fake_server/fronts/tls.py) for clients that insist on
    #: TLS; plain http/ws otherwise, which every client can use and every test can read.
    tls: bool = False
    #: Start the HTTP control API (fake_server/fronts/control_api.py) on its own port: `serve`
    #: turns it on for test suites in other languages; scenario runs do not need it.
    control_api: bool = False
    #: The control API's port; 0 picks a free one (runs can go in parallel).
    control_port: int = param(
        0, doc="the control API's TCP port; 0: a free one", ge=0, le=65535, message="a TCP port is 0 to 65535"
    )
    #: With a token, the control API answers only requests that carry it as
    #: `Authorization: Bearer <token>` (fake_server/fronts/control_guard.py).
    control_token: str | None = None
