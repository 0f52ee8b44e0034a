"""What the process opens once and closes at shutdown: a pooled session per provider it serves, a
client per provider with the deployment's credentials, the directory of callers' clients, the Redis
link and the live-update hub. Handlers find them in `request.state` (Starlette's lifespan state)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import TypedDict

import aiohttp
from starlette.applications import Starlette

from gateway.edge.heap import settle_after_startup
from gateway.live.hub import Coordination, Hub
from gateway.live.local import LocalCoordination
from gateway.live.redis_coordination import RedisCoordination
from gateway.providers.base import AnySpec, ProviderClient, deployment_secrets
from gateway.request.credentials import CallerHeaders, Fingerprints
from gateway.request.directory import ClientDirectory
from gateway.settings import Settings
from gateway.upstream.redaction import Redactor
from gateway.upstream.redis_link import RedisLink, open_redis
from gateway.upstream.state import StateFactory
from gateway.upstream.wiring import Wiring

log = logging.getLogger("gateway.lifespan")


class Resources(TypedDict):
    """The lifespan state every request sees as `request.state`."""

    #: The client of each provider with the deployment's own credentials, by name.
    clients: dict[str, ProviderClient]
    #: Which client serves each request (the deployment's, or one per caller credential).
    directory: ClientDirectory
    #: Reads the callers' credential headers.
    caller_headers: CallerHeaders
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
        max_feeds=settings.gateway_max_live_feeds,
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
        # An upstream's cookies must not ride along on the next caller's request (and a jar would
        # look them up for every call).
        cookie_jar=aiohttp.DummyCookieJar(),
    )


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[Resources]:
    """Open what `app.state.providers` need with `app.state.settings`; close it all at the end."""
    settings: Settings = app.state.settings
    specs: Sequence[AnySpec] = app.state.providers
    mode = settings.gateway_credentials
    enabled = [spec for spec in specs if mode != "caller" and spec.is_enabled(settings)]
    for_callers = [spec for spec in specs if mode != "service" and spec.accepts_callers(settings)]
    if for_callers and not settings.gateway_api_keys:
        log.warning(
            "GATEWAY_CREDENTIALS=%s without GATEWAY_API_KEYS: anyone who reaches the gateway may use "
            "it with credentials of their own",
            mode,
        )
    secrets = deployment_secrets(settings, specs)
    redis = open_redis(settings.gateway_redis_url) if settings.gateway_redis_url else None
    link = RedisLink(redis) if redis is not None else None
    state = StateFactory(link)
    redactor = Redactor(secrets)
    needed = {spec.name for spec in (*enabled, *for_callers)}
    sessions = {spec.name: open_session(settings) for spec in specs if spec.name in needed}
    live = open_hub(settings, link)
    try:
        wiring = {
            name: Wiring(settings=settings, session=session, state=state, secrets=secrets, redactor=redactor)
            for name, session in sessions.items()
        }
        clients = {spec.name: spec.open_client(settings, wiring[spec.name]) for spec in enabled}
        resources: Resources = {
            "clients": clients,
            "directory": ClientDirectory(settings, specs, clients, wiring),
            "caller_headers": CallerHeaders(settings, specs, Fingerprints.for_settings(settings)),
            "redis": link,
            "live": live,
        }
        settle_after_startup()  # everything above lives as long as the process
        yield resources
    finally:
        await live.close()
        for session in sessions.values():
            await session.close()
        if redis is not None:
            await redis.aclose()
