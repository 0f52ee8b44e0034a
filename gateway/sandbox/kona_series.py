"""Kona emulator recurring series, in either of two storage models (Kona's docs say neither).

`calendar_events.md` gives recurring events `series_id` ("the original event id"), `num_in_series`
("the recurrence sequence"), the rule (`period`, `frequency`, `sel_days`, `series_end_at`) and
`GET /calendar_events/:id?num_in_series=N`, but not whether the list returns every instance or
only the first with its rule. The emulator does either, chosen per app (`SANDBOX_KONA_RECURRENCE`):

- `instances` (the default): a series is stored one record per instance, each with its own id,
  made when the event becomes recurring; lists return the instances in the window like any event.
  A series without `series_end_at` gets its instances for `HORIZON` after its first start.
- `first`: only the first instance is stored, with its rule; a list returns it whenever one of its
  occurrences overlaps the window (as CalDAV does for a recurring component, RFC 4791 §9.9), and
  `?num_in_series=N` computes instance N (the first instance's id and fields, its own times).

An instance moved on its own (`move_instance`) is a record of its own in both models (an exception,
with the series' `series_id` and its `num_in_series`), listed at its new time; in `first` it hides
the computed occurrence it replaces. Occurrences follow the rule from the first instance's start in
the account's zone (`SANDBOX_KONA_TIMEZONE`, UTC by default), so local times survive daylight-saving
changes: period day/week/month/year is RFC 5545's DAILY/WEEKLY/MONTHLY/YEARLY, weekday is weekly on
Monday to Friday, `frequency` the interval, `sel_days` the weekday of a weekly series, and
`series_end_at` the last moment an occurrence may start.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, weekday

from gateway.sandbox.kona_state import CalendarEvent, KonaState
from gateway.sandbox.kona_time import ms

INSTANCES, FIRST = "instances", "first"
MODELS = (INSTANCES, FIRST)
#: How far ahead the `instances` model stores a series that has no end.
HORIZON = timedelta(days=730)
#: The most occurrences one series has (or is walked for), whatever its rule.
MAX_OCCURRENCES = 1000

_FREQUENCIES: dict[int, Literal[0, 1, 2, 3, 4, 5, 6]] = {
    1: DAILY,
    2: WEEKLY,
    3: MONTHLY,
    4: YEARLY,
    5: WEEKLY,
}
#: Kona numbers weekdays from Sunday (0); dateutil from Monday (0).
_KONA_TO_DATEUTIL = {0: 6, 1: 0, 2: 1, 3: 2, 4: 3, 5: 4, 6: 5}


def _moment(value_ms: int, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(value_ms / 1000, UTC).astimezone(zone)


def occurrences(first: CalendarEvent, zone: ZoneInfo) -> Iterator[tuple[int, int, int]]:
    """(number, start ms, end ms) of each occurrence of `first`'s series, from 1, in order."""
    start = _moment(first.start_at, zone)
    length = first.end_at - first.start_at
    yield 1, first.start_at, first.end_at
    if not first.period:
        return
    until = None if first.series_end_at is None else _moment(first.series_end_at, zone)
    if until is None:
        until = start + HORIZON
    weekdays: list[weekday] | None = None
    if first.period == 5:
        weekdays = [weekday(day) for day in range(5)]
    elif first.period == 2 and first.sel_days is not None:
        weekdays = [weekday(_KONA_TO_DATEUTIL[first.sel_days])]
    rule = rrule(
        _FREQUENCIES[first.period],
        dtstart=start,
        interval=max(first.frequency, 1),
        byweekday=weekdays,
        until=until,
    )
    number = 1
    for moment in islice(rule, MAX_OCCURRENCES):
        if moment == start:
            continue  # the first instance is the event itself
        number += 1
        begins = ms(moment)
        yield number, begins, begins + length


def make_series(state: KonaState, first: CalendarEvent) -> None:
    """Store a new series' further instances, in the `instances` model (nothing in `first`)."""
    if state.recurrence != INSTANCES:
        return
    for number, start_at, end_at in occurrences(first, state.zone):
        if number == 1:
            continue
        made = replace(first, id=state.next_event_id, start_at=start_at, end_at=end_at, num_in_series=number)
        state.events[made.id] = made
        state.next_event_id += 1


def instance(state: KonaState, event: CalendarEvent, number: int) -> CalendarEvent | None:
    """Instance `number` of the series `event` belongs to (any instance works), or None."""
    if event.series_id is None:
        return event if number == 1 else None
    stored = [other for other in state.events.values() if other.series_id == event.series_id]
    found = next((other for other in stored if other.num_in_series == number), None)
    first = state.events.get(event.series_id)
    if found is not None or state.recurrence == INSTANCES or first is None:
        return found
    for counted, start_at, end_at in occurrences(first, state.zone):
        if counted == number:
            return replace(first, start_at=start_at, end_at=end_at, num_in_series=number)
        if counted > number:
            break
    return None


def overlaps(state: KonaState, event: CalendarEvent, start: int, end: int) -> bool:
    """Whether the list of the window `start … end` (both included) shows `event`."""
    if event.start_at <= end and event.end_at >= start:
        return True
    if state.recurrence != FIRST or event.series_id != event.id:
        return False
    moved = {other.num_in_series for other in state.events.values() if other.series_id == event.id}
    for number, start_at, end_at in occurrences(event, state.zone):
        if start_at > end:
            return False
        if number not in moved and end_at >= start:
            return True
    return False


def move_instance(state: KonaState, series_id: int, number: int, start_at: int, end_at: int) -> CalendarEvent:
    """Move one instance of a series on its own (an exception); how Kona's API does this is not
    documented, so tests and seeds call this directly. Returns the moved instance's record."""
    first = state.events[series_id]
    current = instance(state, first, number)
    if current is None:
        raise KeyError(f"series {series_id} has no instance {number}")
    if current.id != first.id or number == 1:
        moved = replace(current, start_at=start_at, end_at=end_at)
    else:  # a computed occurrence in the `first` model becomes a record of its own
        moved = replace(current, id=state.next_event_id, start_at=start_at, end_at=end_at)
        state.next_event_id += 1
    state.events[moved.id] = moved
    return moved
