"""A small typed client for the fake's control API (docs/control-api.md).

Two flavours with the same methods: `ControlClient` (blocking, for a test suite that
started `binance-harness serve` in another process) and `AsyncControlClient` (for code
that runs in the fake's own event loop, where a blocking call would stall the fake it is
waiting on). Both build their requests from the same `_Call` descriptions, so the two
cannot drift apart.

    client = ControlClient()                    # BINANCE_HARNESS_CONTROL_URL (and _TOKEN)
    client.fire("close", code=1001, reason="going away")
    client.tick()
    closed = client.wait_for("ws_close", timeout=5, code=1001)

Waiting is done by the fake (a long-poll on the journal), never by sleeping here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

import httpx

from fake_server.fronts.control_guard import TOKEN_VARIABLE
from fake_server.journal_entries import Entry, EventEntry, FaultEntry

__all__ = [
    "AsyncControlClient",
    "ControlApiError",
    "ControlClient",
    "Fired",
    "Injected",
    "JournalPage",
]

#: The variable `binance-harness serve` prints the control API's URL in.
URL_VARIABLE = "BINANCE_HARNESS_CONTROL_URL"
PREFIX = "/v1"

T = TypeVar("T")

#: Seconds a request may take beyond the long-poll it asked for.
SLACK = 10.0


class ControlApiError(Exception):
    """The control API refused a request: its HTTP status, message and offending field."""

    def __init__(self, status: int, message: str, field: str | None) -> None:
        super().__init__(status, message, field)
        self.status = status
        self.message = message
        self.field = field

    def __str__(self) -> str:
        where = f" ({self.field})" if self.field else ""
        return f"HTTP {self.status}{where}: {self.message}"


@dataclass(frozen=True)
class Fired:
    """A fault that fired: its journal entry and that entry's index (a `since` cursor)."""

    index: int
    entry: FaultEntry
    #: The key that expired, for `expire_listen_key()`; None otherwise.
    listen_key: str | None = None

    @property
    def conns(self) -> list[int]:
        return self.entry["conns"]


@dataclass(frozen=True)
class Injected:
    """Events the fake produced on request: the payloads and their journal entries."""

    index: int
    events: list[dict[str, Any]]
    entries: list[EventEntry]
    #: The wallet balance after an account move; None for other injections.
    wallet_balance: str | None = None


@dataclass(frozen=True)
class JournalPage:
    """Journal entries from `since` on (of the kinds asked), and where the next page starts."""

    entries: list[Entry]
    next: int
    more: bool


@dataclass(frozen=True)
class _Call(Generic[T]):
    """One request and how to read its answer: shared by the sync and async clients."""

    method: str
    path: str
    parse: Callable[[Any], T]
    body: dict[str, Any] | None = None
    query: dict[str, Any] | None = None
    timeout: float | None = None


def _fired(data: Any) -> Fired:
    return Fired(data["index"], data["entry"], data.get("listen_key"))


def _injected(data: Any) -> Injected:
    return Injected(data["index"], data["events"], data["entries"], data.get("wallet_balance"))


def _page(data: Any) -> JournalPage:
    return JournalPage(data["entries"], data["next"], data["more"])


class _Calls:
    """The API's routes as `_Call`s."""

    @staticmethod
    def info() -> _Call[dict[str, Any]]:
        return _Call("GET", PREFIX, dict)

    @staticmethod
    def fire(fault: str, params: dict[str, Any]) -> _Call[Fired]:
        return _Call("POST", f"{PREFIX}/faults", _fired, {"fault": fault, "params": params})

    @staticmethod
    def clear_faults() -> _Call[int]:
        return _Call("DELETE", f"{PREFIX}/faults", lambda data: int(data["cleared"]))

    @staticmethod
    def tick(count: int) -> _Call[Injected]:
        return _Call("POST", f"{PREFIX}/events", _injected, {"type": "tick", "count": count})

    @staticmethod
    def send_event(event: dict[str, Any]) -> _Call[Injected]:
        return _Call("POST", f"{PREFIX}/events", _injected, {"type": "raw", "event": event})

    @staticmethod
    def expire_listen_key() -> _Call[Fired]:
        return _Call("POST", f"{PREFIX}/listen-key/expire", _fired, {})

    @staticmethod
    def move_account(field: str, amount: Decimal | float | str, reason: str | None) -> _Call[Injected]:
        body: dict[str, Any] = {field: str(amount)}  # a decimal string, as Binance writes amounts
        if reason is not None:
            body["reason"] = reason
        return _Call("POST", f"{PREFIX}/account", _injected, body)

    @staticmethod
    def journal(
        since: int, kind: str | list[str] | None, wait: float | None, limit: int | None
    ) -> _Call[JournalPage]:
        query: dict[str, Any] = {"since": since}
        if kind is not None:
            query["kind"] = kind if isinstance(kind, str) else ",".join(kind)
        if wait is not None:
            query["wait"] = f"{max(0.0, wait):.3f}"
        if limit is not None:
            query["limit"] = limit
        timeout = None if wait is None else wait + SLACK
        return _Call("GET", f"{PREFIX}/journal", _page, query=query, timeout=timeout)

    @staticmethod
    def connections() -> _Call[list[dict[str, Any]]]:
        return _Call("GET", f"{PREFIX}/connections", lambda data: list(data["connections"]))


