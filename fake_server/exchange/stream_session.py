"""Binance's rules for one stream connection, as a pure session object the WebSocket front drives.

Like websockets' protocol objects, a session does no I/O and reads no clock: the front tells
it what arrived (a ping, a pong, a text or binary message) and what time it is, and gets
back what to do, in order (`Record` a journal entry, `SendText`, `SendPing`, `Close`), and
`next_wakeup()`, the scenario time at which `due()` has something to do. The front
(fake_server/fronts/connection.py) keeps what is RFC 6455 and transport: frames, fragments,
close handshakes, timeouts of the handshake and of the close, faults on the socket.

Which upgrades are accepted (`route_upgrade`): a refusal a fault installed comes first, then
the connection-attempt limit (connection_attempts.py), then the path: an unknown one is
answered HTTP 404 (routes: stream_routes.py).

Heartbeats follow binance-reference.md §2: a ping every `ping_interval` with a payload; a
pong must echo that payload within `pong_timeout`, otherwise close 1008 "Pong timeout"
(observed code and reason, reference §2). Unsolicited pongs and pongs with another payload
do not count (2024-02-09 change). Every connection is closed with 1001 after
`connection_life` (24 h, reference §2).

Incoming messages (reference §2 table, "Over the limits"): text and binary messages, pings
and pongs all count towards `StreamLimits.incoming_messages_per_second` (futures 10, spot 5) over
a rolling second (message_rate.py); the message that breaks it closes the connection with
1008 "Too many requests" (the observed code and wording, failure mode C4).

Text messages are control messages (stream_control.py): SUBSCRIBE, UNSUBSCRIBE,
LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY, answered on any route; on /ws-api/v3 they are
WebSocket API requests (ws_api.py). Invalid JSON gets the futures error frame and then a
close; its code is not documented, and the fake sends a bare 1008 (no reason), the code
Binance uses for its other policy closes (reference §2, §6.9). A text message that is not
UTF-8 is closed with 1007 (RFC 6455 §8.1). Binary messages count towards the limit, are
journaled (`op: binary`, hex) and get no answer: the stream server documents text JSON only.

User data: which routes carry it is the product's (`Profile.user_routes`); a key flows on a
connection that names it in the URL or SUBSCRIBEs it later (how some SDKs join
/private/stream: reference §1 table), through the key's `events=` filter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from fake_server.exchange import market, stream_control
from fake_server.exchange.connection_attempts import HttpAnswer
from fake_server.exchange.message_rate import MessageRate
from fake_server.exchange.profiles import Profile
from fake_server.exchange.settings import StreamLimits
from fake_server.exchange.stream_control import Subscriptions
from fake_server.exchange.stream_routes import StreamRoute, parse
from fake_server.exchange.ws_api import WsApiSession


@dataclass(frozen=True)
class Record:
    """Append a journal entry about this connection: the session knows its fields, the front
    adds the connection's id (and, on `ws_open`, the facts of the socket: path, peer) and
    types it (fake_server/journal_entries.py: `WsOpenEntry`, `WsFrameEntry`,
    `UserStreamEntry`); this layer stays free of the journal."""

    kind: Literal["ws_open", "ws_frame", "user_stream"]
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SendText:
    """Send one text frame (already encoded JSON)."""

    data: bytes


@dataclass(frozen=True)
class SendPing:
    payload: bytes


@dataclass(frozen=True)
class Close:
    """Close the connection cleanly with `code` and `reason`; `why` goes to the journal's `how`."""

    code: int
    reason: str
    why: str


Action = Record | SendText | SendPing | Close


@dataclass(frozen=True)
class UpgradeRefused:
    """An upgrade answered with HTTP instead of 101; `why` names the rule (journal `ws_reject`)."""

    status: int
    body: str
    headers: dict[str, str]
    why: str  # "fault", "connection_attempts" or "unknown_path"


def route_upgrade(
    path: str, *, refusal: HttpAnswer | None, over_limit: HttpAnswer | None
) -> StreamRoute | UpgradeRefused:
    """The route an upgrade to `path` opens, or why it is refused.

    `refusal` is a fault's answer for this upgrade, `over_limit` the attempt limiter's.
    """
    if refusal is not None:
        return UpgradeRefused(*refusal, why="fault")
    if over_limit is not None:
        return UpgradeRefused(*over_limit, why="connection_attempts")
    route = parse(path)
    return route if route is not None else UpgradeRefused(404, "", {}, why="unknown_path")


@dataclass(frozen=True)
class SessionRules:
    """The product's rules a session applies (resolved once per fake from profile and settings)."""

    profile: Profile
    limits: StreamLimits
    ping_interval: float
    pong_timeout: float
    connection_life: float


