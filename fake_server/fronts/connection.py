"""One WebSocket connection of the fake: websockets' Sans-I/O protocol over an asyncio transport.

We drive `websockets.server.ServerProtocol` by hand instead of using websockets' server
because faults need control it hides: not answering pings, going silent with TCP open,
dropping TCP with no close frame (the client sees 1006), resetting it (RST). Bytes the
protocol wants to send go through `_flush`, the one place a fault can swallow them, and
every byte written or read passes `_send` or `data_received`, where a transport fault in
force (latency, bandwidth, slicer, limit_data, slow_close) hands it to the connection's
`WireShaper` (fake_server/fronts/shaper.py) instead; with none, nothing changes.

Binance's rules for the connection (which upgrades are accepted, heartbeats, the message
limit, control messages, user data, the 24 h close) live in a pure `StreamSession`
(fake_server/exchange/stream_session.py). This class only drives it: it tells the session
what arrived and what time it is, carries out what the session returns (journal entries,
frames, closes), and wakes it at `next_wakeup()`. What stays here is RFC 6455 and the socket:

- A message over `MAX_MESSAGE_SIZE` (1 MiB, websockets' default; Binance's limit is not
  documented, and a SUBSCRIBE of 1024 names is about 30 KiB) is refused by the protocol
  object with close 1009 "message too big" as RFC 6455 §7.4.1 says, before the payload is
  buffered; the journal records `how: protocol_error`.
- A frame that breaks RFC 6455 (unmasked, reserved bits, bad opcode, a control frame over
  125 bytes, a bad continuation) is closed with 1002 by the protocol object.
- A TCP connection that sends no complete HTTP request within `HANDSHAKE_TIMEOUT` is
  closed, and one that sends something that is not HTTP gets no answer and is closed (both
  journaled as `ws_invalid`), so idle or garbage sockets cannot pile up.
- After a close frame the fake waits `CLOSE_TIMEOUT` for the client's, then resets TCP.

Both are wall time, whatever the run's time factor: they protect the machine from idle
sockets, and the client's work they wait for (sending a request, echoing a close) is not
sped up by a fast clock, so at x600 2 s of Binance time (3 ms) would cut healthy clients off.

A fault may take over an upgrade request once it is read (`UpgradeRule`: never answer it,
answer it late, answer 101 with a wrong accept key, break the answer on the wire), or the
TCP connection before that (the `timeout` fault's `Swallow`). A connection a fault held this
way and that ends before it opened is journaled as `ws_unopened`, with who ended it and how
long it waited: the moment a client gave up on a hung handshake.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Callable
from typing import Any, Literal, Protocol, cast

import orjson
from websockets.exceptions import InvalidState
from websockets.frames import Close as CloseFields
from websockets.frames import CloseCode, Frame, Opcode
from websockets.http11 import Request, Response
from websockets.protocol import State
from websockets.server import ServerProtocol

from fake_server.clock import Clock
from fake_server.exchange.connection_attempts import HttpAnswer
from fake_server.exchange.message_rate import MessageRate
from fake_server.exchange.stream_routes import StreamRoute
from fake_server.exchange.stream_session import (
    Action,
    Close,
    Record,
    SendPing,
    SendText,
    StreamSession,
    UpgradeRefused,
    route_upgrade,
)
from fake_server.exchange.ws_api import WsApiSession
from fake_server.fronts.frames import CLOSE, PING, PONG, fragmented, frame, payload_of, text_frame
from fake_server.fronts.shaper import WireShaper
from fake_server.fronts.wire_breaks import arm_reset, broken_bytes, closing
from fake_server.interception import Fragmenting, Swallow, UpgradeRule, WireFrame, WireToxic, take
from fake_server.journal import Journal
from fake_server.journal_entries import (
    Entry,
    WsCloseEntry,
    WsFrameEntry,
    WsInvalidEntry,
    WsRejectEntry,
    WsUnopenedEntry,
    with_note,
)

#: How long the fake waits for the client's close frame after sending its own.
CLOSE_TIMEOUT = 2.0
#: How long a TCP connection may take to send its HTTP upgrade request.
HANDSHAKE_TIMEOUT = 10.0
#: The largest incoming message (bytes, across fragments); larger ones get close 1009.
MAX_MESSAGE_SIZE = 2**20

#: What follows a close frame the fake sends: the closing handshake (the client's close
#: frame, then TCP closed; a reset after CLOSE_TIMEOUT), nothing (TCP held open, nothing
#: read: the handshake never completes), or a TCP reset at once.
CloseThen = Literal["handshake", "hold", "reset"]


class ConnectionOwner(Protocol):
    """What a connection needs from the WebSocket front that accepted it."""

    @property
    def clock(self) -> Clock: ...
    @property
    def journal(self) -> Journal: ...
    @property
    def connections(self) -> dict[int, WsConnection]: ...
    def count_attempt(self, ip: str) -> tuple[int, HttpAnswer | None]: ...
    def swallow(self) -> Swallow | None: ...
    def upgrade_rule(self) -> UpgradeRule | None: ...
    def handshake_rejection(self) -> HttpAnswer | None: ...
    def open_session(self, route: StreamRoute) -> StreamSession: ...
    def refile(self, conn: WsConnection) -> None:
        """What `conn` receives may have changed (opened, subscribed, gone)."""
        ...

    def queue_write(self, conn: WsConnection) -> None:
        """`conn` has frames waiting: write them soon, with other connections' in one pass."""
        ...


