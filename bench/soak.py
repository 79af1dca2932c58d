"""A long `serve` session: do full garbage collections stay short and memory flat?

The bench's other runs last seconds, too short to meet a full (generation 2) collection of a
grown heap or a journal that only grows. This one plays what `binance-harness serve --rate`
does for as long as asked, with a reader on the user stream, and reports from inside the
fake's process: every full collection's pause (`gc.callbacks`), the lateness of a timer
armed every 10 ms over the whole session (a scenario step or a control-API fault fires from
such a timer), and the resident memory at the start (reader connected) and the end.

The fake runs in its own process (`python -m bench.soak SECONDS RATE OUT`), through the same
coroutine `serve` runs (harness/cli.py), so the figures are those of `serve`, journal window
included; the bench process connects the reader and reads the journal's size over the
control API.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import random
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench.lateness import GcPauses, percentile, timers
from bench.peer import Peer
from fake_server.exchange.account import Account
from fake_server.exchange.settings import EventFlow, Settings
from fake_server.fronts.control_client import URL_VARIABLE, AsyncControlClient

#: What the fake prints once it has measured (the figures are in the OUT file).
DONE = "soak: measured"


@dataclass
class Soak:
    seconds: float
    entries_per_s: float
    gc_full: int
    gc_full_max_ms: float
    gc_full_over_20ms: int
    gc_young_max_ms: float
    late_p50_ms: float
    late_p99_ms: float
    late_max_ms: float
    timers: int
    rss_start_mib: float
    rss_end_mib: float
    rss_peak_mib: float
    journal_size: int
    journal_held_from: int


def events_per_tick() -> float:
    """How many user-data events one tick of the fake's account makes (about 4)."""
    account = Account("BTCUSDT", random.Random(1))
    ticks = 100
    return sum(len(account.tick(1_700_000_000_000 + i)) for i in range(ticks)) / ticks


async def soak(seconds: float, rate: float) -> Soak:
    """`serve` pushing about `rate` events/s to one reader for `seconds`."""
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        out = Path(tmp) / "figures.json"
        ticks = rate / events_per_tick()
        fake = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.soak",
            str(seconds),
            str(ticks),
            str(out),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        lines: asyncio.Queue[str] = asyncio.Queue()
        draining = asyncio.ensure_future(_drain(fake, lines))
        reader: Peer | None = None
        try:
            url = (await _line(lines, f"export {URL_VARIABLE}=", 60))[len(f"export {URL_VARIABLE}=") :]
            async with AsyncControlClient(url) as control:
                info = await control.info()
                ws = urlsplit(info["urls"]["ws"])
                key = await _listen_key(info)
                reader = Peer("read", ws.hostname or "127.0.0.1", ws.port or 0, f"/private/ws/{key}", 10**12)
                await reader.start()
                assert fake.stdin is not None
                fake.stdin.write(b"go\n")
                await fake.stdin.drain()
                started = time.monotonic()
                await _line(lines, DONE, seconds + 600)
                elapsed = time.monotonic() - started
                info = await control.info()
            reader.kill()  # before the fake closes its end under it
            fake.send_signal(signal.SIGTERM)
            await asyncio.wait_for(fake.wait(), 60)
            figures: dict[str, Any] = json.loads(out.read_text())
        finally:
            if reader is not None:
                reader.kill()
            if fake.returncode is None:
                fake.kill()
                await fake.wait()
            draining.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await draining
    return Soak(
        seconds=elapsed,
        entries_per_s=info["journal_size"] / elapsed,
        journal_size=info["journal_size"],
        journal_held_from=info["journal_held_from"],
        **figures,
    )


async def _drain(proc: asyncio.subprocess.Process, lines: asyncio.Queue[str]) -> None:
    """Read the fake's output as it comes (`serve` prints journal entries: a full pipe would
    stall it)."""
    assert proc.stdout is not None
    async for raw in proc.stdout:
        lines.put_nowait(raw.decode(errors="replace").rstrip("\n"))


async def _line(lines: asyncio.Queue[str], prefix: str, timeout: float) -> str:
    async def find() -> str:
        while not (line := await lines.get()).startswith(prefix):
            pass
        return line

    return await asyncio.wait_for(find(), timeout)


async def _listen_key(info: dict[str, Any]) -> str:
    async with httpx.AsyncClient(base_url=info["urls"]["rest"]) as rest:
        answer = await rest.post(
            "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": info["credentials"]["api_key"]}
        )
        answer.raise_for_status()
        key: str = answer.json()["listenKey"]
        return key


# The fake's side -----------------------------------------------------------------------------


def _rss_mib(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _serve_measured(seconds: float, ticks: float, out: Path) -> None:
    from harness.cli import _serve_forever  # the coroutine `binance-harness serve` runs

    settings = Settings(events=EventFlow(rate=ticks), control_api=True)
    serving = asyncio.ensure_future(_serve_forever(settings, None, None))
    await asyncio.to_thread(sys.stdin.readline)  # the reader is connected
    pauses = GcPauses()
    rss_start = _rss_mib()
    gc.callbacks.append(pauses)
    try:
        late = await timers(seconds)
    finally:
        gc.callbacks.remove(pauses)
    ms = [x * 1000 for x in late]
    figures = {
        "gc_full": len(pauses.pauses),
        "gc_full_max_ms": pauses.longest * 1000,
        "gc_full_over_20ms": sum(1 for p in pauses.pauses if p > 0.020),
        "gc_young_max_ms": pauses.young_longest * 1000,
        "late_p50_ms": percentile(ms, 0.5),
        "late_p99_ms": percentile(ms, 0.99),
        "late_max_ms": max(ms),
        "timers": len(ms),
        "rss_start_mib": rss_start,
        "rss_end_mib": _rss_mib(),
        "rss_peak_mib": _rss_mib("VmHWM"),
    }
    out.write_text(json.dumps(figures))
    print(DONE, flush=True)
    await serving  # until the bench, having read the journal's size, sends SIGTERM


def main() -> None:
    seconds, ticks, out = sys.argv[1:4]
    asyncio.run(_serve_measured(float(seconds), float(ticks), Path(out)))


if __name__ == "__main__":
    main()
