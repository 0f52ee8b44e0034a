"""Recurring series: RFC 5545 RRULE values and their occurrences, through python-dateutil's `rrule`.

A rule repeats the first occurrence's start in the series' zone, so a weekly 09:00 stays at 09:00
local time across daylight-saving changes (dateutil steps wall-clock time and zoneinfo gives each
occurrence its own offset). Occurrences are numbered from 1, as RFC 5545 counts them (`COUNT`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

#: RFC 5545 BYDAY codes, Monday first (as `datetime.weekday()` numbers the days).
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: More occurrences than any one series is walked for: a rule that would need more to reach a
#: window (daily for 270 years) is read no further, rather than tying up the server.
MAX_STEPS = 100_000


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One occurrence of a series: its number from 1 and its start, in the series' zone."""

    index: int
    start: datetime


def rule_text(
    frequency: str,
    *,
    interval: int = 1,
    weekdays: Sequence[str] = (),
    until: datetime | None = None,
) -> str:
    """An RRULE value: `FREQ`, then `INTERVAL` (when not 1), `BYDAY`, `UNTIL` (in UTC, as RFC 5545
    requires with a zoned start)."""
    parts = [f"FREQ={frequency}"]
    if interval != 1:
        parts.append(f"INTERVAL={interval}")
    if weekdays:
        parts.append(f"BYDAY={','.join(weekdays)}")
    if until is not None:
        parts.append(f"UNTIL={until.astimezone(UTC):%Y%m%dT%H%M%SZ}")
    return ";".join(parts)


def occurrences(
    rule: str,
    first_start: datetime,
    zone: ZoneInfo,
    *,
    starting: datetime | None = None,
    before: datetime | None = None,
    limit: int | None = None,
) -> Iterator[Occurrence]:
    """The occurrences of `rule` from `first_start` (occurrence 1), in order, that start at or after
    `starting` and before `before`, at most `limit` of them.

    The first occurrence is `first_start` itself, as RFC 5545 counts DTSTART even where the rule
    would not produce it.
    """
    dtstart = first_start.astimezone(zone)
    steps = rrulestr(rule, dtstart=dtstart, ignoretz=False, cache=False)
    yielded = 0
    index = 0
    for moment in _with_first(steps, dtstart):
        index += 1
        if index > MAX_STEPS or (before is not None and moment >= before):
            return
        if starting is not None and moment < starting:
            continue
        yield Occurrence(index, moment)
        yielded += 1
        if limit is not None and yielded >= limit:
            return


def occurrence_at(rule: str, first_start: datetime, zone: ZoneInfo, index: int) -> datetime | None:
    """The start of occurrence `index` (from 1), or None when the series has fewer."""
    for found in occurrences(rule, first_start, zone):
        if found.index == index:
            return found.start
        if found.index > index:
            break
    return None


def _with_first(steps: Iterable[datetime], dtstart: datetime) -> Iterator[datetime]:
    iterator = iter(steps)
    first = next(iterator, None)
    if first != dtstart:
        yield dtstart
    if first is not None:
        yield first
    yield from iterator
