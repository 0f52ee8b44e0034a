"""What comes back from an upstream: the `Reply` record, JSON decoding, numbers read from headers,
lists checked against the item and page limits, and the default error mapping."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import orjson
from multidict import CIMultiDictProxy

from gateway.errors import (
    BadUserInput,
    Conflict,
    GatewayError,
    NotFound,
    TooManyItems,
    UpstreamFailure,
    UpstreamRateLimited,
    UpstreamUnauthorized,
)

#: The longest wait an upstream's `Retry-After` is believed for (only short ones are waited out).
MAX_RETRY_AFTER = 3600.0
#: The longest pause an `x-ratelimit-reset` may impose. Strigo's windows last a minute, so twice
#: that is generous, and a bogus reset (`1e308`) cannot silence a provider until a restart.
MAX_ANNOUNCED_PAUSE = 120.0
#: Below this an `x-ratelimit-reset` is seconds from now rather than a Unix time (some APIs send that).
_EPOCH_FLOOR = 1e9


@dataclass(frozen=True, slots=True)
class Reply:
    """An upstream answer: status, headers and the decoded JSON body (None when empty)."""

    status: int
    headers: Mapping[str, str]
    data: Any
    url: str
    #: Bytes of the body as received (after decompression): what a cache counts it by, not content.
    size: int = field(default=0, compare=False)


class _Undecodable:
    def __repr__(self) -> str:
        return "<undecodable>"


_UNDECODABLE: Any = _Undecodable()


def decode(raw: bytes | bytearray, *, complete: bool = True) -> Any:
    """JSON, None for an empty body, or the undecodable marker (see `is_undecodable`), as is a
    body that was cut short."""
    if not complete:
        return _UNDECODABLE
    if not raw or raw.isspace():
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _UNDECODABLE


def plain_headers(headers: CIMultiDictProxy[str]) -> Mapping[str, str]:
    """Headers with lower-case names (the last value of a repeated one)."""
    return {key.lower(): value for key, value in headers.items()}


def _number(value: str | None) -> float | None:
    if value is None or len(value) > 32:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def retry_after(reply: Reply, now: float | None = None) -> float | None:
    """The `Retry-After` hint in seconds, from either form (delta-seconds or an HTTP date).

    Clamped to 0 … `MAX_RETRY_AFTER`; None when absent or unreadable (`nan`, `inf`, junk).
    """
    value = reply.headers.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    if seconds is None:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if moment.tzinfo is None:
            return None
        seconds = moment.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def announced_pause(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """When a spent `x-ratelimit-*` quota comes back (Unix time), clamped to `MAX_ANNOUNCED_PAUSE` ahead.

    None unless `x-ratelimit-remaining` is 0 and `x-ratelimit-reset` is a finite time still to come.
    """
    remaining, reset = (
        _number(headers.get("x-ratelimit-remaining")),
        _number(headers.get("x-ratelimit-reset")),
    )
    if remaining != 0 or reset is None or reset < 0:
        return None
    now = time.time() if now is None else now
    until = now + reset if reset < _EPOCH_FLOOR else reset
    if until <= now:
        return None
    return min(until, now + MAX_ANNOUNCED_PAUSE)


def object_list(value: Any, limit: int, *, title: str, what: str, provider: str) -> list[dict[str, Any]]:
    """A list of JSON objects, checked before any is converted.

    UPSTREAM_ERROR when `value` is not a list, holds anything but objects, or holds more than
    `limit` (`GATEWAY_MAX_REPLY_ITEMS`): counting first keeps a huge list from being built at all.
    """
    if not isinstance(value, list):
        raise UpstreamFailure(f"{title} sent an unexpected {what} list shape", provider=provider)
    if len(value) > limit:
        raise TooManyItems(
            f"{title} sent {len(value)} {what} in one reply, more than the gateway reads "
            f"(GATEWAY_MAX_REPLY_ITEMS={limit})",
            provider=provider,
        )
    if not all(isinstance(item, dict) for item in value):
        raise UpstreamFailure(
            f"{title} sent a {what} list with an item that is not an object", provider=provider
        )
    return value


def json_object(value: Any, *, title: str, provider: str) -> dict[str, Any]:
    """`value` if it is a JSON object (a reply that must be one), else UPSTREAM_ERROR."""
    if not isinstance(value, dict):
        raise UpstreamFailure(f"{title} sent an unexpected reply shape", provider=provider)
    return value


def default_error(provider: str, reply: Reply) -> GatewayError:
    """The contract's mapping of an HTTP failure status to an error."""
    name = provider.capitalize()
    status = reply.status
    if status in (401, 403):
        return UpstreamUnauthorized(f"{name} refused the credentials it was called with", provider=provider)
    if status == 404:
        return NotFound(f"{name} has no such object", provider=provider)
    if status in (400, 422):
        return BadUserInput(f"{name} rejected the input", provider=provider)
    if status == 409:
        return Conflict(f"{name} refused the change in the object's current state", provider=provider)
    if status == 429:
        return UpstreamRateLimited(
            f"{name} is rate limiting the gateway", provider=provider, retry_after=retry_after(reply)
        )
    return UpstreamFailure(f"{name} failed with HTTP {status}", provider=provider)


def is_undecodable(data: Any) -> bool:
    """Whether a reply body could not be decoded as JSON."""
    return data is _UNDECODABLE
