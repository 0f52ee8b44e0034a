"""Kona's mutation inputs and the calendar event bodies built from them, checked before anything is sent."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

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
from schema.local_days import AllDayInput, day_bounds
from schema.validation import Problems, given_fields, refuse_empty_update

#: Kona's whole days end a millisecond before the next midnight.
LAST_MOMENT = timedelta(milliseconds=1)


@strawberry.input(description="A link from a Kona calendar event to a record outside Kona.")
class KonaExternalObjectInput:
    external_id: str = strawberry.field(description="The record's id in its own system.")
    name: str = strawberry.field(description="A name to show for the record.")
    url: str | None = strawberry.field(default=None, description="A link to the record.")

    def to_upstream(self) -> JSONObject:
        """Kona's `external_object`."""
        found = {"id": self.external_id, "name": self.name, "url": self.url}
        return {key: value for key, value in found.items() if value is not None}


@strawberry.input(
    description="A new Kona calendar event. Times need a UTC offset; Kona stores UTC. A timed event gives "
    "`startAt`/`endAt` (Kona's default for each: the current time); an all-day event gives `startDate` "
    "and `endDate` instead, which Kona stores as local midnight to 23:59:59.999 of the last day in the "
    "account's zone (`KONA_TIMEZONE`)."
)
class CreateKonaCalendarEventInput:
    name: str = strawberry.field(description="The event's name (not blank).")
    start_at: datetime | None = strawberry.field(
        default=None, description="When it starts (Kona's default: now). Not with `startDate`."
    )
    end_at: datetime | None = strawberry.field(
        default=None, description="When it ends: not before `startAt`, equal allowed (Kona's default: now)."
    )
    start_date: date | None = strawberry.field(
        default=None, description="An all-day event's first day (with `endDate`; makes `allDay` true)."
    )
    end_date: date | None = strawberry.field(
        default=None,
        description="An all-day event's last day, included: the same as `startDate` for a one-day event.",
    )
    location: str | None = strawberry.field(default=None, description="Where it takes place, as text.")
    details: str | None = strawberry.field(default=None, description="Notes shown with the event.")
    all_day: bool | None = strawberry.field(
        default=None,
        description="A whole-day event (default false). With `startAt`/`endAt` instead of dates, its days "
        "are those of the instants as written, in their own offset (midnight at +09:00 is that day, not "
        "the one before).",
    )
    space_id: int | None = strawberry.field(default=None, description="Id of a space you belong to.")
    creator_id: int | None = strawberry.field(
        default=None, description="Kona user id of the creator (Kona's default: the gateway's account)."
    )
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
    "field that may be empty (fields that may not be empty refuse null). `startDate` and `endDate` "
    "(together) make it an all-day event over those days, like on create."
)
class UpdateKonaCalendarEventInput:
    name: strawberry.Maybe[str] = strawberry.field(description="A new name (not blank).")
    start_at: strawberry.Maybe[datetime] = strawberry.field(description="A new start.")
    end_at: strawberry.Maybe[datetime] = strawberry.field(description="A new end, not before the start.")
    start_date: strawberry.Maybe[date] = strawberry.field(
        description="First day of the all-day event (with `endDate`; not with `startAt`/`endAt`)."
    )
    end_date: strawberry.Maybe[date] = strawberry.field(
        description="Last day of the all-day event, included (with `startDate`)."
    )
    location: strawberry.Maybe[str | None] = strawberry.field(description="A new place; null clears it.")
    details: strawberry.Maybe[str | None] = strawberry.field(description="New notes; null clears them.")
    all_day: strawberry.Maybe[bool] = strawberry.field(description="Whether it lasts whole days.")
    space_id: strawberry.Maybe[int | None] = strawberry.field(
        description="Move it to another space you belong to; null takes it out of any space."
    )
    creator_id: strawberry.Maybe[int] = strawberry.field(description="Kona user id of the new creator.")
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
    "name", "start_at", "end_at", "location", "details", "all_day", "space_id", "creator_id",
    "participant_ids", "editor_ids", "status", "visibility", "stakeholder", "default_role", "period",
    "frequency", "sel_days", "series_end_at", "external_object",
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


def _check(fields: dict[str, Any], days: AllDayInput, zone: ZoneInfo, *, creating: bool) -> None:
    """Check the fields; an all-day span replaces the instants with Kona's whole-day ones, in place."""
    problems = Problems("input")
    problems.text("name", fields.get("name"), required=creating or "name" in fields)
    problems.ordered("startAt", fields.get("start_at"), "endAt", fields.get("end_at"), allow_equal=True)
    if len(fields.get("sel_days") or ()) > 1:
        problems.add("selDays", "Kona takes a single weekday per series")
    span = days.span(problems)
    problems.check()
    if span is not None:
        start, after = day_bounds(span.first, span.last, zone)
        fields |= {"all_day": True, "start_at": start, "end_at": after - LAST_MOMENT}


def _days(
    data: CreateKonaCalendarEventInput | UpdateKonaCalendarEventInput, fields: dict[str, Any]
) -> AllDayInput:
    def given(name: str) -> Any:
        value = getattr(data, name)
        return value.value if isinstance(value, strawberry.Some) else value

    return AllDayInput(
        start_date=given("start_date"),
        end_date=given("end_date"),
        start=fields.get("start_at"),
        end=fields.get("end_at"),
        all_day=fields.get("all_day"),
        start_name="startAt",
        end_name="endAt",
    )


def create_body(data: CreateKonaCalendarEventInput, zone: ZoneInfo) -> JSONObject:
    """The calendar event for `POST /calendar_events`, after the checks Kona's docs imply.

    `zone` is the account's (`KONA_TIMEZONE`): where all-day days begin and end.
    """
    fields = given_fields(data, _KEYS)
    _check(fields, _days(data, fields), zone, creating=True)
    return {key: _wire(key, value) for key, value in fields.items()}


def update_body(data: UpdateKonaCalendarEventInput, zone: ZoneInfo) -> JSONObject:
    """The calendar event for `PUT /calendar_events/{id}`: only the fields the caller gave."""
    fields = given_fields(data, _KEYS)
    days = _days(data, fields)
    if not fields and days.start_date is None and days.end_date is None:
        refuse_empty_update()
    _check(fields, days, zone, creating=False)
    return {key: _wire(key, value) for key, value in fields.items()}
