"""The benchmark's client side, run as a separate process so it has its own core.

Raw sockets and a minimal RFC 6455 reader instead of a WebSocket library: the point is to
measure the server, so the client must cost as little per message as possible. Modes:

    read HOST PORT PATH COUNT    one connection; prints the monotonic time of the COUNTth
                                 text frame (CLOCK_MONOTONIC is shared by all processes)
    idle HOST PORT PATH N        N connections held open until stdin closes
    handshake HOST PORT PATH K   K upgrades one after another, each closed at once; prints
                                 how long they took

Each mode prints "ready" once its connections are up, then one JSON line of results.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import sys
import time


def upgrade(host: str, port: int, path: str) -> socket.socket:
    """A connected socket past the HTTP upgrade (the 101's bytes are consumed)."""
    sock = socket.create_connection((host, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed during the handshake")
        head += chunk
    status = head.split(b"\r\n", 1)[0]
    if b" 101 " not in status:
        raise ConnectionError(f"upgrade refused: {status!r}")
    rest = head.split(b"\r\n\r\n", 1)[1]
    if rest:
        raise ConnectionError("frames arrived with the 101; this reader drops them")
    return sock


def read(host: str, port: int, path: str, count: int) -> dict[str, float]:
    """Count text frames up to `count`; the time the last one arrived."""
    sock = upgrade(host, port, path)
    print("ready", flush=True)
    buf = bytearray()
    seen = 0
    pos = 0
    first = 0.0
    while seen < count:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError(f"closed after {seen} of {count} frames")
        if not first:
            first = time.monotonic()
        buf += chunk
        end = len(buf)
        while end - pos >= 2:
            b1 = buf[pos + 1] & 0x7F
            if b1 < 126:
                head, size = 2, b1
            elif b1 == 126:
                if end - pos < 4:
                    break
                head, size = 4, int.from_bytes(buf[pos + 2 : pos + 4], "big")
            else:
                if end - pos < 10:
                    break
                head, size = 10, int.from_bytes(buf[pos + 2 : pos + 10], "big")
            if end - pos < head + size:
                break
            if buf[pos] & 0x0F == 1:
                seen += 1
            pos += head + size
        del buf[:pos]
        pos = 0
    return {"first": first, "last": time.monotonic(), "frames": seen}


def idle(host: str, port: int, path: str, n: int) -> dict[str, float]:
    socks = [upgrade(host, port, path) for _ in range(n)]
    print("ready", flush=True)
    sys.stdin.read()
    for s in socks:
        s.close()
    return {"connections": len(socks)}


def handshake(host: str, port: int, path: str, k: int) -> dict[str, float]:
    print("ready", flush=True)
    start = time.monotonic()
    for _ in range(k):
        upgrade(host, port, path).close()
    return {"seconds": time.monotonic() - start, "handshakes": k}


def main() -> None:
    mode, host, port, path, n = sys.argv[1:6]
    run = {"read": read, "idle": idle, "handshake": handshake}[mode]
    print(json.dumps(run(host, int(port), path, int(n))), flush=True)


if __name__ == "__main__":
    main()
