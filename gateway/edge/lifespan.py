"""What the process opens once and closes at shutdown: a pooled session and a client per enabled
provider, and the Redis link. Handlers find them in `request.state` (Starlette's lifespan state)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import TypedDict

import aiohttp
from starlette.applications import Starlette

from gateway.providers.base import AnySpec, ProviderClient, deployment_secrets
from gateway.settings import Settings
from gateway.upstream.endpoint import Wiring
from gateway.upstream.redis_link import RedisLink, open_redis
from gateway.upstream.state import StateFactory


class Resources(TypedDict):
    """The lifespan state every request sees as `request.state`."""

    #: The open client of each enabled provider, by name.
    clients: dict[str, ProviderClient]
    #: The shared Redis, when `GATEWAY_REDIS_URL` is set.
    redis: RedisLink | None


def open_session(settings: Settings) -> aiohttp.ClientSession:
    """A pooled aiohttp session with the configured connect and total timeouts."""
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(
            total=settings.gateway_upstream_timeout, connect=settings.gateway_connect_timeout
        ),
        connector=aiohttp.TCPConnector(limit=settings.gateway_max_concurrency * 4, ttl_dns_cache=300),
        raise_for_status=False,
    )


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[Resources]:
    """Open each enabled one of `app.state.providers` with `app.state.settings`; close all at the end."""
    settings: Settings = app.state.settings
    specs: Sequence[AnySpec] = app.state.providers
    enabled = [spec for spec in specs if spec.is_enabled(settings)]
    secrets = deployment_secrets(settings, specs)
    redis = open_redis(settings.gateway_redis_url) if settings.gateway_redis_url else None
    link = RedisLink(redis) if redis is not None else None
    state = StateFactory(link)
    sessions = {spec.name: open_session(settings) for spec in enabled}
    try:
        clients = {
            spec.name: spec.open_client(
                settings, Wiring(settings=settings, session=sessions[spec.name], state=state, secrets=secrets)
            )
            for spec in enabled
        }
        yield {"clients": clients, "redis": link}
    finally:
        for session in sessions.values():
            await session.close()
        if redis is not None:
            await redis.aclose()
