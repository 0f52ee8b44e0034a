"""`create_app(settings)`: the Starlette app, its lifespan (pooled sessions, the Redis client) and routes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import aiohttp
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.extensions import DisableIntrospection, SchemaExtension

from gateway.edge.observability import RequestLog
from gateway.edge.playground import assets_mount
from gateway.edge.security import ApiKeyMiddleware, BodyLimitMiddleware
from gateway.edge.view import GatewayGraphQL, MaskUnexpectedErrors
from gateway.execution import compiled_execution_context
from gateway.metrics import REGISTRY
from gateway.providers.base import ProviderSpec
from gateway.query_limits.guard import DocumentLimits, query_guard
from gateway.settings import Settings
from gateway.upstream.endpoint import Wiring
from gateway.upstream.redis_link import RedisLink, open_redis
from gateway.upstream.state import StateFactory


def open_session(settings: Settings) -> aiohttp.ClientSession:
    """A pooled aiohttp session with the configured connect and total timeouts."""
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(
            total=settings.gateway_upstream_timeout, connect=settings.gateway_connect_timeout
        ),
        connector=aiohttp.TCPConnector(limit=settings.gateway_max_concurrency * 4, ttl_dns_cache=300),
        raise_for_status=False,
    )


def schema_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """The extensions every operation runs through, as factories (one instance per request)."""
    limits = DocumentLimits(
        max_depth=settings.gateway_max_depth,
        max_cost=settings.gateway_max_cost,
        max_aliases=settings.gateway_max_aliases,
        max_length=settings.gateway_max_query_length,
        max_tokens=settings.gateway_max_query_tokens,
    )
    # The guard parses (cached), checks the limits, validates (cached) and re-checks the cost
    # with the request's variables: see gateway/query_limits/guard.py.
    extensions: list[Callable[[], SchemaExtension]] = [RequestLog, MaskUnexpectedErrors, query_guard(limits)]
    if not settings.gateway_introspection:
        extensions.append(DisableIntrospection)
    return extensions


def create_app(
    settings: Settings | None = None, providers: Sequence[ProviderSpec[Any]] | None = None
) -> Starlette:
    """The gateway as an ASGI app; `providers` defaults to the registry."""
    from resolvers.registry import PROVIDERS
    from schema.build import build_schema

    settings = settings or Settings()
    specs = list(providers) if providers is not None else [api.spec for api in PROVIDERS]
    enabled = [spec for spec in specs if spec.is_enabled(settings)]
    compiled = compiled_execution_context() if settings.gateway_compiled_execution else None
    schema = build_schema(extensions=schema_extensions(settings), execution_context_class=compiled)
    clients: dict[str, Any] = {}
    shared: dict[str, RedisLink] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        redis = open_redis(settings.gateway_redis_url) if settings.gateway_redis_url else None
        link = RedisLink(redis) if redis is not None else None
        state = StateFactory(link)
        sessions = {spec.name: open_session(settings) for spec in enabled}
        try:
            for spec in enabled:
                clients[spec.name] = spec.open(settings, Wiring(sessions[spec.name], state))
            if link is not None:
                shared["redis"] = link
            yield {"clients": clients, "settings": settings}
        finally:
            clients.clear()
            shared.clear()
            for session in sessions.values():
                await session.close()
            if redis is not None:
                await redis.aclose()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        # Redis is reported but never makes the replica unready: without it, state is per process.
        reachable = {name: await link.check() for name, link in shared.items()}
        tripped = sorted(name for name, client in clients.items() if client.upstream.breaker.open)
        if tripped:
            unready = {"status": "unavailable", "reason": "circuit breaker open", "providers": tripped}
            return JSONResponse(unready | reachable, 503)
        return JSONResponse({"status": "ready", "providers": sorted(clients)} | reachable)

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    graphql = GatewayGraphQL(schema, settings=settings)
    middleware = [
        Middleware(BodyLimitMiddleware, limit=settings.gateway_max_body_bytes),
        Middleware(
            CORSMiddleware,
            allow_origins=settings.gateway_cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key", "X-Request-ID"],
            expose_headers=["X-Request-ID"],
            max_age=600,
        ),
        Middleware(ApiKeyMiddleware, keys=[key.get_secret_value() for key in settings.gateway_api_keys]),
    ]
    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            # Every method reaches the view, so that a refused one is a JSON GraphQL error (405) too.
            Route("/graphql", graphql),
            assets_mount(),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
