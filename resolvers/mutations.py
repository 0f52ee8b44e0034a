"""What every mutation shares: caller-fixable errors as `userErrors`, pointed at GraphQL arguments."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Annotated, TypeVar

import strawberry
from strawberry.utils.str_converters import to_camel_case

from gateway.errors import GatewayError, InvalidInput, NotFound, UserFixable
from schema.payloads import DeleteEventPayload, Payload, UserError, UserErrorCode

T = TypeVar("T")

#: Where an upstream's own key points in a mutation: the `input` argument every write takes.
INPUT = ("input",)

#: The arguments every write takes, described once: `id: EventId`, `input: NewEvent[CreateXInput]`.
EventId = Annotated[strawberry.ID, strawberry.argument(description="The event's global id (its `id`).")]
NewEvent = Annotated[T, strawberry.argument(description="The event to create.")]
Changes = Annotated[T, strawberry.argument(description="The fields to change; the others stay as they are.")]


def point_at_arguments(error: GatewayError, *, at: Sequence[str] = INPUT, missing: str | None = None) -> None:
    """Give an upstream's error (and each of its problems) a GraphQL path, in place.

    The upstream's own key (`date_to`) becomes `at` plus the camelCase field strawberry names it
    (`["input", "dateTo"]`); a NOT_FOUND naming nothing points at the `missing` argument.
    """
    for problem in error.problems if isinstance(error, InvalidInput) else [error]:
        if problem.field is None and problem.upstream_field:
            problem.field = (*at, *(to_camel_case(part) for part in problem.upstream_field))
        if problem.field is None and missing is not None and isinstance(problem, NotFound):
            problem.field = (missing,)
    if isinstance(error, InvalidInput) and error.field is None:
        error.field = error.problems[0].field


async def pointing_at_arguments(action: Awaitable[T], *, at: Sequence[str] = INPUT) -> T:
    """Await an upstream call outside a mutation (a query's arguments), its errors pointed `at`."""
    try:
        return await action
    except GatewayError as error:
        point_at_arguments(error, at=at)
        raise


def user_errors(error: UserFixable) -> list[UserError]:
    """The `userErrors` entries for a caller-fixable error (one per problem)."""
    problems = error.problems if isinstance(error, InvalidInput) else [error]
    return [
        UserError(
            field=list(problem.field) if problem.field else None,
            message=problem.message,
            code=UserErrorCode(problem.code.value),
        )
        for problem in problems
    ]


async def attempt(action: Awaitable[T], *, missing: str | None = None) -> tuple[T | None, list[UserError]]:
    """Run a mutation step; caller-fixable failures become user errors, the rest propagate.

    `missing` names the argument an upstream NOT_FOUND is about (the event `id`, the `organizer`).
    """
    try:
        return await action, []
    except UserFixable as error:
        point_at_arguments(error, missing=missing)
        return None, user_errors(error)


async def payload(action: Awaitable[T], *, missing: str | None = None) -> Payload[T]:
    """A create or update's payload: the event it returns, or the user errors it raised."""
    event, errors = await attempt(action, missing=missing)
    return Payload(event=event, user_errors=errors)


async def deletion(action: Awaitable[strawberry.ID], *, missing: str | None = None) -> DeleteEventPayload:
    """A delete's payload: the deleted id it returns, or the user errors it raised."""
    deleted, errors = await attempt(action, missing=missing)
    return DeleteEventPayload(deleted_id=deleted, user_errors=errors)
