"""Reading an HTTP request's body without letting a broken one become a 500.

aiohttp raises while it reads a body that its headers promise but cannot deliver: a
`Content-Encoding: gzip` body that is not gzip, a chunked body cut short. Both fronts
(REST and control API) answer such a request with their own 400, so they read bodies
through here.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError


class UnreadableBody(Exception):
    """The body could not be read as sent; the message says why."""


async def read_body(request: web.Request) -> bytes:
    """The request's body as bytes, or UnreadableBody.

    Too large a body still raises aiohttp's own 413 (an `HTTPException`, which both fronts
    answer as such).
    """
    try:
        return await request.read()
    except (RequestPayloadError, HttpProcessingError) as exc:
        raise UnreadableBody(str(exc).replace("\n", " ").strip()) from None
