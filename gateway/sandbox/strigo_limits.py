"""Strigo emulator rate limit: express-rate-limit's fixed one-minute windows, headers and plain-text 429."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Middleware

from gateway.sandbox.recorder import Handler
from gateway.sandbox.strigo_http import bearer

TOO_MANY_REQUESTS: Final = "Too many requests, please try again later."


@dataclass(frozen=True, slots=True)
class RateStatus:
    """Where one request stands in its rate-limit window."""

    limit: int
    remaining: int
    reset: int
    allowed: bool

    def headers(self) -> dict[str, str]:
        """The headers Strigo (express-rate-limit) puts on every response."""
        return {
            "x-powered-by": "Express",
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(self.reset),
        }


@dataclass(slots=True)
class RateLimiter:
    """Fixed one-minute windows of `limit` requests per key."""

    limit: int
    clock: Callable[[], float]
    windows: dict[str, tuple[int, int]] = field(default_factory=dict)

    def hit(self, key: str) -> RateStatus:
        """Count one request for `key` and say whether it may proceed."""
        minute = int(self.clock() // 60)
        start, hits = self.windows.get(key, (minute, 0))
        hits = hits + 1 if start == minute else 1
        self.windows[key] = (minute, hits)
        return RateStatus(
            limit=self.limit,
            remaining=max(self.limit - hits, 0),
            reset=(minute + 1) * 60,
            allowed=hits <= self.limit,
        )


def _too_many(status: RateStatus) -> web.Response:
    # intro.md: the 429 is Express's plain-text default, not the JSON envelope.
    response = web.Response(
        status=429,
        text=TOO_MANY_REQUESTS,
        content_type="text/html",
        charset="utf-8",
        headers=status.headers(),
    )
    response.headers["retry-after"] = "60"
    return response


def rate_limit_middleware(limiter: RateLimiter) -> Middleware:
    """Count every request per org and stamp the rate-limit headers on every answer."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        token = bearer(request)
        key = token.partition(":")[0] if token else (request.remote or "anonymous")
        status = limiter.hit(key)
        if not status.allowed:
            return _too_many(status)
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            exc.headers.update(status.headers())
            raise
        response.headers.update(status.headers())
        return response

    return middleware
