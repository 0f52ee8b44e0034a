"""What every mutation shares: turning caller-fixable errors into `userErrors`."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import strawberry

from gateway.errors import BadUserInput, InvalidInput, UserFixable
from schema.payloads import DeleteEventPayload, Payload, UserError

T = TypeVar("T")


#: Mutation arguments besides `input`: a field path starting with one of them is already GraphQL's.
_ARGUMENTS = frozenset({"input", "id", "realm", "organizer"})


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _path(problem: UserFixable) -> list[str] | None:
    if not problem.field:
        return None
    if isinstance(problem, BadUserInput) and problem.provider and problem.field[0] not in _ARGUMENTS:
        # An upstream names its own (snake_case) body field: point at the GraphQL input field instead.
        return ["input", _camel(problem.field[0]), *problem.field[1:]]
    return list(problem.field)


def user_errors(error: UserFixable) -> list[UserError]:
    """The `userErrors` entries for a caller-fixable error (one per problem)."""
    problems = error.problems if isinstance(error, InvalidInput) else [error]
    return [
        UserError(field=_path(problem), message=problem.message, code=problem.code.value)
        for problem in problems
    ]


async def attempt(action: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    """Run a mutation step; caller-fixable failures become user errors, the rest propagate."""
    try:
        return await action, []
    except UserFixable as error:
        return None, user_errors(error)


async def payload(action: Awaitable[T]) -> Payload[T]:
    """A create or update's payload: the event it returns, or the user errors it raised."""
    event, errors = await attempt(action)
    return Payload(event=event, user_errors=errors)


async def deletion(action: Awaitable[strawberry.ID]) -> DeleteEventPayload:
    """A delete's payload: the deleted id it returns, or the user errors it raised."""
    deleted, errors = await attempt(action)
    return DeleteEventPayload(deleted_id=deleted, user_errors=errors)
