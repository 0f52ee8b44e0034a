"""Every error code of the contract (`ErrorCode`) and the gateway's one exception tree.

    GatewayError                      INTERNAL_SERVER_ERROR  (code, message, provider, field)
    ├── UserFixable                   the caller can fix it: a `userErrors` entry in mutation payloads
    │   ├── BadUserInput              BAD_USER_INPUT     invalid argument, upstream 400/422
    │   │   └── InvalidInput                             several at once, one user error each
    │   ├── NotFound                  NOT_FOUND          unknown id, upstream 404
    │   ├── Conflict                  CONFLICT           refused in the current state (live event, orders…)
    │   └── Forbidden                 FORBIDDEN          the upstream user may not change this object
    ├── BadRequest                    BAD_REQUEST        a malformed HTTP request, refused before GraphQL
    │   ├── PersistedQueryNotFound    PERSISTED_QUERY_NOT_FOUND    a hash or document id not known here
    │   └── PersistedQueryNotAllowed  PERSISTED_QUERY_NOT_ALLOWED  a document outside the trusted ones
    ├── Unauthenticated               UNAUTHENTICATED    the caller's own API key is missing or wrong
    ├── QueryTooComplex               QUERY_TOO_COMPLEX  over a limit of `GATEWAY_MAX_*`
    │   ├── CallBudgetSpent                              the request's upstream calls are used up
    │   ├── TooManySubscriptions                         GATEWAY_MAX_SUBSCRIPTIONS(_PER_CONNECTION)
    │   └── SlowConsumer                                 a subscriber fell GATEWAY_MAX_PENDING_CHANGES behind
    ├── ProviderNotConfigured         PROVIDER_NOT_CONFIGURED
    ├── Relayed                       (its own)          an error met elsewhere (a poll), told as it was
    ├── FeedNotConfigured             FEED_NOT_CONFIGURED  API keys are on and no feed key signs URLs
    └── UpstreamFailure               UPSTREAM_ERROR     5xx or a malformed reply
        ├── MalformedItem                                an object without the id that identifies it
        ├── TooManyItems  TooManyPages  ReplyTooLarge    over GATEWAY_MAX_REPLY_ITEMS / _PAGES / _BYTES
        ├── Redirected                                   a read answered with a redirect (never followed)
        ├── UpstreamUnauthorized      UPSTREAM_UNAUTHORIZED  the credentials used were refused
        ├── UpstreamRateLimited       UPSTREAM_RATE_LIMITED
        │   └── QuotaExhausted                           the gateway's own quota refused: nothing sent
        ├── UpstreamTimeout           UPSTREAM_TIMEOUT   (also a `TimeoutError`)
        ├── UpstreamUnavailable       UPSTREAM_UNAVAILABLE   connection refused
        │   └── CircuitOpen                                  breaker open: not attempted, not retried
        └── WriteOutcomeUnknown       WRITE_OUTCOME_UNKNOWN  a write was sent and no answer came
            └── RedirectedWrite                          a write answered with a redirect

A provider may refine a class for its own dialect (pretix's `Hidden` is a `NotFound`); it never
adds a code. graphql-core copies an exception's `extensions` attribute onto the GraphQL error it
wraps it in, so raising any of these from a resolver yields `extensions.code` (and `provider`,
`field`). Codes raised by no exception (a syntax error's, say) are set from `ErrorCode` directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, ClassVar


class ErrorCode(StrEnum):
    """Every `extensions.code` (and `UserError.code`) the gateway sends."""

    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    FORBIDDEN = "FORBIDDEN"
    BAD_REQUEST = "BAD_REQUEST"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    PROVIDER_NOT_CONFIGURED = "PROVIDER_NOT_CONFIGURED"
    FEED_NOT_CONFIGURED = "FEED_NOT_CONFIGURED"
    UPSTREAM_ERROR = "UPSTREAM_ERROR"
    UPSTREAM_UNAUTHORIZED = "UPSTREAM_UNAUTHORIZED"
    UPSTREAM_RATE_LIMITED = "UPSTREAM_RATE_LIMITED"
    UPSTREAM_TIMEOUT = "UPSTREAM_TIMEOUT"
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"
    WRITE_OUTCOME_UNKNOWN = "WRITE_OUTCOME_UNKNOWN"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"


class GatewayError(Exception):
    """Base of every error the gateway reports on purpose.

    `field` is a GraphQL path (`["input", "name"]`). An upstream that names its own key instead
    (`date_to`) leaves it in `upstream_field`, and `resolvers` points it at the GraphQL argument.
    """

    code: ClassVar[ErrorCode] = ErrorCode.INTERNAL_SERVER_ERROR

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        field: Sequence[str] | None = None,
        upstream_field: Sequence[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.field: tuple[str, ...] | None = tuple(field) if field else None
        self.upstream_field: tuple[str, ...] | None = tuple(upstream_field) if upstream_field else None

    @property
    def extensions(self) -> dict[str, Any]:
        """The GraphQL error `extensions` for this error."""
        ext: dict[str, Any] = {"code": self.code.value}
        if self.provider:
            ext["provider"] = self.provider.upper()
        if self.field:
            ext["field"] = list(self.field)
        return ext


class UserFixable(GatewayError):
    """An error the caller can fix; mutations report it in `userErrors`."""


class BadUserInput(UserFixable):
    """An argument is invalid (or the upstream rejected the input as invalid)."""

    code = ErrorCode.BAD_USER_INPUT


class InvalidInput(BadUserInput):
    """Several invalid arguments at once; each one is reported as its own user error."""

    def __init__(self, problems: list[BadUserInput]) -> None:
        super().__init__("; ".join(problem.message for problem in problems), field=problems[0].field)
        self.problems = problems


class NotFound(UserFixable):
    """The object does not exist (or is not visible to the gateway's credentials)."""

    code = ErrorCode.NOT_FOUND


class Conflict(UserFixable):
    """The upstream refuses the change in the object's current state."""

    code = ErrorCode.CONFLICT


class Forbidden(UserFixable):
    """The upstream account may see the object but not change it."""

    code = ErrorCode.FORBIDDEN


class BadRequest(GatewayError):
    """The HTTP request itself is malformed (body, parameters, size): refused before GraphQL runs."""

    code = ErrorCode.BAD_REQUEST


class PersistedQueryNotFound(BadRequest):
    """A persisted query's hash (or document id) the gateway does not know: send the query text too.

    The message is Apollo's, `PersistedQueryNotFound`: clients' persisted-query links match on it
    (or on the code) to resend the operation with its text.
    """

    code = ErrorCode.PERSISTED_QUERY_NOT_FOUND

    def __init__(self) -> None:
        super().__init__("PersistedQueryNotFound")


class PersistedQueryNotAllowed(BadRequest):
    """`GATEWAY_PERSISTED_ONLY`: only the trusted documents run, and this is not one of them."""

    code = ErrorCode.PERSISTED_QUERY_NOT_ALLOWED


class Unauthenticated(GatewayError):
    """The caller did not present a valid gateway API key."""

    code = ErrorCode.UNAUTHENTICATED


class QueryTooComplex(GatewayError):
    """The query exceeds a limit: text, depth, cost, aliases, or upstream calls."""

    code = ErrorCode.QUERY_TOO_COMPLEX


class CallBudgetSpent(QueryTooComplex):
    """The request has made as many upstream calls as one request may: nothing more is sent.

    QUERY_TOO_COMPLEX rather than UPSTREAM_RATE_LIMITED: the request's own shape (aliases, lists,
    ids) asked for too much, so the same request would fail again later; it is split, not retried.
    """

    def __init__(self, provider: str, limit: int) -> None:
        super().__init__(
            f"this request needs more than {limit} upstream calls (GATEWAY_MAX_UPSTREAM_CALLS); "
            f"the call to {provider} was not made: ask for fewer aliases, lists, ids or items per page",
            provider=provider,
        )


class TooManySubscriptions(QueryTooComplex):
    """One subscription more than this process, or this connection, may serve at once."""

    def __init__(self, limit: int, setting: str, what: str = "subscriptions") -> None:
        super().__init__(f"this gateway serves at most {limit} {what} at once ({setting}); try again later")


class SlowConsumer(QueryTooComplex):
    """A subscriber read its changes more slowly than they came: it was dropped rather than buffered."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"dropped: more than {limit} changes were waiting for this subscriber "
            "(GATEWAY_MAX_PENDING_CHANGES); read faster, or subscribe again to a narrower filter"
        )


class ProviderNotConfigured(GatewayError):
    """The provider has no credentials in this deployment."""

    code = ErrorCode.PROVIDER_NOT_CONFIGURED


class Relayed(GatewayError):
    """An error met elsewhere (a change detector's poll, maybe on another replica), told as it was."""

    def __init__(self, code: str, message: str, *, provider: str | None = None) -> None:
        super().__init__(message, provider=provider)
        self.relayed_code = (
            ErrorCode(code) if code in ErrorCode.__members__ else ErrorCode.INTERNAL_SERVER_ERROR
        )

    @property
    def extensions(self) -> dict[str, Any]:
        return {**super().extensions, "code": self.relayed_code.value}


class FeedNotConfigured(GatewayError):
    """A feed URL was asked for while API keys are on and `GATEWAY_FEED_SECRET` is not set: an
    unsigned URL could not be read by a calendar app, so none is handed out."""

    code = ErrorCode.FEED_NOT_CONFIGURED


class UpstreamFailure(GatewayError):
    """The upstream answered with a server error or something undecodable."""

    code = ErrorCode.UPSTREAM_ERROR


class MalformedItem(UpstreamFailure):
    """An upstream object lacks what the gateway needs to identify it."""

    def __init__(self, title: str, what: str, key: str, *, provider: str) -> None:
        super().__init__(f"{title} sent {what} without a usable {key!r}", provider=provider)


class TooManyItems(UpstreamFailure):
    """A list reply holds more items than `GATEWAY_MAX_REPLY_ITEMS` allows."""


class TooManyPages(UpstreamFailure):
    """A list went on for more pages than `GATEWAY_MAX_PAGES` allows (an upstream that never ends)."""

    def __init__(self, title: str, what: str, limit: int, *, provider: str) -> None:
        super().__init__(
            f"{title} kept sending pages of {what}: the list was stopped after {limit} pages "
            "(GATEWAY_MAX_PAGES); narrow the query or raise the limit",
            provider=provider,
        )


class ReplyTooLarge(UpstreamFailure):
    """A reply body exceeded `GATEWAY_MAX_REPLY_BYTES` (never retried: it would only come back as big)."""


class Redirected(UpstreamFailure):
    """The upstream answered a read with a redirect, which the gateway never follows (nor retries)."""


class UpstreamUnauthorized(UpstreamFailure):
    """The upstream refused the credentials it was called with (the deployment's or a caller's)."""

    code = ErrorCode.UPSTREAM_UNAUTHORIZED


class UpstreamRateLimited(UpstreamFailure):
    """The upstream answered 429; `retry_after` is its hint in seconds, when it gave one."""

    code = ErrorCode.UPSTREAM_RATE_LIMITED

    def __init__(self, message: str, *, provider: str | None = None, retry_after: float | None = None):
        super().__init__(message, provider=provider)
        self.retry_after = retry_after


class QuotaExhausted(UpstreamRateLimited):
    """The gateway's own quota refused the call: nothing was sent.

    A subclass so the retry loop, which retries exact types only, never retries it: the quota
    already waited as long as a retry would.
    """

    def __init__(self, provider: str, retry_after: float | None) -> None:
        wait = "" if retry_after is None else f" for {retry_after:.0f} s"
        super().__init__(f"{provider}'s quota is used up{wait}", provider=provider, retry_after=retry_after)


class UpstreamTimeout(UpstreamFailure, TimeoutError):
    """The upstream did not answer a read in time."""

    code = ErrorCode.UPSTREAM_TIMEOUT


class UpstreamUnavailable(UpstreamFailure):
    """The upstream cannot be reached, or its circuit breaker is open."""

    code = ErrorCode.UPSTREAM_UNAVAILABLE


class CircuitOpen(UpstreamUnavailable):
    """The provider's circuit breaker is open: the call was not even attempted (never retried)."""


class WriteOutcomeUnknown(UpstreamFailure):
    """A write was sent but no answer came: it may or may not have happened."""

    code = ErrorCode.WRITE_OUTCOME_UNKNOWN


class RedirectedWrite(WriteOutcomeUnknown):
    """The upstream answered a write with a redirect: it may have been applied (a 303 after a
    create is common), and a retry would be redirected the same way."""
