"""What the process opens once and closes at shutdown: a pooled session and a client per enabled
provider, the Redis link and the live-update hub. Handlers find them in `request.state` (Starlette's
lifespan state)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import TypedDict

import aiohttp
from starlette.applications import Starlette

from gateway.live.hub import Coordination, Hub
from gateway.live.local import LocalCoordination
from gateway.live.redis_coordination import RedisCoordination
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
    #: The `eventChanges` feeds and their pollers.
    live: Hub


def open_hub(settings: Settings, link: RedisLink | None) -> Hub:
    """The live-update hub: coordinated through Redis when there is one, else within this process."""
    coordination: Coordination = (
        LocalCoordination()
        if link is None
        else RedisCoordination(
            link.client, lock_ttl=settings.gateway_poll_lock_ttl, interval=settings.gateway_poll_interval
        )
    )
    return Hub(
        coordination,
        interval=settings.gateway_poll_interval,
        max_subscriptions=settings.gateway_max_subscriptions,
        max_pending=settings.gateway_max_pending_changes,
    )


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
    live = open_hub(settings, link)
    try:
        clients = {
            spec.name: spec.open_client(
                settings, Wiring(settings=settings, session=sessions[spec.name], state=state, secrets=secrets)
            )
            for spec in enabled
        }
        yield {"clients": clients, "redis": link, "live": live}
    finally:
        await live.close()
        for session in sessions.values():
            await session.close()
        if redis is not None:
            await redis.aclose()
