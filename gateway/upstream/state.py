"""Where cross-request state lives: `StateFactory` gives each provider its reply cache, connection slots,
and a quota per credential.

In-process by default; with a `RedisLink` (`GATEWAY_REDIS_URL`) in Redis, shared by all replicas,
each backed by its in-process twin for the moments Redis does not answer. A provider's cache and
slots are one per process, whoever's credential calls through them (cache keys carry the
credential's fingerprint, so one caller never reads another's replies, and a write clears them
all); a quota is one per credential, as upstreams count calls per credential.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from gateway.upstream.cache import LocalReplyCache, RedisReplyCache, ReplyCache
from gateway.upstream.quota import LocalQuota, Quota, Rate, RedisQuota
from gateway.upstream.redis_link import RedisLink
from gateway.upstream.token_store import RedisTokenStore

#: The scope of the deployment's own credentials (a caller's is its credential's fingerprint).
SERVICE = "service"


@dataclass(frozen=True, slots=True)
class StateFactory:
    """Builds state objects for one process; `link` set means shared through Redis."""

    link: RedisLink | None = None
    _caches: dict[str, ReplyCache | None] = field(default_factory=dict, compare=False)
    _gates: dict[str, asyncio.Semaphore] = field(default_factory=dict, compare=False)

    def cache(self, provider: str, ttl: float, max_bytes: int = 64 * 1024 * 1024) -> ReplyCache | None:
        """The provider's reply cache (the same one on every call), or None when `ttl` is 0 (off);
        in process it holds at most `max_bytes` of replies."""
        if provider not in self._caches:
            self._caches[provider] = self._new_cache(provider, ttl, max_bytes)
        return self._caches[provider]

    def _new_cache(self, provider: str, ttl: float, max_bytes: int) -> ReplyCache | None:
        if ttl <= 0:
            return None
        local = LocalReplyCache(ttl, max_bytes)
        return local if self.link is None else RedisReplyCache(self.link, provider, ttl, local)

    def gate(self, provider: str, concurrency: int) -> asyncio.Semaphore:
        """The provider's `concurrency` connection slots, shared by every credential that calls it."""
        found = self._gates.get(provider)
        if found is None:
            found = self._gates[provider] = asyncio.Semaphore(concurrency)
        return found

    def quota(self, provider: str, rate: Rate | None, scope: str = SERVICE) -> Quota:
        """One credential's quota of `rate` (calls, seconds); None: only pauses the upstream announces."""
        local = LocalQuota(provider, rate)
        if self.link is None:
            return local
        name = provider if scope == SERVICE else f"{provider}:{scope}"
        return RedisQuota(self.link, name, rate, local, provider=provider)

    def token_store(self, provider: str, who: str, lock_ttl: float) -> RedisTokenStore | None:
        """Where replicas share the access token `who` (a digest of client and refresh token) renews;
        None without Redis (each process then renews its own)."""
        return None if self.link is None else RedisTokenStore(self.link, provider, who, lock_ttl)