class WsConnection(asyncio.Protocol):
    def __init__(self, front: ConnectionOwner, conn_id: int) -> None:
        self.front = front
        self.id = conn_id
        self.proto = ServerProtocol(max_size=MAX_MESSAGE_SIZE)
        self.transport: asyncio.Transport | None = None
        #: Binance's rules for this connection, from the moment the upgrade is accepted.
        self.session: StreamSession | None = None
        self.peer = ""
        self.ip = ""
        #: Set by the half_open fault: nothing is sent any more, nothing received is read.
        self.blackholed = False
        self._timers: list[asyncio.TimerHandle] = []
        #: The one timer that wakes the session, and the time it is set for.
        self._wake: asyncio.TimerHandle | None = None
        self._wake_at: float | None = None
        # How the connection ended, journaled once in connection_lost.
        self._initiator: Literal["server", "client"] | None = None
        self._how = ""
        self._code: int | None = None
        self._reason = ""
        self._closed = False
        self._answered_handshake = False  # a ws_open, ws_reject or ws_invalid was journaled
        self._request_read = False  # a complete upgrade request arrived
        self._accepted_at = 0.0
        #: The fault holding the handshake (timeout, hang_upgrade, slow_upgrade, bad_accept):
        #: if the connection ends before it opens, the end is journaled as `ws_unopened`.
        self._held: str | None = None
        self._fragments: list[bytes] = []
        self._fragment_op: Opcode | None = None
        #: Complete text frames pushed and not yet written: a burst of pushes goes out in one
        #: transport write instead of one per message. Anything else written on the
        #: connection (pings, pongs, closes) and every ending writes them first, so the wire
        #: order is the order of the calls.
        self._pending: list[bytes] = []
        #: The transport toxics' shapers, made when the first is put on the connection.
        self._down: WireShaper | None = None
        self._up: WireShaper | None = None
        self._tcp_closing = False  # a shaped TCP close is queued
        #: The fragment_messages rules in force: text messages go out in fragments.
        self._fragmenting: list[Fragmenting] = []

    # What the session knows, for the front, the faults and the control API ---------------

    @property
    def route(self) -> StreamRoute | None:
        return None if self.session is None else self.session.route

    @property
    def opened_at(self) -> float | None:
        return None if self.session is None else self.session.opened_at

    @property
    def ws_api(self) -> WsApiSession | None:
        return None if self.session is None else self.session.ws_api

    @property
    def rate(self) -> MessageRate | None:
        return None if self.session is None else self.session.rate

    @property
    def pinging(self) -> bool:
        return self.session is not None and self.session.pinging

    @property
    def combined(self) -> bool:
        """Whether pushes go out wrapped as {"stream","data"} (the `combined` property)."""
        return self.session is not None and self.session.combined

    @property
    def listen_keys(self) -> tuple[str, ...]:
        return () if self.session is None else self.session.route.listen_keys

    @property
    def carries_user_data(self) -> bool:
        """Whether this connection's route is one user events flow on, for the product played."""
        return self.session is not None and self.session.carries_user_data

    @property
    def is_open(self) -> bool:
        return self.proto.state is State.OPEN and not self._closed

    def summary(self, now: float) -> dict[str, Any]:
        """The connection as the control API lists it (`GET /v1/connections`)."""
        route = self.route
        assert route is not None
        return {
            "conn": self.id,
            "route": route.name,
            "route_kind": route.kind,
            "listen_keys": list(route.listen_keys),
            "peer": self.peer,
            "opened_at": self.opened_at,
            "age": None if self.opened_at is None else round(now - self.opened_at, 6),
            "pinging": self.pinging,
            "half_open": self.blackholed,
        }

    # asyncio.Protocol -----------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if peer else ""
        self.ip = peer[0] if peer else ""
        self.front.connections[self.id] = self
        self._accepted_at = self.front.clock.now()
        swallowed = self.front.swallow()
        if swallowed is not None:
            # The `timeout` fault: accepted, then nothing is read or answered.
            self._invalid("fault", "accepted by the timeout fault and never answered", fault="timeout")
            self._hold("timeout", swallowed.close_after)
            return
        self._later(self._binance(HANDSHAKE_TIMEOUT), self._handshake_timeout)

    def data_received(self, data: bytes) -> None:
        if self._up is not None and self._up.busy():
            self._up.push(data)
            return
        self._receive(data)

    def _receive(self, data: bytes) -> None:
        if self.blackholed:
            return
        self.proto.receive_data(data)
        self._process()

    def eof_received(self) -> bool | None:
        if self._up is not None and self._up.busy():
            self._up.push_end(self._eof)
        else:
            self._eof()
        return True  # the transport stays up until `_close_transport` (slow_close may hold it)

    def _eof(self) -> None:
        if self._initiator is None:
            self._initiator, self._how, self._code = "client", "eof", 1006
        if not self.blackholed:
            self.proto.receive_eof()
            self._process()
        self._close_transport()

    def connection_lost(self, exc: Exception | None) -> None:
        for handle in [*self._timers, self._wake]:
            if handle is not None:
                handle.cancel()
        for shaper in (self._down, self._up):
            if shaper is not None:
                shaper.stop()
        self._pending.clear()
        if self.session is not None:
            self.session.closing = True
        self.front.connections.pop(self.id, None)
        self.front.refile(self)
        if self._closed:
            return
        self._closed = True
        if self.opened_at is None:
            # Handshake never completed: journaled as ws_reject or ws_invalid, and, when a
            # fault held it, how the wait ended.
            if self._held is not None:
                self._journal_unopened(self._held, exc)
            return
        if self._initiator is None:
            self._initiator, self._how, self._code = "client", "reset", 1006
        self.front.journal.append(
            WsCloseEntry(
                kind="ws_close",
                conn=self.id,
                code=self._code,
                reason=self._reason,
                initiator=self._initiator,
                how=self._how,
                lived=round(self.front.clock.now() - self.opened_at, 6),
            )
        )

    # Protocol events ---------------------------------------------------------------

    def _process(self) -> None:
        for event in self.proto.events_received():
            if isinstance(event, Request):
                self._request(event)
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
            self._journal_close_frame("out", sent.code, sent.reason)
        self._flush()

    def _journal_close_frame(
        self, direction: Literal["in", "out"], code: int | None, reason: str, payload: bytes | None = None
    ) -> None:
        entry = WsFrameEntry(
            kind="ws_frame", conn=self.id, dir=direction, op="close", code=code, reason=reason
        )
        if payload is not None:
            entry["data"] = payload.hex()  # a hand-built payload: exactly what went out
        self.front.journal.append(entry)

    def _invalid(
        self, why: Literal["bad_request", "handshake_timeout", "fault"], error: str = "", **fault: str
    ) -> None:
        """Journal a socket that never made a valid handshake; `fault` (with `path`) names the
        fault that held its request or broke its answer."""
        self._answered_handshake = True
        entry = WsInvalidEntry(kind="ws_invalid", conn=self.id, peer=self.peer, why=why, error=error[:200])
        self.front.journal.append(with_note(entry, fault))

    def _handshake_timeout(self) -> None:
        if not self._answered_handshake and not self._request_read and self.opened_at is None:
            self._invalid("handshake_timeout")
            self._close_transport()

    def _journal_unopened(self, fault: str, exc: Exception | None) -> None:
        if self._initiator is None:
            self._initiator, self._how = "client", "reset" if exc is not None else "eof"
        self.front.journal.append(
            WsUnopenedEntry(
                kind="ws_unopened",
                conn=self.id,
                peer=self.peer,
                fault=fault,
                initiator=self._initiator,
                how=self._how,
                waited=round(self.front.clock.now() - self._accepted_at, 6),
            )
        )

    # Upgrade requests a fault takes over ----------------------------------------------------

    def _request(self, request: Request) -> None:
        """An upgrade request was read: answer it now, unless a fault's rule holds it, answers
        it late or wrongly, or breaks its answer."""
        self._request_read = True
        rule = self.front.upgrade_rule()
        if rule is None:
            self._handshake(request)
        elif rule.action == "late":
            self._held = rule.fault
            self._later(rule.delay, lambda: self._answer_late(request, rule.delay))
        elif rule.action == "bad_accept":
            self._handshake(request, bad_accept=rule)
        elif rule.action == "hang":
            self._invalid(
                "fault",
                f"upgrade request held by {rule.fault}: never answered",
                fault=rule.fault,
                path=request.path,
            )
            self._hold(rule.fault, rule.hold)
        else:
            self._break_answer(request, rule)

    def _hold(self, fault: str, close_after: float | None) -> None:
        """Read and write nothing more; close TCP (FIN) `close_after` seconds from now, or wait
        for the client to give up (None)."""
        self._held = fault
        self.blackholed = True
        if close_after is not None:
            self._later(close_after, self._fault_close)

    def _fault_close(self) -> None:
        """A fault's own end of a connection it held (`timeout`'s timeout, a `hold`): FIN."""
        if self._initiator is None:
            self._initiator, self._how = "server", "fault"
        self._close_now()

    def _answer_late(self, request: Request, delay: float) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self._held = None
        self._handshake(request, delayed=delay)
        self._flush()

    def _break_answer(self, request: Request, rule: UpgradeRule) -> None:
        """Answer with what a wire fault writes (nothing, a 200 with a broken body, garbage),
        then close TCP, or reset it."""
        self._invalid("fault", f"answer broken by {rule.fault}", fault=rule.fault, path=request.path)
        self._initiator, self._code = "server", 1006
        data = broken_bytes(rule.breaks)
        if data:
            self._send(data)
        if closing(rule.breaks) == "rst":
            self._how = "abort_rst"
            self._abort_now()
        else:
            self._how = "fault"
            self._close_transport()

    def _wrong_accept(self, request: Request, response: Response, rule: UpgradeRule, attempts: int) -> None:
        """101 with a Sec-WebSocket-Accept that is not the key's (the SHA-1 of the right one,
        so it is well formed), written by hand: the protocol object never sends it, so the
        connection never opens on the fake's side either. Then it is held like a hang."""
        right = response.headers["Sec-WebSocket-Accept"]
        wrong = base64.b64encode(hashlib.sha1(right.encode()).digest()).decode()
        del response.headers["Sec-WebSocket-Accept"]
        response.headers["Sec-WebSocket-Accept"] = wrong
        self._send(response.serialize())
        self._journal_reject(request, 101, "", "fault", attempts, accept=wrong)
        self._hold(rule.fault, rule.hold)

    # The handshake ------------------------------------------------------------------------------

    def _handshake(
        self, request: Request, *, delayed: float = 0.0, bad_accept: UpgradeRule | None = None
    ) -> None:
        front = self.front
        self._answered_handshake = True
        attempts, too_many = front.count_attempt(self.ip)
        late = {"delayed": delayed} if delayed else {}
        decision = route_upgrade(request.path, refusal=front.handshake_rejection(), over_limit=too_many)
        if isinstance(decision, UpgradeRefused):
            response = self.proto.reject(decision.status, decision.body)
            for name, value in decision.headers.items():
                response.headers[name] = value
            if decision.why != "unknown_path":
                del response.headers["Content-Type"]
                response.headers["Content-Type"] = decision.headers.get("Content-Type", "text/html")
            self.proto.send_response(response)
            self._journal_reject(request, decision.status, decision.body, decision.why, attempts, **late)
            return
        response = self.proto.accept(request)
        if response.status_code != 101:
            # Not a valid upgrade (missing Sec-WebSocket-Key, wrong version, ...): 400/426.
            self.proto.send_response(response)
            body = response.body.decode("utf-8", "replace") if response.body else ""
            self._journal_reject(request, response.status_code, body, "bad_handshake", attempts, **late)
            return
        if bad_accept is not None:
            self._wrong_accept(request, response, bad_accept, attempts)
            return
        self.proto.send_response(response)
        self.session = front.open_session(decision)
        actions = self.session.open()
        opened, rest = actions[0], actions[1:]
        assert isinstance(opened, Record)
        self.front.journal.append(
            _entry(opened, self.id, path=request.path, peer=self.peer, attempts=attempts, **late)
        )
        self.front.refile(self)
        self._carry_out(rest)

    def _journal_reject(
        self, request: Request, status: int, body: str, why: str, attempts: int, **fault: Any
    ) -> None:
        """Journal a handshake answered with something else than an open connection; `fault`:
        what a fault added (`delayed`, `accept`)."""
        entry = WsRejectEntry(
            kind="ws_reject",
            conn=self.id,
            path=request.path,
            status=status,
            body=body[:500],
            why=why,
            peer=self.peer,
            attempts=attempts,
        )
        self.front.journal.append(with_note(entry, fault))

    def _frame(self, frame: Frame) -> None:
        if frame.opcode is Opcode.CLOSE:
            if self._initiator is None:
                self._initiator, self._how = "client", "close_frame"
                self._code = self.proto.close_rcvd.code if self.proto.close_rcvd else 1005
                self._reason = self.proto.close_rcvd.reason if self.proto.close_rcvd else ""
            rcvd = self.proto.close_rcvd
            self.front.journal.append(
                WsFrameEntry(
                    kind="ws_frame", conn=self.id, dir="in", op="close", code=rcvd.code if rcvd else None
                )
            )
            return
        session = self.session
        assert session is not None
        if self.proto.state is not State.OPEN:
            session.closing = True  # what still arrives is journaled, never counted or answered
        now = self.front.clock.now()
        if frame.opcode is Opcode.PING:
            self._carry_out(session.ping(bytes(frame.data), now))
            return
        if frame.opcode is Opcode.PONG:
            self._carry_out(session.pong(bytes(frame.data), now))
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
            self._carry_out(session.binary(data, now))
        else:
            self._carry_out(session.text(data, now))
        self.front.refile(self)  # a SUBSCRIBE or UNSUBSCRIBE changes what it receives

    # Driving the session ----------------------------------------------------------------

    def _carry_out(self, actions: list[Action]) -> None:
        """Do what the session asked, in order, then set its next wake-up."""
        for action in actions:
            if isinstance(action, Record):
                self.front.journal.append(_entry(action, self.id))
            elif isinstance(action, SendText):
                self.send_bytes(action.data)
            elif isinstance(action, SendPing):
                if not self.blackholed and self.proto.state is State.OPEN:
                    self.proto.send_ping(action.payload)
            elif isinstance(action, Close):
                self.close(action.code, action.reason, why=action.why)
        self._flush()
        self._arm()

    def _arm(self) -> None:
        session = self.session
        wake = None if session is None or self._closed else session.next_wakeup()
        if wake == self._wake_at:
            return
        if self._wake is not None:
            self._wake.cancel()
        self._wake, self._wake_at = None, wake
        if wake is not None:
            self._wake = self.front.clock.call_later(wake - self.front.clock.now(), self._woken)

    def _woken(self) -> None:
        self._wake, self._wake_at = None, None
        session = self.session
        if session is None or self.proto.state is not State.OPEN:
            return
        self._carry_out(session.due(self.front.clock.now(), self.front.clock.epoch_ms()))

    # Sending ---------------------------------------------------------------------------

    def send_json(self, payload: object) -> bool:
        """Send one text frame; False when nothing can be sent (closed or blackholed)."""
        return self.send_bytes(orjson.dumps(payload))

    def send_bytes(self, text: bytes) -> bool:
        """Send one text frame of already encoded JSON; False when nothing can be sent."""
        return self.push_frame(text_frame(text))

    def push_frame(self, frame: bytes) -> bool:
        """Send one complete text frame (fake_server/fronts/frames.py), written with whatever
        else is pushed before the loop next runs; False when nothing can be sent."""
        if not self.takes_pushes:
            return False
        self.queue_frame(frame)
        return True

    @property
    def takes_pushes(self) -> bool:
        """Whether `push_frame` would send now: open, and not black-holed by a fault."""
        return not self.blackholed and self.proto.state is State.OPEN

    def queue_frame(self, frame: bytes) -> None:
        """`push_frame` for a batch whose receivers were asked `takes_pushes` once: nothing
        in between can change the answer, as a pushed frame is only queued here."""
        if not self._pending:
            self.front.queue_write(self)
        self._pending.append(frame)

    def write_pending(self) -> None:
        """Write the frames pushed so far, in one write (the messages a fragment_messages
        rule takes go out in fragments, in their place)."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        if self.blackholed or self.transport is None or self.transport.is_closing():
            return
        if not self._fragmenting:
            self._send(b"".join(pending))
            return
        now, whole = self.front.clock.now(), []
        for message in pending:
            rule = take(self._fragmenting, now)
            if rule is None:
                whole.append(message)
                continue
            if whole:
                self._send(b"".join(whole))
                whole = []
            self._send_fragmented(payload_of(message), rule)
        if whole:
            self._send(b"".join(whole))

    def _send_fragmented(self, payload: bytes, rule: Fragmenting) -> None:
        frames = fragmented(payload, rule.fragments)
        self.front.journal.append(
            WsFrameEntry(
                kind="ws_frame",
                conn=self.id,
                dir="out",
                op="text",
                fault=rule.fault,
                fragments=rule.fragments,
                size=len(payload),
            )
        )
        gaps = [0.0] + [rule.gap] * (len(frames) - 1)
        if rule.control is not None:
            op = PING if rule.control == "ping" else PONG
            frames.insert(1, frame(op, rule.control_data))
            gaps.insert(1, 0.0)
            self.front.journal.append(
                WsFrameEntry(
                    kind="ws_frame",
                    conn=self.id,
                    dir="out",
                    op=rule.control,
                    data=rule.control_data.hex(),
                    fault=rule.fault,
                )
            )
        self._send_spaced(frames, gaps)

    def _send_spaced(self, frames: list[bytes], gaps: list[float]) -> None:
        """Write `frames`, each `gaps[n]` seconds after the one before; what is written
        later waits behind them (the shaper keeps the order)."""
        if not any(gaps):
            self._send(b"".join(frames))
            return
        shaper = self._downstream()
        for data, gap in zip(frames, gaps, strict=True):
            shaper.push(data, after=gap)

    def send_frames(self, frames: list[WireFrame], *, gap: float = 0.0) -> bool:
        """Write frames as a fault built them, after what was pushed before, each `gap`
        seconds after the one before; False when nothing can be sent (closing or
        black-holed)."""
        if self.blackholed or not self.is_open or self.transport is None:
            return False
        self._flush()
        built = [frame(f.opcode, f.payload, fin=f.fin, rsv=f.rsv) for f in frames]
        self._send_spaced(built, [0.0] + [gap] * (len(built) - 1))
        return True

    def fragment(self, rule: Fragmenting) -> None:
        """Send text messages in fragments while `rule` holds (fragment_messages)."""
        self._fragmenting.append(rule)

    def _send(self, data: bytes) -> None:
        """Write to the transport, through the shaper while a transport fault holds."""
        assert self.transport is not None
        if self._down is not None and self._down.busy():
            self._down.push(data)
        else:
            self.transport.write(data)

    def send_raw(self, data: bytes, *, binary: bool) -> bool:
        """Write one data frame as is, for payload faults: text (maybe empty, maybe not JSON)
        or binary. False when nothing can be sent (closing or blackholed)."""
        if not binary:
            return self.send_bytes(data)
        if self.blackholed or not self.is_open:
            return False
        self.proto.send_binary(data)
        self._flush()
        return True

    def _flush(self) -> None:
        self.write_pending()
        for chunk in self.proto.data_to_send():
            if self.blackholed or self.transport is None:
                continue
            if chunk:
                self._send(chunk)
            else:
                self._close_transport()

    def _close_transport(self) -> None:
        """Close TCP (FIN) after what was written: behind the shaped bytes, and a slow_close
        delay later, while a transport fault holds."""
        self.write_pending()
        if self.transport is None or self.transport.is_closing() or self._tcp_closing:
            return
        if self._down is not None and self._down.busy():
            self._tcp_closing = True
            self._down.push_end(self._close_now)
            return
        self.transport.close()

    def _close_now(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def _held_for(self) -> float:
        """Seconds until a close made now would reach the wire (0 with no transport fault)."""
        return 0.0 if self._down is None else self._down.hold_time()

    def _binance(self, wall: float) -> float:
        """The Binance seconds that `wall` seconds of wall time are at the run's factor."""
        return wall * self.front.clock.factor

    def _later(self, delay: float, callback: Callable[[], object]) -> None:
        self._timers.append(self.front.clock.call_later(delay, callback))

    # Endings and faults (through faults/target.py's Connection) -------------------------------

    def close(
        self,
        code: int | None,
        reason: str,
        *,
        why: str = "fault",
        payload: bytes | None = None,
        then: CloseThen = "handshake",
    ) -> None:
        """Send a close frame, then (`then`) complete the closing handshake, hold TCP open
        reading nothing, or reset TCP.

        `payload` is the frame's whole payload written as is, instead of `code` and `reason`
        (which then only say what the journal records): a code RFC 6455 forbids on the wire,
        a truncated payload. websockets refuses to make those, so the frame is built here
        and the protocol object is left in the state its own `send_close` leaves (CLOSING,
        `close_sent`): the client's close frame still completes the handshake.
        """
        if self.proto.state is not State.OPEN:
            return
        if self._initiator is None:
            how = "abort_rst" if then == "reset" else why
            self._initiator, self._how, self._code, self._reason = "server", how, code, reason
        if payload is None:
            try:
                self.proto.send_close(code, reason)
            except InvalidState:
                return
        else:
            self._flush()
            if not self.blackholed and self.transport is not None:
                self._send(frame(CLOSE, payload))
            self.proto.close_sent = CloseFields(CloseCode.NO_STATUS_RCVD if code is None else code, reason)
            self.proto.state = State.CLOSING
        if self.session is not None:
            self.session.closing = True
        self._journal_close_frame("out", code, reason, payload)
        self._flush()
        if then == "handshake":
            self._later(self._binance(CLOSE_TIMEOUT) + self._held_for(), self._abort_now)
        elif then == "hold":
            self.half_open()
        elif self._down is not None and self._down.busy():
            self._down.push_end(self._abort_now)  # the reset comes behind the shaped bytes
        else:
            self._abort_now()

    def abort(self, mode: Literal["fin", "rst"]) -> None:
        """Drop TCP with no close frame: `fin` (orderly TCP close) or `rst` (reset)."""
        if self.transport is None or self.transport.is_closing():
            return
        if self._initiator is None:
            self._initiator, self._how, self._code = "server", f"abort_{mode}", 1006
        self.write_pending()
        if mode == "rst":
            self._abort_now()
        else:
            self._close_transport()

    def _abort_now(self) -> None:
        if self.transport is None:
            return
        arm_reset(self.transport.get_extra_info("socket"))
        self.transport.abort()

    def server_shutdown(self, stamp: int, grace: float, code: int, reason: str, copies: int = 1) -> bool:
        """Push `serverShutdown` (`E` = `stamp`) now, `copies` times back to back, and close
        with `code` after `grace` seconds.

        False when nothing could be sent (the connection is closing or blackholed). The
        connection keeps serving during the grace period.
        """
        if self.session is None:
            return False
        message = self.session.shutdown_message(stamp)
        if not all([self.send_json(message) for _ in range(copies)]):
            return False
        self._later(grace, lambda: self.close(code, reason, why="server_shutdown"))
        return True

    def stop_pings(self) -> None:
        if self.session is not None:
            self.session.stop_pings()
        self._arm()

    def half_open(self) -> None:
        self.write_pending()  # what was pushed before the fault still leaves
        self.blackholed = True
        self.stop_pings()

    def hang(self, close_after: float | None) -> None:
        """Toxiproxy's `timeout`: nothing passes any more, either way; TCP is closed (FIN)
        `close_after` seconds from now, or held open with None."""
        self.half_open()
        if close_after is not None:
            self._later(close_after, self._time_out)

    def _time_out(self) -> None:
        if self._initiator is None:
            self._initiator, self._how, self._code = "server", "abort_fin", 1006
        self._close_now()

    def shape(self, toxic: WireToxic) -> None:
        """Put a transport fault on the connection's bytes, one direction, until it ends."""
        if toxic.direction == "downstream":
            self._downstream().add(toxic)
        else:
            if self._up is None:
                self._up = WireShaper(self.front.clock, self._receive, self._cut)
            self._up.add(toxic)

    def _downstream(self) -> WireShaper:
        """The shaper of what the fake writes, made the first time one is needed."""
        if self._down is None:
            self._down = WireShaper(self.front.clock, self._write_now, self._cut)
        return self._down

    def _write_now(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def _cut(self) -> None:
        """limit_data's end: TCP is closed (FIN) mid-stream, maybe mid-frame, with no close frame."""
        if self._initiator is None:
            self._initiator, self._how, self._code = "server", "abort_fin", 1006
        self._close_now()


def _entry(record: Record, conn: int, **socket: object) -> Entry:
    """The journal entry a session's `Record` stands for: its fields, with the connection's id
    and what only the socket knows (path, peer). The session builds the fields of the kind it
    names (`WsOpenFields`, `WsFrameFields`, `UserStreamFields` of journal_entries.py) without
    importing the journal, so the type is asserted here, once."""
    return cast(Entry, {"kind": record.kind, "conn": conn, **socket, **record.fields})
