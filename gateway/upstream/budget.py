"""The per-request upstream call budget (`GATEWAY_MAX_UPSTREAM_CALLS`) and the request's call log."""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.errors import CallBudgetSpent


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
