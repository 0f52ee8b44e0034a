"""Local calendar days in an event's zone: all-day events read from instants, and turned back into them.

An all-day event covers whole local days. Providers store it as instants (Kona: local midnight to
23:59:59.999 of the last day), so reading it means finding the days those instants stand for in
the event's zone, and writing it means the reverse. `Event.startsAt`/`endsAt` of an all-day event
are always the local midnights that bound its days (`endsAt` exclusive), whatever the upstream
stored, so every provider's all-day events read alike.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from gateway.instants import LATEST
from schema.validation import Problems

ONE_DAY = timedelta(days=1)


def zone_named(name: object) -> ZoneInfo | None:
    """The IANA zone called `name`, or None when it is not a zone name this machine knows (or not text)."""
    if not isinstance(name, str) or not name or len(name) > 64 or name.startswith(("/", ".")):
        return None
    return _zone(name)


@lru_cache(maxsize=1024)  # bounded: the names come from upstream replies
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def local_midnight(day: date, zone: tzinfo) -> datetime:
    """The first instant of `day` in `zone`, with that zone's offset.

    Where a zone skips midnight (a daylight-saving change at 00:00), the day starts at the change.
    """
    naive = datetime.combine(day, time(0))
    # zoneinfo reads a skipped wall time with the offset before the change; through UTC it becomes
    # the instant of the change, written with the offset after it.
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def nearest_day(moment: datetime, zone: tzinfo) -> date:
    """The local day whose first instant lies nearest `moment` (a later day on a tie).

    An instant meant as a local midnight but stored a little off (Kona's 23:59:59.999 end, an hour
    of daylight-saving difference) still names its day; an all-day event never moves by a day.
    """
    local = moment.astimezone(zone)
    day = local.date()
    if day == date.max:
        return day
    following = day + ONE_DAY
    before, after = local_midnight(day, zone), local_midnight(following, zone)
    return following if after - moment <= moment - before else day


def all_day_span(starts_at: datetime, ends_at: datetime | None, zone: ZoneInfo) -> tuple[date, date]:
    """The first and last (inclusive) local days an all-day event stored as these instants covers.

    The end is exclusive: it names the day after the last one (an end at or before the start means
    a one-day event).
    """
    first = nearest_day(starts_at, zone)
    if ends_at is None or ends_at <= starts_at:
        return first, first
    after_last = nearest_day(ends_at, zone)
    return first, max(first, after_last - ONE_DAY) if after_last > date.min else first


def day_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants that bound whole days `first … last` in `zone`: its first moment, and the first
    moment after it (exclusive)."""
    start = local_midnight(first, zone)
    if last >= date.max:
        return start, LATEST
    return start, local_midnight(last + ONE_DAY, zone)


@dataclass(frozen=True, slots=True)
class DaySpan:
    """The whole local days an all-day event covers: `first` to `last`, both included."""

    first: date
    last: date


@dataclass(frozen=True, slots=True)
class AllDayInput:
    """What a create or update input says about all-day days, with the names it uses for its fields."""

    start_date: date | None
    end_date: date | None
    start: datetime | None
    end: datetime | None
    all_day: bool | None
    #: The input's names of its start and end instants (Kona `startAt`/`endAt`, Schoology `start`/`end`).
    start_name: str
    end_name: str

    def span(self, problems: Problems) -> DaySpan | None:
        """The days the caller means for an all-day event, or None when the input sets no all-day days.

        `startDate`/`endDate` (both, `endDate` inclusive and not before `startDate`) name them, and
        exclude the instants and `allDay: false`. With `allDay: true` and instants instead, the days
        are those of the instants as written, in their own offset (a local midnight at +09:00 is
        that day, never the day before in UTC); an end at or before the next midnight adds no day.
        """
        if self.start_date is not None or self.end_date is not None:
            return self._dates(problems)
        if self.all_day and self.start is not None:
            first = self.start.date()
            if self.end is None or self.end <= self.start or self.end.tzinfo is None:
                return DaySpan(first, first)
            after_last = nearest_day(self.end, self.end.tzinfo)
            return DaySpan(first, max(first, after_last - ONE_DAY))
        return None

    def _dates(self, problems: Problems) -> DaySpan | None:
        if self.start_date is None:
            problems.add("startDate", "give startDate with endDate: the first day of the all-day event")
        if self.end_date is None:
            problems.add(
                "endDate", "give endDate with startDate: the last day, included (the same day for one day)"
            )
        if self.start is not None or self.end is not None:
            given = self.start_name if self.start is not None else self.end_name
            problems.add(given, f"give either startDate/endDate (all day) or {given}, not both")
        if self.all_day is False:
            problems.add("allDay", "startDate/endDate make an all-day event: leave allDay out or set it true")
        if self.start_date is None or self.end_date is None:
            return None
        if self.end_date < self.start_date:
            problems.add("endDate", "endDate must not be before startDate (it is the last day, included)")
            return None
        return DaySpan(self.start_date, self.end_date)
