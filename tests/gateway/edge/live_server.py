"""An ASGI app served by a real uvicorn on a free loopback port, inside the test's own event loop.

For what `httpx.ASGITransport` cannot show: a client that really disconnects, and WebSockets.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from functools import partial

import uvicorn
from starlette.types import ASGIApp

from gateway.edge.http_protocol import server_config
from gateway.settings import Settings


class _Server(uvicorn.Server):
    """uvicorn that leaves the test runner's signal handlers alone."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serving(app: ASGIApp, settings: Settings | None = None) -> AsyncIterator[str]:
    """Serve `app` (lifespan included) on 127.0.0.1; yields its base URL, e.g. `http://127.0.0.1:41234`.
    With `settings`, as `event-gateway serve` does: the gateway's HTTP protocol and connection limits."""
    config = (uvicorn.Config if settings is None else partial(server_config, settings=settings))(
        app,
        host="127.0.0.1",
        port=0,
        lifespan="on",
        ws="websockets-sansio",
        log_config=None,
        access_log=False,
        # A request still running at the end of a test (a regression under test) must not hold the
        # test up: shutdown cancels it after this grace.
        timeout_graceful_shutdown=5,
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