def _auth_headers(token: str | None) -> dict[str, str]:
    """The header that carries the control token: `token`, else $BINANCE_HARNESS_CONTROL_TOKEN."""
    if token is None:
        token = os.environ.get(TOKEN_VARIABLE) or None
    return {} if token is None else {"Authorization": f"Bearer {token}"}


def _base_url(url: str | None) -> str:
    if url is None:
        url = os.environ.get(URL_VARIABLE)
        if not url:
            raise ValueError(f"no control API URL given and {URL_VARIABLE} is not set")
    return url.rstrip("/")


def _read(response: httpx.Response) -> Any:
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code >= 400:
        if isinstance(data, dict) and "error" in data:
            raise ControlApiError(response.status_code, str(data["error"]), data.get("field"))
        raise ControlApiError(response.status_code, response.text[:500], None)
    return data


def _matches(entry: Entry, match: dict[str, Any], where: Callable[[Entry], bool] | None) -> bool:
    return all(entry.get(k) == v for k, v in match.items()) and (where is None or where(entry))


def _timeout_error(kind: str, match: dict[str, Any], timeout: float) -> TimeoutError:
    fields = ", ".join(f"{k}={v!r}" for k, v in match.items())
    return TimeoutError(
        f"no journal entry of kind {kind!r}{' with ' + fields if fields else ''} within {timeout:g} s"
    )


class ControlClient:
    """The blocking client. `url` defaults to $BINANCE_HARNESS_CONTROL_URL, `token` (for a
    fake started with `serve --token`) to $BINANCE_HARNESS_CONTROL_TOKEN."""

    def __init__(self, url: str | None = None, *, token: str | None = None, timeout: float = 10.0) -> None:
        self.url = _base_url(url)
        self._http = httpx.Client(base_url=self.url, timeout=timeout, headers=_auth_headers(token))

    def __enter__(self) -> ControlClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _do(self, call: _Call[T]) -> T:
        extra: dict[str, Any] = {} if call.timeout is None else {"timeout": call.timeout}
        response = self._http.request(call.method, call.path, json=call.body, params=call.query, **extra)
        return call.parse(_read(response))

    def info(self) -> dict[str, Any]:
        """`GET /v1`: version, URLs, credentials, timers, faults and their parameters."""
        return self._do(_Calls.info())

    def fire(self, fault: str, **params: Any) -> Fired:
        """Fire a registered fault now, e.g. `fire("abort_tcp", mode="rst")`."""
        return self._do(_Calls.fire(fault, params))

    def clear_faults(self) -> int:
        """Stop the faults still in force; returns how many there were."""
        return self._do(_Calls.clear_faults())

    def tick(self, count: int = 1) -> Injected:
        """`count` units of account activity now (fill the open order, place a new one)."""
        return self._do(_Calls.tick(count))

    def send_event(self, event: dict[str, Any]) -> Injected:
        """Deliver `event` as is to the active listenKey's user-data sockets."""
        return self._do(_Calls.send_event(event))

    def expire_listen_key(self) -> Fired:
        """Expire the active listenKey now; `Fired.listen_key` is the key that expired."""
        return self._do(_Calls.expire_listen_key())

    def set_wallet_balance(self, balance: Decimal | float | str, reason: str | None = None) -> Injected:
        """Set the USDT wallet balance; pushes ACCOUNT_UPDATE (reason DEPOSIT/WITHDRAW by default)."""
        return self._do(_Calls.move_account("wallet_balance", balance, reason))

    def change_balance(self, change: Decimal | float | str, reason: str | None = None) -> Injected:
        """Add `change` (may be negative) to the wallet balance; pushes ACCOUNT_UPDATE."""
        return self._do(_Calls.move_account("balance_change", change, reason))

    def journal(
        self,
        since: int = 0,
        *,
        kind: str | list[str] | None = None,
        wait: float | None = None,
        limit: int | None = None,
    ) -> JournalPage:
        """Entries from index `since`; with `wait`, long-poll until one (of `kind`) exists.

        Raises ControlApiError 410 when `since` is older than what a `serve` started without
        `--journal` still holds (docs/control-api.md).
        """
        return self._do(_Calls.journal(since, kind, wait, limit))

    def wait_for(
        self,
        kind: str,
        *,
        timeout: float = 5.0,
        since: int = 0,
        where: Callable[[Entry], bool] | None = None,
        **match: Any,
    ) -> Entry:
        """The first entry of `kind` from `since` whose fields equal `match` (and `where`).

        Raises TimeoutError when none appears within `timeout` seconds.
        """
        deadline = time.monotonic() + timeout
        cursor = since
        while True:
            remaining = deadline - time.monotonic()
            page = self.journal(cursor, kind=kind, wait=max(0.0, remaining))
            for entry in page.entries:
                if _matches(entry, match, where):
                    return entry
            cursor = page.next
            if remaining <= 0:
                raise _timeout_error(kind, match, timeout)

    def connections(self) -> list[dict[str, Any]]:
        """The open WebSocket connections (id, route, listen keys, age, ...)."""
        return self._do(_Calls.connections())


