"""Client-side rate limits per provider: the `Quota` seam, in-process (aiolimiter) or shared in Redis.

A quota lets a call through at once, makes it wait up to `max_wait` seconds, or refuses it with
`QuotaExhausted` (UPSTREAM_RATE_LIMITED) before anything is sent. It also remembers a pause the
upstream announced (Strigo's `x-ratelimit-reset`), so no call is made until then.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Protocol

from aiolimiter import AsyncLimiter

from gateway.errors import QuotaExhausted
from gateway.upstream.redis_link import REDIS_ERRORS, RedisLink

#: (calls, seconds): at most `calls` in any `seconds`, as a burst or spread out.
Rate = tuple[float, float]


class Quota(Protocol):
    """One provider's client-side rate limit."""

    async def acquire(self, max_wait: float) -> None:
        """Return when a call may be made (after at most `max_wait` s), or raise `QuotaExhausted`."""
        ...

    async def pause_until(self, epoch: float) -> None:
        """The upstream said its quota is spent until `epoch` (Unix time, seconds)."""
        ...


class LocalQuota:
    """Per process: aiolimiter's leaky bucket (a burst of `calls`, then `calls` per `seconds`)."""

    def __init__(self, provider: str, rate: Rate | None = None) -> None:
        self.provider = provider
        self.limiter = AsyncLimiter(*rate) if rate else None
        self.paused_until = 0.0

    async def acquire(self, max_wait: float) -> None:
        pause = self.paused_until - time.time()
        if pause > max_wait:
            raise QuotaExhausted(self.provider, pause)
        if pause > 0:
            await asyncio.sleep(pause)
        if self.limiter is None:
            return
        try:
            async with asyncio.timeout(max_wait - max(pause, 0.0)):
                await self.limiter.acquire()
        except TimeoutError:
            raise QuotaExhausted(self.provider, None) from None

    async def pause_until(self, epoch: float) -> None:
        self.paused_until = epoch


# GCRA (the generic cell rate algorithm): a token bucket kept as one number, the theoretical
# arrival time (TAT) of the next call if calls came at the steady rate. A call may go at
# TAT + interval - period (so `calls` may go at once into an idle bucket); if that is within
# max_wait it reserves its slot by moving TAT on and is told how long to sleep, else it is
# refused and nothing is stored. One round trip, atomic, and on Redis's clock, so replicas'
# clocks do not matter. Times are integer milliseconds.
_ACQUIRE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local interval, period, max_wait = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local start = math.max(now, tonumber(redis.call('GET', KEYS[2]) or 0))
if interval <= 0 then
  return {start - now <= max_wait and 1 or 0, start - now}
end
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or 0), start) + interval
local wait = math.max(tat - period, start) - now
if wait > max_wait then
  return {0, wait}
end
redis.call('SET', KEYS[1], tat, 'PX', tat - now)
return {1, wait}
"""

_PAUSE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local until_ms = tonumber(ARGV[1])
if until_ms > now and until_ms > tonumber(redis.call('GET', KEYS[1]) or 0) then
  redis.call('SET', KEYS[1], until_ms, 'PX', until_ms - now)
end
return 0
"""


class RedisQuota:
    """Shared by every replica: a GCRA bucket and the announced pause under `event-gateway:{name}:quota:`.

    `name` is the provider's, or `{provider}:{fingerprint}` for a caller's credential (`provider`
    then names the provider in messages). While Redis is unreachable, the in-process `fallback`
    limits this replica alone.
    """

    def __init__(
        self,
        link: RedisLink,
        name: str,
        rate: Rate | None,
        fallback: LocalQuota,
        *,
        provider: str | None = None,
    ) -> None:
        self.link = link
        self.provider = provider or name
        self.fallback = fallback
        if rate:
            calls, seconds = rate
            # Rounded up so that whole-millisecond steps never exceed the rate.
            self.interval_ms, self.period_ms = math.ceil(seconds * 1000 / calls), round(seconds * 1000)
        else:
            self.interval_ms = self.period_ms = 0
        prefix = f"event-gateway:{name}:quota:"
        self.bucket_key, self.pause_key = f"{prefix}bucket", f"{prefix}pause"
        self._acquire = link.client.register_script(_ACQUIRE)
        self._pause = link.client.register_script(_PAUSE)

    async def acquire(self, max_wait: float) -> None:
        if self.link.usable():
            try:
                allowed, wait_ms = await self._acquire(
                    keys=[self.bucket_key, self.pause_key],
                    args=[self.interval_ms, self.period_ms, math.floor(max_wait * 1000)],
                )
            except REDIS_ERRORS as error:
                self.link.failed(error, "taking from the quota")
            else:
                self.link.answered()
                if not allowed:
                    raise QuotaExhausted(self.provider, int(wait_ms) / 1000)
                if wait_ms > 0:
                    await asyncio.sleep(int(wait_ms) / 1000)
                return
        await self.fallback.acquire(max_wait)

    async def pause_until(self, epoch: float) -> None:
        await self.fallback.pause_until(epoch)
        if not self.link.usable():
            return
        try:
            await self._pause(keys=[self.pause_key], args=[math.ceil(epoch * 1000)])
        except REDIS_ERRORS as error:
            self.link.failed(error, "recording a pause of the quota")
        else:
            self.link.answered()
