"""Schoology's mutation inputs and the request bodies built from them, checked before anything is sent.

Times come in as `DateTime` (with an offset, like everywhere else in this API) and are converted into the
realm's zone (a user's `tz_name`, else `SCHOOLOGY_TIMEZONE`), then sent as the `YYYY-MM-DD HH:MM:SS`
Schoology reads writes in. That spares callers Schoology's offset-less format and any doubt about which
zone it means. All-day events take `startDate`/`endDate` (both inclusive, as Schoology's days are):
Schoology keeps an all-day event by its dates alone, so they are sent as `YYYY-MM-DD 00:00:00`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import strawberry

from gateway.providers.base import JSONObject
from schema.local_days import AllDayInput, DaySpan
from schema.schoology import SchoologyRsvp, flag
from schema.validation import Problems

WIRE_FORMAT = "%Y-%m-%d %H:%M:%S"

# Python attribute -> (Schoology field, GraphQL input field).
_FIELDS = {
    "title": ("title", "title"),
    "description": ("description", "description"),
    "start": ("start", "start"),
    "end": ("end", "end"),
    "has_end": ("has_end", "hasEnd"),
    "all_day": ("all_day", "allDay"),
    "rsvp": ("rsvp", "rsvp"),
    "comments_enabled": ("comments_enabled", "commentsEnabled"),
}
#: Input attributes that set an all-day event's days.
_DAYS = ("start_date", "end_date")


@strawberry.input(
    description="A new event in a Schoology realm: a timed one from `start` (with an offset; it is "
    "converted into the realm's zone, the events' `timezone`), or an all-day one over `startDate` … "
    "`endDate`."
)
class CreateSchoologyEventInput:
    title: str = strawberry.field(description="Required; must not be blank.")
    start: datetime | None = strawberry.field(
        default=None, description="When a timed event starts (required unless `startDate` is given)."
    )
    start_date: date | None = strawberry.field(
        default=None, description="An all-day event's first day (with `endDate`; not with `start`/`end`)."
    )
    end_date: date | None = strawberry.field(
        default=None,
        description="An all-day event's last day, included: the same as `startDate` for one day.",
    )
    description: str | None = strawberry.field(default=None, description="Free text.")
    has_end: bool | None = strawberry.field(
        default=None, description="Set to true to give an `end` (default false: no end time)."
    )
    end: datetime | None = strawberry.field(
        default=None, description="When the event ends: only with `hasEnd: true`, and not before `start`."
    )
    all_day: bool | None = strawberry.field(
        default=None,
        description="A whole-day event. With `start` instead of dates, its day is `start`'s date as "
        "written, in its own offset (a midnight at +09:00 is that day, not the one before in UTC).",
    )
    rsvp: SchoologyRsvp | None = strawberry.field(default=None, description="Who may RSVP (default NOBODY).")
    comments_enabled: bool | None = strawberry.field(
        default=None, description="Whether people may comment (default true)."
    )


@strawberry.input(
    description="Changes to a Schoology event; omitted fields stay as they are. Only plain events "
    "(`type: EVENT`) can be changed: assignment and discussion due dates are read-only."
)
class UpdateSchoologyEventInput:
    title: strawberry.Maybe[str] = strawberry.field(description="A new title (not blank).")
    description: strawberry.Maybe[str | None] = strawberry.field(
        description="A new description; null clears it."
    )
    start: strawberry.Maybe[datetime] = strawberry.field(description="A new start.")
    start_date: strawberry.Maybe[date] = strawberry.field(
        description="Make it an all-day event from this day (with `endDate`; not with `start`/`end`)."
    )
    end_date: strawberry.Maybe[date] = strawberry.field(
        description="The all-day event's last day, included (with `startDate`)."
    )
    end: strawberry.Maybe[datetime | None] = strawberry.field(
        description="The new end (the event must have, or be given, `hasEnd: true`); null removes the end."
    )
    has_end: strawberry.Maybe[bool] = strawberry.field(description="Whether the event has an end time.")
    all_day: strawberry.Maybe[bool] = strawberry.field(description="Whether it is a whole-day event.")
    rsvp: strawberry.Maybe[SchoologyRsvp] = strawberry.field(description="Who may RSVP.")
    comments_enabled: strawberry.Maybe[bool] = strawberry.field(description="Whether people may comment.")


def local_time(value: datetime, zone: ZoneInfo) -> str:
    """An instant as Schoology's offset-less `YYYY-MM-DD HH:MM:SS` in `zone`."""
    return value.astimezone(zone).strftime(WIRE_FORMAT)


def in_zone(text: Any, written_in: ZoneInfo, zone: ZoneInfo) -> Any:
    """A Schoology time written in `written_in` as written in `zone` (anything else as it is)."""
    try:
        moment = datetime.strptime(text, WIRE_FORMAT).replace(tzinfo=written_in)
    except (TypeError, ValueError):
        return text
    return local_time(moment, zone)


