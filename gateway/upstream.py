"""The only module that talks HTTP to upstreams: send, sign, time out, retry reads, decode, map errors."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp
import orjson
from yarl import URL

from gateway import metrics
from gateway.cache import ReplyCache
from gateway.errors import (
    BadUserInput,
    GatewayError,
    UpstreamFailure,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnavailable,
    WriteOutcomeUnknown,
)
from gateway.quota import LocalQuota, Quota, Rate
from gateway.replies import Reply, decode, default_error, is_undecodable, plain_headers
from gateway.resilience import CircuitBreaker, Health
from gateway.settings import Settings
from gateway.state import StateFactory

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: Upstream calls made while serving the current GraphQL request (for logs and tests).
calls_in_request: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "calls_in_request", default=None
)
#: The current GraphQL request's id, sent on to upstreams as `X-Request-ID`.
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_request_id", default=None
)


class Auth(Protocol):
    """Signs one attempt of a request; called again for every retry (fresh nonces)."""

    def __call__(self, method: str, url: URL, body: bytes | None) -> Mapping[str, str]: ...


def static_authorization(value: str) -> Auth:
    """Auth that sends the same `Authorization` header on every attempt (bearer and token schemes)."""
    headers = {"Authorization": value}

    def auth(method: str, url: URL, body: bytes | None) -> Mapping[str, str]:
        return headers

    return auth


#: Provider-specific reading of a failed reply; returns None to use the default mapping.
ErrorReader = Callable[[Reply, str], GatewayError | None]


def path(*segments: str | int, trailing_slash: bool = False) -> str:
    """Join path segments, percent-encoding each so no id can reach another path."""
    parts = []
    for segment in segments:
        text = str(segment)
        if not text or set(text) == {"."}:
            # "", "." and ".." would collapse or climb when the URL is normalised.
            raise BadUserInput(f"invalid path segment {text!r}")
        parts.append(quote(text, safe=""))
    return "/".join(parts) + ("/" if trailing_slash else "")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded, jittered retries for reads; waits longer than `max_wait` are not worth a retry."""

    attempts: int = 3
    base_delay: float = 0.1
    max_wait: float = 2.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before attempt `attempt + 1`."""
        if retry_after is not None:
            return retry_after
        return random.uniform(0, self.base_delay * 2**attempt)


@dataclass(frozen=True, slots=True)
class Wiring:
    """What the lifespan hands each provider for its `Upstream`: a pooled session, where state lives.

    Providers pass it to `Upstream.configured` without looking inside.
    """

    session: aiohttp.ClientSession
    state: StateFactory = field(default_factory=StateFactory)


@dataclass(slots=True)
class Upstream:
    """One provider's HTTP endpoint: base URL, pooled session, auth, error dialect and limits."""

    provider: str
    session: aiohttp.ClientSession
    base_url: str
    auth: Auth
    read_error: ErrorReader | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    concurrency: int = 16
    #: GET replies kept across requests; None: not cached.
    cache: ReplyCache | None = None
    #: The client-side rate limit; None: only the pauses the upstream announces, in-process.
    quota: Quota | None = None
    breaker: CircuitBreaker = field(init=False)
    health: Health = field(default_factory=Health)
    _gate: asyncio.Semaphore = field(init=False)
    _quota: Quota = field(init=False)

    breaker_threshold: int = 5
    breaker_reset: float = 30.0

    def __post_init__(self) -> None:
        self._quota = self.quota if self.quota is not None else LocalQuota(self.provider)
        self._gate = asyncio.Semaphore(self.concurrency)
        self.breaker = CircuitBreaker(self.provider, self.breaker_threshold, self.breaker_reset)

    @classmethod
    def configured(
        cls,
        settings: Settings,
        wiring: Wiring,
        *,
        provider: str,
        base_url: str,
        auth: Auth,
        read_error: ErrorReader | None = None,
        rate: Rate | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Upstream:
        """An upstream with the deployment's retries, concurrency, breaker, cache and `rate` (calls, s)."""
        return cls(
            provider=provider,
            session=wiring.session,
            base_url=base_url,
            auth=auth,
            read_error=read_error,
            headers=dict(headers or {}),
            retry=RetryPolicy(attempts=1 + settings.gateway_retries),
            concurrency=settings.gateway_max_concurrency,
            cache=wiring.state.cache(provider, settings.gateway_cache_ttl),
            quota=wiring.state.quota(provider, rate),
            breaker_threshold=settings.gateway_breaker_failures,
            breaker_reset=settings.gateway_breaker_reset,
        )

    def url(self, relative: str, params: Mapping[str, str | int] | None = None) -> URL:
        """The absolute URL of a path relative to the base URL (already percent-encoded)."""
        url = URL(self.base_url.rstrip("/") + "/" + relative.lstrip("/"), encoded=True)
        return url.update_query({k: str(v) for k, v in params.items()}) if params else url

    async def get(self, relative: str, params: Mapping[str, str | int] | None = None) -> Reply:
        """GET a path; retried on connection errors, 5xx and 429."""
        return await self.request("GET", relative, params=params)

    async def request(
        self,
        method: str,
        relative: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        retry_writes: bool = False,
        reads: bool = False,
    ) -> Reply:
        """Send a request and return its successful reply, or raise the mapped `GatewayError`.

        Reads are retried; writes only when `retry_writes` says the upstream de-duplicates them
        (an idempotency key), because a blind retry could create or delete twice. `reads` marks a
        request that changes nothing whatever its method (a batch of GETs sent as a POST).
        """
        url = self.url(relative, params)
        lookup = await self.cache.lookup(str(url)) if self.cache is not None and method == "GET" else None
        if lookup is not None and lookup.reply is not None:
            return lookup.reply
        stale_after = None if reads or method in READ_METHODS else self.cache
        if stale_after is not None:
            await stale_after.clear()  # a write may change what any cached read returned
        try:
            reply = await self._with_retries(method, url, json, headers, retry_writes, reads)
        finally:
            if stale_after is not None:
                # Again once the write is done (or its outcome unknown): a read that ran meanwhile
                # may have stored the old state under the generation the first clear began.
                await stale_after.clear()
        if lookup is not None:
            await lookup.store(reply)
        return reply

    async def _with_retries(
        self,
        method: str,
        url: URL,
        json: Any,
        headers: Mapping[str, str] | None,
        retry_writes: bool,
        reads: bool,
    ) -> Reply:
        body = None if json is None else orjson.dumps(json)
        is_read = reads or method in READ_METHODS
        attempts = self.retry.attempts if is_read or retry_writes else 1
        for attempt in range(attempts):
            try:
                return await self._attempt(method, url, body, headers, is_read)
            except UpstreamFailure as error:
                if not _worth_retrying(error, retry_writes) or attempt == attempts - 1:
                    raise
                wait = self.retry.delay(attempt, getattr(error, "retry_after", None))
                if wait > self.retry.max_wait:
                    raise
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(
        self, method: str, url: URL, body: bytes | None, extra: Mapping[str, str] | None, is_read: bool
    ) -> Reply:
        if self.breaker.open:
            self.breaker.before_call()  # fails fast, before spending quota or waiting for it
        # A quota refusal sends nothing, so it must not count against the breaker (or its probe).
        await self._respect_quota()
        self.breaker.before_call()
        healthy = False
        try:
            reply = await self._send(method, url, body, extra, is_read)
            healthy = reply.status < 500
        finally:
            self._record(healthy)
        await self._note_quota(reply)
        if reply.status >= 400:
            error = self._error(reply, method)
            self.health.last_error_code, self.health.last_error_message = error.code, error.message
            self.health.last_error_at = time.time()
            raise error
        if is_undecodable(reply.data):
            raise UpstreamFailure(f"{self.provider} sent a reply that is not JSON", provider=self.provider)
        return reply

    async def _send(
        self, method: str, url: URL, body: bytes | None, extra: Mapping[str, str] | None, is_read: bool
    ) -> Reply:
        headers = {"Accept": "application/json", **self.headers, **(extra or {})}
        if body is not None:
            headers["Content-Type"] = "application/json"
        request_id = current_request_id.get()
        if request_id:
            headers["X-Request-ID"] = request_id
        headers.update(self.auth(method, url, body))
        calls = calls_in_request.get()
        if calls is not None:
            calls.append(f"{self.provider} {method}")
        started = time.perf_counter()
        status = "error"
        try:
            async with self._gate, self.session.request(method, url, data=body, headers=headers) as response:
                raw = await response.read()
                status = str(response.status)
                return Reply(response.status, plain_headers(response.headers), decode(raw), str(url))
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            status = "timeout"
            raise self._lost(method, is_read, "did not answer in time") from exc
        except aiohttp.ClientConnectorError as exc:
            status = "unreachable"
            # Nothing was sent, so even a write is safe to report as plainly unavailable.
            raise UpstreamUnavailable(f"{self.provider} cannot be reached", provider=self.provider) from exc
        except aiohttp.ClientError as exc:
            status = "broken"
            raise self._lost(method, is_read, "closed the connection before answering") from exc
        finally:
            metrics.UPSTREAM_CALLS.labels(self.provider, method, status).inc()
            metrics.UPSTREAM_SECONDS.labels(self.provider, method).observe(time.perf_counter() - started)

    def _lost(self, method: str, is_read: bool, what: str) -> UpstreamFailure:
        if is_read:
            if "time" in what:
                return UpstreamTimeout(f"{self.provider} {what}", provider=self.provider)
            return UpstreamFailure(f"{self.provider} {what}", provider=self.provider)
        return WriteOutcomeUnknown(
            f"{method} was sent to {self.provider}, which {what}: the change may or may not have been "
            "applied. Read the object before trying again.",
            provider=self.provider,
        )

    def _record(self, healthy: bool) -> None:
        self.health.calls += 1
        if healthy:
            self.breaker.succeeded()
            self.health.last_success_at = time.time()
        else:
            self.breaker.failed()
            self.health.failures += 1

    async def _respect_quota(self) -> None:
        started = time.perf_counter()
        try:
            await self._quota.acquire(self.retry.max_wait)
        finally:
            waited = time.perf_counter() - started
            if waited > 0.001:
                metrics.RATE_LIMIT_WAIT_SECONDS.labels(self.provider).observe(waited)

    async def _note_quota(self, reply: Reply) -> None:
        # Strigo (and others) announce their quota in x-ratelimit-* headers: once it is spent,
        # wait for the reset instead of collecting 429s.
        remaining, reset = reply.headers.get("x-ratelimit-remaining"), reply.headers.get("x-ratelimit-reset")
        if remaining == "0" and reset is not None:
            with contextlib.suppress(ValueError):
                until = float(reset)
                if math.isfinite(until):
                    await self._quota.pause_until(until)

    def _error(self, reply: Reply, method: str) -> GatewayError:
        if self.read_error is not None:
            specific = self.read_error(reply, method)
            if specific is not None:
                specific.provider = specific.provider or self.provider
                return specific
        return default_error(self.provider, reply)


def _worth_retrying(error: GatewayError, idempotent_write: bool) -> bool:
    # Exact types on purpose: a timed-out read is not retried (the timeout is the caller's latency
    # bound), nor is an open breaker (CircuitOpen: waiting out a backoff would only add latency),
    # nor the gateway's own quota (QuotaExhausted: it already waited as long as it may).
    # A write whose answer was lost is retried only when the upstream de-duplicates it by key.
    if idempotent_write and isinstance(error, WriteOutcomeUnknown):
        return True
    return type(error) in (UpstreamFailure, UpstreamUnavailable, UpstreamRateLimited)
