"""The ICS the feed writes, read back by `icalendar` and by ical.js: days, zones, text, folding.

Each case is an `events` node as GraphQL returns it; both parsers must show exactly what
`parsers.expected` derives from it (the all-day end one day after the inclusive `endDate`, timed
events in their IANA zone through the feed's own VTIMEZONE).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest

from gateway.feed.ics import CalendarHead, render
from gateway.feed.records import FeedEvent
from tests.gateway.feed.parsers import (
    by_ical_js,
    by_icalendar,
    expanded,
    expected,
    expected_occurrences,
    occurrences_by_ical_js,
    shown_by_ical_js,
)

HEAD = CalendarHead(name="Events", description="All of them.", refresh=timedelta(hours=1))
STAMP = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
WINDOW = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))


def node(uid: str, **fields: Any) -> dict[str, Any]:
    """An `events` node with quiet defaults."""
    base: dict[str, Any] = {
        "id": uid,
        "provider": "KONA",
        "title": f"Event {uid}",
        "description": None,
        "startsAt": None,
        "endsAt": None,
        "timezone": None,
        "allDay": False,
        "startDate": None,
        "endDate": None,
        "url": None,
        "location": None,
        "status": "SCHEDULED",
    }
    return base | fields


EDGE_CASES = {
    # America/New_York springs forward on 8 March 2026 and falls back on 1 November 2026.
    "all-day across the March DST change": node(
        "dst-march",
        allDay=True,
        timezone="America/New_York",
        startsAt="2026-03-07T00:00:00-05:00",
        endsAt="2026-03-09T23:59:59-04:00",
        startDate="2026-03-07",
        endDate="2026-03-09",
    ),
    "all-day on the November DST change": node(
        "dst-november",
        allDay=True,
        timezone="America/New_York",
        startsAt="2026-11-01T00:00:00-04:00",
        startDate="2026-11-01",
        endDate="2026-11-01",
    ),
    "timed across the March DST change": node(
        "dst-timed",
        timezone="America/New_York",
        startsAt="2026-03-08T01:30:00-05:00",
        endsAt="2026-03-08T03:30:00-04:00",
    ),
    "timed at +14:00": node(
        "plus-14",
        timezone="Pacific/Kiritimati",
        startsAt="2026-06-01T00:30:00+14:00",
        endsAt="2026-06-01T02:00:00+14:00",
    ),
    "timed at -12:00": node(
        "minus-12",
        timezone="Etc/GMT+12",
        startsAt="2026-06-01T23:30:00-12:00",
        endsAt="2026-06-02T01:00:00-12:00",
    ),
    "all-day at +14:00": node(
        "all-day-plus-14",
        allDay=True,
        timezone="Pacific/Kiritimati",
        startsAt="2026-02-10T00:00:00+14:00",
        startDate="2026-02-10",
        endDate="2026-02-10",
    ),
    "all-day at -12:00, several days": node(
        "all-day-minus-12",
        allDay=True,
        timezone="Etc/GMT+12",
        startsAt="2026-02-10T00:00:00-12:00",
        startDate="2026-02-10",
        endDate="2026-02-12",
    ),
    "spanning midnight in UTC": node(
        "midnight", timezone="UTC", startsAt="2026-05-01T22:00:00+00:00", endsAt="2026-05-02T02:00:00+00:00"
    ),
    "a zone nobody knows falls back to UTC": node(
        "unknown-zone",
        timezone="Mars/Olympus_Mons",
        startsAt="2026-05-03T10:00:00+02:00",
        endsAt="2026-05-03T11:00:00+02:00",
    ),
    "no end": node("no-end", startsAt="2026-05-04T10:00:00+00:00"),
    "text with commas, semicolons, newlines, backslashes and non-ASCII": node(
        "text",
        title='Q&A, part 1; room "A" \\ back — Zürich 東京 🎉',
        description="Line one, with a comma; and a semicolon.\nLine two: ünïcödé " + "東京タワー" * 20,
        location="Hall 3, Floor 2; Seat 14",
        url="https://example.com/events/1?a=1,2&b=3;4",
        startsAt="2026-05-05T10:00:00+02:00",
        endsAt="2026-05-05T11:00:00+02:00",
        timezone="Europe/Berlin",
        status="DRAFT",
    ),
    "cancelled": node("cancelled", startsAt="2026-05-06T10:00:00Z", status="CANCELLED"),
    "status unknown": node("unknown", startsAt="2026-05-07T10:00:00Z", status="UNKNOWN"),
}


def _render(nodes: list[dict[str, Any]]) -> bytes:
    return render([FeedEvent.from_result(item) for item in nodes], HEAD, STAMP)


@pytest.mark.parametrize("case", EDGE_CASES, ids=str)
def test_both_parsers_show_each_edge_case_as_graphql_has_it(case: str, tmp_path: Path) -> None:
    item = EDGE_CASES[case]
    ics = _render([item])
    assert by_icalendar(ics) == [expected(item)]
    report = by_ical_js(ics, tmp_path, *WINDOW)
    assert shown_by_ical_js(report) == [expected(item)]


def test_every_case_together_expands_to_the_same_occurrences(tmp_path: Path) -> None:
    items = list(EDGE_CASES.values())
    ics = _render(items)
    assert expanded(ics, *WINDOW) == expected_occurrences(items)
    assert occurrences_by_ical_js(by_ical_js(ics, tmp_path, *WINDOW)) == expected_occurrences(items)


def test_all_day_dtend_is_the_day_after_the_inclusive_end_date() -> None:
    ics = _render([EDGE_CASES["all-day across the March DST change"]]).decode()
    assert "DTSTART;VALUE=DATE:20260307\r\n" in ics
    assert "DTEND;VALUE=DATE:20260310\r\n" in ics


def test_timed_events_carry_their_zone_with_a_vtimezone() -> None:
    ics = _render([EDGE_CASES["timed at +14:00"], EDGE_CASES["timed at -12:00"]]).decode()
    assert "DTSTART;TZID=Pacific/Kiritimati:20260601T003000\r\n" in ics
    assert "DTSTART;TZID=Etc/GMT+12:20260601T233000\r\n" in ics
    calendar = icalendar.Calendar.from_ical(ics)
    assert sorted(str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")) == [
        "Etc/GMT+12",
        "Pacific/Kiritimati",
    ]
    assert not calendar.get_missing_tzids()


def test_lines_are_folded_at_75_octets_without_splitting_a_character() -> None:
    ics = _render([EDGE_CASES["text with commas, semicolons, newlines, backslashes and non-ASCII"]])
    lines = ics.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert sum(1 for line in lines if line.startswith(b" ")) > 3  # the long description was folded
    for line in lines:
        line.decode("utf-8")  # a character split across a fold would not decode


def test_text_is_escaped() -> None:
    unfolded = _render(
        [EDGE_CASES["text with commas, semicolons, newlines, backslashes and non-ASCII"]]
    ).replace(b"\r\n ", b"")
    assert 'SUMMARY:Q&A\\, part 1\\; room "A" \\\\ back — Zürich 東京 🎉\r\n'.encode() in unfolded
    assert b"DESCRIPTION:Line one\\, with a comma\\; and a semicolon.\\nLine two:" in unfolded
    assert b"LOCATION:Hall 3\\, Floor 2\\; Seat 14\r\n" in unfolded


def test_an_empty_calendar_is_a_valid_calendar(tmp_path: Path) -> None:
    ics = _render([])
    calendar = icalendar.Calendar.from_ical(ics)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    assert list(calendar.walk("VEVENT")) == []
    report = by_ical_js(ics, tmp_path, *WINDOW)
    assert report["events"] == []
    assert report["calendar"]["name"] == "Events"


def test_the_calendar_names_itself_and_suggests_a_refresh_interval() -> None:
    calendar = icalendar.Calendar.from_ical(_render([]))
    assert calendar["X-WR-CALNAME"] == "Events"
    assert calendar["X-WR-CALDESC"] == "All of them."
    assert calendar["REFRESH-INTERVAL"].to_ical() == b"PT1H"
    assert calendar["X-PUBLISHED-TTL"] == "PT60M"


def test_a_zone_used_over_several_years_reads_right_in_every_year(tmp_path: Path) -> None:
    # Several DST changes in one VTIMEZONE: ical.js reads only the first value of an `RDATE:a,b,c`
    # list, so the feed writes one RDATE per change (it had summer 2027 an hour off before).
    items = [
        node(f"summer-{year}", timezone="America/New_York", startsAt=f"{year}-07-01T09:00:00-04:00")
        for year in (2025, 2026, 2027, 2028)
    ]
    ics = _render(items)
    report = by_ical_js(ics, tmp_path, *WINDOW)
    assert shown_by_ical_js(report) == sorted(map(expected, items))
    assert b"RDATE:" in ics
    assert b"," not in b"".join(line for line in ics.split(b"\r\n") if line.startswith(b"RDATE"))
