"""The per-request upstream call budget (`GATEWAY_MAX_UPSTREAM_CALLS`) and the request's call log."""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.errors import QueryTooComplex


class CallBudgetSpent(QueryTooComplex):
    """The request has made as many upstream calls as one request may: nothing more is sent.

    QUERY_TOO_COMPLEX rather than UPSTREAM_RATE_LIMITED: the request's own shape (aliases, lists,
    ids) asked for too much, so the same request would fail again later; it is split, not retried.
    """

    def __init__(self, provider: str, limit: int) -> None:
        super().__init__(
            f"this request needs more than {limit} upstream calls (GATEWAY_MAX_UPSTREAM_CALLS); "
            f"the call to {provider} was not made: ask for fewer aliases, lists or ids per request",
            provider=provider,
        )


@dataclass(slots=True)
class CallBudget:
    """What one GraphQL request may still spend upstream, and what it sent (for logs and tests).

    A call is charged when it is about to start, before any quota or connection wait, so that
    concurrent calls cannot all slip past the check; `sent` lists only those that went out.
    """

    limit: int
    charged: int = 0
    sent: list[str] = field(default_factory=list)

    def charge(self, provider: str) -> None:
        """Take one call from the budget, or raise `CallBudgetSpent`."""
        if self.charged >= self.limit:
            raise CallBudgetSpent(provider, self.limit)
        self.charged += 1

    def record(self, call: str) -> None:
        """Note a call that was sent (`"<provider> <METHOD>"`)."""
        self.sent.append(call)

    def __len__(self) -> int:
        return len(self.sent)
