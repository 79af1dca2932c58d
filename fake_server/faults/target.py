"""The one narrow surface every fault acts through, like Toxiproxy's stub for its toxics.

A fault never reaches into the fake's parts (the REST front's rule list, the WebSocket
front's connection table, the journal's entries). It gets a `FaultTarget` and uses its
interception points:

- an upgrade: `intercept_upgrades` installs an `UpgradeRefusal` the WebSocket front
  consults before it accepts a handshake, or an `UpgradeRule` it consults as soon as it has
  read the upgrade request (hold it unanswered, answer it late, answer 101 with a wrong
  accept key, break the answer on the wire);
- a REST call: `intercept_rest` installs a `RestRule` the REST front consults before
  it answers (hold the call back, replace its answer, break it on the wire, dribble it);
- an outgoing push: `rewrite_events` installs an `EventRewrite` that `publish` runs the
  account's events through (`publish` returns the connections it reached), and
  `hold_pushes` a `PushHold` that keeps pushes off chosen connections for a while;
- a connection's transport: `connections` hands out `Connection`s, which close (with any
  close payload, then a handshake, a hold or a reset), abort, black-hole, hang or write
  frames as a fault describes them (`send_frames`, `WireFrame`), `shape` puts a
  `WireToxic` (latency, bandwidth, slicer, limit_data, slow_close) on one direction of
  their bytes, and `fragment` a `Fragmenting` rule on the text messages they write;
- the listening socket: `swallow_connections` installs a `Swallow` (new TCP connections
  accepted and never answered), `refuse_connections` closes the port for a while;

plus the exchange's own operations a fault triggers (expire or revoke the listenKey, push
a lifecycle notice, tick the account, turn on the connection-attempt limit). `FakeBinance` implements it; a test may
implement it with a stub.
"""

from __future__ import annotations

from typing import Literal, Protocol, Unpack

from fake_server.clock import Clock
from fake_server.exchange.account import Account
from fake_server.exchange.listen_keys import ListenKey
from fake_server.exchange.profiles import Profile
from fake_server.exchange.spot_account import SpotAccount
from fake_server.exchange.user_events import UserEvent
from fake_server.exchange.ws_api import WsApiSession
from fake_server.interception import (
    Fragmenting,
    PushHold,
    RestRule,
    Swallow,
    UpgradeRefusal,
    UpgradeRule,
    WireFrame,
    WireToxic,
)
from fake_server.journal import Journal
from fake_server.journal_entries import EventNote

#: Which open connections a connection-level fault acts on: every one, the newest, the oldest.
Pick = Literal["all", "latest", "first"]

#: An event on its way out, with what a payload fault adds to its journal entry.
Outgoing = tuple[UserEvent, EventNote]


class EventRewrite(Protocol):
    """A payload fault in force: rewrites the list of events `publish` is about to send."""

    @property
    def spent(self) -> bool:
        """Whether the rule has nothing left to do (then `publish` drops it)."""
        ...

    def rewrite(self, outgoing: list[Outgoing]) -> list[Outgoing]: ...


