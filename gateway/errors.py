"""The gateway's one exception tree; each class carries its contract error code.

    GatewayError                      (code, message, provider, field)
    ├── UserFixable                   the caller can fix it: a `userErrors` entry in mutation payloads
    │   ├── BadUserInput              BAD_USER_INPUT     invalid argument, upstream 400/422
    │   ├── NotFound                  NOT_FOUND          unknown id, upstream 404
    │   ├── Conflict                  CONFLICT           refused in the current state (live event, orders…)
    │   └── Forbidden                 FORBIDDEN          the upstream user may not change this object
    ├── Unauthenticated               UNAUTHENTICATED    the caller's own API key is missing or wrong
    ├── QueryTooComplex               QUERY_TOO_COMPLEX
    ├── ProviderNotConfigured         PROVIDER_NOT_CONFIGURED
    └── UpstreamFailure               UPSTREAM_ERROR     5xx or a malformed reply
        ├── UpstreamUnauthorized      UPSTREAM_UNAUTHORIZED  the gateway's credentials were refused
        ├── UpstreamRateLimited       UPSTREAM_RATE_LIMITED
        ├── UpstreamTimeout           UPSTREAM_TIMEOUT   (also a `TimeoutError`)
        ├── UpstreamUnavailable       UPSTREAM_UNAVAILABLE   connection refused
        │   └── CircuitOpen                                  breaker open: not attempted, not retried
        └── WriteOutcomeUnknown       WRITE_OUTCOME_UNKNOWN  a write was sent and no answer came

graphql-core copies an exception's `extensions` attribute onto the GraphQL error it wraps it in,
so raising any of these from a resolver yields `extensions.code` (and `provider`, `field`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar


class GatewayError(Exception):
    """Base of every error the gateway reports on purpose."""

    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"

    def __init__(
        self, message: str, *, provider: str | None = None, field: Sequence[str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.field: tuple[str, ...] | None = tuple(field) if field else None

    @property
    def extensions(self) -> dict[str, Any]:
        """The GraphQL error `extensions` for this error."""
        ext: dict[str, Any] = {"code": self.code}
        if self.provider:
            ext["provider"] = self.provider.upper()
        if self.field:
            ext["field"] = list(self.field)
        return ext


class UserFixable(GatewayError):
    """An error the caller can fix; mutations report it in `userErrors`."""


class BadUserInput(UserFixable):
    """An argument is invalid (or the upstream rejected the input as invalid)."""

    code = "BAD_USER_INPUT"


class NotFound(UserFixable):
    """The object does not exist (or is not visible to the gateway's credentials)."""

    code = "NOT_FOUND"


class Conflict(UserFixable):
    """The upstream refuses the change in the object's current state."""

    code = "CONFLICT"


class Forbidden(UserFixable):
    """The upstream account may see the object but not change it."""

    code = "FORBIDDEN"


class Unauthenticated(GatewayError):
    """The caller did not present a valid gateway API key."""

    code = "UNAUTHENTICATED"


class QueryTooComplex(GatewayError):
    """The query exceeds the depth, cost or alias limits."""

    code = "QUERY_TOO_COMPLEX"


class ProviderNotConfigured(GatewayError):
    """The provider has no credentials in this deployment."""

    code = "PROVIDER_NOT_CONFIGURED"


class UpstreamFailure(GatewayError):
    """The upstream answered with a server error or something undecodable."""

    code = "UPSTREAM_ERROR"


class UpstreamUnauthorized(UpstreamFailure):
    """The upstream refused the gateway's own credentials."""

    code = "UPSTREAM_UNAUTHORIZED"


class UpstreamRateLimited(UpstreamFailure):
    """The upstream answered 429; `retry_after` is its hint in seconds, when it gave one."""

    code = "UPSTREAM_RATE_LIMITED"

    def __init__(self, message: str, *, provider: str | None = None, retry_after: float | None = None):
        super().__init__(message, provider=provider)
        self.retry_after = retry_after


class UpstreamTimeout(UpstreamFailure, TimeoutError):
    """The upstream did not answer a read in time."""

    code = "UPSTREAM_TIMEOUT"


class UpstreamUnavailable(UpstreamFailure):
    """The upstream cannot be reached, or its circuit breaker is open."""

    code = "UPSTREAM_UNAVAILABLE"


class CircuitOpen(UpstreamUnavailable):
    """The provider's circuit breaker is open: the call was not even attempted (never retried)."""


class WriteOutcomeUnknown(UpstreamFailure):
    """A write was sent but no answer came: it may or may not have happened."""

    code = "WRITE_OUTCOME_UNKNOWN"


class InvalidInput(BadUserInput):
    """Several invalid arguments at once; each one is reported as its own user error."""

    def __init__(self, problems: list[BadUserInput]) -> None:
        super().__init__("; ".join(problem.message for problem in problems), field=problems[0].field)
        self.problems = problems