def _days(
    problems: Problems, given: dict[str, Any], *, all_day: bool | None, has_end: bool | None
) -> DaySpan | None:
    span = AllDayInput(
        start_date=given.get("start_date"),
        end_date=given.get("end_date"),
        start=given.get("start"),
        end=given.get("end"),
        all_day=all_day,
        start_name="start",
        end_name="end",
    ).span(problems)
    if span is not None and has_end is not None and (given.get("start_date") or given.get("end_date")):
        problems.add("hasEnd", "hasEnd follows from startDate/endDate: leave it out")
    return span


def _day_fields(span: DaySpan) -> JSONObject:
    """Schoology's all-day fields for these days (its time of day is ignored; its end day is included)."""
    body: JSONObject = {"all_day": 1, "start": f"{span.first.isoformat()} 00:00:00", "has_end": 0}
    if span.last > span.first:
        body |= {"has_end": 1, "end": f"{span.last.isoformat()} 00:00:00"}
    return body


def create_body(data: CreateSchoologyEventInput, zone: ZoneInfo) -> JSONObject:
    """The `POST {realm}/events` body, after checking what Schoology's docs require; `zone` is the realm's."""
    problems = Problems("input")
    _title(problems, data.title)
    given = {"start": data.start, "end": data.end, "start_date": data.start_date, "end_date": data.end_date}
    span = _days(problems, given, all_day=data.all_day, has_end=data.has_end)
    if span is None and data.start is None and data.start_date is None and data.end_date is None:
        problems.add("start", "give start (a timed event) or startDate and endDate (all day)")
    body: JSONObject = {"title": data.title, "type": "event"}
    if span is not None:
        body |= _day_fields(span)
    elif data.start is not None:
        start = local_time(data.start, zone)
        end = None if data.end is None else local_time(data.end, zone)
        if end is not None and not data.has_end:
            problems.add("end", "end needs hasEnd: true")
        if data.has_end and end is None:
            problems.add("end", "end is required when hasEnd is true")
        _ordered(problems, start, end, "end")
        body["start"] = start
        if data.has_end is not None:
            body["has_end"] = int(data.has_end)
        if end is not None:
            body["end"] = end
    problems.check()
    if data.description is not None:
        body["description"] = data.description
    for name in ("all_day", "rsvp", "comments_enabled"):
        value = getattr(data, name)
        if value is not None and name not in body:
            body[name] = _wire(value)
    return body


def update_body(data: UpdateSchoologyEventInput, current: JSONObject, zone: ZoneInfo) -> JSONObject:
    """The `PUT {realm}/events/{id}` body: the given fields only, checked against the `current` event
    (its `start`/`end` written in `zone`, the realm's)."""
    given = {name: maybe.value for name in (*_FIELDS, *_DAYS) if (maybe := getattr(data, name)) is not None}
    problems = Problems("input")
    if not given:
        problems.add("input", "give at least one field to change")
        problems.check()
    # Null is refused by the schema for every field but `description` and `end`.
    if given.get("title") is not None:
        _title(problems, given["title"])
    span = _days(problems, given, all_day=given.get("all_day"), has_end=given.get("has_end"))
    problems.check()
    body: JSONObject = {}
    for name, value in given.items():
        if value is not None and name in _FIELDS:
            body[_FIELDS[name][0]] = local_time(value, zone) if isinstance(value, datetime) else _wire(value)
    if span is not None:
        return body | _day_fields(span)
    if "description" in given and given["description"] is None:
        body["description"] = ""  # Schoology's description is a string: null means "clear it"
    if "end" in given and given["end"] is None:
        body.setdefault("has_end", 0)  # removing the end is turning `has_end` off
    has_end = bool(body["has_end"]) if "has_end" in body else bool(flag(current.get("has_end")))
    start = body.get("start") or current.get("start")
    end = body.get("end") or (current.get("end") if flag(current.get("has_end")) else None)
    if "end" in body and not has_end:
        problems.add("end", "end needs hasEnd: true (the event has no end time)")
    elif has_end and not end:
        problems.add("end", "end is required when hasEnd is true")
    elif has_end:
        _ordered(problems, start, end, "end" if "end" in body else "start")
    problems.check()
    return body


def _title(problems: Problems, title: str) -> None:
    if not title.strip():
        problems.add("title", "title must not be blank")


def _ordered(problems: Problems, start: Any, end: Any, field: str) -> None:
    # Both are `YYYY-MM-DD HH:MM:SS` in the same zone, so text order is time order.
    if isinstance(start, str) and isinstance(end, str) and end < start:
        problems.add(field, "end must not be before start")


def _wire(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, SchoologyRsvp):
        return value.value
    return value
