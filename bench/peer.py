"""Starting the wire client (bench/wire_client.py) as its own process and reading its answer."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

CLIENT = Path(__file__).with_name("wire_client.py")


class Peer:
    """One wire-client process: `await start()` returns once its connections are up."""

    def __init__(self, mode: str, host: str, port: int, path: str, n: int) -> None:
        self.argv = [sys.executable, str(CLIENT), mode, host, str(port), path, str(n)]
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, timeout: float = 120.0) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        if line.strip() != b"ready":
            raise RuntimeError(f"wire client failed to start: {line!r}")

    async def result(self, timeout: float = 300.0) -> dict[str, Any]:
        """Its JSON line (closing its stdin first, which ends the `idle` mode)."""
        assert self.proc is not None and self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        await self.proc.wait()
        if not line:
            raise RuntimeError(f"wire client exited {self.proc.returncode} without a result")
        result: dict[str, Any] = json.loads(line)
        return result

    def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
