"""Strigo's inputs: what `createStrigoEvent` and `updateStrigoEvent` take, checked, as request bodies."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import strawberry

from gateway.providers.base import JSONObject
from schema.strigo import StrigoAvailability
from schema.validation import Problems, given_fields, json_values, refuse_empty_update

_BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@strawberry.input(description="A new Strigo event. Dates need a UTC offset.")
class CreateStrigoEventInput:
    name: str = strawberry.field(description="The event's name: not blank, at most 256 characters.")
    owner: str = strawberry.field(description="Email of the org member who hosts the event.")
    class_id: str = strawberry.field(description="Id of the class the event is based on.")
    date_start: datetime = strawberry.field(description="When it starts.")
    date_end: datetime = strawberry.field(description="When it ends: after `dateStart`.")
    description: str | None = strawberry.field(default=None, description="At most 65536 characters.")
    availability: StrigoAvailability | None = strawberry.field(
        default=None, description="Public or private (giving `trainees` makes it private)."
    )
    include_chat: bool | None = strawberry.field(default=None, description="Whether it includes chat.")
    include_video: bool | None = strawberry.field(default=None, description="Whether it includes video.")
    include_lab_exercises: bool | None = strawberry.field(
        default=None, description="Whether the class's lab exercises are part of it."
    )
    is_recorded: bool | None = strawberry.field(default=None, description="Whether it is recorded.")
    tas: list[str] | None = strawberry.field(default=None, description="Teaching assistants' emails.")
    trainees: list[str] | None = strawberry.field(
        default=None, description="Learners' emails; giving any makes the event private."
    )
    labels: list[str] | None = strawberry.field(default=None, description="Labels to apply to the event.")
    timezone: str | None = strawberry.field(
        default=None, description="IANA zone the dates are set in (Strigo's default: Etc/UTC)."
    )
    captions_language: str | None = strawberry.field(default=None, description="BCP-47 tag, e.g. `en-US`.")


@strawberry.input(
    description="Changes to a Strigo event; omitted fields stay as they are (only `description` may "
    "be cleared with null). Live events refuse."
)
class UpdateStrigoEventInput:
    name: strawberry.Maybe[str] = strawberry.field(description="A new name (not blank, at most 256).")
    owner: strawberry.Maybe[str] = strawberry.field(description="Email of the new host.")
    class_id: strawberry.Maybe[str] = strawberry.field(description="Id of another class.")
    date_start: strawberry.Maybe[datetime] = strawberry.field(description="A new start.")
    date_end: strawberry.Maybe[datetime] = strawberry.field(description="A new end, after the start.")
    description: strawberry.Maybe[str | None] = strawberry.field(
        description="A new description; null clears it."
    )
    availability: strawberry.Maybe[StrigoAvailability] = strawberry.field(description="Public or private.")
    include_chat: strawberry.Maybe[bool] = strawberry.field(description="Whether it includes chat.")
    include_video: strawberry.Maybe[bool] = strawberry.field(description="Whether it includes video.")
    include_lab_exercises: strawberry.Maybe[bool] = strawberry.field(
        description="Whether the class's lab exercises are part of it."
    )
    is_recorded: strawberry.Maybe[bool] = strawberry.field(description="Whether it is recorded.")
    tas: strawberry.Maybe[list[str]] = strawberry.field(description="Replaces the teaching assistants.")
    trainees: strawberry.Maybe[list[str]] = strawberry.field(description="Replaces the learners.")
    labels: strawberry.Maybe[list[str]] = strawberry.field(description="Replaces the labels.")
    timezone: strawberry.Maybe[str] = strawberry.field(description="IANA zone the dates are set in.")
    captions_language: strawberry.Maybe[str] = strawberry.field(description="BCP-47 tag, e.g. `en-US`.")


def _check(fields: dict[str, Any], *, creating: bool) -> None:
    problems = Problems("input")
    problems.text("name", fields.get("name"), max_length=256, required=creating or "name" in fields)
    problems.text("description", fields.get("description"), max_length=65536)
    problems.emails("owner", [fields["owner"]] if fields.get("owner") is not None else None)
    problems.emails("tas", fields.get("tas"))
    problems.emails("trainees", fields.get("trainees"))
    problems.timezone("timezone", fields.get("timezone"))
    language = fields.get("captions_language")
    if language is not None and not _BCP47.match(language):
        problems.add("captionsLanguage", f"{language!r} is not a BCP-47 language tag such as 'en-US'")
    problems.ordered("dateStart", fields.get("date_start"), "dateEnd", fields.get("date_end"))
    problems.check()


def create_body(data: CreateStrigoEventInput) -> JSONObject:
    """The `POST /events` body, after checking what Strigo's docs require."""
    fields = given_fields(data)
    _check(fields, creating=True)
    return json_values(fields)


def update_body(data: UpdateStrigoEventInput) -> JSONObject:
    """The `PATCH /events/{id}` body: only the fields the caller gave."""
    fields = given_fields(data)
    if "description" in fields and fields["description"] is None:
        fields["description"] = ""  # Strigo's description is a string: null means "clear it"
    _check(fields, creating=False)
    if not fields:
        refuse_empty_update()
    return json_values(fields)
