"""Reading an HTTP request's body without letting a broken one become a 500.

aiohttp raises while it reads a body that its headers promise but cannot deliver: a
`Content-Encoding: gzip` body that is not gzip, a chunked body cut short. Both fronts
(REST and control API) answer such a request with their own 400, so they read bodies
through here.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError


class _MalformedHttpLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """aiohttp's server logger, minus the traceback for a request that is not valid HTTP.

    aiohttp answers such a request 400 itself and then logs the parser's exception with
    its traceback, as if the fake had crashed: one traceback on stderr per bad request. A
    caller's broken HTTP is logged in one line at INFO; an exception of the fake's own
    code keeps its traceback.
    """

    def exception(self, msg: object, *args: object, exc_info: Any = True, **kwargs: Any) -> None:
        if isinstance(exc_info, HttpProcessingError):
            self.logger.info("%s: %s", str(msg) % args, exc_info.message)
            return
        self.logger.exception(msg, *args, exc_info=exc_info, **kwargs)


#: Server settings of both fronts for requests that go wrong on the caller's side: after
#: answering, close a connection whose body was left unread rather than read the rest of it
#: (aiohttp would otherwise read on after the answer and log the broken body's error as an
#: "Unhandled exception" traceback), and log malformed HTTP without a traceback.
BAD_REQUEST_POLICY: dict[str, Any] = {
    "lingering_time": 0,
    "logger": _MalformedHttpLogger(logging.getLogger("aiohttp.server"), {}),
}


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
