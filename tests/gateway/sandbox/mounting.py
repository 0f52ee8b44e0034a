"""Serving one emulator the way the sandbox server mounts it, for the emulators' own tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

Client = TestClient[web.Request, web.Application]


@asynccontextmanager
async def mounted(prefix: str, app: web.Application) -> AsyncIterator[Client]:
    """A test client on `app` mounted at `prefix`, so absolute URLs it builds carry the prefix."""
    root = web.Application()
    root.add_subapp(prefix, app)
    async with TestClient(TestServer(root)) as client:
        yield client
