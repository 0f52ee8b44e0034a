"""The Starlette app: its routes (health, readiness, metrics, GraphQL, the iCalendar feed, GraphiQL's
assets) and middleware.

Handlers are module-level: what they need of the process comes from `request.state` (the
lifespan's `Resources`), nothing from a closure.
"""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from gateway.edge.calendar_feed import calendar_feed
from gateway.edge.compression import Compression
from gateway.edge.cors import GatewayCORS
from gateway.edge.lane import GraphQLLane
from gateway.edge.lifespan import lifespan
from gateway.edge.playground import assets_mount
from gateway.edge.prepared import PreparedOperations
from gateway.edge.security import GRAPHQL_PATH, ApiKeyMiddleware, BodyLimitMiddleware
from gateway.edge.view import GatewayGraphQL
from gateway.feed.links import FEED_PATH
from gateway.metrics import REGISTRY
from gateway.providers.base import AnySpec, ProviderClient
from gateway.request.directory import ClientDirectory
from gateway.settings import Settings
from gateway.upstream.redis_link import RedisLink


class FixedResponse:
    """An ASGI app answering every request with the same response, encoded once."""

    def __init__(self, body: bytes, media_type: str, status: int = 200) -> None:
        self.status = status
        self.body = body
        self.headers = (
            (b"content-length", str(len(body)).encode()),
            (b"content-type", media_type.encode()),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # A fresh header list each time: outer middleware (CORS, compression) add to it in place.
        await send({"type": "http.response.start", "status": self.status, "headers": list(self.headers)})
        await send({"type": "http.response.body", "body": self.body})


#: Liveness: 200 while the process serves.
healthz = FixedResponse(b'{"status":"ok"}', "application/json")


async def readyz(request: Request) -> JSONResponse:
    """Readiness: 503 while the breaker of a provider's *deployment* credentials is open; Redis is
    reported, never required.

    Callers' own credentials have breakers of their own, which never make a replica unready: one
    open says that one credential's calls fail, and sending that caller to another replica would
    not help it (nor may one caller take replicas out of service for everyone else).
    """
    clients: dict[str, ProviderClient] = request.state.clients
    directory: ClientDirectory = request.state.directory
    link: RedisLink | None = request.state.redis
    # Without Redis, state is per process: reported, but never a reason to take the replica out.
    reachable = {"redis": await link.check()} if link is not None else {}
    tripped = sorted(name for name, client in clients.items() if client.upstream.breaker.open)
    if tripped:
        unready = {"status": "unavailable", "reason": "circuit breaker open", "providers": tripped}
        return JSONResponse(unready | reachable, 503)
    ready = {"status": "ready", "providers": sorted(directory.served), "credentials": directory.mode}
    return JSONResponse(ready | reachable)


async def metrics(request: Request) -> Response:
    """Prometheus text format."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


#: Responses this large or larger are compressed when the caller accepts gzip.
COMPRESS_MIN_BYTES = 1024


def middleware(settings: Settings, providers: Sequence[AnySpec]) -> list[Middleware]:
    """Compression, body limit, CORS, caller keys and the GraphQL lane, outermost first."""
    # Browsers may send the providers' credential headers only where callers may bring them.
    credential_headers = [
        spec.caller.name
        for spec in providers
        if spec.caller is not None and settings.gateway_credentials != "service"
    ]
    return [
        # Starlette's GZipMiddleware (pure ASGI), set up once per app. Level 1, nginx's default:
        # a 38 KB page of 100 events takes 77 µs to 7.2 KB, where level 6 takes 219 µs to 6.5 KB
        # (bench/README.md); the gateway is CPU-bound long before its network is. Bodies past
        # 128 KiB are compressed off the event loop.
        Middleware(Compression, minimum_size=COMPRESS_MIN_BYTES, compresslevel=1),
        Middleware(BodyLimitMiddleware, limit=settings.gateway_max_body_bytes),
        Middleware(
            GatewayCORS,
            allow_origins=settings.gateway_cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=[*settings.gateway_cors_allow_headers, *credential_headers],
            allow_credentials=settings.gateway_cors_credentials,
            expose_headers=["X-Request-ID"],
            max_age=600,
        ),
        Middleware(ApiKeyMiddleware, keys=[key.get_secret_value() for key in settings.gateway_api_keys]),
        # Innermost: `POST /graphql` past Starlette's exception middleware and router (see lane.py).
        Middleware(GraphQLLane, path=GRAPHQL_PATH),
    ]


def starlette_app(
    settings: Settings, schema: strawberry.Schema, providers: Sequence[AnySpec], prepared: PreparedOperations
) -> Starlette:
    """The gateway's ASGI app serving `schema`, with a client for each enabled one of `providers`;
    `prepared` holds the operations that may skip `Schema.execute` (its recorder is among the
    schema's extensions)."""
    view = GatewayGraphQL(schema, settings=settings, prepared=prepared)
    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            # Every method reaches the view, so that a refused one is a JSON GraphQL error (405) too.
            Route("/graphql", view),
            WebSocketRoute("/graphql", view),
            Route(FEED_PATH, calendar_feed, methods=["GET"]),
            assets_mount(),
        ],
        middleware=middleware(settings, providers),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.providers = tuple(providers)
    app.state.schema = schema
    app.state.prepared = prepared
    return app
