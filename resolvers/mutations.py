"""What every mutation shares: turning caller-fixable errors into `userErrors`."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from gateway.errors import InvalidInput, UserFixable
from schema.payloads import UserError

T = TypeVar("T")


def user_errors(error: UserFixable) -> list[UserError]:
    """The `userErrors` entries for a caller-fixable error (one per problem)."""
    problems = error.problems if isinstance(error, InvalidInput) else [error]
    return [
        UserError(
            field=list(problem.field) if problem.field else None, message=problem.message, code=problem.code
        )
        for problem in problems
    ]


async def attempt(action: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    """Run a mutation step; caller-fixable failures become user errors, the rest propagate."""
    try:
        return await action, []
    except UserFixable as error:
        return None, user_errors(error)
