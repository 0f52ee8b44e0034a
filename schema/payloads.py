"""Mutation payloads: the changed object plus `userErrors` the caller can act on."""

from __future__ import annotations

from enum import Enum
from typing import Generic, TypeVar

import strawberry

from gateway.errors import ErrorCode

EventT = TypeVar("EventT")


@strawberry.enum(description="Why a mutation refused its input: what the caller can do about it.")
class UserErrorCode(Enum):
    BAD_USER_INPUT = strawberry.enum_value(
        ErrorCode.BAD_USER_INPUT.value,
        description="An argument is invalid, or the provider rejected it: fix the value at `field`.",
    )
    NOT_FOUND = strawberry.enum_value(
        ErrorCode.NOT_FOUND.value,
        description="The object (or the realm or organizer named) does not exist, or the gateway's "
        "credentials cannot see it.",
    )
    CONFLICT = strawberry.enum_value(
        ErrorCode.CONFLICT.value,
        description="The object's current state refuses the change (a live Strigo event, a pretix event "
        "with orders); the message says what would allow it.",
    )
    FORBIDDEN = strawberry.enum_value(
        ErrorCode.FORBIDDEN.value,
        description="The provider lets the gateway's account see the object but not change it.",
    )


@strawberry.type(description="A problem with the mutation's input or with the object's state.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the offending argument, e.g. `["input", "name"]`; null when not about one.'
    )
    message: str = strawberry.field(description="What went wrong, in words a person can act on.")
    code: UserErrorCode = strawberry.field(description="What kind of problem it is.")


@strawberry.type(description="The result of a create or update.")
class Payload(Generic[EventT]):
    event: EventT | None = strawberry.field(description="The event as it is now; null when nothing changed.")
    user_errors: list[UserError] = strawberry.field(description="Why the change was refused, if it was.")


@strawberry.type(description="The result of a delete.")
class DeleteEventPayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="The global id of the deleted event.")
    user_errors: list[UserError] = strawberry.field(description="Why the delete was refused, if it was.")
