"""One limit for all the operations of a batch: an array body may not do ten times what one may.

The view sets `cost_in_request` for a batch (an array body) only; the guard charges each operation's
estimated cost to it just before the operation runs, and refuses one that would go over the limit.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(slots=True)
class CostBudget:
    """What the operations of one batch may still cost together (`GATEWAY_MAX_COST`)."""

    limit: int
    spent: int = 0

    def charge(self, cost: int) -> bool:
        """Take `cost` from the budget; False (nothing taken) when it does not fit."""
        if self.spent + cost > self.limit:
            return False
        self.spent += cost
        return True


#: The budget of the batch this operation belongs to; None for a single operation.
cost_in_request: ContextVar[CostBudget | None] = ContextVar("cost_in_request", default=None)
