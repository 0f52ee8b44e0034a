"""The feed as RFC 5545 text: one VCALENDAR, a VEVENT per event, VTIMEZONEs for the zones used.

Built with `icalendar`, which escapes TEXT values (`,` `;` `\\` and newlines) and folds lines at 75
octets without splitting a UTF-8 character; its VTIMEZONEs come from the system's zoneinfo.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import icalendar

from gateway.feed.records import FeedEvent
from gateway.feed.series import SeriesPlan, fold
from gateway.feed.times import Moment, day_of, span

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


#: Control characters RFC 5545 forbids in TEXT (§3.3.11: every CTL but HTAB); line breaks are kept
#: as `\n`, which icalendar escapes.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def text(value: str) -> icalendar.vText:
    """`value` as an escaped TEXT value, CR and CRLF read as line breaks, other controls removed: a
    bare CR some parsers take for a line end must never start a property of its own."""
    return icalendar.vText(_CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n")))


def render(events: Sequence[FeedEvent], head: CalendarHead, stamp: datetime) -> bytes:
    """The iCalendar object of `events` (each must have a start), stamped `stamp` (DTSTAMP)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # Every text goes through `text`: icalendar only escapes values it knows to be TEXT, and an X-
    # property (or NAME, new in RFC 7986) is not one to it.
    calendar.add("x-wr-calname", text(head.name))
    calendar.add("name", text(head.name))
    calendar.add("x-wr-caldesc", text(head.description))
    calendar.add("description", text(head.description))
    calendar.add("refresh-interval", head.refresh, parameters={"VALUE": "DURATION"})
    # An X- property has no declared type: its value goes in as the DURATION text (`PT1H`).
    calendar.add("x-published-ttl", _duration_text(head.refresh))
    for name, note in head.notes:
        calendar.add(name, text(note))
    folded = fold(events)
    for event in folded.singles:
        calendar.add_component(vevent(event, head, stamp))
    for plan in folded.series:
        for component in series_vevents(plan, head, stamp):
            calendar.add_component(component)
    days = [day for event in events for day in _days(event)]
    if days:
        calendar.add_missing_timezones(_shifted(min(days), -366), _shifted(max(days), 366))
        _one_rdate_per_line(calendar)
    return bytes(calendar.to_ical())


def vevent(
    event: FeedEvent,
    head: CalendarHead,
    stamp: datetime,
    *,
    uid: str | None = None,
    when: tuple[Moment, Moment | None] | None = None,
) -> icalendar.Event:
    """One event as a VEVENT: UID is its global id (or its series' `uid`), times its own (or `when`)."""
    component = icalendar.Event()
    component.add("uid", uid or event.id)
    component.add("dtstamp", stamp.astimezone(UTC))
    if event.updated_at is not None:
        component.add("last-modified", event.updated_at.astimezone(UTC))
    component.add("summary", text(event.title))
    start, end = when or span(event)
    component.add("dtstart", start)
    if end is not None:
        component.add("dtend", end)
    if event.description:
        component.add("description", text(event.description))
    if event.location:
        component.add("location", text(event.location))
    if event.url:
        component.add("url", event.url, parameters={"VALUE": "URI"})
    status = STATUSES.get(event.status)
    if status is not None:
        component.add("status", status)
    category = head.categories.get(event.provider)
    if category:
        component.add("categories", [_CONTROLS.sub("", category)])
    return component


def series_vevents(plan: SeriesPlan, head: CalendarHead, stamp: datetime) -> list[icalendar.Event]:
    """A series: its master (RRULE, one EXDATE per instance GraphQL did not return), then one
    RECURRENCE-ID override per occurrence that differs from the master; all under the series' id."""
    master = vevent(plan.master, head, stamp, uid=plan.uid, when=(plan.start, plan.end))
    master.add("rrule", icalendar.vRecur.from_ical(plan.rule))
    for moment in plan.exdates:
        master.add("exdate", moment)
    components = [master]
    for recurrence_id, event in plan.overrides:
        override = vevent(event, head, stamp, uid=plan.uid)
        override.add("recurrence-id", recurrence_id)
        components.append(override)
    return components


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
    return [day_of(start)] + ([day_of(end)] if end is not None else [])


def _shifted(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return day
