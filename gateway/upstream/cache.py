"""`GATEWAY_CACHE_TTL`: upstream GET replies kept across requests, per provider, in-process or in Redis.

The seam is `ReplyCache`: `lookup(key)` answers what is cached and a `Lookup` that stores the
reply fetched on a miss; `clear()` forgets everything (after a write). A lookup stores into the
generation it was read from, so a reply fetched while a write cleared the cache is never served.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

import orjson

from gateway.sized_lru import SizedLru
from gateway.upstream.redis_link import REDIS_ERRORS, RedisLink
from gateway.upstream.replies import Reply

V = TypeVar("V")


class Lookup(Protocol):
    """The outcome of one cache lookup."""

    @property
    def reply(self) -> Reply | None:
        """The cached reply, or None on a miss."""
        ...

    async def store(self, reply: Reply) -> None:
        """Keep `reply` for the key looked up, unless the cache was cleared since the lookup."""
        ...


class ReplyCache(Protocol):
    """Where one provider's cached GET replies live."""

    async def lookup(self, key: str) -> Lookup:
        """What is cached under `key`."""
        ...

    async def clear(self) -> None:
        """Forget everything (after a write: any cached list may now be stale)."""
        ...


#: Memory a decoded JSON reply takes per byte received (measured 4.7 on a Kona list).
MEMORY_PER_REPLY_BYTE = 5
#: A reply over this part of the budget is not cached: it would evict everything else.
LARGEST_SHARE = 8


@dataclass(slots=True)
class TtlCache(Generic[V]):
    """An in-process cache whose entries expire `ttl` seconds after they were stored, bounded by
    entries and by the sizes its values were stored with (least recently used evicted first)."""

    ttl: float
    max_entries: int = 2048
    max_size: int = 64 * 1024 * 1024
    clock: Callable[[], float] = time.monotonic
    generation: int = 0
    _entries: SizedLru[str, tuple[float, V]] = field(init=False)

    def __post_init__(self) -> None:
        self._entries = SizedLru(self.max_entries, self.max_size, self.max_size // LARGEST_SHARE)

    @property
    def size(self) -> int:
        """The sizes of what is kept, added up."""
        return self._entries.size

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> V | None:
        """The value stored under `key`, unless it has expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires <= self.clock():
            self._entries.pop(key)
            return None
        return value

    def put(self, key: str, value: V, size: int, generation: int | None = None) -> None:
        """Store `value` of `size` unless `generation` is given and has passed, or it is too large."""
        if generation is not None and generation != self.generation:
            return
        self._entries.put(key, (self.clock() + self.ttl, value), size)

    def clear(self) -> None:
        """Forget everything and start a new generation."""
        self._entries.clear()
        self.generation += 1


@dataclass(frozen=True, slots=True)
class _LocalLookup:
    cache: TtlCache[Reply]
    key: str
    generation: int
    reply: Reply | None

    async def store(self, reply: Reply) -> None:
        self.cache.put(self.key, reply, MEMORY_PER_REPLY_BYTE * reply.size, self.generation)


class LocalReplyCache:
    """Per process: each replica keeps its own copy, and a write clears only its own."""

    def __init__(self, ttl: float, max_bytes: int = 64 * 1024 * 1024, max_entries: int = 2048) -> None:
        self.entries: TtlCache[Reply] = TtlCache(ttl, max_entries, max_bytes)

    async def lookup(self, key: str) -> Lookup:
        return _LocalLookup(self.entries, key, self.entries.generation, self.entries.get(key))

    async def clear(self) -> None:
        self.entries.clear()


@dataclass(frozen=True, slots=True)
class _RedisLookup:
    cache: RedisReplyCache
    redis_key: str
    reply: Reply | None

    async def store(self, reply: Reply) -> None:
        await self.cache.store(self.redis_key, reply)


class RedisReplyCache:
    """Shared by every replica: `SET event-gateway:{provider}:cache:{generation}:{key} PX ttl`.

    `clear()` is one `INCR` of the provider's generation, which is part of every key: the old
    generation's entries are never read again and expire on their own (no SCAN, no DEL). While
    Redis is unreachable the in-process `fallback` serves, and is cleared by every write so it
    holds nothing stale when it is needed again.
    """

    def __init__(self, link: RedisLink, provider: str, ttl: float, fallback: LocalReplyCache) -> None:
        self.link = link
        self.ttl_ms = max(1, round(ttl * 1000))
        self.fallback = fallback
        self.prefix = f"event-gateway:{provider}:cache:"
        self.generation_key = f"{self.prefix}generation"

    async def lookup(self, key: str) -> Lookup:
        if self.link.usable():
            client = self.link.client
            try:
                generation = int(await client.get(self.generation_key) or 0)
                redis_key = f"{self.prefix}{generation}:{key}"
                raw = await client.get(redis_key)
            except REDIS_ERRORS as error:
                self.link.failed(error, "reading the reply cache")
            else:
                self.link.answered()
                return _RedisLookup(self, redis_key, None if raw is None else _decode(raw))
        return await self.fallback.lookup(key)

    async def store(self, redis_key: str, reply: Reply) -> None:
        """Keep `reply` under a key of the generation its lookup read."""
        if not self.link.usable():
            return
        try:
            await self.link.client.set(redis_key, _encode(reply), px=self.ttl_ms)
        except REDIS_ERRORS as error:
            self.link.failed(error, "storing into the reply cache")
        else:
            self.link.answered()

    async def clear(self) -> None:
        await self.fallback.clear()
        if not self.link.usable():
            return
        try:
            await self.link.client.incr(self.generation_key)
        except REDIS_ERRORS as error:
            self.link.failed(error, "clearing the reply cache")
        else:
            self.link.answered()


def _encode(reply: Reply) -> bytes:
    return orjson.dumps(
        {"status": reply.status, "headers": dict(reply.headers), "data": reply.data, "url": reply.url}
    )


def _decode(raw: bytes | str) -> Reply:
    fields: dict[str, Any] = orjson.loads(raw)
    return Reply(fields["status"], fields["headers"], fields["data"], fields["url"], len(raw))
