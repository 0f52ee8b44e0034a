"""Series in the feed: one RRULE master, EXDATEs and RECURRENCE-ID overrides that two expanders
(`recurring-ical-events`, ical.js) turn back into exactly the occurrences GraphQL returned."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from gateway.feed.ics import CalendarHead, render
from gateway.feed.records import FeedEvent
from tests.gateway.feed.parsers import by_ical_js, expanded, expected_occurrences, occurrences_by_ical_js

HEAD = CalendarHead(name="Events", description="All of them.", refresh=timedelta(hours=1))
STAMP = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
WINDOW = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))


def occurrences(
    series: str,
    rule: str,
    first: datetime,
    count: int,
    *,
    zone: str = "America/New_York",
    step: timedelta = timedelta(weeks=1),
    indexes: range | None = None,
    skip: frozenset[int] = frozenset(),
    moved: dict[int, timedelta] | None = None,
    retitled: dict[int, str] | None = None,
    duration: timedelta = timedelta(hours=1),
) -> list[dict[str, Any]]:
    """`events` nodes of a series stepping `step` in wall-clock time from `first` (local, naive)."""
    nodes = []
    for index in indexes or range(1, count + 1):
        if index in skip:
            continue
        local = (first + step * (index - 1)).replace(tzinfo=ZoneInfo(zone))
        local += (moved or {}).get(index, timedelta())
        nodes.append(
            {
                "id": f"{series}-{index}",
                "provider": "KONA",
                "title": (retitled or {}).get(index, f"Series {series}"),
                "description": "Every week, same room.",
                "startsAt": local.isoformat(),
                "endsAt": (local + duration).isoformat(),
                "timezone": zone,
                "allDay": False,
                "startDate": None,
                "endDate": None,
                "url": None,
                "location": "Room 1",
                "status": "SCHEDULED",
                "series": {"id": f"{series}:{index}", "firstId": series, "index": index, "rule": rule},
            }
        )
    return nodes


def all_day(series: str, rule: str, first: date, count: int, **kwargs: Any) -> list[dict[str, Any]]:
    nodes = []
    skip = kwargs.get("skip", frozenset())
    for index in range(1, count + 1):
        if index in skip:
            continue
        day = first + timedelta(days=index - 1)
        nodes.append(
            {
                "id": f"{series}-{index}",
                "provider": "KONA",
                "title": f"Holiday {series}",
                "description": None,
                "startsAt": datetime.combine(
                    day, datetime.min.time(), ZoneInfo("America/New_York")
                ).isoformat(),
                "endsAt": None,
                "timezone": "America/New_York",
                "allDay": True,
                "startDate": day.isoformat(),
                "endDate": day.isoformat(),
                "url": None,
                "location": None,
                "status": "SCHEDULED",
                "series": {"id": f"{series}:{index}", "firstId": series, "index": index, "rule": rule},
            }
        )
    return nodes


SERIES = {
    "weekly across the March DST change": occurrences(
        "s-dst", "FREQ=WEEKLY;BYDAY=TU", datetime(2026, 2, 24, 9, 0), 6
    ),
    "COUNT counts from the series' own start, the window holds 4..7": occurrences(
        "s-count", "FREQ=WEEKLY;COUNT=10", datetime(2026, 1, 6, 9, 0), 10, indexes=range(4, 8)
    ),
    "an instance the upstream moved": occurrences(
        "s-moved", "FREQ=WEEKLY", datetime(2026, 4, 7, 9, 0), 5, moved={3: timedelta(days=1, hours=2)}
    ),
    "an instance removed": occurrences(
        "s-removed", "FREQ=WEEKLY", datetime(2026, 4, 7, 9, 0), 5, skip=frozenset({4})
    ),
    "an instance retitled": occurrences(
        "s-retitled", "FREQ=WEEKLY", datetime(2026, 4, 7, 9, 0), 4, retitled={2: "Guest lecture"}
    ),
    "no end: the rule stops at the last occurrence GraphQL returned": occurrences(
        "s-open", "FREQ=DAILY;INTERVAL=2", datetime(2026, 10, 20, 18, 30), 8, step=timedelta(days=2)
    ),
    "UNTIL as a date": occurrences("s-until", "FREQ=WEEKLY;UNTIL=20261117", datetime(2026, 10, 27, 9, 0), 4),
    "at +14:00": occurrences(
        "s-kiritimati", "FREQ=WEEKLY", datetime(2026, 6, 1, 0, 30), 3, zone="Pacific/Kiritimati"
    ),
    "at -12:00": occurrences("s-baker", "FREQ=WEEKLY", datetime(2026, 6, 1, 23, 30), 3, zone="Etc/GMT+12"),
    "in UTC": occurrences("s-utc", "FREQ=WEEKLY", datetime(2026, 6, 1, 23, 30), 3, zone="UTC"),
    # The upstream says weekly but its occurrences are daily: each shows at its own time (as an
    # override), never where the rule alone would put it.
    "occurrences the rule does not produce": occurrences(
        "s-liar", "FREQ=WEEKLY", datetime(2026, 4, 7, 9, 0), 3, step=timedelta(days=1)
    ),
    "all-day daily across the November DST change": all_day(
        "s-all-day", "FREQ=DAILY;UNTIL=20261103", date(2026, 10, 30), 5
    ),
    "all-day with a day removed": all_day(
        "s-all-day-gap", "FREQ=DAILY;COUNT=5", date(2026, 3, 6), 5, skip=frozenset({3})
    ),
}


def _render(nodes: list[dict[str, Any]]) -> bytes:
    return render([FeedEvent.from_result(node) for node in nodes], HEAD, STAMP)


@pytest.mark.parametrize("case", SERIES, ids=str)
def test_both_expanders_show_exactly_graphqls_occurrences(case: str, tmp_path: Path) -> None:
    nodes = SERIES[case]
    ics = _render(nodes)
    wanted = expected_occurrences(nodes)
    assert expanded(ics, *WINDOW) == wanted
    assert occurrences_by_ical_js(by_ical_js(ics, tmp_path, *WINDOW)) == wanted
    masters = [vevent for vevent in icalendar.Calendar.from_ical(ics).walk("VEVENT") if "RRULE" in vevent]
    assert len(masters) == 1, "the series is one RRULE master"


def test_every_series_together(tmp_path: Path) -> None:
    nodes = [node for case in SERIES.values() for node in case]
    ics = _render(nodes)
    assert expanded(ics, *WINDOW) == expected_occurrences(nodes)
    assert occurrences_by_ical_js(by_ical_js(ics, tmp_path, *WINDOW)) == expected_occurrences(nodes)


def _lines(ics: bytes) -> list[str]:
    return ics.replace(b"\r\n ", b"").decode().split("\r\n")


def test_the_rule_ends_at_the_last_occurrence_and_drops_count() -> None:
    lines = _lines(_render(SERIES["COUNT counts from the series' own start, the window holds 4..7"]))
    assert "DTSTART;TZID=America/New_York:20260127T090000" in lines  # the 4th, the first in the feed
    assert "RRULE:FREQ=WEEKLY;UNTIL=20260217T140000Z" in lines  # the 7th, 09:00 EST in UTC
    assert "UID:s-count" in lines


def test_a_moved_instance_is_an_override_of_its_rule_instance() -> None:
    lines = _lines(_render(SERIES["an instance the upstream moved"]))
    assert "RECURRENCE-ID;TZID=America/New_York:20260421T090000" in lines
    assert "DTSTART;TZID=America/New_York:20260422T110000" in lines
    assert not [line for line in lines if line.startswith("EXDATE")]


def test_a_removed_instance_is_an_exdate() -> None:
    lines = _lines(_render(SERIES["an instance removed"]))
    assert "EXDATE;TZID=America/New_York:20260428T090000" in lines
    assert not [line for line in lines if line.startswith("RECURRENCE-ID")]


def test_an_all_day_series_stays_in_days() -> None:
    lines = _lines(_render(SERIES["all-day with a day removed"]))
    assert "DTSTART;VALUE=DATE:20260306" in lines
    assert "DTEND;VALUE=DATE:20260307" in lines
    assert "RRULE:FREQ=DAILY;UNTIL=20260310" in lines
    assert "EXDATE;VALUE=DATE:20260308" in lines


def _uids(ics: bytes) -> list[str]:
    return sorted(str(vevent["UID"]) for vevent in icalendar.Calendar.from_ical(ics).walk("VEVENT"))


def test_a_rule_dateutil_cannot_read_leaves_one_vevent_per_occurrence() -> None:
    nodes = occurrences("s-bad", "FREQ=SOMETIMES", datetime(2026, 4, 7, 9, 0), 3)
    ics = _render(nodes)
    assert _uids(ics) == ["s-bad-1", "s-bad-2", "s-bad-3"]
    assert b"RRULE" not in ics


def test_a_series_without_a_rule_is_one_vevent_per_occurrence() -> None:
    nodes = occurrences("s-norule", "FREQ=WEEKLY", datetime(2026, 4, 7, 9, 0), 2)
    for node in nodes:
        node["series"]["rule"] = None
    assert _uids(_render(nodes)) == ["s-norule-1", "s-norule-2"]
