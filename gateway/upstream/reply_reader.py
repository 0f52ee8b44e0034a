"""Turning one HTTP answer into a `Reply` the gateway can trust, or the error it (or its absence) means.

Bodies are read only up to a limit, counted after decompression; every credential is taken out
before any provider reads a word; redirects are never an answer; error messages are bounded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from multidict import CIMultiDictProxy

from gateway.errors import (
    GatewayError,
    Redirected,
    RedirectedWrite,
    ReplyTooLarge,
    UpstreamFailure,
    UpstreamTimeout,
    WriteOutcomeUnknown,
)
from gateway.upstream.redaction import Redactor
from gateway.upstream.replies import Reply, decode, default_error, is_undecodable, plain_headers

#: Of an error or redirect reply, the gateway reads this much: enough for any message.
ERROR_BODY_LIMIT = 64 * 1024
#: Upstream text kept in an error message (the rest is cut with an ellipsis).
MAX_MESSAGE = 1000
_CHUNK = 64 * 1024
#: Statuses a proxy sends when it passed a request on and lost the upstream's answer: Bad Gateway,
#: Gateway Timeout, and Cloudflare's 520 (the origin reset or sent nonsense) and 524 (the origin
#: took the request and did not answer in time). Not 521/522/523: those mean nothing reached it.
PROXY_LOST = frozenset({502, 504, 520, 524})

#: Provider-specific reading of a failed reply; returns None to use the default mapping.
ErrorReader = Callable[[Reply, str], GatewayError | None]


class _Body(Protocol):
    def iter_chunked(self, n: int) -> AsyncIterator[bytes]: ...


class Response(Protocol):
    """What the reader needs of an HTTP client's response (aiohttp's `ClientResponse`)."""

    @property
    def status(self) -> int: ...
    @property
    def headers(self) -> CIMultiDictProxy[str]: ...
    @property
    def content_length(self) -> int | None: ...
    @property
    def content(self) -> _Body: ...


class _TooLarge:
    def __repr__(self) -> str:
        return "<over GATEWAY_MAX_REPLY_BYTES>"


#: `Reply.data` of a successful reply whose body exceeded the limit and was not read to the end.
TOO_LARGE: Any = _TooLarge()


@dataclass(frozen=True, slots=True)
class ReplyReader:
    """One provider's reading of its answers: limits, redaction and its error dialect."""

    provider: str
    redactor: Redactor
    max_bytes: int
    read_error: ErrorReader | None = None

    async def read(self, response: Response, url: str, redactor: Redactor | None = None) -> Reply:
        """The reply, its body read only up to the limit and with every credential taken out
        (those of `redactor` when given: this request's own signature included)."""
        redactor = redactor or self.redactor
        status = response.status
        headers = plain_headers(response.headers)
        limit = self.max_bytes if status < 300 else min(self.max_bytes, ERROR_BODY_LIMIT)
        raw, complete = await _read_body(response, limit)
        if not complete and status < 300:
            return Reply(status, headers, TOO_LARGE, url, len(raw))
        data = decode(raw, complete=complete)
        # Error bodies are where upstreams echo requests back: always scrubbed (they are small).
        # Other bodies only when a fast scan finds something that may be a credential.
        if not is_undecodable(data) and (status >= 300 or redactor.mentions(raw)):
            data = redactor.json(data)
        return Reply(status, headers, data, url, len(raw))

    def failure(self, reply: Reply, method: str, is_read: bool) -> GatewayError | None:
        """What a reply means when it is not a usable answer; None when it is one."""
        title = self.provider.capitalize()
        if 300 <= reply.status < 400:
            if not is_read:
                return RedirectedWrite(
                    f"{method} to {self.provider} was answered with a redirect (HTTP {reply.status}), "
                    "which the gateway does not follow: the change may or may not have been applied. "
                    "Read the object before trying again.",
                    provider=self.provider,
                )
            return Redirected(
                f"{title} answered with a redirect (HTTP {reply.status}), which the gateway does "
                f"not follow: check {self.provider.upper()}_BASE_URL",
                provider=self.provider,
            )
        if reply.status in PROXY_LOST and not is_read:
            # A gateway or proxy in front of the upstream answered: it may have passed the write on
            # and lost (502) or given up waiting for (504) the answer, so the write may have happened.
            return WriteOutcomeUnknown(
                f"{method} to {self.provider} was answered with HTTP {reply.status} by a proxy in front "
                "of it: the change may or may not have been applied. Read the object before trying again.",
                provider=self.provider,
            )
        if reply.status >= 400:
            return self._scrubbed(self._error(reply, method))
        if not is_read and (reply.data is TOO_LARGE or is_undecodable(reply.data)):
            # Accepted (2xx), so the change was most likely made, but what it made cannot be read:
            # retrying would make it twice, and "upstream error" would invite exactly that.
            return WriteOutcomeUnknown(
                f"{method} to {self.provider} was accepted (HTTP {reply.status}) with a reply the gateway "
                "cannot read: the change was probably applied. Read the object before trying again.",
                provider=self.provider,
            )
        if reply.data is TOO_LARGE:
            return ReplyTooLarge(
                f"{title} sent a reply larger than {self.max_bytes} bytes (GATEWAY_MAX_REPLY_BYTES); "
                "it was not read",
                provider=self.provider,
            )
        if is_undecodable(reply.data):
            return UpstreamFailure(f"{self.provider} sent a reply that is not JSON", provider=self.provider)
        return None

    def lost(self, method: str, is_read: bool, what: str) -> UpstreamFailure:
        """What a request whose answer never came means: for a write, that it may have happened."""
        if is_read:
            if "time" in what:
                return UpstreamTimeout(f"{self.provider} {what}", provider=self.provider)
            return UpstreamFailure(f"{self.provider} {what}", provider=self.provider)
        return WriteOutcomeUnknown(
            f"{method} was sent to {self.provider}, which {what}: the change may or may not have been "
            "applied. Read the object before trying again.",
            provider=self.provider,
        )

    def unknown_after(self, method: str, error: GatewayError) -> WriteOutcomeUnknown:
        """A write retried after a lost answer, whose retry then failed with `error`."""
        return WriteOutcomeUnknown(
            f"{method} was sent to {self.provider}, which did not answer; a retry then failed "
            f"({error.code}): the change may or may not have been applied. Read the object before "
            "trying again.",
            provider=self.provider,
        )

    def _error(self, reply: Reply, method: str) -> GatewayError:
        if self.read_error is not None:
            specific = self.read_error(reply, method)
            if specific is not None:
                specific.provider = specific.provider or self.provider
                return specific
        return default_error(self.provider, reply)

    def _scrubbed(self, error: GatewayError) -> GatewayError:
        """The error with its message (and those of the problems it lists) redacted and bounded.

        The reply body was scrubbed already; this also covers text a provider composed from it.
        """
        for each in (error, *getattr(error, "problems", ())):
            message = self.redactor.text(each.message)
            if len(message) > MAX_MESSAGE:
                message = message[: MAX_MESSAGE - 1] + "…"
            each.message, each.args = message, (message,)
            if each.field:
                each.field = tuple(self.redactor.text(part)[:MAX_MESSAGE] for part in each.field)
        return error


async def _read_body(response: Response, limit: int) -> tuple[bytearray, bool]:
    """Up to `limit` bytes of the body, counted after decompression; and whether that was all of it.

    aiohttp inflates gzip and deflate a chunk at a time as the body is read (since 3.13.3), so
    stopping at the limit also stops a compression bomb early instead of inflating it whole.
    One growing buffer, decoded as it is, so a body costs its size once, not twice.
    """
    body = bytearray()
    declared = response.content_length
    if declared is not None and declared > limit:
        return body, False  # more on the wire than the limit, whatever it inflates to
    async for chunk in response.content.iter_chunked(_CHUNK):
        if len(body) + len(chunk) > limit:
            return body, False
        body += chunk
    return body, True
