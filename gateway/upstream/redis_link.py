"""`GATEWAY_REDIS_URL`: the process's one Redis client, and when to fall back to in-process state.

Redis holds state shared by replicas (reply cache, quotas) but is never needed to serve: when a
command fails, the caller uses its in-process state for that call, Redis is left alone for
`retry_after` seconds, and a warning is logged at most once per `warn_every` seconds.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Literal

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

log = logging.getLogger("gateway.redis")

#: What a failed Redis call raises: its own errors, and OS errors from TLS or DNS below it.
REDIS_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)

#: Seconds to wait for Redis. It sits next to the gateway and answers in well under a millisecond,
#: so anything slower is treated as unreachable rather than added to every request's latency.
TIMEOUT = 0.5


def open_redis(url: str) -> Redis:
    """A client for `url` (no I/O yet); options in the URL's query string override these defaults."""
    # One quick reconnect covers a pooled connection that went stale (e.g. Redis restarted);
    # redis-py's default of ten backed-off retries would stall requests while Redis is down.
    return Redis.from_url(
        url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT, retry=Retry(NoBackoff(), 1)
    )


class RedisLink:
    """The shared client and whether it answers: users ask `usable()`, then report `answered`/`failed`."""

    def __init__(
        self,
        client: Redis,
        *,
        retry_after: float = 5.0,
        warn_every: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.retry_after = retry_after
        self.warn_every = warn_every
        self.clock = clock
        self._down = False
        self._skip_until = -math.inf
        self._warned_at = -math.inf

    @property
    def state(self) -> Literal["ok", "unreachable"]:
        """How the last call (or check) went: what `/readyz` reports."""
        return "unreachable" if self._down else "ok"

    def usable(self) -> bool:
        """Whether to try Redis now; False for `retry_after` seconds after a failure."""
        return self.clock() >= self._skip_until

    def answered(self) -> None:
        """A command succeeded."""
        if self._down:
            self._down = False
            log.info("Redis answers again: cache and quotas are shared again")

    def failed(self, error: Exception, doing: str) -> None:
        """A command failed: the caller falls back to in-process state."""
        now = self.clock()
        self._down = True
        self._skip_until = now + self.retry_after
        if now - self._warned_at >= self.warn_every:
            self._warned_at = now
            log.warning(
                "Redis is unreachable (%s while %s): cache and quotas fall back to per-process state",
                type(error).__name__,
                doing,
            )

    async def check(self) -> Literal["ok", "unreachable"]:
        """Ping unless a recent failure says not to try yet; the resulting `state`."""
        if self.usable():
            try:
                await self.client.ping()
            except REDIS_ERRORS as error:
                self.failed(error, "checking readiness")
            else:
                self.answered()
        return self.state
