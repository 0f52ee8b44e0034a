"""OAuth 2 access tokens from a refresh token (RFC 6749 §6): one call to the token endpoint, and what
its answer may be trusted for.

The token endpoint is an upstream like any other, so nothing it sends is believed as is: the reply
is read only up to `MAX_TOKEN_REPLY` bytes, an access token must be one header-safe word, and
`expires_in` is clamped to `MIN_LIFETIME … MAX_LIFETIME` (a hostile or broken endpoint that says 0,
-1, 1e308 or "soon" can neither make every request refresh nor keep a token forever). Its error
bodies (RFC 6749 §5.2) become messages only after redaction, and its successful body is never
passed on anywhere.
"""

from __future__ import annotations

import logging
import math
import re
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

from gateway import metrics
from gateway.errors import (
    GatewayError,
    UpstreamFailure,
    UpstreamTimeout,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)
from gateway.upstream.redaction import Redactor

log = logging.getLogger("gateway.oauth2")

#: Lifetimes an `expires_in` is clamped to: a token is used at least this long and at most this long.
MIN_LIFETIME = 10.0
MAX_LIFETIME = 30 * 24 * 3600.0
#: What a token without `expires_in` is taken to last (RFC 6749 only recommends sending it).
DEFAULT_LIFETIME = 3600.0
#: A token is renewed once this share of its lifetime has passed, but at most `MAX_EARLY` s early.
RENEW_AT = 0.9
MAX_EARLY = 300.0
#: Of a token endpoint's reply the gateway reads this much; a token reply is a few hundred bytes.
MAX_TOKEN_REPLY = 64 * 1024
#: A token goes into an `Authorization` header: visible ASCII, no spaces, of a sane length.
_TOKEN = re.compile(r"[\x21-\x7e]{1,4096}")
#: RFC 6749 §5.2 codes that mean the gateway's client or refresh token is refused, not a failure.
_REFUSALS = frozenset({"invalid_grant", "invalid_client", "unauthorized_client", "invalid_scope"})


