"""Test harness: the sandbox on a real loopback port and the real ASGI app driven over HTTP."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
from aiohttp import web
from aiohttp.test_utils import TestServer
from asgi_lifespan import LifespanManager

from gateway.app import create_app
from gateway.sandbox.emulators import emulator
from gateway.sandbox.recorder import CallLog, Fault, RecordedCall
from gateway.sandbox.server import create_sandbox, sandbox_env
from gateway.settings import Settings
from resolvers.registry import NAMES


@dataclass
class Sandbox:
    """The emulators on 127.0.0.1, with the log of what they received."""

    log: CallLog
    base_url: str

    def calls(self, provider: str) -> list[RecordedCall]:
        """What one provider's emulator received, in order."""
        return self.log.of(provider)

    def fault(self, provider: str, **fault: Any) -> None:
        """Inject a fault into one provider's emulator."""
        self.log.faults[provider] = Fault(**fault)


@asynccontextmanager
async def running_sandbox(
    apps: Mapping[str, Callable[[CallLog], web.Application]] | None = None,
) -> AsyncIterator[Sandbox]:
    """Serve every registered emulator on an ephemeral loopback port (`apps`: some built otherwise)."""
    log = CallLog()
    server = TestServer(create_sandbox(NAMES, log, apps), host="127.0.0.1")
    await server.start_server()
    try:
        yield Sandbox(log=log, base_url=str(server.make_url("")).rstrip("/"))
    finally:
        await server.close()


def misbehaving(
    provider: str,
    pattern: str,
    *,
    status: int | None = 500,
    delay: float = 0.0,
    when: Callable[[], bool] = lambda: True,
) -> Callable[[CallLog], web.Application]:
    """The provider's emulator (for `running_sandbox(apps)`), except that a GET whose path matches
    `pattern` waits `delay` s and is answered `status` (None: as the emulator answers it) while
    `when()` holds."""
    expression = re.compile(pattern)

    def create_app(log: CallLog) -> web.Application:
        app = emulator(provider).create_app(log)

        @web.middleware
        async def misbehave(request: web.Request, handler: Any) -> web.StreamResponse:
            if request.method == "GET" and expression.search(request.path) and when():
                await asyncio.sleep(delay)
                if status is not None:
                    return web.json_response({"error": "refused by the test"}, status=status)
            return cast(web.StreamResponse, await handler(request))

        app.middlewares.append(misbehave)
        return app

    return create_app


def settings_for(sandbox: Sandbox, **overrides: Any) -> Settings:
    """Settings wired to the sandbox; keyword overrides use the field names (`gateway_api_keys=…`)."""
    env = sandbox_env(NAMES, sandbox.base_url)
    values: dict[str, Any] = {key.lower(): value for key, value in env.items()}
    values.update(overrides)
    return Settings.from_values(values)


@dataclass
class Gateway:
    """An HTTP client on the real ASGI app (lifespan running)."""

    http: httpx.AsyncClient
    #: What the app's lifespan opened (`clients`, …): for a test that must reach inside, e.g. a clock.
    resources: Mapping[str, Any] = field(default_factory=dict)

    async def query(
        self, query: str, variables: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """POST a GraphQL request and return the decoded response body."""
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
        )
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """POST a GraphQL request that must succeed without errors; return its `data`."""
        body = await self.query(query, variables, headers)
        assert "errors" not in body, body.get("errors")
        data: dict[str, Any] = body["data"]
        return data


@asynccontextmanager
async def running_gateway(
    settings: Settings, providers: Sequence[Any] | None = None
) -> AsyncIterator[Gateway]:
    """The gateway app with its lifespan, reached through httpx's ASGI transport."""
    app = create_app(settings, providers)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
            yield Gateway(http, manager._state)
