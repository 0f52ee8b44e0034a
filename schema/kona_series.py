"""Kona's recurring series as the normalised `EventSeries`: its id, each occurrence's number, its RRULE.

Kona describes a series on each of its events: `series_id` (the first instance's id),
`num_in_series` (the occurrence's number, from 1) and the rule, `period` (day, week, month, year,
weekday), `frequency` (every, every other, every third), `sel_days` (the weekday of a weekly series,
Sunday 0) and `series_end_at`. As RFC 5545: `FREQ` DAILY, WEEKLY, MONTHLY, YEARLY, and for
"weekday" WEEKLY on MO-FR; `INTERVAL` the frequency; `BYDAY` the weekday; `UNTIL` the series end
(an occurrence may start up to that instant). The rule repeats the first instance's start in the
account's zone (`KONA_TIMEZONE`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry

from gateway.ids import encode_id
from gateway.instants import from_epoch_ms
from gateway.providers import kona
from gateway.providers.base import JSONObject
from gateway.upstream.values import integer
from schema.event import EventSeries
from schema.recurrence import WEEKDAYS, rule_text

#: The kind in the global id of a Kona series.
SERIES_KIND = "series"
_FREQUENCIES = {1: "DAILY", 2: "WEEKLY", 3: "MONTHLY", 4: "YEARLY", 5: "WEEKLY"}
#: Kona numbers weekdays from Sunday (0); RFC 5545's codes are listed from Monday.
_KONA_WEEKDAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")


@dataclass(frozen=True, slots=True)
class SeriesFacts:
    """What one Kona event says about the series it belongs to."""

    series_id: str
    index: int
    rule: str | None

    @property
    def id(self) -> strawberry.ID:
        """The global id of this occurrence's place in the series: `(series id)` for the first,
        `(series id, number)` for a later one, as Kona's computed occurrences are named."""
        if self.index <= 1:
            return self.series_global_id
        return strawberry.ID(encode_id(kona.NAME, self.series_id, self.index, kind=SERIES_KIND))

    @property
    def series_global_id(self) -> strawberry.ID:
        """The series' own id: the same for every occurrence (its first occurrence's `id`)."""
        return strawberry.ID(encode_id(kona.NAME, self.series_id, kind=SERIES_KIND))


def _number(value: Any) -> int | None:
    return integer(value, minimum=0, maximum=2**31 - 1)


def rule_of(data: JSONObject) -> str | None:
    """The RRULE of the series `data` belongs to, or None when its period is none or unknown."""
    period = _number(data.get("period"))
    if period not in _FREQUENCIES:
        return None
    interval = max(_number(data.get("frequency")) or 1, 1)
    weekdays: tuple[str, ...] = ()
    if period == 5:
        weekdays = WEEKDAYS[:5]
    elif period == 2:
        # Without `sel_days` a weekly series repeats its first instance's weekday: RFC 5545's WEEKLY
        # without BYDAY says the same, whichever instance (moved or not) the rule is read from.
        day = _number(data.get("sel_days"))
        if day is not None and day < len(_KONA_WEEKDAYS):
            weekdays = (_KONA_WEEKDAYS[day],)
    until = from_epoch_ms(data.get("series_end_at"))
    return rule_text(_FREQUENCIES[period], interval=interval, weekdays=weekdays, until=until)


def series_facts(data: JSONObject) -> SeriesFacts | None:
    """The series `data` belongs to, or None for an event that does not repeat."""
    series_id = _number(data.get("series_id"))
    rule = rule_of(data)
    if series_id is None or (rule is None and series_id == _number(data.get("id"))):
        return None
    return SeriesFacts(str(series_id), _number(data.get("num_in_series")) or 1, rule)


def event_series(facts: SeriesFacts | None) -> EventSeries | None:
    """`Event.series` of an occurrence."""
    if facts is None:
        return None
    return EventSeries(id=facts.id, first_id=facts.series_global_id, index=facts.index, rule=facts.rule)


def is_first(data: JSONObject) -> bool:
    """Whether `data` is the first instance of a series (the record that carries its start)."""
    event_id = _number(data.get("id"))
    return (
        event_id is not None
        and event_id == _number(data.get("series_id"))
        and (_number(data.get("num_in_series")) or 1) == 1
    )


def computed_occurrence(data: JSONObject) -> int | None:
    """The occurrence number of an instance Kona computed rather than stored: one that carries its
    series' first id with a later number (a series stored as its first instance and a rule).
    Such an occurrence has the global id `(series id, number)`; None for every other event."""
    event_id, number = _number(data.get("id")), _number(data.get("num_in_series"))
    if event_id is None or number is None or number < 2 or event_id != _number(data.get("series_id")):
        return None
    return number
