"""The control API: drive the running fake over HTTP, from a test suite in any language.

A test suite that is not written in Python starts the fake standalone (`binance-harness
serve`), then needs to say "drop the connection now", "push an account event", "did the
fake see my reconnect?" without a scenario file. This module serves that: a small JSON API
on loopback, on its own ephemeral port (so it never mixes with the Binance routes the
client under test sees), versioned under `/v1`. Routes and bodies: docs/control-api.md.

Faults fired here are the registered fault dataclasses (`fake_server.faults`), validated
against their fields like scenario steps are, and journaled exactly like scenario steps
(kind `fault`), with `step: null` and `source: "control"`, so a journal read back tells
which faults came from the test and which from a scenario.

Parameters are decoded by the faults' own schemas (fake_server/schema.py), the same
declarations the scenario loader reads YAML with, so a value a scenario file would refuse
(a negative `times`, close code 70000, a header name with a colon) is a 400 here, never an
error when the fault fires.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol

import orjson
from aiohttp import web

from fake_server.exchange.settings import Settings, Timers
from fake_server.faults import Fault, load_all
from fake_server.faults.expire_listen_key import ExpireListenKey
from fake_server.faults.target import FaultTarget
from fake_server.fronts.control_guard import refusal
from fake_server.fronts.request_body import BAD_REQUEST_POLICY, UnreadableBody, read_body
from fake_server.journal_entries import EventEntry, FaultEntry
from fake_server.journal_window import Forgotten
from fake_server.schema import JsonReader, ParamError, Wording, build, decode, describe, docs_of
from fake_server.suggest import did_you_mean, unknown


class ControlOwner(FaultTarget, Protocol):
    """What the control API needs from the fake it drives (FakeBinance provides it)."""

    @property
    def rest_url(self) -> str: ...
    @property
    def ws_url(self) -> str: ...
    @property
    def control_url(self) -> str | None: ...
    @property
    def ca_file(self) -> Path | None: ...
    @property
    def timers(self) -> Timers: ...
    @property
    def settings(self) -> Settings: ...
    def clear_faults(self) -> int:
        """Stop every fault still in force; how many there were."""
        ...

    def active_listen_key(self) -> str | None:
        """The account's active listenKey, settled to now."""
        ...

    def deliver_raw(self, event: dict[str, Any]) -> list[int]:
        """Send `event` as is to the active key's user-data connections (no journal entry)."""
        ...

    def connection_table(self) -> list[dict[str, Any]]:
        """The open connections, oldest first, as `GET /v1/connections` lists them."""
        ...


#: The API's version: the `/v1` prefix, and `version` in `GET /v1`. A change that breaks a
#: caller gets a new prefix; adding routes or fields does not.
API_VERSION = 1
PREFIX = f"/v{API_VERSION}"

#: Longest long-poll a `GET /v1/journal?wait=` may ask for (seconds).
MAX_WAIT = 300.0
#: Entries per journal page unless `limit` says otherwise, and the largest `limit`.
PAGE = 1000
MAX_PAGE = 10000
#: Most ticks one `POST /v1/events` may ask for.
MAX_TICKS = 1000
#: Amounts (`wallet_balance`, `balance_change`) stay below this size, so that a balance
#: plus a change still fits Decimal's 28 digits with Binance's 8 decimals.
MAX_AMOUNT = Decimal(10**15)
#: How deeply a request body may nest: the fake sends a raw event on as JSON, and orjson
#: writes at most 255 levels.
MAX_DEPTH = 64

#: `a.m` of a USD-M ACCOUNT_UPDATE: Binance's 17 event reason types (USD-M user data
#: stream docs, "Event: Balance and Position Update"; binance-reference.md §5 lists some).
ACCOUNT_REASONS = (
    "DEPOSIT",
    "WITHDRAW",
    "ORDER",
    "FUNDING_FEE",
    "WITHDRAW_REJECT",
    "ADJUSTMENT",
    "INSURANCE_CLEAR",
    "ADMIN_DEPOSIT",
    "ADMIN_WITHDRAW",
    "MARGIN_TRANSFER",
    "MARGIN_TYPE_CHANGE",
    "ASSET_TRANSFER",
    "OPTIONS_PREMIUM_FEE",
    "OPTIONS_SETTLE_PROFIT",
    "AUTO_EXCHANGE",
    "COIN_SWAP_DEPOSIT",
    "COIN_SWAP_WITHDRAW",
)


