"""One WebSocket connection of the fake: websockets' Sans-I/O protocol over an asyncio transport.

We drive `websockets.server.ServerProtocol` by hand instead of using websockets' server
because faults need control it hides: not answering pings, going silent with TCP open,
dropping TCP with no close frame (the client sees 1006), resetting it (RST). Bytes the
protocol wants to send go through `_flush`, the one place a fault can swallow them.

Heartbeats follow binance-reference.md §2: a ping every `ping_interval` with a payload; a
pong must echo that payload within `pong_timeout`, otherwise close 1008 "Pong timeout"
(observed code and reason, reference §2). Unsolicited pongs and pongs with another payload
do not count (2024-02-09 change).
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

from fake_server.routes import Route, parse

if TYPE_CHECKING:
    from fake_server.websocket_front import WsFront

#: How long the fake waits for the client's close frame after sending its own.
CLOSE_TIMEOUT = 2.0


class WsConnection(asyncio.Protocol):
    def __init__(self, front: WsFront, conn_id: int) -> None:
        self.front = front
        self.id = conn_id
        self.proto = ServerProtocol(max_size=2**20)
        self.transport: asyncio.Transport | None = None
        self.route: Route | None = None
        self.peer = ""
        self.opened_at: float | None = None
        #: Set by the half_open fault: nothing is sent any more, nothing received is read.
        self.blackholed = False
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

    # asyncio.Protocol -----------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if peer else ""
        self.front.connections[self.id] = self

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
            return  # handshake never completed: journaled as ws_reject or nothing at all
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
        self._flush()

    def _handshake(self, request: Request) -> None:
        front = self.front
        route = parse(request.path)
        rejection = front.handshake_rejection()
        if route is None or rejection is not None:
            status, body, headers = rejection or (404, "", {})
            response = self.proto.reject(status, body)
            for name, value in headers.items():
                response.headers[name] = value
            if rejection is not None:
                del response.headers["Content-Type"]
                response.headers["Content-Type"] = headers.get("Content-Type", "text/html")
            self.proto.send_response(response)
            front.journal.append("ws_reject", conn=self.id, path=request.path, status=status, body=body[:500])
            return
        self.proto.send_response(self.proto.accept(request))
        self.route = route
        self.opened_at = front.clock.now()
        key_states = {k: front.server.key_state(k) for k in route.listen_keys}
        front.journal.append(
            "ws_open",
            conn=self.id,
            path=request.path,
            route=route.name,
            route_kind=route.kind,
            listen_keys=list(route.listen_keys),
            key_states=key_states,
            peer=self.peer,
        )
        timers = front.server.settings.timers
        self._later(timers.ping_interval, self._ping)
        self._later(timers.connection_life, lambda: self.close(1001, "", why="connection_life"))

    def _frame(self, frame: Frame) -> None:
        journal = self.front.journal
        if frame.opcode is Opcode.PING:
            journal.append("ws_frame", conn=self.id, dir="in", op="ping", data=frame.data.hex())
            journal.append("ws_frame", conn=self.id, dir="out", op="pong", data=frame.data.hex())
        elif frame.opcode is Opcode.PONG:
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
        elif frame.opcode is Opcode.CLOSE:
            if self._initiator is None:
                self._initiator, self._how = "client", "close_frame"
                self._code = self.proto.close_rcvd.code if self.proto.close_rcvd else 1005
                self._reason = self.proto.close_rcvd.reason if self.proto.close_rcvd else ""
            rcvd = self.proto.close_rcvd
            journal.append("ws_frame", conn=self.id, dir="in", op="close", code=rcvd.code if rcvd else None)
        elif frame.opcode in (Opcode.TEXT, Opcode.BINARY):
            text = bytes(frame.data).decode("utf-8", "replace")
            journal.append("ws_frame", conn=self.id, dir="in", op="text", data=text[:2000])

    # Sending ---------------------------------------------------------------------------

    def send_json(self, payload: object) -> bool:
        """Send one text frame; False when nothing can be sent (closed or blackholed)."""
        if self.blackholed or self.proto.state is not State.OPEN:
            return False
        self.proto.send_text(orjson.dumps(payload))
        self._flush()
        return True

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
        timers = self.front.server.settings.timers
        self._later(timers.ping_interval, self._ping)
        if not self.pinging or self.blackholed:
            return
        self._ping_seq += 1
        payload = str(self.front.clock.epoch_ms() + self._ping_seq).encode()
        self.proto.send_ping(payload)
        self._pending_pongs[payload] = self.front.clock.call_later(
            timers.pong_timeout, lambda: self.close(1008, "Pong timeout", why="pong_timeout")
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

    def half_open(self) -> None:
        self.blackholed = True
        self.stop_pings()

    @property
    def is_open(self) -> bool:
        return self.proto.state is State.OPEN and not self._closed
