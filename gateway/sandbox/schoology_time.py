"""Schoology emulator times: which zone each endpoint writes `start`/`end` in, and all-day placeholders.

Schoology's times carry no zone, and its docs show one all-day event twice, 5 h apart: the list says
`"start": "2013-12-16 18:59:59"`, the single GET `"2013-12-16 23:59:59"`. Both are one instant,
23:59:59 UTC, which New York (the docs' users have `tz_name` America/New_York) calls 18:59:59 in
December. So the emulator keeps instants in UTC and answers:

- lists (`GET {realm}/events`, also inside multi-get) and the created event (POST) in the realm's
  zone: a user realm in that user's `tz_name`, every other realm in the school's zone (`TIMEZONE`);
- the single GET in UTC.

Writes (POST, PUT) are read in the realm's zone, like the list they mirror. An all-day event is a
day, not an instant: it is stored as that day's 23:59:59 UTC (the docs' GET example), the day being
the date a write gives (its time of day is ignored), and its `end`, when `has_end` is 1, as the last
day's. So the day of an all-day event is the UTC date of its `start`, whichever endpoint sent it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

#: The school's zone: where every realm but a user's writes its times.
TIMEZONE = "America/New_York"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
#: The time of day all-day events are stored at (UTC).
ALL_DAY_TIME = "23:59:59"


def realm_zone(kind: str, data: dict[str, Any] | None) -> ZoneInfo:
    """The zone a realm (of this kind, this object) writes its lists in: a user's `tz_name`, else the
    school's."""
    name = (data or {}).get("tz_name") if kind == "users" else None
    return ZoneInfo(name if isinstance(name, str) and name else TIMEZONE)


def stored(text: str, zone: ZoneInfo, *, all_day: bool) -> str:
    """A written `YYYY-MM-DD HH:MM:SS` in `zone` as kept (UTC; an all-day event's day placeholder)."""
    if all_day:
        return f"{text[:10]} {ALL_DAY_TIME}"
    local = datetime.strptime(text, DATETIME_FORMAT).replace(tzinfo=zone)
    return local.astimezone(UTC).strftime(DATETIME_FORMAT)


def rendered(text: str, zone: ZoneInfo | None) -> str:
    """A kept time as an endpoint writes it: in `zone`, or as kept (UTC) for None."""
    if not text or zone is None:
        return text
    moment = datetime.strptime(text, DATETIME_FORMAT).replace(tzinfo=UTC)
    return moment.astimezone(zone).strftime(DATETIME_FORMAT)


def start_day(fields: dict[str, Any], zone: ZoneInfo) -> date:
    """The day `start_date`/`end_date` filter on: an all-day event's own, a timed one's in `zone`."""
    text = fields["start"]
    if fields.get("all_day"):
        return date.fromisoformat(text[:10])
    return datetime.strptime(rendered(text, zone), DATETIME_FORMAT).date()


def to_all_day(text: str, zone: ZoneInfo) -> str:
    """A kept timed instant turned all-day: its day in `zone` (the realm's)."""
    return f"{rendered(text, zone)[:10]} {ALL_DAY_TIME}"
