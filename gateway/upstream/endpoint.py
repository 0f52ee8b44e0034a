"""The only module that talks HTTP to upstreams: send, sign, time out, retry reads, read bounded
bodies, redact, decode, map errors."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson
from yarl import URL

from gateway import metrics
from gateway.errors import (
    BadUserInput,
    GatewayError,
    UpstreamTimeout,
    UpstreamUnavailable,
    WriteOutcomeUnknown,
)
from gateway.upstream.auth import Auth, Renewable, StaticAuthorization
from gateway.upstream.budget import CallBudget
from gateway.upstream.cache import ReplyCache
from gateway.upstream.inflight import finish_even_if_cancelled
from gateway.upstream.quota import LocalQuota, Quota, Rate
from gateway.upstream.redaction import Redactor
from gateway.upstream.replies import Reply, announced_pause
from gateway.upstream.reply_reader import ErrorReader, ReplyReader
from gateway.upstream.resilience import CircuitBreaker, Health
from gateway.upstream.retries import RetryPolicy, worth_retrying
from gateway.upstream.state import SERVICE
from gateway.upstream.wiring import Wiring

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: The current GraphQL request's upstream calls: what it sent, and the budget it may still spend.
calls_in_request: contextvars.ContextVar[CallBudget | None] = contextvars.ContextVar(
    "calls_in_request", default=None
)
#: The current GraphQL request's id, sent on to upstreams as `X-Request-ID`.
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_request_id", default=None
)


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
    #: Seconds one attempt may take, from asking for a connection to the last byte of the reply.
    timeout: float = 10.0
    #: Bytes of one reply after decompression; items in one list; pages of one list.
    max_reply_bytes: int = 16_000_000
    max_reply_items: int = 10_000
    max_pages: int = 20
    #: Takes every credential out of what comes back.
    redactor: Redactor = field(default_factory=Redactor)
    #: GET replies kept across requests; None: not cached.
    cache: ReplyCache | None = None
    #: The client-side rate limit; None: only the pauses the upstream announces, in-process.
    quota: Quota | None = None
    #: Whose credential signs the calls: `service`, or a caller credential's fingerprint. Cache
    #: entries are kept under it, so one credential never reads what another's calls fetched.
    scope: str = SERVICE
    #: Connection slots shared with the provider's other credentials; None: `concurrency` of its own.
    gate: asyncio.Semaphore | None = None
    breaker: CircuitBreaker = field(init=False)
    health: Health = field(default_factory=Health)
    reader: ReplyReader = field(init=False)
    _gate: asyncio.Semaphore = field(init=False)
    _quota: Quota = field(init=False)
    #: `auth` when it renews itself, found once: `isinstance` with a runtime-checkable protocol
    #: costs about as much as the rest of signing a call.
    _renewable: Renewable | None = field(init=False)

    breaker_threshold: int = 5
    breaker_reset: float = 1.0

    def __post_init__(self) -> None:
        self._quota = self.quota if self.quota is not None else LocalQuota(self.provider)
        self._gate = self.gate if self.gate is not None else asyncio.Semaphore(self.concurrency)
        caller = self.scope != SERVICE
        self.breaker = CircuitBreaker(
            self.provider, self.breaker_threshold, self.breaker_reset, caller=caller
        )
        self.reader = ReplyReader(self.provider, self.redactor, self.max_reply_bytes, self.read_error)
        self._renewable = self.auth if isinstance(self.auth, Renewable) else None

    @classmethod
    def configured(
        cls,
        wiring: Wiring,
        *,
        provider: str,
        base_url: str,
        auth: Auth,
        read_error: ErrorReader | None = None,
        rate: Rate | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Upstream:
        """An upstream with the deployment's retries, limits, breaker, cache and `rate` (calls, s).

        `auth` signs with the deployment's own credential; on a caller's wiring (`Wiring.for_caller`)
        the caller's credential signs instead, and gets a quota and breaker of its own.
        """
        settings = wiring.settings
        caller = wiring.caller
        scope = SERVICE if caller is None else caller.scope
        if caller is not None:
            auth = caller.auth
        sent = [auth.value] if isinstance(auth, StaticAuthorization) else []
        deployment = wiring.redactor if wiring.redactor is not None else Redactor(wiring.secrets)
        return cls(
            provider=provider,
            session=wiring.session,
            base_url=base_url,
            auth=auth,
            read_error=read_error,
            headers=dict(headers or {}),
            retry=RetryPolicy(attempts=1 + settings.gateway_retries),
            concurrency=settings.gateway_max_concurrency,
            timeout=settings.gateway_upstream_timeout,
            max_reply_bytes=settings.gateway_max_reply_bytes,
            max_reply_items=settings.gateway_max_reply_items,
            max_pages=settings.gateway_max_pages,
            redactor=deployment.with_secrets([*sent, *(caller.secrets if caller else ())]),
            cache=wiring.state.cache(provider, settings.gateway_cache_ttl, settings.gateway_cache_max_bytes),
            quota=wiring.state.quota(provider, rate, scope),
            scope=scope,
            gate=wiring.state.gate(provider, settings.gateway_max_concurrency),
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
        if reads or method in READ_METHODS:
            return await self._read(method, url, json, headers, reads)
        # Once sent, a write runs to its end even if the request that asked for it goes away.
        return await finish_even_if_cancelled(self._write(method, url, json, headers, retry_writes))

    async def _read(
        self, method: str, url: URL, json: Any, headers: Mapping[str, str] | None, reads: bool
    ) -> Reply:
        key = f"{self.scope} {url}"
        lookup = await self.cache.lookup(key) if self.cache is not None and method == "GET" else None
        if lookup is not None and lookup.reply is not None:
            return lookup.reply
        reply = await self._with_retries(method, url, json, headers, False, reads)
        if lookup is not None:
            await lookup.store(reply)
        return reply

    async def _write(
        self, method: str, url: URL, json: Any, headers: Mapping[str, str] | None, retry_writes: bool
    ) -> Reply:
        if self.cache is not None:
            await self.cache.clear()  # a write may change what any cached read returned, any caller's
        try:
            return await self._with_retries(method, url, json, headers, retry_writes, False)
        finally:
            if self.cache is not None:
                # Again once the write is done (or its outcome unknown): a read that ran meanwhile
                # may have stored the old state under the generation the first clear began.
                await self.cache.clear()

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
        # Once one attempt of a write was sent and got no answer, the write may have happened:
        # whatever later attempts meet (a 409, a 429, a refusal), that stays the answer.
        maybe_applied = False
        for attempt in range(attempts):
            try:
                return await self._attempt(method, url, body, headers, is_read)
            except GatewayError as error:
                maybe_applied = maybe_applied or isinstance(error, WriteOutcomeUnknown)
                wait = None
                if attempt < attempts - 1 and worth_retrying(error, retry_writes):
                    wait = self.retry.delay(attempt, getattr(error, "retry_after", None))
                if wait is None or wait > self.retry.max_wait:
                    if maybe_applied and not isinstance(error, WriteOutcomeUnknown):
                        raise self.reader.unknown_after(method, error) from error
                    raise
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(
        self, method: str, url: URL, body: bytes | None, extra: Mapping[str, str] | None, is_read: bool
    ) -> Reply:
        reply, signed = await self._call(method, url, body, extra, is_read)
        if reply.status == 401 and self._renewable is not None and await self._renewable.renew(signed):
            # Refused before anything happened, so even a write may go once more, with the new credential.
            reply, signed = await self._call(method, url, body, extra, is_read)
        error = self.reader.failure(reply, method, is_read)
        if error is not None:
            self.health.last_error_code, self.health.last_error_message = error.code.value, error.message
            self.health.last_error_at = time.time()
            raise error
        return reply

    async def _call(
        self, method: str, url: URL, body: bytes | None, extra: Mapping[str, str] | None, is_read: bool
    ) -> tuple[Reply, Mapping[str, str]]:
        """One call: the breaker, the budget and the quota let it go, then it is signed and sent."""
        if self.breaker.open:
            self.breaker.before_call()  # fails fast, before spending budget, quota or a connection
        budget = calls_in_request.get()
        if budget is not None:
            budget.charge(self.provider)
        # A quota refusal sends nothing, so it must not count against the breaker (or its probe).
        # The quota bounds its own wait (`RetryPolicy.max_wait`).
        await self._respect_quota()
        if self._renewable is not None:
            # A token about to run out is renewed before the call, not after a 401.
            await self._renewable.ready()
        signed = self.auth(method, url, body)
        # One deadline for the rest: waiting for a free connection counts against the timeout
        # just as the upstream's own slowness does.
        deadline = asyncio.get_running_loop().time() + self.timeout
        async with self._connection(deadline):
            # Again now that a connection is free: the breaker may have opened while this call
            # queued behind failing ones, and then it must not follow them.
            self.breaker.before_call()
            healthy = False
            try:
                reply = await self._send(method, url, body, extra, signed, is_read, deadline)
                # A plain 500 to a write is the upstream answering, about that write: its input may be
                # what broke it, and any caller could then send a few to open the breaker for all.
                # Reads (and 502-504, timeouts, resets) still say whether the provider is healthy.
                healthy = reply.status < 500 or (reply.status == 500 and not is_read)
            finally:
                # Before the connection is released, so the next queued call sees this outcome.
                self._record(healthy)
        await self._note_quota(reply)
        return reply, signed

    @contextlib.asynccontextmanager
    async def _connection(self, deadline: float) -> AsyncIterator[None]:
        """One of the provider's `concurrency` slots, waited for until `deadline` at most."""
        try:
            async with asyncio.timeout_at(deadline):
                await self._gate.acquire()
        except TimeoutError:
            raise UpstreamTimeout(
                f"{self.provider} is busy: no connection came free within {self.timeout:g} s "
                "(nothing was sent)",
                provider=self.provider,
            ) from None
        try:
            yield
        finally:
            self._gate.release()

    async def _send(
        self,
        method: str,
        url: URL,
        body: bytes | None,
        extra: Mapping[str, str] | None,
        signed: Mapping[str, str],
        is_read: bool,
        deadline: float,
    ) -> Reply:
        headers = {"Accept": "application/json", **self.headers, **(extra or {})}
        if body is not None:
            headers["Content-Type"] = "application/json"
        request_id = current_request_id.get()
        if request_id:
            headers["X-Request-ID"] = request_id
        headers.update(signed)
        # A static credential is known to the redactor already; one signed per request (an OAuth
        # 1.0a signature, a renewed token) is added for this reply only.
        sent = signed.get("Authorization")
        redactor = (
            None if isinstance(self.auth, StaticAuthorization) or not sent else self.redactor.also(sent)
        )
        budget = calls_in_request.get()
        if budget is not None:
            budget.record(f"{self.provider} {method}")
        started = time.perf_counter()
        status = "error"
        try:
            async with (
                asyncio.timeout_at(deadline),
                # Never follow a redirect: it would carry the path, the request id and (on 307/308)
                # the body to wherever the upstream points, and answer a write with another object.
                self.session.request(
                    method, url, data=body, headers=headers, allow_redirects=False
                ) as response,
            ):
                status = str(response.status)
                return await self.reader.read(response, str(url), redactor)
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            status = "timeout"
            raise self.reader.lost(method, is_read, "did not answer in time") from exc
        except aiohttp.ClientConnectorError as exc:
            status = "unreachable"
            # Nothing was sent, so even a write is safe to report as plainly unavailable.
            raise UpstreamUnavailable(f"{self.provider} cannot be reached", provider=self.provider) from exc
        except aiohttp.ClientError as exc:
            status = "broken"
            raise self.reader.lost(method, is_read, "closed the connection before answering") from exc
        finally:
            metrics.upstream_calls(self.provider, method, status).inc()
            metrics.upstream_seconds(self.provider, method).observe(time.perf_counter() - started)

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
        until = announced_pause(reply.headers)
        if until is not None:
            await self._quota.pause_until(until)
