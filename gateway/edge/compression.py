"""Starlette's gzip middleware, without its per-request setup cost.

Its responders normalise the excluded content types again for every request (fifteen string
operations a request, ~5 % of a `{ __typename }`), and it parses every request header to read
one. Here the types are normalised once, and `Accept-Encoding` is found in the raw headers; the
responders themselves (what is compressed, headers, threads for large bodies) are Starlette's.
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware, GZipResponder, IdentityResponder
from starlette.types import Receive, Scope, Send


class Compression(GZipMiddleware):
    """`GZipMiddleware` with its responders' setup done once (see the module docstring)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        responder: IdentityResponder
        if _accepts_gzip(scope["headers"]):
            responder = GZipResponder(
                self.app,
                self.minimum_size,
                compresslevel=self.compresslevel,
                thread_minimum_size=self.thread_minimum_size,
                exclude_content_types=(),
            )
        else:
            responder = IdentityResponder(self.app, self.minimum_size, exclude_content_types=())
        responder.exclude_content_types = self.exclude_content_types  # normalised in __init__
        await responder(scope, receive, send)


def _accepts_gzip(headers: list[tuple[bytes, bytes]]) -> bool:
    # As Starlette reads it: the first Accept-Encoding header names gzip anywhere.
    for name, value in headers:
        if name.lower() == b"accept-encoding":
            return b"gzip" in value
    return False
