"""Kona emulator datetimes: epoch-millisecond conversion, the accepted input forms, month windows."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from gateway.sandbox.kona_http import bad_request

_KONA_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?")
# Below this an integer is read as epoch seconds (10**11 s is the year 5138; 10**11 ms is 1973).
_SECONDS_LIMIT = 10**11


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def parse_datetime(value: object) -> int | None:
    """Epoch ms from any accepted input form (README "Date and Time"), or None if not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int):
        return value * 1000 if abs(value) < _SECONDS_LIMIT else value
    if isinstance(value, str) and (match := _KONA_DATETIME.fullmatch(value)):
        year, month, day, hour, minute, second, millis = match.groups()
        try:
            moment = datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=UTC
            )
        except ValueError:
            return None
        return ms(moment) + int(millis or 0)
    return None


DATETIME_FORMS = "epoch seconds, epoch milliseconds or 'YYYY-MM-DD HH:mm:ss.SSS' (GMT)"


def query_datetime(query: Mapping[str, str], key: str) -> int:
    parsed = parse_datetime(query[key])
    if parsed is None:
        raise bad_request(f"{key} must be {DATETIME_FORMS}")
    return parsed


def month_start(now: datetime) -> datetime:
    now = utc(now)
    return datetime(now.year, now.month, 1, tzinfo=UTC)


def month_window(now: datetime) -> tuple[int, int]:
    first = month_start(now)
    following = datetime(first.year + first.month // 12, first.month % 12 + 1, 1, tzinfo=UTC)
    return ms(first), ms(following) - 1
