"""Shared fixtures: a fresh sandbox and a gateway wired to it, per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness import Gateway, Sandbox, running_gateway, running_sandbox, settings_for
from tests.redis_server import REDIS_SERVER, RedisServer


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with running_sandbox() as running:
        yield running


@pytest.fixture
async def gateway(sandbox: Sandbox) -> AsyncIterator[Gateway]:
    async with running_gateway(settings_for(sandbox)) as running:
        yield running


@pytest.fixture
async def redis_server(tmp_path: Path) -> AsyncIterator[RedisServer]:
    """A redis-server of the test's own (replicas share it); skipped where none is installed."""
    if REDIS_SERVER is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing; scripts/test installs it with apt (as root) for CI")
        pytest.skip("redis-server is not installed (scripts/test installs it with apt when run as root)")
    server = RedisServer(tmp_path)
    try:
        await server.start()
        yield server
    finally:
        await server.stop()
