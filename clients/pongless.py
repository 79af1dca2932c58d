"""websockets client connections that never answer the server's pings, or answer them empty.

RFC 6455 says an endpoint MUST answer a Ping with a Pong, and websockets does so inside
its Sans-I/O protocol object (``Protocol.recv_frame``) before application code ever sees
the frame: there is no option to turn it off. Binance drops a connection whose pongs
stop (futures: 10 minutes, spot: 1 minute), so a client that does not answer is a real
failure mode (see the forum thread: the advisor had to tell the user to reply to pings).
The forum bot and the ``no_pong`` broken client reproduce it with
:class:`PonglessClientConnection`, passed to ``websockets.asyncio.client.connect(...,
create_connection=PonglessClientConnection)``.

:class:`EmptyPongClientConnection` answers every ping at once, but with an empty pong
instead of one echoing the ping's payload, like the legacy python ``binance-connector``
(<= 3.12, binance-reference.md §5). Binance requires the echo since 2024-02-09 and does not
count other pongs (reference §2), so such a client is closed with 1008 "Pong timeout" too.

Everything else (the client's own pings if enabled, close handshake, data frames) is
stock websockets behaviour.
"""

from __future__ import annotations

from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode


class PonglessClientProtocol(ClientProtocol):
    """websockets' client protocol, minus the automatic Pong reply to a Ping."""

    def recv_frame(self, frame: Frame) -> None:
        if frame.opcode is Opcode.PING:
            # Hand the ping to the connection as an event (it ignores pings) but, unlike
            # ClientProtocol.recv_frame, do not queue a PONG frame in reply.
            self.events.append(frame)
            return
        super().recv_frame(frame)


class EmptyPongClientProtocol(ClientProtocol):
    """websockets' client protocol, answering each Ping with an empty Pong (no echo)."""

    def recv_frame(self, frame: Frame) -> None:
        if frame.opcode is Opcode.PING:
            # Like ClientProtocol.recv_frame, except for the pong's payload.
            self.events.append(frame)
            self.send_frame(Frame(Opcode.PONG, b""))
            return
        super().recv_frame(frame)


def _reclass(protocol: ClientProtocol, cls: type[ClientProtocol]) -> None:
    """Give the protocol object ``connect()`` just built one of the classes above.

    ``connect()`` builds a plain ``ClientProtocol`` itself and offers no hook to choose
    its class, so we re-class that fresh object, before any frame is parsed. The
    subclasses add no state, so this is safe; the type check makes a future websockets
    change fail loudly instead of silently answering pings again.
    """
    if type(protocol) is not ClientProtocol:
        raise TypeError(f"expected a plain ClientProtocol, got {type(protocol).__name__}")
    protocol.__class__ = cls


class PonglessClientConnection(ClientConnection):
    """A ClientConnection whose protocol object does not answer pings."""

    def __init__(self, protocol: ClientProtocol, **kwargs: Any) -> None:
        _reclass(protocol, PonglessClientProtocol)
        super().__init__(protocol, **kwargs)


class EmptyPongClientConnection(ClientConnection):
    """A ClientConnection that answers every ping with an empty pong."""

    def __init__(self, protocol: ClientProtocol, **kwargs: Any) -> None:
        _reclass(protocol, EmptyPongClientProtocol)
        super().__init__(protocol, **kwargs)
