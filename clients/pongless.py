"""A websockets client connection that never answers the server's pings.

RFC 6455 says an endpoint MUST answer a Ping with a Pong, and websockets does so inside
its Sans-I/O protocol object (``Protocol.recv_frame``) before application code ever sees
the frame: there is no option to turn it off. Binance drops a connection whose pongs
stop (futures: 10 minutes, spot: 1 minute), so a client that does not answer is a real
failure mode (see the forum thread: the advisor had to tell the user to reply to pings).
The forum bot and the ``no_pong`` broken client reproduce it with
:class:`PonglessClientConnection`, passed to ``websockets.asyncio.client.connect(...,
create_connection=PonglessClientConnection)``.

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


class PonglessClientConnection(ClientConnection):
    """A ClientConnection whose protocol object does not answer pings.

    ``connect()`` builds a plain ``ClientProtocol`` itself and offers no hook to choose
    its class, so we re-class that fresh object here, before any frame is parsed. The
    subclass adds no state, so this is safe; the type check makes a future websockets
    change fail loudly instead of silently answering pings again.
    """

    def __init__(self, protocol: ClientProtocol, **kwargs: Any) -> None:
        if type(protocol) is not ClientProtocol:
            raise TypeError(f"expected a plain ClientProtocol, got {type(protocol).__name__}")
        protocol.__class__ = PonglessClientProtocol
        super().__init__(protocol, **kwargs)
