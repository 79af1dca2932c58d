"""TLS for the fake: a throwaway CA per run, and TLS relays in front of the plain fronts.

Some clients insist on https/wss (an SDK with the scheme hard-coded, a bot that refuses
plain ws). For them the fake serves TLS with a certificate from a CA made for this run only
(trustme), whose certificate is written to a file the client is told to trust through the
usual variables (`CA_ENV_VARIABLES`). No real certificate, key or CA store is involved, and
the CA dies with the run.

Why relays instead of TLS inside the fronts: the REST and WebSocket fronts are byte-exact
fault machines (the WebSocket front drives websockets' Sans-I/O protocol over a raw
transport so that a fault can drop TCP, reset it or go silent); keeping them unaware of TLS
keeps every fault identical with and without TLS. Each relay accepts TLS on its own
loopback port and pipes the decrypted bytes to the plain front over loopback, carrying the
endings across as faithfully as TLS allows:

- the front closes TCP (FIN, e.g. `abort_tcp` mode fin): the relay closes the TLS side
  (close_notify, then FIN); the client sees the stream end without a WebSocket close
  frame, so 1006 as before;
- the front resets TCP (`abort_tcp` mode rst, the close timeout, the fake stopping): the
  relay resets the client's socket too (SO_LINGER 0, then close);
- the client closes or resets: the relay ends or resets its side towards the front, so the
  journal records the same `how` (eof, reset) as without TLS.

What differs under TLS: `peer` in the journal is the relay's loopback address, not the
client's, and the plain fronts stay reachable on their own ports (not advertised).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import ssl
import struct
import tempfile
from collections.abc import Sequence
from pathlib import Path

import trustme

#: The variables that make common TLS stacks trust a CA file: OpenSSL-based clients
#: (Python's ssl, curl, Ruby, ...), Python's requests, and Node.js.
CA_ENV_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS")

#: Names the server certificate is valid for: every way a client may spell loopback.
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


class ThrowawayCA:
    """A CA made for one run, a server certificate it signed, and the CA file for clients.

    ECDSA keys (trustme's default) take milliseconds to make, so a CA per run costs nothing
    and no run can trust another run's fake.
    """

    def __init__(self, hosts: Sequence[str] = LOOPBACK_NAMES) -> None:
        names = list(dict.fromkeys([*LOOPBACK_NAMES, *hosts]))
        self._ca = trustme.CA(organization_name="binance-stream-harness throwaway CA")
        self._cert = self._ca.issue_cert(*names)
        self._dir = Path(tempfile.mkdtemp(prefix="binance-harness-ca-"))
        #: The CA certificate (PEM): what SSL_CERT_FILE and friends point at.
        self.ca_file = self._dir / "ca.pem"
        self._ca.cert_pem.write_to_path(str(self.ca_file))

    def server_context(self) -> ssl.SSLContext:
        """What the fake's TLS listeners present: the certificate and its chain."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._cert.configure_cert(context)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this CA only (for tests and in-process clients)."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    def remove(self) -> None:
        """Delete the CA file: a run's CA must not outlive the run."""
        shutil.rmtree(self._dir, ignore_errors=True)


class TlsRelay:
    """A TLS listener on loopback relaying each connection to a plain front's port."""

    def __init__(self, context: ssl.SSLContext, target_host: str, target_port: int) -> None:
        self.context = context
        self.target_host = target_host
        self.target_port = target_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._pairs: set[_ClientSide] = set()

    async def start(self, host: str) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _ClientSide(self), host, 0, ssl=self.context)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop accepting, then reset whatever is still relayed (the fake is going away)."""
        if self._server is not None:
            self._server.close()
        for pair in list(self._pairs):
            pair.reset_both()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None


def _reset(transport: asyncio.Transport | None) -> None:
    """Close `transport` with an RST (SO_LINGER 0), as the plain front does for `rst`."""
    if transport is None or transport.is_closing():
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


def _close(transport: asyncio.Transport | None) -> None:
    if transport is not None and not transport.is_closing():
        transport.close()


class _ClientSide(asyncio.Protocol):
    """The TLS connection from the client; owns the plain connection to the front.

    Flow control runs both ways: when one side's write buffer fills, the other side stops
    reading, so a firehose scenario cannot make the relay buffer without bound.
    """

    def __init__(self, relay: TlsRelay) -> None:
        self.relay = relay
        self.transport: asyncio.Transport | None = None
        self.front: _FrontSide | None = None
        self.pending: list[bytes] = []
        self.eof = False
        self.lost = False
        self._connecting: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Called once the TLS handshake has completed.
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.relay._pairs.add(self)
        self._connecting = asyncio.ensure_future(self._connect())

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.create_connection(
                lambda: _FrontSide(self), self.relay.target_host, self.relay.target_port
            )
        except OSError:
            _reset(self.transport)

    def data_received(self, data: bytes) -> None:
        front = self.front
        if front is not None and front.transport is not None:
            front.transport.write(data)
        else:
            self.pending.append(data)

    def eof_received(self) -> bool | None:
        # The client closed its side (TLS closes the whole connection on EOF anyway).
        self.eof = True
        front = self.front
        if front is not None and front.transport is not None and front.transport.can_write_eof():
            front.transport.write_eof()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self.relay._pairs.discard(self)
        if self._connecting is not None and not self._connecting.done():
            self._connecting.cancel()
        front = self.front.transport if self.front is not None else None
        if exc is not None:
            _reset(front)
        else:
            _close(front)

    def pause_writing(self) -> None:
        if self.front is not None and self.front.transport is not None:
            self.front.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.front is not None and self.front.transport is not None:
            self.front.transport.resume_reading()

    def reset_both(self) -> None:
        _reset(self.front.transport if self.front is not None else None)
        _reset(self.transport)


class _FrontSide(asyncio.Protocol):
    """The plain connection to the front, on behalf of one TLS client."""

    def __init__(self, client: _ClientSide) -> None:
        self.client = client
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        client = self.client
        client.front = self
        if client.lost:
            _close(transport)
            return
        for chunk in client.pending:
            transport.write(chunk)
        client.pending.clear()
        if client.eof:
            transport.write_eof()

    def data_received(self, data: bytes) -> None:
        if self.client.transport is not None and not self.client.transport.is_closing():
            self.client.transport.write(data)

    def eof_received(self) -> bool | None:
        # The front closed TCP (FIN): end the TLS side (close_notify, then FIN).
        _close(self.client.transport)
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None:
            _reset(self.client.transport)
        else:
            _close(self.client.transport)

    def pause_writing(self) -> None:
        if self.client.transport is not None:
            self.client.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.client.transport is not None:
            self.client.transport.resume_reading()
