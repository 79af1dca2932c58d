"""A small driver for headless Chromium over the DevTools protocol (CDP), for page tests.

Why not Selenium or Playwright: they download browsers and drivers of their own. This
drives the distribution's `chromium` through its DevTools WebSocket with the `websockets`
library the project already has, so the HTML report is tested in a real browser offline.

Every wait is on an event (the "DevTools listening" line, a command's answer, a page event)
and bounded by a timeout; the browser runs in its own process group, which `close` kills
whole, so no renderer or GPU helper outlives a test.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import struct
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

#: Where Debian's package puts it (`apt-get install chromium`).
CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
)

Event = dict[str, Any]


def find_chromium() -> str | None:
    """The chromium binary, if installed."""
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium") or shutil.which("chromium-browser")


class BrowserError(Exception):
    pass


class Chromium:
    """One headless Chromium with a fresh profile, and a CDP connection to it.

    Use as `async with Chromium(binary, profile_dir) as browser:`; `browser.page()` opens a
    tab and returns a `Page`.
    """

    def __init__(self, binary: str, profile: Path, *, timeout: float = 30.0) -> None:
        self.binary = binary
        self.profile = profile
        self.timeout = timeout
        self.proc: asyncio.subprocess.Process | None = None
        self.stderr: list[str] = []
        self._ws: ClientConnection | None = None
        self._ids = itertools.count(1)
        self._answers: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._events: list[Event] = []
        self._waiters: list[tuple[Callable[[Event], bool], asyncio.Future[Event]]] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> Chromium:
        try:
            await self.start()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        self.profile.mkdir(parents=True, exist_ok=True)
        # A reused profile keeps the last browser's port file: it must not be read as ours.
        (self.profile / "DevToolsActivePort").unlink(missing_ok=True)
        self.proc = await asyncio.create_subprocess_exec(
            self.binary,
            *FLAGS,
            f"--user-data-dir={self.profile}",
            "about:blank",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # its own process group: close() kills the helpers too
        )
        listening = asyncio.get_running_loop().create_future()
        self._tasks.append(asyncio.create_task(self._drain_stderr(listening)))
        try:
            url = await asyncio.wait_for(listening, self.timeout)
        except TimeoutError:
            raise BrowserError(
                f"chromium did not open its DevTools port within {self.timeout:.0f} s; stderr:\n"
                + "\n".join(self.stderr[-20:])
            ) from None
        self._ws = await asyncio.wait_for(
            connect(url, max_size=None, open_timeout=None, proxy=None, ping_interval=None), self.timeout
        )
        self._tasks.append(asyncio.create_task(self._read()))

    async def _drain_stderr(self, listening: asyncio.Future[str]) -> None:
        """Read stderr to its end (a full pipe would block Chromium); report the DevTools URL."""
        assert self.proc is not None and self.proc.stderr is not None
        async for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            self.stderr.append(line)
            if line.startswith("DevTools listening on ") and not listening.done():
                listening.set_result(self._browser_url(line.removeprefix("DevTools listening on ")))
        if not listening.done():
            listening.set_exception(
                BrowserError("chromium exited before opening DevTools:\n" + "\n".join(self.stderr[-20:]))
            )

    def _browser_url(self, printed: str) -> str:
        """The browser's WebSocket address: from DevToolsActivePort, or as printed.

        Chromium writes the file and prints the line at about the same time, in no promised
        order; the file wins when it is already there (and the stale one was removed).
        """
        try:
            port, path = (self.profile / "DevToolsActivePort").read_text().split()[:2]
        except (OSError, ValueError):
            return printed
        return f"ws://127.0.0.1:{int(port)}{path}"

    async def _read(self) -> None:
        assert self._ws is not None
        with contextlib.suppress(Exception):  # the socket closes when the browser is killed
            async for raw in self._ws:
                msg = json.loads(raw)
                if "id" in msg:
                    fut = self._answers.pop(msg["id"], None)
                    if fut is not None and not fut.done():
                        fut.set_result(msg)
                    continue
                self._events.append(msg)
                for pred, waiter in list(self._waiters):
                    if not waiter.done() and pred(msg):
                        waiter.set_result(msg)
        for fut in self._answers.values():
            if not fut.done():
                fut.set_exception(BrowserError("the DevTools connection closed"))

    async def send(
        self, method: str, params: Mapping[str, Any] | None = None, *, session: str | None = None
    ) -> dict[str, Any]:
        """One CDP command; its result, or BrowserError with the protocol's error."""
        assert self._ws is not None, "not started"
        msg_id = next(self._ids)
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._answers[msg_id] = fut
        msg: dict[str, Any] = {"id": msg_id, "method": method, "params": dict(params or {})}
        if session is not None:
            msg["sessionId"] = session
        await asyncio.wait_for(self._ws.send(json.dumps(msg)), self.timeout)
        try:
            answer = await asyncio.wait_for(fut, self.timeout)
        except TimeoutError:
            raise BrowserError(f"no answer to {method} within {self.timeout:.0f} s") from None
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error']}")
        result: dict[str, Any] = answer.get("result", {})
        return result

    def expect(self, method: str, session: str | None = None) -> asyncio.Future[Event]:
        """A future for the next event `method` (of `session`): create it before causing it."""
        fut: asyncio.Future[Event] = asyncio.get_running_loop().create_future()
        self._waiters.append(
            (lambda e: e.get("method") == method and (session is None or e.get("sessionId") == session), fut)
        )
        return fut

    def events(self, session: str | None = None) -> list[Event]:
        return [e for e in self._events if session is None or e.get("sessionId") == session]

    async def page(self) -> Page:
        target = await self.send("Target.createTarget", {"url": "about:blank"})
        attached = await self.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
        page = Page(self, attached["sessionId"])
        for domain in ("Runtime", "Log", "Page"):
            await page.send(f"{domain}.enable")
        return page

    async def close(self) -> None:
        """Kill the browser's whole process group (only it: it is a session of its own)."""
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.close(), 2)
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.proc.wait(), 10)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, 5)


class Page:
    """A tab of the browser, through its flattened CDP session."""

    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser = browser
        self.session = session

    async def send(self, method: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return await self.browser.send(method, params, session=self.session)

    async def goto(self, url: str) -> None:
        """Navigate and wait for the load event (the page's images, styles and SVG are in)."""
        loaded = self.browser.expect("Page.loadEventFired", self.session)
        result = await self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise BrowserError(f"navigation to {url} failed: {result['errorText']}")
        try:
            await asyncio.wait_for(loaded, self.browser.timeout)
        except TimeoutError:
            raise BrowserError(f"{url} did not load within {self.browser.timeout:.0f} s") from None

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-serialisable values only)."""
        result = await self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def errors(self) -> list[str]:
        """Uncaught exceptions, console.error calls and error log entries so far."""
        out = []
        for e in self.browser.events(self.session):
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                out.append(
                    f"exception: {details.get('exception', {}).get('description') or details.get('text')}"
                )
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                out.append(
                    "console.error: "
                    + " ".join(str(a.get("value", a.get("description"))) for a in params.get("args", []))
                )
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                out.append(f"log: {entry.get('text')} ({entry.get('url', '')})")
        return out

    async def screenshot(self, width: int = 1280, max_height: int = 8000) -> bytes:
        """A PNG of the whole page (up to `max_height` CSS pixels tall) at `width`."""
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
        )
        metrics = await self.send("Page.getLayoutMetrics")
        height = min(int(metrics["cssContentSize"]["height"]) + 1, max_height)
        shot = await self.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            },
        )
        return base64.b64decode(shot["data"])


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG, or ValueError if `data` is not one."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)
