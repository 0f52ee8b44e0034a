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
from schema.validation import Problems

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
    name: str
    start_at: datetime | None = strawberry.field(
        default=None, description="When it starts (Kona's default: now). Not with `startDate`."
    )
    end_at: datetime | None = strawberry.field(
        default=None, description="Not before `startAt`, equal allowed (Kona's default: now)."
    )
    start_date: date | None = strawberry.field(
        default=None, description="An all-day event's first day (with `endDate`; makes `allDay` true)."
    )
    end_date: date | None = strawberry.field(
        default=None,
        description="An all-day event's last day, included: the same as `startDate` for a one-day event.",
    )
    location: str | None = None
    details: str | None = strawberry.field(default=None, description="Notes shown with the event.")
    all_day: bool | None = strawberry.field(
        default=None,
        description="A whole-day event. With `startAt`/`endAt` instead of dates, its days are those of the "
        "instants as written, in their own offset (midnight at +09:00 is that day, not the one before).",
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


@strawberry.input(
    description="Changes to a Kona calendar event; omitted fields stay as they are. `startDate` and "
    "`endDate` (together) make it an all-day event over those days, like on create."
)
class UpdateKonaCalendarEventInput:
    name: strawberry.Maybe[str]
    start_at: strawberry.Maybe[datetime]
    end_at: strawberry.Maybe[datetime]
    start_date: strawberry.Maybe[date] = strawberry.field(
        description="First day of the all-day event (with `endDate`; not with `startAt`/`endAt`)."
    )
    end_date: strawberry.Maybe[date] = strawberry.field(
        description="Last day of the all-day event, included (with `startDate`)."
    )
    location: strawberry.Maybe[str | None]
    details: strawberry.Maybe[str | None]
    all_day: strawberry.Maybe[bool]
    space_id: strawberry.Maybe[int | None]
    creator_id: strawberry.Maybe[int] = strawberry.field(description="Kona user id of the new creator.")
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
    fields = {key: getattr(data, key) for key in _KEYS if getattr(data, key) is not None}
    _check(fields, _days(data, fields), zone, creating=True)
    return {key: _wire(key, value) for key, value in fields.items()}


def update_body(data: UpdateKonaCalendarEventInput, zone: ZoneInfo) -> JSONObject:
    """The calendar event for `PUT /calendar_events/{id}`: only the fields the caller gave."""
    fields = {key: given.value for key in _KEYS if (given := getattr(data, key)) is not None}
    days = _days(data, fields)
    if not fields and days.start_date is None and days.end_date is None:
        problems = Problems()
        problems.add("input", "give at least one field to change")
        problems.check()
    _check(fields, days, zone, creating=False)
    return {key: _wire(key, value) for key, value in fields.items()}
