"""Where replicas share an OAuth 2 access token: in Redis, with a lock so only one renews it at a time.

`event-gateway:{provider}:token:{identity}` holds the current token (expiring with it) and
`…:lock` the renewal lock (`SET NX PX`, released only by its holder): whoever holds it asks the
token endpoint, the others wait for the token it publishes. The lock's time to live bounds how long
a holder that died can keep the others waiting. `identity` is a digest of the client id and refresh
token, so a changed configuration never reads the old account's token.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import secrets
import time
from collections.abc import AsyncIterator

from gateway.upstream.oauth2 import Token
from gateway.upstream.redis_link import REDIS_ERRORS, RedisLink

#: Seconds between two looks at Redis while another replica renews the token.
POLL = 0.05

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def identity(*parts: str) -> str:
    """A short digest naming one OAuth client and refresh token (not reversible to either)."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


class RedisTokenStore:
    """The token every replica uses, and the lock that lets one of them renew it."""

    def __init__(self, link: RedisLink, provider: str, who: str, lock_ttl: float) -> None:
        self.link = link
        self.key = f"event-gateway:{provider}:token:{who}"
        self.lock_key = f"{self.key}:lock"
        self.lock_ttl_ms = max(1, round(lock_ttl * 1000))
        self._release = link.client.register_script(_RELEASE)

    async def current(self) -> Token | None:
        """The token replicas share, if any (None too while Redis does not answer)."""
        if not self.link.usable():
            return None
        try:
            raw = await self.link.client.get(self.key)
        except REDIS_ERRORS as error:
            self.link.failed(error, "reading the shared access token")
            return None
        self.link.answered()
        return None if raw is None else Token.from_json(raw)

    async def publish(self, token: Token) -> None:
        """Share `token` until it expires."""
        ttl_ms = round((token.expires_at - time.time()) * 1000)
        if ttl_ms <= 0 or not self.link.usable():
            return
        try:
            await self.link.client.set(self.key, token.to_json(), px=ttl_ms)
        except REDIS_ERRORS as error:
            self.link.failed(error, "sharing the access token")
        else:
            self.link.answered()

    @contextlib.asynccontextmanager
    async def lock(self) -> AsyncIterator[bool]:
        """Try to take the renewal lock: yields whether this replica may renew (True also when Redis
        does not answer, as then each replica renews on its own)."""
        if not self.link.usable():
            yield True
            return
        mine = secrets.token_hex(16)
        try:
            held = bool(await self.link.client.set(self.lock_key, mine, nx=True, px=self.lock_ttl_ms))
        except REDIS_ERRORS as error:
            self.link.failed(error, "taking the token renewal lock")
            yield True
            return
        self.link.answered()
        try:
            yield held
        finally:
            if held:
                await self._unlock(mine)

    async def _unlock(self, mine: str) -> None:
        try:
            await self._release(keys=[self.lock_key], args=[mine])
        except REDIS_ERRORS as error:
            self.link.failed(error, "releasing the token renewal lock")  # it expires on its own

    async def wait_for(self, rejected: str | None, deadline: float) -> Token | None:
        """The token another replica publishes (one other than `rejected`, not yet due), waiting until
        `deadline` (event-loop time) at most."""
        loop = asyncio.get_running_loop()
        while loop.time() < deadline:
            await asyncio.sleep(POLL)
            found = await self.current()
            if found is not None and found.access_token != rejected and not found.due(time.time()):
                return found
        return None
