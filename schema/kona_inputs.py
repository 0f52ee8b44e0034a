"""Kona's mutation inputs and the calendar event bodies built from them, checked before anything is sent."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from gateway.providers.base import JSONObject
from schema.kona import (
    KonaDefaultRole,
    KonaEventStatus,
    KonaFrequency,
    KonaPeriod,
    KonaStakeholder,
    KonaVisibility,
    KonaWeekday,
    to_ms,
)
from schema.validation import Problems


@strawberry.input(description="A link from a Kona calendar event to a record outside Kona.")
class KonaExternalObjectInput:
    external_id: str = strawberry.field(description="The record's id in its own system.")
    name: str = strawberry.field(description="A name to show for the record.")
    url: str | None = strawberry.field(default=None, description="A link to the record.")

    def to_upstream(self) -> JSONObject:
        """Kona's `external_object`."""
        found = {"id": self.external_id, "name": self.name, "url": self.url}
        return {key: value for key, value in found.items() if value is not None}


@strawberry.input(description="A new Kona calendar event. Times need a UTC offset; Kona stores UTC.")
class CreateKonaCalendarEventInput:
    name: str = strawberry.field(description="The event's name (not blank).")
    start_at: datetime = strawberry.field(description="When it starts.")
    end_at: datetime = strawberry.field(description="When it ends: not before `startAt` (equal is allowed).")
    location: str | None = strawberry.field(default=None, description="Where it takes place, as text.")
    details: str | None = strawberry.field(default=None, description="Notes shown with the event.")
    all_day: bool | None = strawberry.field(
        default=None, description="A whole-day event (Kona keeps its days in UTC); default false."
    )
    space_id: int | None = strawberry.field(default=None, description="Id of a space you belong to.")
    participant_ids: list[int] | None = strawberry.field(
        default=None, description="Kona user ids to invite. Write-only: Kona never sends them back."
    )
    editor_ids: list[int] | None = strawberry.field(
        default=None, description="Kona user ids who may change the event. Write-only, like participantIds."
    )
    status: KonaEventStatus | None = strawberry.field(
        default=None,
        description="Kona's own progress status (read back as `konaStatus`); Kona's default IN_PROGRESS.",
    )
    visibility: KonaVisibility | None = strawberry.field(
        default=None, description="Who can see the event (Kona's default PUBLIC)."
    )
    stakeholder: KonaStakeholder | None = strawberry.field(
        default=None, description="EVERYONE creates the event for the account's 'Everyone' group."
    )
    default_role: KonaDefaultRole | None = strawberry.field(
        default=None, description="What participants may do with it (Kona's default EDITOR)."
    )
    period: KonaPeriod | None = strawberry.field(
        default=None, description="Anything but NONE makes the event the first instance of a series."
    )
    frequency: KonaFrequency | None = strawberry.field(
        default=None, description="Repeat every, every other or every third `period`."
    )
    sel_days: list[KonaWeekday] | None = strawberry.field(
        default=None, description="The weekday a weekly series falls on (Kona takes one)."
    )
    series_end_at: datetime | None = strawberry.field(
        default=None, description="When a recurring series stops."
    )
    external_object: KonaExternalObjectInput | None = strawberry.field(
        default=None, description="A record outside Kona to link the event to."
    )


@strawberry.input(
    description="Changes to a Kona calendar event; omitted fields stay as they are, and null clears a "
    "field that may be empty (fields that may not be empty refuse null)."
)
class UpdateKonaCalendarEventInput:
    name: strawberry.Maybe[str] = strawberry.field(description="A new name (not blank).")
    start_at: strawberry.Maybe[datetime] = strawberry.field(description="A new start.")
    end_at: strawberry.Maybe[datetime] = strawberry.field(description="A new end, not before the start.")
    location: strawberry.Maybe[str | None] = strawberry.field(description="A new place; null clears it.")
    details: strawberry.Maybe[str | None] = strawberry.field(description="New notes; null clears them.")
    all_day: strawberry.Maybe[bool] = strawberry.field(description="Whether it lasts whole days.")
    space_id: strawberry.Maybe[int | None] = strawberry.field(
        description="Move it to another space you belong to; null takes it out of any space."
    )
    participant_ids: strawberry.Maybe[list[int]] = strawberry.field(
        description="Replaces the invited users (write-only)."
    )
    editor_ids: strawberry.Maybe[list[int]] = strawberry.field(
        description="Replaces the users who may change the event (write-only)."
    )
    status: strawberry.Maybe[KonaEventStatus] = strawberry.field(
        description="Kona's own progress status (read back as `konaStatus`)."
    )
    visibility: strawberry.Maybe[KonaVisibility] = strawberry.field(description="Who can see the event.")
    stakeholder: strawberry.Maybe[KonaStakeholder] = strawberry.field(description="Whom it concerns.")
    default_role: strawberry.Maybe[KonaDefaultRole] = strawberry.field(
        description="What participants may do with it."
    )
    period: strawberry.Maybe[KonaPeriod] = strawberry.field(description="The repeat unit of the series.")
    frequency: strawberry.Maybe[KonaFrequency] = strawberry.field(
        description="Every how many periods the series repeats."
    )
    sel_days: strawberry.Maybe[list[KonaWeekday] | None] = strawberry.field(
        description="The weekday a weekly series falls on; null clears it."
    )
    series_end_at: strawberry.Maybe[datetime | None] = strawberry.field(
        description="When the series stops; null lets it run on."
    )
    external_object: strawberry.Maybe[KonaExternalObjectInput | None] = strawberry.field(
        description="A new link to an outside record; null removes the link."
    )


#: Input attributes, named exactly like Kona's keys.
_KEYS = (
    "name", "start_at", "end_at", "location", "details", "all_day", "space_id", "participant_ids",
    "editor_ids", "status", "visibility", "stakeholder", "default_role", "period", "frequency",
    "sel_days", "series_end_at", "external_object",
)  # fmt: skip


def _wire(key: str, value: Any) -> Any:
    if isinstance(value, datetime):
        return to_ms(value)
    if isinstance(value, Enum):
        return value.value
    if key == "sel_days":
        return value[0].value if value else None  # documented as one integer
    if key == "external_object":
        # external_objects.md: `{}` removes the link.
        return {} if value is None else value.to_upstream()
    return value


def _check(fields: dict[str, Any], *, creating: bool) -> None:
    problems = Problems("input")
    problems.text("name", fields.get("name"), required=creating or "name" in fields)
    problems.ordered("startAt", fields.get("start_at"), "endAt", fields.get("end_at"), allow_equal=True)
    if len(fields.get("sel_days") or ()) > 1:
        problems.add("selDays", "Kona takes a single weekday per series")
    problems.check()


def create_body(data: CreateKonaCalendarEventInput) -> JSONObject:
    """The calendar event for `POST /calendar_events`, after the checks Kona's docs imply."""
    fields = {key: getattr(data, key) for key in _KEYS if getattr(data, key) is not None}
    _check(fields, creating=True)
    return {key: _wire(key, value) for key, value in fields.items()}


def update_body(data: UpdateKonaCalendarEventInput) -> JSONObject:
    """The calendar event for `PUT /calendar_events/{id}`: only the fields the caller gave."""
    fields = {key: given.value for key in _KEYS if (given := getattr(data, key)) is not None}
    _check(fields, creating=False)
    if not fields:
        problems = Problems()
        problems.add("input", "give at least one field to change")
        problems.check()
    return {key: _wire(key, value) for key, value in fields.items()}