log = logging.getLogger(__name__)


class ControlError(Exception):
    """A request the API refuses: HTTP `status`, a message, and the offending field.

    `field` is a dotted path into the request (`params.code`, `fault`, `since`) so that a
    caller in any language can point at what to fix.
    """

    def __init__(self, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


# ------------------------------------------------------------------ fault parameters

_JSON = JsonReader()
_kind = _JSON.describe


def fault_catalog(faults: Mapping[str, type[Fault]]) -> dict[str, Any]:
    """Every registered fault with its layer, what it does, and its parameters (their types,
    defaults and ranges; their one-line docs under `param_docs`), from each fault's schema."""
    return {
        name: {
            "layer": cls.layer,
            "ends_connection": cls.ends_connection,
            "doc": " ".join((cls.__doc__ or "").split()),
            "params": describe(cls),
            "param_docs": docs_of(cls),
        }
        for name, cls in sorted(faults.items())
    }


def _convert(tp: Any, value: Any, field: str) -> Any:
    """`value` (decoded JSON) as type `tp`, or a ControlError naming `field`."""
    try:
        return decode(tp, value, field, _JSON)
    except ParamError as exc:
        raise ControlError(exc.message, exc.field) from None


def build_fault(name: Any, params: Any, faults: Mapping[str, type[Fault]] | None = None) -> Fault:
    """The fault `name` with `params` (decoded JSON), decoded by the fault's schema.

    Raises ControlError naming the field: an unknown fault or parameter (with a
    did-you-mean), a value of the wrong type or out of its range, or a combination the
    fault's own rules refuse.
    """
    registry = faults if faults is not None else load_all()
    if not isinstance(name, str):
        raise ControlError(f"expected a fault name (a string), got {_kind(name)}", "fault")
    if name not in registry:
        known = ", ".join(sorted(registry))
        raise ControlError(
            unknown(f"unknown fault {name!r}", name, registry, f"known faults: {known}"), "fault"
        )
    if params is None:
        params = {}
    items = _JSON.items(params)
    if items is None:
        raise ControlError(f"expected an object of the fault's parameters, got {_kind(params)}", "params")
    try:
        return build(
            registry[name], items, params, "params", f"fault {name!r}", _JSON, Wording(noun="parameter")
        )
    except ParamError as exc:
        raise ControlError(exc.message, exc.field) from None


# ------------------------------------------------------------------------ the server

Handler = Callable[[web.Request], Awaitable[Any]]


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(body, default=str), status=status, content_type="application/json")


def _decimal(value: Any, field: str) -> Decimal:
    """A money amount from JSON: a decimal string (as Binance writes them) or a number."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ControlError(f'expected a decimal amount such as "1250.5", got {_kind(value)}', field)
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ControlError(f'expected a decimal amount such as "1250.5", got {_kind(value)}', field) from None
    if not amount.is_finite():
        raise ControlError(f"expected a finite amount, got {_kind(value)}", field)
    if abs(amount) >= MAX_AMOUNT:
        raise ControlError(f"an amount must be less than {MAX_AMOUNT:,} in size, got {_kind(value)}", field)
    return amount.quantize(Decimal("0.00000001"))


def _amount(d: Decimal) -> str:
    """Binance's way of writing an amount: plain decimal, no exponent, no trailing zeros."""
    return format(d.normalize(), "f") if d else "0"


def _check_keys(body: Mapping[str, Any], allowed: Iterable[str], what: str) -> None:
    allowed = list(allowed)
    for key in body:
        if key not in allowed:
            raise ControlError(
                unknown(f"unknown field {key!r}", key, allowed, f"{what} takes: {', '.join(allowed)}"), key
            )


