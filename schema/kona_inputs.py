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
    name: str
    start_at: datetime
    end_at: datetime = strawberry.field(description="Not before `startAt` (equal is allowed).")
    location: str | None = None
    details: str | None = strawberry.field(default=None, description="Notes shown with the event.")
    all_day: bool | None = None
    space_id: int | None = strawberry.field(default=None, description="Id of a space you belong to.")
    participant_ids: list[int] | None = strawberry.field(
        default=None, description="Kona user ids to invite. Write-only: Kona never sends them back."
    )
    editor_ids: list[int] | None = strawberry.field(
        default=None, description="Kona user ids who may change the event. Write-only, like participantIds."
    )
    status: KonaEventStatus | None = None
    visibility: KonaVisibility | None = None
    stakeholder: KonaStakeholder | None = strawberry.field(
        default=None, description="EVERYONE creates the event for the account's 'Everyone' group."
    )
    default_role: KonaDefaultRole | None = None
    period: KonaPeriod | None = strawberry.field(
        default=None, description="Anything but NONE makes the event the first instance of a series."
    )
    frequency: KonaFrequency | None = None
    sel_days: list[KonaWeekday] | None = strawberry.field(
        default=None, description="The weekday a weekly series falls on (Kona takes one)."
    )
    series_end_at: datetime | None = None
    external_object: KonaExternalObjectInput | None = None


@strawberry.input(description="Changes to a Kona calendar event; omitted fields stay as they are.")
class UpdateKonaCalendarEventInput:
    name: strawberry.Maybe[str]
    start_at: strawberry.Maybe[datetime]
    end_at: strawberry.Maybe[datetime]
    location: strawberry.Maybe[str | None]
    details: strawberry.Maybe[str | None]
    all_day: strawberry.Maybe[bool]
    space_id: strawberry.Maybe[int | None]
    participant_ids: strawberry.Maybe[list[int]] = strawberry.field(
        description="Replaces the invited users (write-only)."
    )
    editor_ids: strawberry.Maybe[list[int]] = strawberry.field(
        description="Replaces the users who may change the event (write-only)."
    )
    status: strawberry.Maybe[KonaEventStatus]
    visibility: strawberry.Maybe[KonaVisibility]
    stakeholder: strawberry.Maybe[KonaStakeholder]
    default_role: strawberry.Maybe[KonaDefaultRole]
    period: strawberry.Maybe[KonaPeriod]
    frequency: strawberry.Maybe[KonaFrequency]
    sel_days: strawberry.Maybe[list[KonaWeekday] | None]
    series_end_at: strawberry.Maybe[datetime | None]
    external_object: strawberry.Maybe[KonaExternalObjectInput | None] = strawberry.field(
        description="null removes the link."
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
