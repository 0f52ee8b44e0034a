"""Array batching: the operations of a JSON array body run together, answered as an array in order.

Each operation runs as in a request of its own (its own errors, a failure of one leaves the others'
answers whole), but they are one HTTP request to the limits: one body (`GATEWAY_MAX_BODY_BYTES`),
one upstream call budget (`GATEWAY_MAX_UPSTREAM_CALLS`), one cost budget (`GATEWAY_MAX_COST`, see
`gateway.query_limits.batch_cost`), and at most `GATEWAY_MAX_BATCH` operations.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from cross_web import HTTPException
from graphql import GraphQLError
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from gateway.errors import ErrorCode
from gateway.query_limits.batch_cost import CostBudget, cost_in_request
from gateway.request.context import Context

RunOne = Callable[[GraphQLRequestData, Context], Awaitable[ExecutionResult]]


def check_batch_size(operations: int, limit: int) -> None:
    """Refuse (400) an array body the gateway does not take."""
    if limit == 0:
        raise HTTPException(400, "Batching is not enabled on this gateway (GATEWAY_MAX_BATCH=0).")
    if operations == 0:
        raise HTTPException(400, "The batch is empty: send at least one operation.")
    if operations > limit:
        raise HTTPException(400, f"A batch may hold at most {limit} operations (GATEWAY_MAX_BATCH).")


async def run_batch(
    operations: Sequence[GraphQLRequestData], context: Context, run_one: RunOne
) -> list[ExecutionResult]:
    """Each operation's result, in order; one refused before it ran is an error in its place."""
    # Set here: the tasks `gather` starts copy it, so they share one budget; reset after, so that
    # nothing run later in this context (a server that runs requests in one task) charges it.
    budget = cost_in_request.set(CostBudget(context.settings.gateway_max_cost))

    async def one(operation: GraphQLRequestData) -> ExecutionResult:
        try:
            return await run_one(operation, context.sibling())
        except HTTPException as error:
            # e.g. an entry without a query: that entry's answer, not the whole batch's.
            code = ErrorCode.BAD_REQUEST.value
            return ExecutionResult(data=None, errors=[GraphQLError(error.reason, extensions={"code": code})])

    try:
        return list(await asyncio.gather(*(one(operation) for operation in operations)))
    finally:
        cost_in_request.reset(budget)