class ControlApi:
    """The control listener of one FakeBinance: an aiohttp app on its own loopback port."""

    def __init__(self, server: ControlOwner) -> None:
        self.server = server
        self.journal = server.journal
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self.routes: list[tuple[str, str, str, Handler]] = [
            (
                "GET",
                "",
                "the API's version, the fake's URLs, credentials, timers, and the faults",
                self._index,
            ),
            ("POST", "/faults", "fire a fault now; returns its journal entry", self._fire),
            (
                "DELETE",
                "/faults",
                "stop the faults still in force (http_error-like rules, refused upgrades)",
                self._clear,
            ),
            ("POST", "/events", "inject account events now: a tick, or a raw event", self._events),
            (
                "POST",
                "/listen-key/expire",
                "expire the active listenKey now (the expire_listen_key fault)",
                self._expire,
            ),
            ("POST", "/account", "set or change the wallet balance; pushes an ACCOUNT_UPDATE", self._account),
            ("GET", "/journal", "journal entries from index `since`; long-poll with `wait`", self._journal),
            ("GET", "/connections", "the open WebSocket connections", self._connections),
        ]

    async def start(self, host: str, port: int = 0) -> None:
        app = web.Application(middlewares=[self._errors])
        for method, path, _, handler in self.routes:
            app.router.add_route(method, PREFIX + path, handler)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        # A short shutdown: long-polls are woken by `_closing`, nothing else takes long.
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=1.0, **BAD_REQUEST_POLICY
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ---- plumbing

    @web.middleware
    async def _errors(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Every answer is JSON, errors included: `{"error": message, "field": path|null}`.

        A request the guard turns away (wrong Host, missing token, a body that is not JSON)
        is answered before any route sees it.
        """
        settings = self.server.settings
        turned_away = refusal(request, settings.host, settings.control_token)
        if turned_away is not None:
            answer = _json({"error": turned_away.message, "field": None}, turned_away.status)
            answer.headers.update(turned_away.headers)
            return answer
        try:
            result = await handler(request)
        except ControlError as exc:
            return _json({"error": exc.message, "field": exc.field}, exc.status)
        except web.HTTPException as exc:
            return _json({"error": exc.reason, "field": None}, exc.status)
        except Exception as exc:
            # A bug of the fake's, not the caller's: still JSON, with what went wrong.
            log.exception("control API: %s %s failed", request.method, request.path)
            return _json({"error": f"internal error: {type(exc).__name__}: {exc}", "field": None}, 500)
        if isinstance(result, web.StreamResponse):
            return result
        return _json(result)

    async def _not_found(self, request: web.Request) -> Any:
        allowed = [m for m, p, _, _ in self.routes if PREFIX + p == request.path]
        if allowed:
            raise ControlError(
                f"{request.method} is not allowed on {request.path}; use {' or '.join(allowed)}", status=405
            )
        listing = "; ".join(f"{m} {PREFIX}{p}" for m, p, _, _ in self.routes)
        raise ControlError(f"no route {request.method} {request.path}; routes: {listing}", status=404)

    async def _body(self, request: web.Request) -> dict[str, Any]:
        try:
            raw = await read_body(request)
        except UnreadableBody as exc:
            raise ControlError(f"the body could not be read: {exc}") from None
        if not raw.strip():
            return {}
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ControlError(f"the body is not valid JSON: {exc}") from None
        if not isinstance(body, dict):
            raise ControlError(f"the body must be a JSON object, got {_kind(body)}")
        if _depth(body) > MAX_DEPTH:
            raise ControlError(f"the body nests deeper than {MAX_DEPTH} levels")
        return body

    # ---- routes

    async def _index(self, request: web.Request) -> Any:
        s = self.server
        return {
            "api": "binance-stream-harness control",
            "version": API_VERSION,
            "urls": {"rest": s.rest_url, "ws": s.ws_url, "control": s.control_url},
            "tls": s.settings.tls,
            "ca_file": None if s.ca_file is None else str(s.ca_file),
            "profile": "usdm",
            "credentials": {
                "api_key": s.settings.credentials.api_key,
                "api_secret": s.settings.credentials.api_secret,
            },
            "timers": dataclasses.asdict(s.timers),
            "journal_size": self.journal.size,
            "journal_held_from": self.journal.first,
            "faults": fault_catalog(load_all()),
            "events": {
                "tick": "one unit of account activity per count: fill the open order, place a new one",
                "raw": "the object under `event`, sent as is to the active listenKey's user-data sockets",
            },
            "account_reasons": list(ACCOUNT_REASONS),
            "routes": [{"method": m, "path": PREFIX + p, "does": d} for m, p, d, _ in self.routes],
        }

    def fire(self, fault: Fault) -> tuple[int, FaultEntry]:
        """Fire `fault` now and journal it like a scenario step; (index, entry)."""
        conns = fault.apply(self.server)
        entry = self.journal.append(fault.entry(conns, step=None, line=None, source="control"))
        return self.journal.index_of(entry), entry

    async def _fire(self, request: web.Request) -> Any:
        body = await self._body(request)
        _check_keys(body, ("fault", "params"), "a fault request")
        if "fault" not in body:
            raise ControlError("missing required field 'fault' (the name of the fault to fire)", "fault")
        fault = build_fault(body["fault"], body.get("params"))
        index, entry = self.fire(fault)
        return {"index": index, "entry": entry}

    async def _clear(self, request: web.Request) -> Any:
        cleared = self.server.clear_faults()
        entry = self.server.journal.entries[-1]
        return {"index": self.journal.index_of(entry), "cleared": cleared}

    async def _expire(self, request: web.Request) -> Any:
        await self._body(request)
        active = self.server.active_listen_key()
        if active is None:
            raise ControlError("no active listenKey to expire (POST /fapi/v1/listenKey first)", status=409)
        index, entry = self.fire(ExpireListenKey())
        return {"index": index, "entry": entry, "listen_key": active}

    def _published(self, publish: Callable[[], object]) -> tuple[int, list[EventEntry]]:
        """Run `publish` and return the index and the `event` entries it journaled."""
        start = self.journal.size
        publish()
        return start, [e for e in self.journal.held_from(start) if e["kind"] == "event"]

    async def _events(self, request: web.Request) -> Any:
        body = await self._body(request)
        kind = body.get("type")
        s = self.server
        if kind == "tick":
            _check_keys(body, ("type", "count"), "a tick")
            count = _convert(int, body.get("count", 1), "count")
            if not 1 <= count <= MAX_TICKS:
                raise ControlError(f"count must be between 1 and {MAX_TICKS}, got {count}", "count")
            events: list[dict[str, Any]] = []

            def ticks() -> None:
                for _ in range(count):
                    s.settle()
                    batch = s.account.tick(s.clock.epoch_ms())
                    events.extend(batch)
                    s.publish(batch)

            index, entries = self._published(ticks)
            return {"index": index, "entries": entries, "events": events}
        if kind == "raw":
            _check_keys(body, ("type", "event"), "a raw event")
            event = body.get("event")
            if not isinstance(event, dict):
                raise ControlError(f"expected the event object under 'event', got {_kind(event)}", "event")
            if not isinstance(event.get("e"), str):
                raise ControlError(
                    "a raw event needs its type as a string in 'e' (the fake routes events by it)", "event.e"
                )
            index, entry = self.send_raw(event)
            return {"index": index, "entries": [entry], "events": [event]}
        words = ("tick", "raw")
        hint = did_you_mean(kind, words) if isinstance(kind, str) else ""
        raise ControlError(f"expected type 'tick' or 'raw', got {_kind(kind)}{hint}", "type")

    def send_raw(self, event: dict[str, Any]) -> tuple[int, EventEntry]:
        """Deliver `event` as is to the active key's user-data sockets, and journal it."""
        conns = self.server.deliver_raw(event)
        stamp = event.get("E")
        entry = self.journal.append(
            EventEntry(
                kind="event",
                e=event["e"],
                E=stamp if isinstance(stamp, int) else None,
                conns=conns,
                raw=True,
                source="control",
            )
        )
        return self.journal.index_of(entry), entry

    async def _account(self, request: web.Request) -> Any:
        body = await self._body(request)
        _check_keys(body, ("wallet_balance", "balance_change", "reason"), "an account move")
        s = self.server
        if s.profile.name == "spot":
            raise ControlError("account moves are modelled for the futures profiles only", status=409)
        account = s.futures_account
        old = account.wallet
        if ("wallet_balance" in body) == ("balance_change" in body):
            raise ControlError("give exactly one of 'wallet_balance' (the new balance) or 'balance_change'")
        if "wallet_balance" in body:
            new = _decimal(body["wallet_balance"], "wallet_balance")
            change = new - old
        else:
            change = _decimal(body["balance_change"], "balance_change")
            new = old + change
        if new < 0:
            raise ControlError(f"the wallet balance cannot go negative ({_amount(old)} + {_amount(change)})")
        reason = body.get("reason", "DEPOSIT" if change >= 0 else "WITHDRAW")
        if not isinstance(reason, str) or reason not in ACCOUNT_REASONS:
            listing = f"Binance's reasons: {', '.join(ACCOUNT_REASONS)}"
            word = reason if isinstance(reason, str) else ""
            raise ControlError(
                unknown(f"unknown reason {_kind(reason)}", word, ACCOUNT_REASONS, listing), "reason"
            )
        account.wallet = new
        s.settle()
        stamp = s.account.stamp(s.clock.epoch_ms())
        # USD-M sends only what changed: the balance, no position (binance-reference.md §5).
        event = {
            "e": "ACCOUNT_UPDATE",
            "E": stamp,
            "T": stamp,
            "a": {
                "m": reason,
                "B": [{"a": "USDT", "wb": _amount(new), "cw": _amount(new), "bc": _amount(change)}],
                "P": [],
            },
        }
        index, entries = self._published(lambda: s.publish([event]))
        return {"index": index, "entries": entries, "events": [event], "wallet_balance": _amount(new)}

    async def _journal(self, request: web.Request) -> Any:
        q = request.query
        since = _query_int(q.get("since", "0"), "since")
        limit = _query_int(q.get("limit", str(PAGE)), "limit")
        if since < 0:
            raise ControlError(f"since counts entries from 0, got {since}", "since")
        if not 1 <= limit <= MAX_PAGE:
            raise ControlError(f"limit must be between 1 and {MAX_PAGE}, got {limit}", "limit")
        kinds = {k for value in q.getall("kind", []) for k in value.split(",") if k} or None
        if "wait" in q:
            try:
                wait = float(q["wait"])
            except ValueError:
                raise ControlError(f"expected a number of seconds, got {q['wait']!r}", "wait") from None
            if not 0 <= wait <= MAX_WAIT:
                raise ControlError(
                    f"wait must be between 0 and {MAX_WAIT:g} seconds, got {q['wait']}", "wait"
                )
            await self._wait(since, kinds, wait)
        journal = self.journal
        try:
            page, end = journal.page(since, limit, kinds)
        except Forgotten as gone:
            raise ControlError(
                f"entries before index {gone.first} are no longer held: serve keeps the latest"
                f" {journal.window} in memory and was started without --journal PATH (which keeps"
                f" them all on disk to read back); ask from since={gone.first} or later",
                "since",
                status=410,
            ) from None
        return {"since": since, "entries": page, "next": end, "more": end < journal.size}

    async def _wait(self, since: int, kinds: set[str] | None, timeout: float) -> None:
        """Return once an entry at index >= `since` of one of `kinds` exists, or on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        journal = self.journal
        if since < journal.first:
            return  # older than what memory holds: the page reads the file or says they are gone
        checked = since
        while not self._closing.is_set():
            if any(kinds is None or e["kind"] in kinds for e in journal.held_from(checked)):
                return
            checked = max(checked, journal.size)
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            arrival = asyncio.ensure_future(
                self.journal.wait_for(lambda e: kinds is None or e["kind"] in kinds, remaining, past=False)
            )
            closing = asyncio.ensure_future(self._closing.wait())
            try:
                await asyncio.wait({arrival, closing}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (arrival, closing):
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                        await task

    async def _connections(self, request: web.Request) -> Any:
        return {"connections": self.server.connection_table()}


def _query_int(text: str, field: str) -> int:
    """An integer of the query string: an optional "-" and at most 18 ASCII digits (so
    that every answer can carry it back as a 64-bit JSON number)."""
    if not _QUERY_INT.fullmatch(text):
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise ControlError(f"expected an integer of at most 18 digits, got {shown!r}", field)
    return int(text)


_QUERY_INT = re.compile("-?[0-9]{1,18}")


def _depth(value: Any) -> int:
    """How many arrays and objects deep `value` (decoded JSON) nests; without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


__all__ = ["ControlApi", "ControlError", "build_fault", "fault_catalog"]
