"""When an event is, as iCalendar writes it: days for all-day events, local times in a known zone."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta
from functools import cache

from gateway.feed.records import FeedEvent

Moment = date | datetime


@cache
def known_zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The IANA zone `name` when the system's zoneinfo has it (UTC stays plain UTC: no VTIMEZONE)."""
    if not name or name in ("UTC", "Etc/UTC", "Z"):
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def span(event: FeedEvent) -> tuple[Moment, Moment | None]:
    """DTSTART and DTEND: days for an all-day event (DTEND the day after the last, RFC 5545's
    exclusive end), else instants in the event's zone where it is known (UTC otherwise)."""
    if event.starts_at is None:
        raise ValueError(f"event {event.id} has no start")
    zone = known_zone(event.timezone) or UTC
    if event.all_day:
        first = event.start_date or event.starts_at.astimezone(zone).date()
        last = event.end_date if event.end_date is not None and event.end_date >= first else first
        return first, last + timedelta(days=1)
    start = event.starts_at.astimezone(zone)
    if event.ends_at is None or event.ends_at < event.starts_at:
        return start, None
    return start, event.ends_at.astimezone(zone)


def comparable(moment: Moment) -> tuple[date, datetime | None]:
    """A sort and equality key that treats equal instants in different zones as equal."""
    if isinstance(moment, datetime):
        return moment.date(), moment.astimezone(UTC)
    return moment, None


def day_of(moment: Moment) -> date:
    """The calendar day of a DTSTART or DTEND value."""
    return moment.date() if isinstance(moment, datetime) else moment
