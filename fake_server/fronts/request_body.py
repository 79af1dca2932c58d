"""Reading an HTTP request's body without letting a broken one become a 500.

aiohttp raises while it reads a body that its headers promise but cannot deliver: a
`Content-Encoding: gzip` body that is not gzip, a chunked body cut short. Both fronts
(REST and control API) answer such a request with their own 400, so they read bodies
through here.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

#: Server settings of both fronts: after answering, close a connection whose body was left
#: unread rather than read the rest of it. aiohttp would otherwise read on after the answer
#: and log the broken body's error as an "Unhandled exception" traceback.
UNREAD_BODY_POLICY: dict[str, Any] = {"lingering_time": 0}


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
