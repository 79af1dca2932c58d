"""The harness's side of every Python adapter: the client contract, once (docs/client-contract.md).

Each Python adapter runs in its own virtualenv with its SDK, so this module stays stdlib
only; an adapter imports it from its parent folder (appended to ``sys.path``, so that nothing
an SDK imports is shadowed). It holds what the contract asks of any client, not what an SDK
does: the endpoints from the environment, the events file (one JSON line per reported event,
written and flushed before the next one), and a run that ends cleanly on the harness's
SIGTERM (or Ctrl-C). adapters/client_contract.mjs is its Node twin.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

log = logging.getLogger("adapter")


def env(name: str) -> str:
    """A variable the contract always sets (an URL's trailing slash removed); exit if unset."""
    value = os.environ.get(name, "")
    if not value:
        sys.exit(f"adapter: {name} is not set (see docs/client-contract.md)")
    return value.rstrip("/")


def seconds(name: str) -> float | None:
    """One of the contract's timers (seconds), or None when unset or not a positive number."""
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return None
    return value if value > 0 else None


def log_to_stdout() -> None:
    """Log lines with a timestamp on stdout, which the harness captures as client output."""
    logging.basicConfig(
        stream=sys.stdout,
        level=logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )


class Events:
    """BINANCE_HARNESS_EVENTS_FILE, or nothing when the harness gives none."""

    def __init__(self, handle: TextIO | None) -> None:
        self.handle = handle

    def record(self, event: Any) -> None:
        if self.handle is not None:
            self.handle.write(json.dumps(event, separators=(",", ":"), default=str) + "\n")
            self.handle.flush()


async def until_signalled(work: Awaitable[None]) -> None:
    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        log.info("signalled, exiting")


def serve(stream: Callable[[Events], Awaitable[None]]) -> int:
    """Run the adapter's `stream` with the events file open until it ends or is signalled."""
    path = os.environ.get("BINANCE_HARNESS_EVENTS_FILE") or None
    with open(path, "a", encoding="utf-8") if path else contextlib.nullcontext() as handle:
        asyncio.run(until_signalled(stream(Events(handle))))
    return 0
