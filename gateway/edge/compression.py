"""Starlette's gzip middleware, without its per-request setup cost.

Its responders normalise the excluded content types again for every request (fifteen string
operations a request, ~5 % of a `{ __typename }`), parse every request header to read one, and
build header objects for every response. Here the types are normalised once, `Accept-Encoding` is
found in the raw headers, and the common answer (a start, then one body smaller than the minimum
size) is passed on as Starlette's responder passes it, from one scan of the response's raw
headers. Every other answer goes to Starlette's responder itself (what is compressed, headers,
threads for large bodies), handed the state it would have reached by then.
"""

from __future__ import annotations

from starlette.middleware.gzip import (
    DEFAULT_EXCLUDED_CONTENT_TYPES,
    GZipMiddleware,
    GZipResponder,
    IdentityResponder,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Content types whose exclusion is remembered (a response names one of a handful).
_MAX_REMEMBERED_TYPES = 64


class Compression(GZipMiddleware):
    """`GZipMiddleware` with its responders' setup done once (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        minimum_size: int = 500,
        compresslevel: int = 9,
        thread_minimum_size: int = 128 * 1024,
        *,
        exclude_content_types: tuple[str, ...] = DEFAULT_EXCLUDED_CONTENT_TYPES,
    ) -> None:
        super().__init__(
            app, minimum_size, compresslevel, thread_minimum_size, exclude_content_types=exclude_content_types
        )
        self._excluded: dict[bytes, bool] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        gzip = _accepts_gzip(scope["headers"])
        start: Message | None = None
        held = False  # the start is held until the body says what is sent
        sent_small = False
        responder: IdentityResponder | None = None

        async def send_compressed(message: Message) -> None:
            nonlocal start, held, sent_small, responder
            if responder is None:
                kind = message["type"]
                if start is None and kind == "http.response.start":
                    message.setdefault("headers", [])
                    if message["status"] != 206 and not self._passed_as_is(message["headers"]):
                        start, held = message, True  # as the responder keeps it
                        return
                elif (
                    held
                    and kind == "http.response.body"
                    and not message.get("more_body", False)
                    and len(message.get("body", b"")) < self.minimum_size
                ):
                    # The responder's "small outgoing response": sent as it is.
                    held, sent_small = False, True
                    await send(start)  # type: ignore[arg-type]  # held: a start was kept
                    await send(message)
                    return
                responder = self._responder(gzip, send, start, sent_small)
            await responder.send_with_compression(message)

        await self.app(scope, receive, send_compressed)

    def _responder(
        self, gzip: bool, send: Send, start: Message | None, sent_small: bool
    ) -> IdentityResponder:
        """Starlette's responder, in the state it would be in after the messages sent so far."""
        responder: IdentityResponder
        if gzip:
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
        responder.send = send
        if start is not None:
            responder.initial_message = start
        responder.started = sent_small
        return responder

    def _passed_as_is(self, headers: list[tuple[bytes, bytes]]) -> bool:
        """Whether the responder sends a response with these headers as it is, from its start: one
        already encoded, or of an excluded content type (the responder's tests, on raw headers)."""
        content_type = None
        for name, value in headers:
            if name == b"content-encoding":
                return True
            if name == b"content-type" and content_type is None:
                content_type = value
        excluded = self._excluded.get(content_type or b"")
        if excluded is None:
            media_type = (content_type or b"").decode("latin-1").partition(";")[0].strip().lower()
            media_types = {media_type, media_type.partition("/")[0] + "/*"}
            if media_type.startswith("application/grpc+"):
                media_types.add("application/grpc")
            excluded = not media_types.isdisjoint(self.exclude_content_types)
            if len(self._excluded) < _MAX_REMEMBERED_TYPES:
                self._excluded[content_type or b""] = excluded
        return excluded


def _accepts_gzip(headers: list[tuple[bytes, bytes]]) -> bool:
    # As Starlette reads it: the first Accept-Encoding header names gzip anywhere.
    for name, value in headers:
        if name.lower() == b"accept-encoding":
            return b"gzip" in value
    return False