@dataclass(frozen=True, slots=True)
class Token:
    """An access token, when to renew it and when it runs out (Unix times), and the refresh token
    that renews it (None: the configured one)."""

    access_token: str
    renew_at: float
    expires_at: float
    refresh_token: str | None = None

    def due(self, now: float) -> bool:
        """Whether it is time to renew it."""
        return now >= self.renew_at

    def expired(self, now: float) -> bool:
        """Whether it can no longer be used at all."""
        return now >= self.expires_at

    def to_json(self) -> bytes:
        """What replicas share of it (in Redis)."""
        return orjson.dumps(
            {
                "access_token": self.access_token,
                "renew_at": self.renew_at,
                "expires_at": self.expires_at,
                "refresh_token": self.refresh_token,
            }
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> Token | None:
        """A token another replica shared, or None when the stored value is not one."""
        try:
            data = orjson.loads(raw)
            token = cls(
                str(data["access_token"]),
                float(data["renew_at"]),
                float(data["expires_at"]),
                None if data.get("refresh_token") is None else str(data["refresh_token"]),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None
        return token if _TOKEN.fullmatch(token.access_token) else None


def unknown_expiry(access_token: str) -> Token:
    """A token given in the settings: how long it lasts is unknown, so it is used until refused."""
    return Token(access_token, math.inf, math.inf)


def lifetime(expires_in: Any) -> float:
    """`expires_in` in seconds, clamped; `DEFAULT_LIFETIME` when absent or not a finite number."""
    if isinstance(expires_in, str) and re.fullmatch(r"\s*\d{1,12}(\.\d{1,6})?\s*", expires_in):
        expires_in = float(expires_in)
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
        return DEFAULT_LIFETIME
    if not math.isfinite(expires_in):
        return DEFAULT_LIFETIME
    return min(max(float(expires_in), MIN_LIFETIME), MAX_LIFETIME)


def token_from_reply(data: Any, now: float) -> Token:
    """The token in a successful token-endpoint reply; `UpstreamFailure` when there is none to trust."""
    if not isinstance(data, dict):
        raise ValueError("the reply is not a JSON object")
    access_token = data.get("access_token")
    if not isinstance(access_token, str) or not _TOKEN.fullmatch(access_token):
        raise ValueError("the reply has no usable access_token")
    token_type = data.get("token_type")
    if token_type is not None and str(token_type).lower() != "bearer":
        raise ValueError("the token is not a bearer token")
    refresh_token = data.get("refresh_token")
    if refresh_token is not None and (
        not isinstance(refresh_token, str) or not _TOKEN.fullmatch(refresh_token)
    ):
        refresh_token = None  # keep the one that worked
    seconds = lifetime(data.get("expires_in"))
    early = min(seconds * (1 - RENEW_AT), MAX_EARLY)
    return Token(access_token, now + seconds - early, now + seconds, refresh_token)


@dataclass(frozen=True, slots=True, kw_only=True)
class RefreshGrant:
    """The `refresh_token` grant of one OAuth 2 client at one token endpoint.

    Client id and secret go in the form body (RFC 6749 §2.3.1), as Kona's documented calls send
    them. `redactor` knows the client secret and refresh token, for messages built from replies.
    """

    provider: str
    session: aiohttp.ClientSession
    token_url: str
    client_id: str
    client_secret: str
    timeout: float
    redactor: Redactor

    async def __call__(self, refresh_token: str) -> Token:
        """A new access token; the mapped `GatewayError` when the endpoint does not give one."""
        outcome = "failed"
        try:
            token = await self._request(refresh_token)
            outcome = "ok"
            return token
        except UpstreamUnauthorized:
            outcome = "refused"
            raise
        finally:
            metrics.TOKEN_REFRESHES.labels(self.provider, outcome).inc()

    async def _request(self, refresh_token: str) -> Token:
        title = self.provider.capitalize()
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }
        try:
            async with self.session.post(
                self.token_url,
                data=form,
                headers={"Accept": "application/json"},
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                status = response.status
                raw = await response.content.read(MAX_TOKEN_REPLY + 1)
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise UpstreamTimeout(
                f"{title}'s token endpoint did not answer in time", provider=self.provider
            ) from exc
        except aiohttp.ClientError as exc:
            raise UpstreamUnavailable(
                f"{title}'s token endpoint cannot be reached", provider=self.provider
            ) from exc
        if len(raw) > MAX_TOKEN_REPLY:
            raise UpstreamFailure(f"{title}'s token endpoint sent an oversized reply", provider=self.provider)
        try:
            data = orjson.loads(raw) if raw.strip() else None
        except orjson.JSONDecodeError:
            data = None
        if status != 200:
            raise self._refusal(status, data)
        try:
            return token_from_reply(data, time.time())
        except ValueError as error:
            raise UpstreamFailure(
                f"{title}'s token endpoint answered without a token the gateway can use: {error}",
                provider=self.provider,
            ) from None

    def _refusal(self, status: int, data: Any) -> GatewayError:
        title = self.provider.capitalize()
        code = str(data.get("error", ""))[:64] if isinstance(data, dict) else ""
        described = str(data.get("error_description", ""))[:300] if isinstance(data, dict) else ""
        detail = self.redactor.text(f"{code}: {described}" if described else code)
        suffix = f" ({detail})" if detail else ""
        if code in _REFUSALS or status == 401:
            return UpstreamUnauthorized(
                f"{title} refused the gateway's refresh token or client credentials{suffix}: "
                f"check {self.provider.upper()}_CLIENT_ID, _CLIENT_SECRET and _REFRESH_TOKEN",
                provider=self.provider,
            )
        return UpstreamFailure(
            f"{title}'s token endpoint failed with HTTP {status}{suffix}", provider=self.provider
        )
