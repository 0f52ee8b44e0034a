"""The hostile upstream, per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.gateway.upstream.hostile_upstream import Hostile, hostile_upstream


@pytest.fixture
async def hostile() -> AsyncIterator[Hostile]:
    async with hostile_upstream() as running:
        yield running
