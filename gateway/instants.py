"""Instants that cannot overflow: upstream date-times read safely, callers' ones clamped, safe shifts.

`datetime` stops at years 1 and 9999. An instant near either end with an offset (year 1 at +14:00,
9999-12-31 at -05:00) cannot be expressed in UTC, and adding a day to one raises. Everything the
federated order does (sorting by UTC instant, widening a window by a day) would then fail for the
whole query, so such instants are refused on the way in (upstream) or clamped (callers' filters,
which may legitimately say "from the beginning of time").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Epoch milliseconds of the first and last representable UTC instants.
_MS_RANGE = ((EARLIEST - _EPOCH) // timedelta(milliseconds=1), (LATEST - _EPOCH) // timedelta(milliseconds=1))


#: The days a write may carry: a day of room at both ends of the calendar, so that an instant's
#: local time in any zone, and the day after (or before) a date, still exist.
FIRST_WRITABLE_DAY = date.min + timedelta(days=1)
LAST_WRITABLE_DAY = date.max - timedelta(days=1)


def writable(value: datetime | date) -> bool:
    """Whether a caller's date or time may go to an upstream (an instant: its UTC day)."""
    if isinstance(value, datetime):
        converted = in_utc(value)
        if converted is None:
            return False
        value = converted.date()
    return FIRST_WRITABLE_DAY <= value <= LAST_WRITABLE_DAY


def in_utc(moment: datetime) -> datetime | None:
    """`moment` in UTC (a naive one is taken as UTC), or None when UTC cannot express it."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None


def representable(moment: datetime) -> datetime | None:
    """`moment` as given (a naive one made UTC) if it has a UTC equivalent, else None."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    if 1 < moment.year < 9999:
        return moment  # an offset (under a day) cannot take it past year 1 or 9999: no conversion needed
    return moment if in_utc(moment) is not None else None


def clamped(moment: datetime) -> datetime:
    """`moment` in UTC, or the first or last representable instant when it lies beyond them."""
    converted = in_utc(moment)
    if converted is not None:
        return converted
    return EARLIEST if moment.year == datetime.min.year else LATEST


def shifted(moment: datetime, delta: timedelta) -> datetime:
    """`moment + delta`, stopping at the first or last representable instant."""
    try:
        return moment + delta
    except OverflowError:
        return EARLIEST if delta < timedelta(0) else LATEST


def parse_instant(value: Any) -> datetime | None:
    """An upstream ISO 8601 date-time (naive means UTC); None when absent, unreadable or out of range."""
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    try:
        return representable(datetime.fromisoformat(value))
    except ValueError:
        return None


def from_epoch_ms(value: Any) -> datetime | None:
    """Epoch milliseconds (an int or float, not a bool) as a UTC instant; None if absent or out of range."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not _MS_RANGE[0] <= value <= _MS_RANGE[1]:  # also refuses NaN
        return None
    return _EPOCH + timedelta(milliseconds=value)
