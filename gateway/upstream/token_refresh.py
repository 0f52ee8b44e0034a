"""A bearer token that renews itself: before it runs out, and once when the upstream refuses it.

One renewal at a time per process: concurrent calls that find the token due (or refused) wait for
the same renewal, which runs in a task of its own so that a caller who goes away cannot cancel it
for the others. With a `RedisTokenStore`, replicas share the token and one renewal at a time across
all of them: a replica first looks for a newer token another one published, then takes the lock
and asks the token endpoint, or waits for the token the lock's holder publishes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from yarl import URL

from gateway.errors import GatewayError, UpstreamUnavailable
from gateway.upstream.oauth2 import RefreshGrant, Token, unknown_expiry
from gateway.upstream.redaction import Redactor
from gateway.upstream.token_store import RedisTokenStore, identity
from gateway.upstream.wiring import Wiring

log = logging.getLogger("gateway.oauth2")

#: After a failed early renewal, the token still valid, wait this long before trying again.
RETRY_AFTER_FAILURE = 10.0
#: Rounds of "wait for the lock's holder, then try the lock again" before giving up.
LOCK_ROUNDS = 3


class RefreshingBearer:
    """`Authorization: Bearer <token>` from a refresh token; `Auth` and `Renewable` for `Upstream`."""

    def __init__(
        self,
        grant: RefreshGrant,
        refresh_token: str,
        *,
        initial: str | None = None,
        store: RedisTokenStore | None = None,
        lock_ttl: float = 15.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.grant = grant
        self.refresh_token = refresh_token
        self.store = store
        self.lock_ttl = lock_ttl
        self.clock = clock
        self.token: Token | None = unknown_expiry(initial) if initial else None
        self._renewal: asyncio.Task[Token] | None = None
        self._not_before = 0.0

    def __call__(self, method: str, url: URL, body: bytes | None) -> Mapping[str, str]:
        if self.token is None:  # `ready()` runs first, so this is a caller's bug
            raise UpstreamUnavailable("no access token yet", provider=self.grant.provider)
        return {"Authorization": f"Bearer {self.token.access_token}"}

    async def ready(self) -> None:
        """Renew first when there is no token, or it is due (and no recent renewal just failed)."""
        now = self.clock()
        token = self.token
        if token is not None and (not token.due(now) or now < self._not_before):
            return
        try:
            await self._renewed(None)
        except GatewayError:
            if token is None or token.expired(self.clock()):
                raise
            # Renewed early and failed: the token still works, so use it and try again later.
            self._not_before = self.clock() + RETRY_AFTER_FAILURE
            log.warning(
                "renewing %s's access token failed; the current one is used meanwhile", self.grant.provider
            )

    async def renew(self, rejected: Mapping[str, str]) -> bool:
        """After a 401: a new token (or the one another call already got) is worth one more attempt."""
        sent = rejected.get("Authorization", "").removeprefix("Bearer ")
        if self.token is not None and self.token.access_token != sent:
            return True  # renewed meanwhile by another call
        await self._renewed(sent)
        return True

    async def _renewed(self, rejected: str | None) -> Token:
        if self._renewal is None or self._renewal.done():
            self._renewal = asyncio.ensure_future(self._renew(rejected))
            self._renewal.add_done_callback(_retrieve)
        # Shielded: a caller that goes away stops waiting, but the others still get the token.
        return await asyncio.shield(self._renewal)

    async def _renew(self, rejected: str | None) -> Token:
        if self.store is None:
            return self._adopt(await self.grant(self._refresh_token()))
        shared = await self.store.current()
        if shared is not None and self._usable(shared, rejected):
            return self._adopt(shared)
        loop = asyncio.get_running_loop()
        for _ in range(LOCK_ROUNDS):
            async with self.store.lock() as mine:
                if mine:
                    # Again under the lock: its last holder may have published just before releasing it.
                    shared = await self.store.current()
                    if shared is not None and self._usable(shared, rejected):
                        return self._adopt(shared)
                    token = await self.grant(self._refresh_token(shared))
                    await self.store.publish(token)
                    return self._adopt(token)
            waited = await self.store.wait_for(rejected, loop.time() + self.lock_ttl)
            if waited is not None:
                return self._adopt(waited)
        title = self.grant.provider.capitalize()
        raise UpstreamUnavailable(
            f"{title}'s access token is being renewed by another replica and did not arrive",
            provider=self.grant.provider,
        )

    def _usable(self, token: Token, rejected: str | None) -> bool:
        return token.access_token != rejected and not token.due(self.clock())

    def _refresh_token(self, shared: Token | None = None) -> str:
        # An endpoint that rotates refresh tokens sends a new one with each token: the newest wins.
        for token in (shared, self.token):
            if token is not None and token.refresh_token:
                return token.refresh_token
        return self.refresh_token

    def _adopt(self, token: Token) -> Token:
        renewed = self.token is None or token.access_token != self.token.access_token
        self.token = token
        self._not_before = 0.0
        if renewed:
            log.info(
                "%s access token renewed, valid for %.0f s",
                self.grant.provider.capitalize(),
                token.expires_at - self.clock(),
            )
        return token


def renewing_bearer(
    wiring: Wiring,
    *,
    provider: str,
    token_url: str,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    access_token: str = "",
) -> RefreshingBearer:
    """A provider's renewing token on the lifespan's wiring: its session, its timeout, and the token
    shared through Redis when there is one (`access_token`, if given, is used until refused)."""
    settings = wiring.settings
    grant = RefreshGrant(
        provider=provider,
        session=wiring.session,
        token_url=token_url,
        client_id=client_id,
        client_secret=client_secret,
        timeout=settings.gateway_upstream_timeout,
        redactor=wiring.redactor or Redactor([*wiring.secrets, client_secret, refresh_token]),
    )
    # A holder that died releases the lock after the longest a token call may take, and a little.
    lock_ttl = settings.gateway_upstream_timeout + 5.0
    store = wiring.state.token_store(provider, identity(client_id, refresh_token), lock_ttl)
    return RefreshingBearer(
        grant, refresh_token, initial=access_token or None, store=store, lock_ttl=lock_ttl
    )


def _retrieve(task: asyncio.Task[Any]) -> None:
    # Nobody may be waiting any more when a renewal fails: its error is read, not left to be logged.
    if not task.cancelled():
        task.exception()
