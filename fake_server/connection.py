"""One WebSocket connection of the fake: websockets' Sans-I/O protocol over an asyncio transport.

We drive `websockets.server.ServerProtocol` by hand instead of using websockets' server
because faults need control it hides: not answering pings, going silent with TCP open,
dropping TCP with no close frame (the client sees 1006), resetting it (RST). Bytes the
protocol wants to send go through `_flush`, the one place a fault can swallow them.

Heartbeats follow binance-reference.md §2: a ping every `ping_interval` with a payload; a
pong must echo that payload within `pong_timeout`, otherwise close 1008 "Pong timeout"
(observed code and reason, reference §2). Unsolicited pongs and pongs with another payload
do not count (2024-02-09 change).

Incoming messages (reference §2 table, "Over the limits"): text and binary messages, pings
and pongs all count towards `Limits.incoming_messages_per_second` (futures 10, spot 5) over
a rolling second (`message_rate.py`); the message that breaks it closes the connection with
1008 "Too many requests" (the observed code and wording, failure mode C4).

Text messages are control messages (`stream_control.py`): SUBSCRIBE, UNSUBSCRIBE,
LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY, answered on any route. Invalid JSON gets the
futures error frame and then a close; its code is not documented, and the fake sends a bare
1008 (no reason), the code Binance uses for its other policy closes (reference §2, §6.9).

Bad input, where Binance documents nothing (choices):
- A message over `MAX_MESSAGE_SIZE` (1 MiB, websockets' default; Binance's limit is not
  documented, and a SUBSCRIBE of 1024 names is about 30 KiB) is refused by the protocol
  object with close 1009 "message too big" as RFC 6455 §7.4.1 says, before the payload is
  buffered; the journal records `how: protocol_error`.
- A frame that breaks RFC 6455 (unmasked, reserved bits, bad opcode, a control frame over
  125 bytes, a bad continuation) is closed with 1002 by the protocol object, and a text
  message that is not UTF-8 with 1007 (RFC 6455 §8.1).
- Binary messages count towards the limit, are journaled (`op: binary`, hex) and get no
  answer: the stream server documents text JSON only.
- A TCP connection that sends no complete HTTP request within `HANDSHAKE_TIMEOUT` is
  closed, and one that sends something that is not HTTP gets no answer and is closed (both
  journaled as `ws_invalid`), so idle or garbage sockets cannot pile up.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import TYPE_CHECKING

import orjson
from websockets.exceptions import InvalidState
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State
from websockets.server import ServerProtocol

from fake_server import stream_control
from fake_server.message_rate import MessageRate
from fake_server.routes import Route, parse
from fake_server.stream_control import Subscriptions
from fake_server.ws_api import WsApiSession

if TYPE_CHECKING:
    from fake_server.websocket_front import WsFront

#: How long the fake waits for the client's close frame after sending its own.
CLOSE_TIMEOUT = 2.0
#: How long a TCP connection may take to send its HTTP upgrade request.
HANDSHAKE_TIMEOUT = 10.0
#: The largest incoming message (bytes, across fragments); larger ones get close 1009.
MAX_MESSAGE_SIZE = 2**20


class WsConnection(asyncio.Protocol):
    def __init__(self, front: WsFront, conn_id: int) -> None:
        self.front = front
        self.id = conn_id
        self.proto = ServerProtocol(max_size=MAX_MESSAGE_SIZE)
        self.transport: asyncio.Transport | None = None
        self.route: Route | None = None
        #: The spot WebSocket API session, on the /ws-api/v3 route only.
        self.ws_api: WsApiSession | None = None
        #: The connection's streams and `combined` property, set by the handshake.
        self.subs = Subscriptions(combined=False)
        self.rate = MessageRate(front.limits.incoming_messages_per_second)
        self.peer = ""
        self.ip = ""
        self.opened_at: float | None = None
        #: Set by the half_open fault: nothing is sent any more, nothing received is read.
        self.blackholed = False
        #: Set by the stall_data fault: pushes (events, market data) are dropped until this
        #: scenario time (math.inf: until the connection ends); heartbeats go on.
        self.stalled_until: float | None = None
        #: Whether user data has begun to flow here (`user_stream` journaled).
        self.user_ready = False
        self.pinging = True
        self._pending_pongs: dict[bytes, asyncio.TimerHandle] = {}
        self._timers: list[asyncio.TimerHandle] = []
        self._ping_seq = 0
        # How the connection ended, journaled once in connection_lost.
        self._initiator: str | None = None
        self._how = ""
        self._code: int | None = None
        self._reason = ""
        self._closed = False
        self._answered_handshake = False  # a ws_open, ws_reject or ws_invalid was journaled
        self._fragments: list[bytes] = []
        self._fragment_op: Opcode | None = None

    # asyncio.Protocol -----------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if peer else ""
        self.ip = peer[0] if peer else ""
        self.front.connections[self.id] = self
        self._later(HANDSHAKE_TIMEOUT, self._handshake_timeout)

    def data_received(self, data: bytes) -> None:
        if self.blackholed:
            return
        self.proto.receive_data(data)
        self._process()

    def eof_received(self) -> bool | None:
        if self._initiator is None:
            self._initiator, self._how, self._code = "client", "eof", 1006
        if not self.blackholed:
            self.proto.receive_eof()
            self._process()
        self._close_transport()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        for handle in [*self._timers, *self._pending_pongs.values()]:
            handle.cancel()
        self.front.connections.pop(self.id, None)
        if self._closed:
            return
        self._closed = True
        if self.opened_at is None:
            return  # handshake never completed: journaled as ws_reject or ws_invalid
        if self._initiator is None:
            self._initiator, self._how, self._code = "client", "reset", 1006
        self.front.journal.append(
            "ws_close",
            conn=self.id,
            code=self._code,
            reason=self._reason,
            initiator=self._initiator,
            how=self._how,
            lived=round(self.front.clock.now() - self.opened_at, 6),
        )

    # Protocol events ---------------------------------------------------------------

    def _process(self) -> None:
        for event in self.proto.events_received():
            if isinstance(event, Request):
                self._handshake(event)
            elif isinstance(event, Frame):
                self._frame(event)
        if not self._answered_handshake and self.proto.handshake_exc is not None:
            self._invalid("bad_request", str(self.proto.handshake_exc))
        sent = self.proto.close_sent
        if self._initiator is None and sent is not None and self.opened_at is not None:
            # The protocol object failed the connection itself (1002, 1009, ...).
            self._initiator, self._how, self._code, self._reason = (
                "server",
                "protocol_error",
                sent.code,
                sent.reason,
            )
            self.front.journal.append(
                "ws_frame", conn=self.id, dir="out", op="close", code=sent.code, reason=sent.reason
            )
        self._flush()

    def _invalid(self, why: str, error: str = "") -> None:
        self._answered_handshake = True
        self.front.journal.append("ws_invalid", conn=self.id, peer=self.peer, why=why, error=error[:200])

    def _handshake_timeout(self) -> None:
        if not self._answered_handshake and self.opened_at is None:
            self._invalid("handshake_timeout")
            self._close_transport()

    def _handshake(self, request: Request) -> None:
        front = self.front
        self._answered_handshake = True
        attempts, too_many = front.count_attempt(self.ip)
        route = parse(request.path)
        rejection = front.handshake_rejection()
        why = "fault" if rejection is not None else "connection_attempts" if too_many else "unknown_path"
        rejection = rejection or too_many
        if route is None or rejection is not None:
            status, body, headers = rejection or (404, "", {})
            response = self.proto.reject(status, body)
            for name, value in headers.items():
                response.headers[name] = value
            if rejection is not None:
                del response.headers["Content-Type"]
                response.headers["Content-Type"] = headers.get("Content-Type", "text/html")
            self.proto.send_response(response)
            self._journal_reject(request, status, body, why, attempts)
            return
        response = self.proto.accept(request)
        if response.status_code != 101:
            # Not a valid upgrade (missing Sec-WebSocket-Key, wrong version, ...): 400/426.
            self.proto.send_response(response)
            body = response.body.decode("utf-8", "replace") if response.body else ""
            self._journal_reject(request, response.status_code, body, "bad_handshake", attempts)
            return
        self.proto.send_response(response)
        self.route = route
        if route.kind == "wsapi":
            server = front.server
            self.ws_api = WsApiSession(server.settings.credentials, server.clock.epoch_ms)
        self.subs = Subscriptions.of(
            route.streams, combined=route.wrapped, limit=front.limits.max_streams_per_connection
        )
        self.opened_at = front.clock.now()
        key_states = {k: front.server.key_state(k) for k in route.listen_keys}
        front.journal.append(
            "ws_open",
            conn=self.id,
            path=request.path,
            route=route.name,
            route_kind=route.kind,
            user=front.carries_user_data(route),
            listen_keys=list(route.listen_keys),
            key_states=key_states,
            events={k: None if f is None else sorted(f) for k, f in zip(route.listen_keys, route.filters)},
            streams=self.subs.streams,
            combined=self.subs.combined,
            peer=self.peer,
            attempts=attempts,
        )
        if front.carries_user_data(route):
            self._user_stream_ready([k for k, state in key_states.items() if state == "active"], "url")
        self._later(front.server.ping_interval, self._ping)
        self._later(front.server.timers.connection_life, lambda: self.close(1001, "", why="connection_life"))

    def _journal_reject(self, request: Request, status: int, body: str, why: str, attempts: int) -> None:
        self.front.journal.append(
            "ws_reject",
            conn=self.id,
            path=request.path,
            status=status,
            body=body[:500],
            why=why,
            peer=self.peer,
            attempts=attempts,
        )

    def _frame(self, frame: Frame) -> None:
        journal = self.front.journal
        if frame.opcode is Opcode.CLOSE:
            if self._initiator is None:
                self._initiator, self._how = "client", "close_frame"
                self._code = self.proto.close_rcvd.code if self.proto.close_rcvd else 1005
                self._reason = self.proto.close_rcvd.reason if self.proto.close_rcvd else ""
            rcvd = self.proto.close_rcvd
            journal.append("ws_frame", conn=self.id, dir="in", op="close", code=rcvd.code if rcvd else None)
            return
        if frame.opcode is Opcode.PING:
            journal.append("ws_frame", conn=self.id, dir="in", op="ping", data=frame.data.hex())
            journal.append("ws_frame", conn=self.id, dir="out", op="pong", data=frame.data.hex())
            self._admit()
            return
        if frame.opcode is Opcode.PONG:
            payload = bytes(frame.data)
            handle = self._pending_pongs.pop(payload, None)
            if handle is not None:
                handle.cancel()
            journal.append(
                "ws_frame",
                conn=self.id,
                dir="in",
                op="pong",
                data=payload.hex(),
                answers_ping=handle is not None,
            )
            self._admit()
            return
        # A data frame: TEXT or BINARY, possibly continued by CONT frames up to `fin`.
        if frame.opcode is not Opcode.CONT:
            self._fragment_op, self._fragments = frame.opcode, []
        self._fragments.append(bytes(frame.data))
        if not frame.fin:
            return
        opcode, data = self._fragment_op, b"".join(self._fragments)
        self._fragment_op, self._fragments = None, []
        if opcode is Opcode.BINARY:
            journal.append("ws_frame", conn=self.id, dir="in", op="binary", data=data[:1000].hex())
            self._admit()  # counted, journaled, not answered
            return
        text = data.decode("utf-8", "replace")
        journal.append("ws_frame", conn=self.id, dir="in", op="text", data=text[:2000])
        if not self._admit():
            return
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            self.close(1007, "invalid UTF-8", why="invalid_utf8")
            return
        if self.ws_api is not None:
            self._ws_api_request(text)
        else:
            self._control(text)

    def _admit(self) -> bool:
        """Count one incoming message; False when the connection is closing or just broke the limit."""
        if self.proto.state is not State.OPEN:
            return False
        if self.rate.admit(self.front.clock.now()):
            return True
        self.close(1008, "Too many requests", why="too_many_messages")
        return False

    def _control(self, text: str) -> None:
        """Answer a control message (SUBSCRIBE, LIST_SUBSCRIPTIONS, ...)."""
        answer = stream_control.answer(text, self.subs, self.front.server.profile.stream_id_range)
        # The request's method, id and params go with the answer, so a verdict can quote
        # what was refused without pairing the answer with its `dir: in` frame.
        self._reply(answer.reply, error=answer.error_code, **{"method": None, **answer.request})
        if answer.close:
            self.close(1008, "", why="invalid_json")
        elif (
            answer.request.get("method") == "SUBSCRIBE"
            and answer.error_code is None
            and self.carries_user_data
        ):
            keys = [s for s in self.subs.streams if self.front.server.key_state(s) == "active"]
            self._user_stream_ready(keys, "subscribe")

    def _ws_api_request(self, text: str) -> None:
        """Answer a spot WebSocket API request (userDataStream.subscribe.signature, ...)."""
        assert self.ws_api is not None
        for message in self.ws_api.handle(text):
            error = message.get("error")
            self._reply(
                message,
                status=message.get("status"),
                error=error["code"] if isinstance(error, dict) else None,
            )
            result = message.get("result")
            if message.get("status") == 200 and isinstance(result, dict) and "subscriptionId" in result:
                self._user_stream_ready([], "ws_api")

    def _user_stream_ready(self, keys: list[str], via: str) -> None:
        """Journal the first moment this connection carries user data (`user_stream`).

        A handshake is not that moment for every client: Binance's own SDKs open
        `/private/stream` bare and SUBSCRIBE their key a moment later, and the spot WebSocket
        API subscribes after connecting. Steps aimed at "the user-data connection" wait for
        this entry (trigger `user_stream_ready`), so they never fire before there is one.
        A key that is not active carries nothing, so a handshake on a dead key is not ready.
        """
        if self.user_ready or (via != "ws_api" and not keys):
            return
        self.user_ready = True
        self.front.journal.append("user_stream", conn=self.id, keys=keys, via=via)

    def _reply(self, message: object, **journal_fields: object) -> None:
        """Send an answer to a client's message and journal it with what it answered."""
        reply = orjson.dumps(message)
        self.send_bytes(reply)
        self.front.journal.append(
            "ws_frame",
            conn=self.id,
            dir="out",
            op="text",
            data=reply[:2000].decode("utf-8", "replace"),
            **journal_fields,
        )

    # Sending ---------------------------------------------------------------------------

    def send_json(self, payload: object) -> bool:
        """Send one text frame; False when nothing can be sent (closed or blackholed)."""
        return self.send_bytes(orjson.dumps(payload))

    def send_bytes(self, text: bytes) -> bool:
        """Send one text frame of already encoded JSON; False when nothing can be sent."""
        if self.blackholed or self.proto.state is not State.OPEN:
            return False
        self.proto.send_text(text)
        self._flush()
        return True

    @property
    def combined(self) -> bool:
        """Whether events go out wrapped as {"stream","data"} (the `combined` property)."""
        return self.subs.combined

    @property
    def streams(self) -> list[str]:
        return self.subs.streams

    def _flush(self) -> None:
        for chunk in self.proto.data_to_send():
            if self.blackholed or self.transport is None:
                continue
            if chunk:
                self.transport.write(chunk)
            else:
                self._close_transport()

    def _close_transport(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def _later(self, delay: float, callback: object) -> None:
        assert callable(callback)
        self._timers.append(self.front.clock.call_later(delay, callback))

    # Heartbeats ----------------------------------------------------------------------------

    def _ping(self) -> None:
        if self.proto.state is not State.OPEN:
            return
        self._later(self.front.server.ping_interval, self._ping)
        if not self.pinging or self.blackholed:
            return
        self._ping_seq += 1
        payload = str(self.front.clock.epoch_ms() + self._ping_seq).encode()
        self.proto.send_ping(payload)
        self._pending_pongs[payload] = self.front.clock.call_later(
            self.front.server.pong_timeout, lambda: self.close(1008, "Pong timeout", why="pong_timeout")
        )
        self.front.journal.append("ws_frame", conn=self.id, dir="out", op="ping", data=payload.hex())
        self._flush()

    def stop_pings(self) -> None:
        self.pinging = False
        for handle in self._pending_pongs.values():
            handle.cancel()
        self._pending_pongs.clear()

    # Endings (used by faults and timers) -----------------------------------------------------

    def close(self, code: int, reason: str, *, why: str = "fault") -> None:
        """A clean close: close frame, wait for the client's, then close TCP."""
        if self.proto.state is not State.OPEN:
            return
        if self._initiator is None:
            self._initiator, self._how, self._code, self._reason = "server", why, code, reason
        try:
            self.proto.send_close(code, reason)
        except InvalidState:
            return
        self.front.journal.append("ws_frame", conn=self.id, dir="out", op="close", code=code, reason=reason)
        self._flush()
        self._later(CLOSE_TIMEOUT, self._abort_now)

    def abort(self, mode: str) -> None:
        """Drop TCP with no close frame: `fin` (orderly TCP close) or `rst` (reset)."""
        if self.transport is None or self.transport.is_closing():
            return
        if self._initiator is None:
            self._initiator, self._how, self._code = "server", f"abort_{mode}", 1006
        if mode == "rst":
            self._abort_now()
        else:
            self.transport.close()

    def _abort_now(self) -> None:
        if self.transport is None:
            return
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()

    def server_shutdown(self, stamp: int, grace: float, code: int, reason: str) -> bool:
        """Push `serverShutdown` (`E` = `stamp`) now, close with `code` after `grace` seconds.

        False when nothing could be sent (the connection is closing or blackholed).

        Shapes (reference §2 "Server-initiated end-of-stream signals"): raw
        `{"e":"serverShutdown","E":<ms>}`, combined `{"stream":"!serverShutdown","data":{...}}`,
        WebSocket API `{"event":{...}}`. The connection keeps serving during the grace period.
        """
        event = {"e": "serverShutdown", "E": stamp}
        payload: dict[str, object] = (
            event if not self.combined else {"stream": "!serverShutdown", "data": event}
        )
        if self.ws_api is not None:
            payload = WsApiSession.server_shutdown(stamp)
        if not self.send_json(payload):
            return False
        self._later(grace, lambda: self.close(code, reason, why="server_shutdown"))
        return True

    def half_open(self) -> None:
        self.blackholed = True
        self.stop_pings()

    def stall(self, until: float) -> None:
        """Drop pushes until `until` (E1): pings, pongs and control replies still flow."""
        self.stalled_until = until

    @property
    def carries_data(self) -> bool:
        """Whether pushes (user events, market data) are written to this connection now."""
        return self.stalled_until is None or self.front.clock.now() >= self.stalled_until

    @property
    def carries_user_data(self) -> bool:
        """Whether this connection's route is one user events flow on, for the product played."""
        return self.route is not None and self.front.carries_user_data(self.route)

    @property
    def is_open(self) -> bool:
        return self.proto.state is State.OPEN and not self._closed
