"""uvicorn's HTTP/1.1 protocol with limits on what a client may hold before its request runs.

uvicorn (httptools) waits forever for a request's head and buffers it whatever its size: 300
connections trickling headers stayed open indefinitely, and 40 requests with 10 MB of headers
each took 400 MB. `GuardedHttpToolsProtocol` gives every head a deadline (408 and close), a size
(431 and close), and refuses connections beyond uvicorn's `limit_concurrency` at once (503 and
close) instead of reading their heads first. `server_config` wires it from the settings.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import orjson
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from gateway.errors import ErrorCode
from gateway.settings import Settings


@dataclass(frozen=True, slots=True)
class HeadLimits:
    """How large a request's head (request line and headers) may be, and how long it may take."""

    max_bytes: int = 65_536
    timeout: float = 10.0


class GatewayServerConfig(uvicorn.Config):
    """uvicorn's `Config` carrying the head limits to the protocol (and, pickled, to each worker)."""

    def __init__(self, app: Any, *, head_limits: HeadLimits, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.head_limits = head_limits


def server_config(app: Any, settings: Settings, **kwargs: Any) -> GatewayServerConfig:
    """uvicorn's configuration for serving `app` (an ASGI app, or an import string with
    `factory=True`) with the gateway's connection limits; `kwargs` go to `uvicorn.Config`."""
    return GatewayServerConfig(
        app,
        head_limits=HeadLimits(settings.gateway_max_header_bytes, settings.gateway_header_timeout),
        http=GuardedHttpToolsProtocol,
        limit_concurrency=settings.gateway_max_connections,
        **kwargs,
    )


#: How long a refused connection still reads (and discards) what the client is sending.
LINGER_SECONDS = 2.0


class _HeadTooLarge(Exception):
    """Raised inside a parser callback to stop parsing a head past its size limit."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` with a deadline and a size limit on each request head, and connections
    beyond `limit_concurrency` refused before anything is read."""

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.head_limits = config.head_limits if isinstance(config, GatewayServerConfig) else HeadLimits()
        self._head_timer: asyncio.TimerHandle | None = None
        #: Whether a head is awaited or arriving: from the connection or a request's first byte
        #: until its headers are complete.
        self._reading_head = True
        #: Bytes received since the last head completed, counted while one is incomplete: what
        #: httptools may be buffering, give or take the one read a request began in.
        self._head_received = 0
        #: Bytes of the head as parsed so far (URL, names and values).
        self._head_parsed = 0
        #: Set once the connection was answered and is closing: what still arrives is discarded.
        self._refused = False
        self._linger: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if self.limit_concurrency is not None and len(self.connections) >= self.limit_concurrency:
            # Any request on it would get 503 anyway: say so now, before its head costs anything.
            self.transport = transport
            self._refuse(503, "the gateway is at its connection limit; try again shortly")
            return
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        if self._linger is not None:
            self._linger.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._reading_head:
            self._head_received += len(data)
        super().data_received(data)
        # Counted after parsing: a chunk that completes a head may carry a large body after it.
        if self._reading_head and self._head_received > self.head_limits.max_bytes:
            self._refuse_head(431, self._too_large_message())

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_head = True
        self._head_parsed = 0
        if self._head_timer is None:
            self._arm_head_timer()

    def on_url(self, url: bytes) -> None:
        self._count_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_head(len(name) + len(value) + 4)  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._cancel_head_timer()
        self._reading_head = False
        self._head_received = 0
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        # uvicorn answers every parser error with 400; a head stopped for its size is a 431.
        if self._head_parsed > self.head_limits.max_bytes:
            self._refuse_head(431, self._too_large_message())
        else:
            super().send_400_response(msg)

    def _count_head(self, size: int) -> None:
        self._head_parsed += size
        if self._head_parsed > self.head_limits.max_bytes:
            raise _HeadTooLarge

    def _too_large_message(self) -> str:
        return f"the request's headers exceed {self.head_limits.max_bytes} bytes"

    def _arm_head_timer(self) -> None:
        self._head_timer = self.loop.call_later(self.head_limits.timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined head waits behind a running request: close once its response is sent.
            self.cycle.keep_alive = False
            return
        if self._head_received or self._head_parsed:
            self._refuse_head(408, f"the request's head did not arrive within {self.head_limits.timeout:g} s")
        else:
            self.transport.close()  # nothing was asked: an idle connection just ends

    def _refuse_head(self, status: int, message: str) -> None:
        self._cancel_head_timer()
        self._reading_head = False
        self._refuse(status, message)

    def _refuse(self, status: int, message: str) -> None:
        """Answer and end the connection. Its read side stays open a moment, discarding: closing
        with unread data would reset the connection, and the client might lose the answer."""
        if self._refused or self.transport.is_closing():
            return
        self._refused = True
        self.transport.write(_response(status, message))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._linger = self.loop.call_later(LINGER_SECONDS, self.transport.close)


_REASONS = {408: "Request Timeout", 431: "Request Header Fields Too Large", 503: "Service Unavailable"}


def _response(status: int, message: str) -> bytes:
    """A complete HTTP/1.1 response that closes the connection: a JSON GraphQL error, or plain
    text for 503 (as uvicorn's own answer beyond `limit_concurrency`)."""
    if status == 503:
        body, media_type = f"{message}\n".encode(), b"text/plain; charset=utf-8"
    else:
        error = {"message": message, "extensions": {"code": ErrorCode.BAD_REQUEST.value}}
        body, media_type = orjson.dumps({"errors": [error]}), b"application/json"
    head = (
        f"HTTP/1.1 {status} {_REASONS[status]}\r\n".encode()
        + b"content-type: "
        + media_type
        + f"\r\ncontent-length: {len(body)}\r\nconnection: close\r\n\r\n".encode()
    )
    return head + body
