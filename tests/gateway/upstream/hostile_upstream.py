"""A hostile (or broken) upstream for the adversarial tests: a small aiohttp app that answers what
each test scripts: oversized, compression-bomb, malformed, redirecting, credential-echoing,
never-ending, huge and badly-headed replies, or none at all.

A test points one provider's base URL at it (`settings_for(sandbox, kona_base_url=hostile.url(…))`)
and drives the gateway over real HTTP; `received` is what the upstream saw.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web
from aiohttp.test_utils import TestServer

Responder = Callable[[web.Request], Awaitable[web.StreamResponse]]
#: A Kona-style epoch-millisecond start inside the federated tests' window (2026-01-01T00:00Z).
IN_WINDOW_MS = 1_767_225_600_000


@dataclass(frozen=True, slots=True)
class Received:
    """One request as the hostile upstream saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class Hostile:
    """The running app: scripted routes by (method, path), and every request it received."""

    base_url: str = ""
    routes: dict[tuple[str, str], Responder] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)

    def on(self, method: str, path: str, responder: Responder) -> None:
        """Answer `method path` (path without query) with `responder` from now on."""
        self.routes[(method, path)] = responder

    def url(self, path: str = "") -> str:
        """The absolute URL of a path on this upstream."""
        return f"{self.base_url}{path}"

    def calls(self, path: str | None = None) -> list[Received]:
        """The requests received, optionally only those for one path."""
        return [call for call in self.received if path is None or call.path == path]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.received.append(
            Received(
                request.method,
                request.path,
                dict(request.query),
                dict(request.headers),
                await request.read(),
            )
        )
        responder = self.routes.get((request.method, request.path))
        if responder is None:
            return web.json_response({"error": "not scripted"}, status=404)
        return await responder(request)


@asynccontextmanager
async def hostile_upstream() -> AsyncIterator[Hostile]:
    """Serve a `Hostile` app on an ephemeral loopback port."""
    hostile = Hostile()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", hostile._handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    hostile.base_url = str(server.make_url("")).rstrip("/")
    try:
        yield hostile
    finally:
        await server.close()


def json_reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Responder:
    """Always the same JSON answer."""

    async def respond(request: web.Request) -> web.StreamResponse:
        return web.Response(
            body=orjson.dumps(body), status=status, content_type="application/json", headers=headers
        )

    return respond


def in_turn(*responders: Responder) -> Responder:
    """The first request gets the first responder, the next the second…; the last one repeats."""
    served = 0

    async def respond(request: web.Request) -> web.StreamResponse:
        nonlocal served
        responder = responders[min(served, len(responders) - 1)]
        served += 1
        return await responder(request)

    return respond


def _padded_json(key: str, size: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """`{"<key>": [], "pad": "   …   "}`, `size` bytes in all, made a chunk at a time."""
    head, tail = b'{"' + key.encode() + b'": [], "pad": "', b'"}'
    yield head
    left = size - len(head) - len(tail)
    while left > 0:
        step = min(chunk, left)
        yield b" " * step
        left -= step
    yield tail


def oversized(size: int, key: str) -> Responder:
    """Valid JSON of `size` bytes, streamed without a Content-Length (only counting can stop it)."""

    async def respond(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            for part in _padded_json(key, size):
                await response.write(part)
        except (ConnectionError, RuntimeError):
            pass  # the gateway hung up: what this test wants
        return response

    return respond


def gzip_bomb(inflated: int, key: str) -> tuple[Responder, int]:
    """Gzip of valid JSON that inflates to `inflated` bytes; and how many bytes go on the wire."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    body = b"".join(compressor.compress(part) for part in _padded_json(key, inflated)) + compressor.flush()

    async def respond(request: web.Request) -> web.StreamResponse:
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        return web.Response(body=body, headers=headers)

    return respond, len(body)


def redirect(status: int, location: str) -> Responder:
    """A redirect to `location` (same origin or another one)."""

    async def respond(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers={"Location": location})

    return respond


def echo(status: int, render: Callable[[str], Any]) -> Responder:
    """An error whose JSON body quotes the request's `Authorization` header, as `render` spells it."""

    async def respond(request: web.Request) -> web.StreamResponse:
        body = render(request.headers.get("Authorization", ""))
        return web.Response(body=orjson.dumps(body), status=status, content_type="application/json")

    return respond


def hang() -> Responder:
    """Never answer (until the gateway hangs up)."""

    async def respond(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")  # pragma: no cover

    return respond


def kona_event(event_id: int, start_ms: int = IN_WINDOW_MS, **fields: Any) -> dict[str, Any]:
    """A Kona calendar event as Kona's list sends it."""
    ends = start_ms + 3_600_000
    return {"id": event_id, "name": f"Hostile {event_id}", "start_at": start_ms, "end_at": ends} | fields


def endless_kona_pages(pages: int) -> Responder:
    """A Kona list whose every page is full, up to page `pages` (far more than any limit allows)."""

    async def respond(request: web.Request) -> web.StreamResponse:
        number, size = int(request.query.get("page", "1")), int(request.query.get("per_page", "25"))
        if number > pages:
            return web.json_response({"calendar_events": []})
        first = (number - 1) * size
        events = [kona_event(first + index + 1, IN_WINDOW_MS + first + index) for index in range(size)]
        return web.json_response({"calendar_events": events})

    return respond
