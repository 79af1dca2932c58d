"""Many connections: handshakes per second, and memory per idle connection.

The fake against a plain websockets server, with the same wire client (another process)
opening the connections, so the ratio holds on a busy machine. Memory is measured in a
fresh process per server (`python -m bench.crowd SERVER N`): a process that served before
keeps the freed memory, and new connections would fit in it without growing.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from websockets.asyncio.server import ServerConnection, serve

from bench.peer import Peer
from bench.push import HOST, FakeRig


def rss() -> int:
    """This process's resident memory, in bytes."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@asynccontextmanager
async def _websockets_server() -> AsyncIterator[int]:
    async def handler(ws: ServerConnection) -> None:
        await ws.wait_closed()

    async with serve(handler, HOST, 0, compression=None) as server:
        yield server.sockets[0].getsockname()[1]


async def _handshakes(port: int, path: str, k: int) -> float:
    peer = Peer("handshake", HOST, port, path, k)
    await peer.start()
    try:
        result = await peer.result()
    finally:
        peer.kill()
    return k / float(result["seconds"])


async def _idle_bytes(port: int, path: str, n: int) -> float:
    """Resident bytes per connection while `n` idle ones are open."""
    gc.collect()
    before = rss()
    peer = Peer("idle", HOST, port, path, n)
    await peer.start()
    try:
        await asyncio.sleep(0.2)  # let the server finish the last handshakes
        gc.collect()
        after = rss()
        await peer.result()
    finally:
        peer.kill()
    return (after - before) / n


async def idle_bytes(server: str, n: int) -> float:
    """Bytes per idle connection of `server` ("fake" or "websockets"), in a fresh process."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.crowd", server, str(n), stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    return float(out.decode().split()[-1])


async def fake_handshakes(k: int) -> tuple[float, bool]:
    """(handshakes/s, whether every handshake was journaled as ws_open)."""
    async with FakeRig() as rig:
        opened = sum(1 for e in rig.journal.entries if e["kind"] == "ws_open")
        rate = await _handshakes(rig.port, "/public/ws", k)  # each ws_open precedes its 101
        complete = sum(1 for e in rig.journal.entries if e["kind"] == "ws_open") - opened == k
    return rate, complete


async def websockets_handshakes(k: int) -> float:
    async with _websockets_server() as port:
        return await _handshakes(port, "/", k)


async def _memory(server: str, n: int) -> float:
    if server == "fake":
        async with FakeRig() as rig:
            return await _idle_bytes(rig.port, "/public/ws", n)
    async with _websockets_server() as port:
        return await _idle_bytes(port, "/", n)


if __name__ == "__main__":
    print(asyncio.run(_memory(sys.argv[1], int(sys.argv[2]))))
