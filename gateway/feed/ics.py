"""The feed as RFC 5545 text: one VCALENDAR, a VEVENT per event, VTIMEZONEs for the zones used.

Built with `icalendar`, which escapes TEXT values (`,` `;` `\\` and newlines) and folds lines at 75
octets without splitting a UTF-8 character; its VTIMEZONEs come from the system's zoneinfo.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache

import icalendar

from gateway.feed.records import FeedEvent

PRODID = "-//event-gateway//calendar feed//EN"

#: `EventStatus` → RFC 5545 STATUS; UNKNOWN says nothing, so no STATUS is written for it.
STATUSES = {
    "SCHEDULED": "CONFIRMED",
    "LIVE": "CONFIRMED",
    "ENDED": "CONFIRMED",
    "DRAFT": "TENTATIVE",
    "CANCELLED": "CANCELLED",
}


@dataclass(frozen=True, slots=True)
class CalendarHead:
    """The calendar's own properties: its name and description, the polling it suggests, its notes."""

    name: str
    description: str
    refresh: timedelta
    #: Provider (`Provider` enum name) → the title written as the event's CATEGORIES.
    categories: Mapping[str, str] = field(default_factory=dict)
    #: Further `X-` properties of the calendar (name → text), e.g. which providers are missing.
    notes: Sequence[tuple[str, str]] = ()


def render(events: Sequence[FeedEvent], head: CalendarHead, stamp: datetime) -> bytes:
    """The iCalendar object of `events` (each must have a start), stamped `stamp` (DTSTAMP)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # X- properties are TEXT by default, but icalendar only escapes values it knows to be TEXT.
    calendar.add("x-wr-calname", icalendar.vText(head.name))
    calendar.add("name", head.name)
    calendar.add("x-wr-caldesc", icalendar.vText(head.description))
    calendar.add("description", head.description)
    calendar.add("refresh-interval", head.refresh, parameters={"VALUE": "DURATION"})
    # An X- property has no declared type: its value goes in as the DURATION text (`PT1H`).
    calendar.add("x-published-ttl", _duration_text(head.refresh))
    for name, text in head.notes:
        calendar.add(name, icalendar.vText(text))
    for event in events:
        calendar.add_component(vevent(event, head, stamp))
    days = [day for event in events for day in _days(event)]
    if days:
        calendar.add_missing_timezones(_shifted(min(days), -366), _shifted(max(days), 366))
        _one_rdate_per_line(calendar)
    return bytes(calendar.to_ical())


def vevent(event: FeedEvent, head: CalendarHead, stamp: datetime) -> icalendar.Event:
    """One event as a VEVENT: UID is its global id."""
    component = icalendar.Event()
    component.add("uid", event.id)
    component.add("dtstamp", stamp.astimezone(UTC))
    if event.updated_at is not None:
        component.add("last-modified", event.updated_at.astimezone(UTC))
    component.add("summary", event.title)
    start, end = span(event)
    component.add("dtstart", start)
    if end is not None:
        component.add("dtend", end)
    if event.description:
        component.add("description", event.description)
    if event.location:
        component.add("location", event.location)
    if event.url:
        component.add("url", event.url, parameters={"VALUE": "URI"})
    status = STATUSES.get(event.status)
    if status is not None:
        component.add("status", status)
    category = head.categories.get(event.provider)
    if category:
        component.add("categories", [category])
    return component


def span(event: FeedEvent) -> tuple[date | datetime, date | datetime | None]:
    """DTSTART and DTEND: days for an all-day event (DTEND the day after the last, RFC 5545's
    exclusive end), else instants in the event's zone where it is known (UTC otherwise)."""
    if event.starts_at is None:
        raise ValueError(f"event {event.id} has no start")
    if event.all_day:
        zone = known_zone(event.timezone) or UTC
        first = event.start_date or event.starts_at.astimezone(zone).date()
        last = event.end_date if event.end_date is not None and event.end_date >= first else first
        return first, last + timedelta(days=1)
    zone = known_zone(event.timezone) or UTC
    start = event.starts_at.astimezone(zone)
    if event.ends_at is None or event.ends_at < event.starts_at:
        return start, None
    return start, event.ends_at.astimezone(zone)


@cache
def known_zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The IANA zone `name` when the system's zoneinfo has it (UTC stays plain UTC: no VTIMEZONE)."""
    if not name or name in ("UTC", "Etc/UTC", "Z"):
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _one_rdate_per_line(calendar: icalendar.Calendar) -> None:
    """Split the VTIMEZONEs' `RDATE:a,b,c` into one RDATE per transition: ical.js (the parser of
    Thunderbird's lineage) reads only the first value of a list, and would put every later DST
    change of the zone in the wrong place. One value per line means the same to every parser."""
    for zone in calendar.walk("VTIMEZONE"):
        for observance in zone.subcomponents:
            if "RDATE" not in observance:
                continue
            given = observance.pop("RDATE")
            lists = given if isinstance(given, list) else [given]
            for moment in [item.dt for dates in lists for item in dates.dts]:
                observance.add("rdate", moment)


def _duration_text(span: timedelta) -> str:
    return (
        f"PT{int(span.total_seconds())}S"
        if span % timedelta(minutes=1)
        else f"PT{span // timedelta(minutes=1)}M"
    )


def _days(event: FeedEvent) -> list[date]:
    if event.starts_at is None:
        return []
    start, end = span(event)
    return [_day(start)] + ([_day(end)] if end is not None else [])


def _day(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _shifted(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return day
