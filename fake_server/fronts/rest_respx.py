"""The REST front without its socket: an in-process client's httpx calls, routed by respx.

A Python client run in the harness's own event loop (harness/client_driver.py,
`CoroutineClientRunner`) would otherwise reach the fake's REST port over loopback TCP: an
HTTP request and its parsing on both sides for every call, in the one loop that also runs
the fake. While `routed(front, url)` holds, httpx calls to that URL's host and port go to
`RestFront.answer`, the same function the aiohttp handler calls, so the journal entry, the
weight counted, the headers and every REST fault (http_error, slow_rest,
service_unavailable, ...) are those of a call over the socket. Calls to any other address
pass through to the network untouched.

What the socket did that is kept here:
- the caller's IP is the fake's loopback address, as a local client's would be, so the
  per-IP weights and bans are counted alike;
- a call held back by `slow_rest` longer than the client's own read timeout ends in
  httpx's `ReadTimeout` at that timeout, while the fake still carries it out and journals
  it, as aiohttp does for a client that hung up (it does not cancel the handler);
- the answer carries aiohttp's `Server` and `Date` headers unless the fake set its own.

What cannot be kept (docs/in-process.md): no TLS on the way (with `tls: true` the https
URL is answered without the relay); a request body is not decompressed (aiohttp would
decode a `Content-Encoding`) nor refused above aiohttp's 1 MiB limit; and only
`httpx.AsyncClient` is routed: a blocking `httpx.Client` call would stop the very loop that
has to answer it.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import AsyncIterator
from email.utils import formatdate

import httpx
import respx
from aiohttp.http import SERVER_SOFTWARE

from fake_server.fronts.rest import RestFront, RestReply, RestRequest, is_form

# What httpcore imports lazily the first time an httpx client closes its pool (anyio's asyncio
# backend, about 0.25 s), imported now, before any loop runs: imported mid-run, in the loop
# that every run shares, it made all the runs playing then too late to judge.
with contextlib.suppress(ImportError):
    importlib.import_module("anyio._backends._asyncio")

#: The fronts answering in-process now, by the (host, port) their clients call.
_fronts: dict[tuple[str, int | None], tuple[RestFront, str, set[asyncio.Task[RestReply]]]] = {}
#: One router for every in-process run of the process, started while any is routed: respx
#: patches httpx process-wide, and one catch-all route that looks the address up lets runs
#: played side by side come and go in any order.
_router: respx.MockRouter | None = None


@contextlib.asynccontextmanager
async def routed(front: RestFront, rest_url: str) -> AsyncIterator[None]:
    """While inside, httpx calls to `rest_url`'s host and port are answered by `front`.

    On the way out, answers still being worked on (a `slow_rest` delay) are cancelled: the
    run is over, as a server stopping ends its handlers.
    """
    global _router
    url = httpx.URL(rest_url)
    key = (url.host, url.port)
    pending: set[asyncio.Task[RestReply]] = set()
    _fronts[key] = (front, url.host, pending)
    if _router is None:
        _router = respx.MockRouter(assert_all_called=False, assert_all_mocked=True)
        _router.route().mock(side_effect=_answer)
        _router.start()
    try:
        yield
    finally:
        del _fronts[key]
        if not _fronts and _router is not None:
            _router.stop(quiet=True)
            _router = None
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


async def _answer(request: httpx.Request) -> httpx.Response | httpx.Request:
    """The fake's answer to a call addressed to it; any other call passes through."""
    found = _fronts.get((request.url.host, request.url.port))
    if found is None:
        return request  # respx: pass through to the network
    front, peer, pending = found
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    api_keys = request.headers.get_list("X-MBX-APIKEY")
    call = RestRequest(
        request.method,
        request.url.path,
        request.url.query.decode("ascii", "replace"),
        api_keys[0] if api_keys else None,
        peer,
        await request.aread(),
        is_form(request.method, content_type),
    )
    # A task of its own: like aiohttp's handler, the answer goes on when the caller stops
    # waiting for it (its read timeout, or its task cancelled).
    work = asyncio.ensure_future(front.answer(call))
    pending.add(work)
    work.add_done_callback(pending.discard)
    read_timeout = request.extensions.get("timeout", {}).get("read")
    try:
        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow the caller's own
        # cancellation when the answer is ready at that moment, and the caller runs on.
        async with asyncio.timeout(read_timeout):
            reply = await asyncio.shield(work)
    except TimeoutError:
        raise httpx.ReadTimeout("no answer within the read timeout", request=request) from None
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if work.cancelled() and task is not None and not task.cancelling():
            # The fake stopped with the call in hand: a socket would have been closed on it.
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None
        raise
    headers = httpx.Headers({"Server": SERVER_SOFTWARE, "Date": formatdate(usegmt=True)})
    for name, value in reply.headers.items():
        headers[name] = value  # case-insensitive, as aiohttp's: the fake's own Server wins
    return httpx.Response(reply.status, headers=headers, content=reply.text.encode(), request=request)
