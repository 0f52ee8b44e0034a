"""Shared fixtures: a fresh sandbox and a gateway wired to it, per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.harness import Gateway, Sandbox, running_gateway, running_sandbox, settings_for


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with running_sandbox() as running:
        yield running


@pytest.fixture
async def gateway(sandbox: Sandbox) -> AsyncIterator[Gateway]:
    async with running_gateway(settings_for(sandbox)) as running:
        yield running
