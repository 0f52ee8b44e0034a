"""How a call to an upstream is signed: the `Auth` seam, a fixed `Authorization` value, and auth that
renews itself (an OAuth 2 access token) before it runs out and once when the upstream refuses it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from yarl import URL


class Auth(Protocol):
    """Signs one attempt of a request; called again for every retry (fresh nonces)."""

    def __call__(self, method: str, url: URL, body: bytes | None) -> Mapping[str, str]: ...


@runtime_checkable
class Renewable(Protocol):
    """Auth whose credential expires and can be renewed (an OAuth 2 access token and its refresh token).

    The upstream layer awaits `ready()` before it signs a call, and after a 401 asks `renew()`
    whether one more attempt is worth making: a 401 means the upstream refused the credential
    before doing anything, so even a write is safe to send again once.
    """

    async def ready(self) -> None:
        """Return once the credential is current (renewing it first if it is about to run out)."""
        ...

    async def renew(self, rejected: Mapping[str, str]) -> bool:
        """The upstream refused the call signed with `rejected`: get a new credential unless another
        call already did; False when there is nothing better to try."""
        ...


@dataclass(frozen=True, slots=True)
class StaticAuthorization:
    """Auth that sends the same `Authorization` header on every attempt (bearer and token schemes)."""

    value: str

    def __call__(self, method: str, url: URL, body: bytes | None) -> Mapping[str, str]:
        return {"Authorization": self.value}


def static_authorization(value: str) -> StaticAuthorization:
    """Auth sending `Authorization: value` (the value is also redacted from whatever comes back)."""
    return StaticAuthorization(value)


@dataclass(frozen=True, slots=True)
class CallerCredential:
    """One caller's credential for one provider, as the upstream layer uses it.

    `auth` signs the caller's calls, `secrets` are every value of it to take out of what comes back,
    and `scope` is its keyed fingerprint: what its cache entries, quota and breaker are kept under
    (never the credential itself).
    """

    auth: Auth
    secrets: tuple[str, ...]
    scope: str = field(default="")
