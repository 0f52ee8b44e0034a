"""`create_app(settings)`: the Starlette app, its lifespan (one pooled session per provider) and routes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

import aiohttp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.graphql import GatewayGraphQL, MaskUnexpectedErrors
from gateway.providers.base import ProviderSpec
from gateway.settings import Settings


def open_session(settings: Settings) -> aiohttp.ClientSession:
    """A pooled aiohttp session with the configured connect and total timeouts."""
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(
            total=settings.gateway_upstream_timeout, connect=settings.gateway_connect_timeout
        ),
        connector=aiohttp.TCPConnector(limit=settings.gateway_max_concurrency * 4, ttl_dns_cache=300),
        raise_for_status=False,
    )


def create_app(settings: Settings | None = None, providers: Sequence[ProviderSpec[Any]] | None = None) -> Starlette:
    """The gateway as an ASGI app; `providers` defaults to the registry."""
    from resolvers.registry import PROVIDERS
    from schema.build import build_schema

    settings = settings or Settings()
    specs = list(providers) if providers is not None else [api.spec for api in PROVIDERS]
    enabled = [spec for spec in specs if spec.is_enabled(settings)]
    schema = build_schema(extensions=[MaskUnexpectedErrors])

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        sessions = {spec.name: open_session(settings) for spec in enabled}
        try:
            clients = {spec.name: spec.open(settings, sessions[spec.name]) for spec in enabled}
            yield {"clients": clients, "settings": settings}
        finally:
            for session in sessions.values():
                await session.close()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    graphql = GatewayGraphQL(schema, settings=settings)
    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/graphql", graphql, methods=["GET", "POST"]),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.enabled = [spec.name for spec in enabled]
    return app
