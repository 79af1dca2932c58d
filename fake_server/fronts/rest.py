"""The REST front: a real HTTP server (aiohttp) on a loopback socket.

A real socket rather than an in-process mock because most SDKs use requests or aiohttp,
which respx cannot intercept (README, Architecture). One catch-all route
feeds the exchange's routing table (fake_server/exchange/rest_routes.py), so that every
answer (including faults, the rate limiter and the futures 404 body) passes through one
place, `RestFront.answer`, that journals it and adds Binance's headers. An in-process
client's httpx calls reach that same place through respx, without the socket
(fake_server/fronts/rest_respx.py).

What this front adds around the handlers (binance-reference.md §1, §4, the USD-M "General
Info" page):
- parameters come from the query string or, except on GET, an x-www-form-urlencoded body;
  a parameter in both is taken from the query string;
- every answer from Binance itself carries X-MBX-USED-WEIGHT-1M (per IP, weights.py);
  over the limit 429 then 418; order answers carry X-MBX-ORDER-COUNT-10S and -1M;
- the removed spot/margin listenKey routes answer nginx's 410 page: no JSON, no Binance
  header, no weight (nginx answers before the API sees the call; obs, reference §0);
- a fault's `RestRule` (fake_server/interception.py) holds back or replaces the answer
  of the calls it matches, breaks it on the wire (fake_server/fronts/wire_breaks.py: the
  call is not carried out, the journal's `rest` entry has `status` 0 and `broken`), or
  sends its body in slow pieces (`dribbled`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl

import orjson
from aiohttp import web

from fake_server.clock import Clock
from fake_server.exchange import binance_errors
from fake_server.exchange.rest_call import Call
from fake_server.exchange.rest_routes import GONE_PATHS, RestApi, RestBackend
from fake_server.exchange.weights import OrderCounts, RequestWeights
from fake_server.fronts.request_body import BAD_REQUEST_POLICY, UnreadableBody, read_body
from fake_server.fronts.wire_breaks import arm_reset, broken_bytes, closing
from fake_server.interception import Dribble, RestRule, WireBreak, take
from fake_server.journal import Journal
from fake_server.journal_entries import RestEntry, RestNote, with_note


class RestOwner(RestBackend, Protocol):
    """What the REST front needs from the fake it belongs to (FakeBinance provides it)."""

    @property
    def clock(self) -> Clock: ...
    @property
    def journal(self) -> Journal: ...
    def settle(self) -> None:
        """Bring time-driven state (key expiry) up to now before a call reads it."""
        ...


@dataclass(frozen=True)
class RestRequest:
    """One REST call as it arrived, whichever way it came (a socket, or respx in-process)."""

    method: str
    #: Percent-decoded, as aiohttp's `request.path` gives it.
    path: str
    #: The query string as sent: what the client signed.
    raw_query: str
    api_key: str | None
    #: The caller's IP address: the REST weights are counted per IP.
    peer: str
    #: The body as sent; None when it could not be read (a broken chunked or gzip body).
    body: bytes | None
    #: Whether the body is an x-www-form-urlencoded form whose fields are parameters.
    form: bool


@dataclass(frozen=True)
class RestReply:
    status: int
    text: str
    headers: dict[str, str]
    #: A fault breaks the answer on the wire (WireMock's faults): the bytes the socket gets
    #: instead, then its close; no answer is sent. Journaled already, with `broken`.
    breaks: WireBreak | None = None
    #: A fault writes the body slowly (WireMock's chunked dribble).
    dribble: Dribble | None = None


class RestFront:
    def __init__(self, owner: RestOwner) -> None:
        self.owner = owner
        #: Fault rules in force, consulted before each call is answered.
        self.rules: list[RestRule] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.weights = RequestWeights(owner.settings.rest_limits)
        self.order_counts = OrderCounts()
        self.api = RestApi(owner)

    async def start(self, host: str) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, **BAD_REQUEST_POLICY)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # Dispatch ---------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        """The socket's way in: read the aiohttp request, answer it, send the answer."""
        try:
            body: bytes | None = await read_body(request)
        except UnreadableBody:
            body = None
        reply = await self.answer(
            RestRequest(
                request.method,
                request.path,
                request.rel_url.raw_query_string,
                request.headers.get("X-MBX-APIKEY"),
                request.remote or "",
                body,
                is_form(request.method, request.content_type),
            )
        )
        if reply.breaks is not None:
            return self._break(request, reply.breaks)
        if reply.dribble is not None:
            return await self._dribble(
                request, reply.status, reply.text.encode(), reply.headers, reply.dribble
            )
        # Bytes, so that Content-Type goes out exactly as set (nginx's page is "text/html").
        return web.Response(status=reply.status, body=reply.text.encode(), headers=reply.headers)

    async def answer(self, request: RestRequest) -> RestReply:
        """Answer one call and journal it: the one place every REST answer comes from, whether
        the call came over the socket or, for an in-process client, through respx
        (fake_server/fronts/rest_respx.py), so both leave the same evidence."""
        server = self.owner
        server.settle()
        raw_query = request.raw_query
        body_text, params, unreadable = _parameters(request.body, request.form, raw_query)
        call = Call(
            request.method,
            request.path,
            params,
            raw_query,
            request.api_key,
            request.peer,
            body_text,
        )
        rule = take(self.rules, server.clock.now(), lambda r: r.matches(call))
        note = RestNote(weight=0, used_weight=None, banned_until=None, executed=None)
        if rule is not None and rule.delay > 0:
            # A slow backend: the call is carried out, and answered, only after the delay.
            note["delayed"] = rule.delay
            await server.clock.sleep(rule.delay)
            server.settle()
        if rule is not None and rule.breaks is not None:
            note["broken"] = rule.breaks
            server.journal.append(with_note(_entry(call, params, 0, "", fault=True), note))
            return RestReply(0, "", {}, breaks=rule.breaks)
        replaced = None if rule is None else rule.answer
        now_ms = server.clock.epoch_ms()
        route = self.api.routes.get((call.method, call.path))
        weight = route.weight_of(call) if route is not None else 1
        headers: dict[str, str] = {}
        if replaced is not None:
            status, text = replaced.status, replaced.body
            note["executed"] = False
            if replaced.executed and route is not None:
                # The backend did the work; only the answer is lost.
                done, _ = route.handler(call)
                note["executed"] = done < 400
                if done < 400 and route.places_orders:
                    self.order_counts.add(call.api_key or "", now_ms)
            if replaced.binance_headers:
                admission = self.weights.admit(call.peer, weight if replaced.counts_weight else 0, now_ms)
                note["weight"], note["used_weight"] = admission.weight, admission.used
                headers["X-MBX-USED-WEIGHT-1M"] = str(admission.used)
            headers.update(replaced.headers)
            if not any(name.lower() == "content-type" for name in headers):
                headers["Content-Type"] = _content_type(text)
        elif call.path in GONE_PATHS:
            status, text = 410, binance_errors.GONE_HTML
            headers.update({"Content-Type": "text/html", "Server": "nginx"})
        else:
            admission = self.weights.admit(call.peer, weight, now_ms)
            note["weight"], note["used_weight"] = admission.weight, admission.used
            note["banned_until"] = admission.banned_until
            headers["X-MBX-USED-WEIGHT-1M"] = str(admission.used)
            body: Any
            if admission.outcome == "limited":
                status, body = binance_errors.too_many_requests(self.weights.limits.weight_per_minute)
                headers["Retry-After"] = str(admission.retry_after)
            elif admission.outcome == "banned":
                assert admission.banned_until is not None
                status, body = binance_errors.ip_banned(admission.banned_until)
                headers["Retry-After"] = str(admission.retry_after)
            elif route is None:
                status, body = binance_errors.path_invalid(call.method, call.path)
            elif unreadable:
                status, body = binance_errors.illegal_characters()
            else:
                status, body = route.handler(call)
                if status == 200 and route.places_orders:
                    counts = self.order_counts.add(call.api_key or "", now_ms)
                    headers["X-MBX-ORDER-COUNT-10S"] = str(counts["10S"])
                    headers["X-MBX-ORDER-COUNT-1M"] = str(counts["1M"])
            text = orjson.dumps(body).decode()
            headers["Content-Type"] = "application/json"
        entry = _entry(call, params, status, text, fault=replaced is not None)
        dribble = None if rule is None else rule.dribble
        if dribble is not None:
            note["dribbled"] = dribble.duration
        server.journal.append(with_note(entry, note))
        return RestReply(status, text, headers, dribble=dribble)

    def _break(self, request: web.Request, how: WireBreak) -> web.StreamResponse:
        """Write the broken answer's bytes straight to the socket and close it. The response
        returned is never sent: aiohttp finds the transport closing and drops it, as it does
        for a client that went away."""
        transport = request.transport
        if transport is not None and not transport.is_closing():
            transport.write(broken_bytes(how))
            if closing(how) == "rst":
                arm_reset(transport.get_extra_info("socket"))
                transport.abort()
            else:
                transport.close()
        return web.Response(status=500)

    async def _dribble(
        self, request: web.Request, status: int, body: bytes, headers: dict[str, str], dribble: Dribble
    ) -> web.StreamResponse:
        """The status line and headers (with the body's Content-Length) at once, then the body
        in `chunks` pieces, one every `duration / chunks` seconds (the first after one gap),
        so its last byte leaves `duration` seconds after the headers: WireMock's
        `chunkedDribbleDelay`."""
        response = web.StreamResponse(status=status, headers=headers)
        response.content_length = len(body)
        await response.prepare(request)
        gap = dribble.duration / dribble.chunks
        size = -(-len(body) // dribble.chunks) or 1
        for start in range(0, len(body), size):
            await self.owner.clock.sleep(gap)
            try:
                await response.write(body[start : start + size])
            except ConnectionError:
                return response  # the client gave up on the slow answer
        await response.write_eof()
        return response


def _entry(call: Call, params: dict[str, str], status: int, text: str, *, fault: bool) -> RestEntry:
    """The call's `rest` journal entry: what was sent (without `signature`) and answered."""
    return RestEntry(
        kind="rest",
        method=call.method,
        path=call.path,
        query={k: v for k, v in params.items() if k != "signature"},
        api_key=bool(call.api_key),
        status=status,
        body=text[:2000],
        fault=fault,
        ip=call.peer,
    )


def is_form(method: str, content_type: str) -> bool:
    """GET parameters "must be sent as a query string"; POST, PUT and DELETE may use an
    x-www-form-urlencoded body too (USD-M General Info)."""
    return method != "GET" and content_type == "application/x-www-form-urlencoded"


def _parameters(raw: bytes | None, form: bool, raw_query: str) -> tuple[str, dict[str, str], bool]:
    """(the form body as text, the parameters, whether they could not be read).

    Parameters are UTF-8, whatever `charset` the Content-Type names (Binance documents no
    other encoding; docs/fidelity.md "Malformed requests"): a body or a percent-escape that
    is not UTF-8, or a body that could not be read at all (`raw` None), leaves no parameters
    and the call is refused with -1100 once it reaches its route.
    """
    if raw is None:
        return "", {}, True
    body_text = raw.decode("utf-8", "replace") if raw and form else ""
    try:
        params = (
            dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")) if body_text else {}
        )
        params.update(parse_qsl(raw_query, keep_blank_values=True, errors="strict"))  # the query string wins
    except UnicodeDecodeError:
        return body_text, {}, True
    return body_text, params, False


def _content_type(text: str) -> str:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return "application/json"
    return "text/html" if stripped.startswith("<") else "text/plain"
