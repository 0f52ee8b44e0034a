"""Mutation payloads: the changed object plus `userErrors` the caller can act on."""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry

EventT = TypeVar("EventT")


@strawberry.type(description="A problem with the mutation's input or with the object's state.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the offending argument, e.g. `["input", "name"]`; null when not about one.'
    )
    message: str = strawberry.field(description="What went wrong, in words a person can act on.")
    code: str = strawberry.field(description="BAD_USER_INPUT, NOT_FOUND, CONFLICT or FORBIDDEN.")


@strawberry.type(description="The result of a create or update.")
class Payload(Generic[EventT]):
    event: EventT | None = strawberry.field(description="The event as it is now; null when nothing changed.")
    user_errors: list[UserError] = strawberry.field(description="Why the change was refused, if it was.")


@strawberry.type(description="The result of a delete.")
class DeleteEventPayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="The global id of the deleted event.")
    user_errors: list[UserError] = strawberry.field(description="Why the delete was refused, if it was.")
