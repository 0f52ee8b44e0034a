"""Where cross-request state lives: `StateFactory` gives each provider its reply cache and quota.

In-process by default; with a `RedisLink` (`GATEWAY_REDIS_URL`) in Redis, shared by all replicas,
each backed by its in-process twin for the moments Redis does not answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.upstream.cache import LocalReplyCache, RedisReplyCache, ReplyCache
from gateway.upstream.quota import LocalQuota, Quota, Rate, RedisQuota
from gateway.upstream.redis_link import RedisLink


@dataclass(frozen=True, slots=True)
class StateFactory:
    """Builds state objects for one process; `link` set means shared through Redis."""

    link: RedisLink | None = None

    def cache(self, provider: str, ttl: float) -> ReplyCache | None:
        """The provider's reply cache, or None when `ttl` is 0 (caching off)."""
        if ttl <= 0:
            return None
        local = LocalReplyCache(ttl)
        return local if self.link is None else RedisReplyCache(self.link, provider, ttl, local)

    def quota(self, provider: str, rate: Rate | None) -> Quota:
        """The provider's quota of `rate` (calls, seconds); None: only pauses the upstream announces."""
        local = LocalQuota(provider, rate)
        return local if self.link is None else RedisQuota(self.link, provider, rate, local)