class Connection(Protocol):
    """One open WebSocket connection, as a fault sees it: its transport and what it carries."""

    @property
    def id(self) -> int: ...
    @property
    def carries_user_data(self) -> bool:
        """Whether user events flow on this connection's route for the product played."""
        ...

    @property
    def listen_keys(self) -> tuple[str, ...]:
        """The listen keys in the connection's URL."""
        ...

    @property
    def ws_api(self) -> WsApiSession | None:
        """The spot WebSocket API session, on the /ws-api/v3 route only."""
        ...

    def send_json(self, payload: object) -> bool:
        """Send one text frame; False when nothing can be sent (closing or black-holed)."""
        ...

    def send_raw(self, data: bytes, *, binary: bool) -> bool:
        """Write one data frame as is: text (maybe empty, maybe not JSON) or binary."""
        ...

    def send_frames(self, frames: list[WireFrame], *, gap: float = 0.0) -> bool:
        """Write frames built by hand (any opcode, RSV bits, payload), in order after what was
        pushed before, `gap` seconds apart; False when nothing can be sent."""
        ...

    def fragment(self, rule: Fragmenting) -> None:
        """Send the text messages `rule` takes as fragments (RFC 6455 §5.4)."""
        ...

    def close(
        self,
        code: int | None,
        reason: str,
        *,
        payload: bytes | None = None,
        then: Literal["handshake", "hold", "reset"] = "handshake",
    ) -> None:
        """Close frame (`code` and `reason`, or `payload` written as is), then `handshake`:
        wait for the client's and close TCP; `hold`: read and send nothing, TCP left open;
        `reset`: reset TCP at once."""
        ...

    def abort(self, mode: Literal["fin", "rst"]) -> None:
        """Drop TCP with no close frame: an orderly FIN or a reset."""
        ...

    def half_open(self) -> None:
        """Send nothing and read nothing any more, with TCP left open."""
        ...

    def stop_pings(self) -> None: ...

    def hang(self, close_after: float | None) -> None:
        """Pass nothing either way from now on; close TCP after `close_after` s (None: never)."""
        ...

    def shape(self, toxic: WireToxic) -> None:
        """Carry the connection's bytes, one direction, through a transport toxic."""
        ...

    @property
    def combined(self) -> bool:
        """Whether pushes go out wrapped as {"stream","data"}, naming the stream (the listenKey)."""
        ...

    def server_shutdown(self, stamp: int, grace: float, code: int, reason: str, copies: int = 1) -> bool:
        """Push `serverShutdown` now (`copies` times, back to back) and close after `grace`
        seconds; False if nothing was sent."""
        ...


class FaultTarget(Protocol):
    """What a fault may touch of the running fake."""

    @property
    def clock(self) -> Clock: ...
    @property
    def journal(self) -> Journal:
        """For appending what a fault did (never for reading back what happened)."""
        ...

    @property
    def profile(self) -> Profile: ...
    @property
    def symbol(self) -> str: ...
    @property
    def account(self) -> Account | SpotAccount: ...
    @property
    def futures_account(self) -> Account: ...

    # The exchange ---------------------------------------------------------------------

    def settle(self) -> None:
        """Bring time-driven state (key expiry) up to now."""
        ...

    def publish(self, events: list[UserEvent], **note: Unpack[EventNote]) -> list[int]:
        """Send account events (through the rewrites in force); the connections reached."""
        ...

    def message_stamp(self, *, before_last: bool = False) -> int:
        """An `E` for a server message: never before the account's last event; with
        `before_last`, 1 ms before it (a message stamped out of order, a fault)."""
        ...

    def expire_listen_key(self, *, notify: bool = True, copies: int = 1) -> ListenKey | None:
        """Expire the account's active key now, pushing `listenKeyExpired` `copies` times (none
        without `notify`); None when there is none."""
        ...

    def revoke_listen_key(self, *, notify: bool = False) -> ListenKey | None:
        """DELETE the account's active key now, as another client of the same API key would;
        None when there is none."""
        ...

    def active_listen_key(self) -> str | None: ...
    def previous_listen_key(self) -> str | None:
        """The account's key before its active one: the one a client switched away from."""
        ...

    def push_listen_key_expired(self, named: str, *, copies: int = 1, **note: Unpack[EventNote]) -> list[int]:
        """Push `listenKeyExpired` naming key `named` to the active key's connections, `copies`
        times, leaving the key table as it is; the connections reached."""
        ...

    def limit_connection_attempts(self, attempts: int, window: float) -> None:
        """Refuse an IP's handshakes past `attempts` within `window` seconds, from now on."""
        ...

    # Interception points ----------------------------------------------------------------

    def connections(self, pick: Pick = "all") -> list[Connection]:
        """The open connections `pick` names, oldest first."""
        ...

    def intercept_rest(self, rule: RestRule) -> None: ...
    def intercept_upgrades(self, rule: UpgradeRefusal | UpgradeRule) -> None: ...
    def rewrite_events(self, rule: EventRewrite) -> None: ...
    def hold_pushes(self, hold: PushHold) -> None: ...
    def swallow_connections(self, rule: Swallow) -> None: ...
    def refuse_connections(self, until: float | None) -> None:
        """Stop listening on the WebSocket port until `until` (None: the run's end), so new
        TCP connections are refused; open ones are untouched."""
        ...