class StreamSession:
    """One accepted connection: its route, streams, heartbeats, message budget and user data."""

    def __init__(
        self,
        route: StreamRoute,
        rules: SessionRules,
        now: float,
        *,
        key_state: Callable[[str], str],
        ws_api: WsApiSession | None = None,
    ) -> None:
        self.route = route
        self.rules = rules
        #: The exchange's answer to "does this key carry user data now" (`active`, ...).
        self.key_state = key_state
        #: The spot WebSocket API session, on the /ws-api/v3 route only.
        self.ws_api = ws_api
        #: The connection's streams and `combined` property, from the URL then SUBSCRIBE.
        self.subs = Subscriptions.of(
            route.streams, combined=route.wrapped, limit=rules.limits.max_streams_per_connection
        )
        self.rate = MessageRate(rules.limits.incoming_messages_per_second)
        self.opened_at = now
        self.pinging = True
        #: Whether user data has begun to flow here (`user_stream` journaled).
        self.user_ready = False
        #: Set once the connection leaves OPEN (a close either way): nothing more is done.
        self.closing = False
        self._next_ping = now + rules.ping_interval
        self._life_ends = now + rules.connection_life
        #: Ping payloads awaiting their pong, with the time the pong is due.
        self._pending_pongs: dict[bytes, float] = {}
        self._ping_seq = 0

    # What the connection carries ---------------------------------------------------------

    @property
    def carries_user_data(self) -> bool:
        """Whether user events flow on this connection's route for the product played."""
        return self.route.name in self.rules.profile.user_routes

    @property
    def combined(self) -> bool:
        """Whether pushes go out wrapped as {"stream","data"} (the `combined` property)."""
        return self.subs.combined

    @property
    def streams(self) -> list[str]:
        return self.subs.streams

    def user_event(self, listen_key: str, event: dict[str, Any]) -> dict[str, Any] | None:
        """The payload `event` of `listen_key` is sent as here, or None if it is not for here."""
        wrapped = self.user_wrap(listen_key, event["e"])
        if wrapped is None:
            return None
        return {"stream": listen_key, "data": event} if wrapped else event

    def user_wrap(self, listen_key: str, kind: str) -> bool | None:
        """Whether an event of type `kind` on `listen_key` goes out wrapped as {"stream","data"}
        here (True) or raw (False); None if it is not for here. The front serialises each
        form once for all the connections that take it."""
        if not self.carries_user_data:
            return None
        route = self.route
        # A key in the URL, or one SUBSCRIBEd later on the connection.
        if listen_key not in route.listen_keys and listen_key not in self.subs.streams:
            return None
        if kind != "listenKeyExpired" and not route.wants(listen_key, kind):
            return None
        return self.combined

    def market_streams(self) -> list[str]:
        """The market streams this connection receives (by its route's category)."""
        return [name for name in self.subs.streams if market.carries(self.route.kind, name)]

    def shutdown_message(self, stamp: int) -> dict[str, Any]:
        """`serverShutdown` as this connection gets it (reference §2 "Server-initiated
        end-of-stream signals"): raw `{"e":"serverShutdown","E":<ms>}`, combined
        `{"stream":"!serverShutdown","data":{...}}`, WebSocket API `{"event":{...}}`."""
        if self.ws_api is not None:
            return WsApiSession.server_shutdown(stamp)
        event = {"e": "serverShutdown", "E": stamp}
        return {"stream": "!serverShutdown", "data": event} if self.combined else event

    # Opening -------------------------------------------------------------------------------

    def open(self) -> list[Action]:
        """What the connection's first moments journal: `ws_open` (the front adds path, peer
        and attempts) and, when the URL's key is active, `user_stream`."""
        route = self.route
        key_states = {k: self.key_state(k) for k in route.listen_keys}
        opened = Record(
            "ws_open",
            {
                "route": route.name,
                "route_kind": route.kind,
                "user": self.carries_user_data,
                "listen_keys": list(route.listen_keys),
                "key_states": key_states,
                "events": {
                    k: None if f is None else sorted(f) for k, f in zip(route.listen_keys, route.filters)
                },
                "streams": self.subs.streams,
                "combined": self.subs.combined,
            },
        )
        actions: list[Action] = [opened]
        if self.carries_user_data:
            actions += self._user_stream_ready([k for k, s in key_states.items() if s == "active"], "url")
        return actions

    # What arrived ----------------------------------------------------------------------------

    def ping(self, payload: bytes, now: float) -> list[Action]:
        """A client ping (the protocol answers it with a pong by itself)."""
        actions: list[Action] = [
            Record("ws_frame", {"dir": "in", "op": "ping", "data": payload.hex()}),
            Record("ws_frame", {"dir": "out", "op": "pong", "data": payload.hex()}),
        ]
        return actions + self._admit(now)[1]

    def pong(self, payload: bytes, now: float) -> list[Action]:
        answers = self._pending_pongs.pop(payload, None) is not None
        record = Record(
            "ws_frame", {"dir": "in", "op": "pong", "data": payload.hex(), "answers_ping": answers}
        )
        return [record, *self._admit(now)[1]]

    def binary(self, data: bytes, now: float) -> list[Action]:
        """A binary message: counted, journaled, not answered."""
        record = Record("ws_frame", {"dir": "in", "op": "binary", "data": data[:1000].hex()})
        return [record, *self._admit(now)[1]]

    def text(self, data: bytes, now: float) -> list[Action]:
        """A text message: a control message, or a WebSocket API request on /ws-api/v3."""
        text = data.decode("utf-8", "replace")
        actions: list[Action] = [Record("ws_frame", {"dir": "in", "op": "text", "data": text[:2000]})]
        admitted, refused = self._admit(now)
        if not admitted:
            return actions + refused
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return [*actions, *self._close(1007, "invalid UTF-8", "invalid_utf8")]
        if self.ws_api is not None:
            return actions + self._ws_api_request(text)
        return actions + self._control(text)

    def _admit(self, now: float) -> tuple[bool, list[Action]]:
        """Count one incoming message: (admitted, what to do when it broke the limit)."""
        if self.closing:
            return False, []
        if self.rate.admit(now):
            return True, []
        return False, self._close(1008, "Too many requests", "too_many_messages")

    def _control(self, text: str) -> list[Action]:
        """Answer a control message (SUBSCRIBE, LIST_SUBSCRIPTIONS, ...)."""
        answer = stream_control.answer(text, self.subs, self.rules.profile.stream_id_range)
        # The request's method, id and params go with the answer, so a verdict can quote
        # what was refused without pairing the answer with its `dir: in` frame.
        actions = self._reply(answer.reply, error=answer.error_code, **{"method": None, **answer.request})
        if answer.close:
            return actions + self._close(1008, "", "invalid_json")
        if (
            answer.request.get("method") == "SUBSCRIBE"
            and answer.error_code is None
            and self.carries_user_data
        ):
            keys = [s for s in self.subs.streams if self.key_state(s) == "active"]
            actions += self._user_stream_ready(keys, "subscribe")
        return actions

    def _ws_api_request(self, text: str) -> list[Action]:
        """Answer a spot WebSocket API request (userDataStream.subscribe.signature, ...)."""
        assert self.ws_api is not None
        actions: list[Action] = []
        for message in self.ws_api.handle(text):
            error = message.get("error")
            actions += self._reply(
                message,
                status=message.get("status"),
                error=error["code"] if isinstance(error, dict) else None,
            )
            result = message.get("result")
            if message.get("status") == 200 and isinstance(result, dict) and "subscriptionId" in result:
                actions += self._user_stream_ready([], "ws_api")
        return actions

    def _reply(self, message: object, **journal_fields: object) -> list[Action]:
        """An answer to a client's message, journaled with what it answered."""
        reply = orjson.dumps(message)
        data = reply[:2000].decode("utf-8", "replace")
        return [
            SendText(reply),
            Record("ws_frame", {"dir": "out", "op": "text", "data": data, **journal_fields}),
        ]

    def _user_stream_ready(self, keys: list[str], via: Literal["url", "subscribe", "ws_api"]) -> list[Action]:
        """The first moment this connection carries user data (`user_stream`), once.

        A handshake is not that moment for every client: Binance's own SDKs open
        `/private/stream` bare and SUBSCRIBE their key a moment later, and the spot WebSocket
        API subscribes after connecting. Steps aimed at "the user-data connection" wait for
        this entry (trigger `user_stream_ready`), so they never fire before there is one.
        A key that is not active carries nothing, so a handshake on a dead key is not ready.
        """
        if self.user_ready or (via != "ws_api" and not keys):
            return []
        self.user_ready = True
        return [Record("user_stream", {"keys": keys, "via": via})]

    # Time ------------------------------------------------------------------------------------

    def next_wakeup(self) -> float | None:
        """The scenario time `due` next has something to do; None once the connection closes."""
        if self.closing:
            return None
        times = [self._life_ends, *self._pending_pongs.values()]
        if self.pinging:
            times.append(self._next_ping)
        return min(times)

    def due(self, now: float, epoch_ms: int) -> list[Action]:
        """What the time brings: the 24 h close, a pong that never came, the next ping."""
        if self.closing:
            return []
        if now >= self._life_ends:
            return self._close(1001, "", "connection_life")
        if any(now >= deadline for deadline in self._pending_pongs.values()):
            return self._close(1008, "Pong timeout", "pong_timeout")
        if now < self._next_ping:
            return []
        self._next_ping = now + self.rules.ping_interval
        if not self.pinging:
            return []
        self._ping_seq += 1
        payload = str(epoch_ms + self._ping_seq).encode()
        self._pending_pongs[payload] = now + self.rules.pong_timeout
        return [SendPing(payload), Record("ws_frame", {"dir": "out", "op": "ping", "data": payload.hex()})]

    def stop_pings(self) -> None:
        """No more pings, and no pong awaited any more (the stop_pings and half_open faults)."""
        self.pinging = False
        self._pending_pongs.clear()

    def _close(self, code: int, reason: str, why: str) -> list[Action]:
        self.closing = True
        return [Close(code, reason, why)]
