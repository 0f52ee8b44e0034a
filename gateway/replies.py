"""What comes back from an upstream: the `Reply` record, JSON decoding, and the default error mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from multidict import CIMultiDictProxy

from gateway.errors import (
    BadUserInput,
    Conflict,
    GatewayError,
    NotFound,
    UpstreamFailure,
    UpstreamRateLimited,
    UpstreamUnauthorized,
)


@dataclass(frozen=True, slots=True)
class Reply:
    """An upstream answer: status, headers and the decoded JSON body (None when empty)."""

    status: int
    headers: Mapping[str, str]
    data: Any
    url: str


class _Undecodable:
    def __repr__(self) -> str:
        return "<undecodable>"


_UNDECODABLE: Any = _Undecodable()


def decode(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _UNDECODABLE


def plain_headers(headers: CIMultiDictProxy[str]) -> Mapping[str, str]:
    return {key.lower(): value for key, value in headers.items()}


def retry_after(reply: Reply) -> float | None:
    """The `Retry-After` hint in seconds (only the delta-seconds form is used by our upstreams)."""
    value = reply.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def default_error(provider: str, reply: Reply) -> GatewayError:
    """The contract's mapping of an HTTP failure status to an error."""
    name = provider.capitalize()
    status = reply.status
    if status in (401, 403):
        return UpstreamUnauthorized(f"{name} refused the gateway's credentials", provider=provider)
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