class AsyncControlClient:
    """The asyncio client: the same methods as `ControlClient`, awaited."""

    def __init__(self, url: str | None = None, *, token: str | None = None, timeout: float = 10.0) -> None:
        self.url = _base_url(url)
        self._http = httpx.AsyncClient(base_url=self.url, timeout=timeout, headers=_auth_headers(token))

    async def __aenter__(self) -> AsyncControlClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _do(self, call: _Call[T]) -> T:
        extra: dict[str, Any] = {} if call.timeout is None else {"timeout": call.timeout}
        response = await self._http.request(
            call.method, call.path, json=call.body, params=call.query, **extra
        )
        return call.parse(_read(response))

    async def info(self) -> dict[str, Any]:
        return await self._do(_Calls.info())

    async def fire(self, fault: str, **params: Any) -> Fired:
        return await self._do(_Calls.fire(fault, params))

    async def clear_faults(self) -> int:
        return await self._do(_Calls.clear_faults())

    async def tick(self, count: int = 1) -> Injected:
        return await self._do(_Calls.tick(count))

    async def send_event(self, event: dict[str, Any]) -> Injected:
        return await self._do(_Calls.send_event(event))

    async def expire_listen_key(self) -> Fired:
        return await self._do(_Calls.expire_listen_key())

    async def set_wallet_balance(self, balance: Decimal | float | str, reason: str | None = None) -> Injected:
        return await self._do(_Calls.move_account("wallet_balance", balance, reason))

    async def change_balance(self, change: Decimal | float | str, reason: str | None = None) -> Injected:
        return await self._do(_Calls.move_account("balance_change", change, reason))

    async def journal(
        self,
        since: int = 0,
        *,
        kind: str | list[str] | None = None,
        wait: float | None = None,
        limit: int | None = None,
    ) -> JournalPage:
        return await self._do(_Calls.journal(since, kind, wait, limit))

    async def wait_for(
        self,
        kind: str,
        *,
        timeout: float = 5.0,
        since: int = 0,
        where: Callable[[Entry], bool] | None = None,
        **match: Any,
    ) -> Entry:
        deadline = time.monotonic() + timeout
        cursor = since
        while True:
            remaining = deadline - time.monotonic()
            page = await self.journal(cursor, kind=kind, wait=max(0.0, remaining))
            for entry in page.entries:
                if _matches(entry, match, where):
                    return entry
            cursor = page.next
            if remaining <= 0:
                raise _timeout_error(kind, match, timeout)

    async def connections(self) -> list[dict[str, Any]]:
        return await self._do(_Calls.connections())
