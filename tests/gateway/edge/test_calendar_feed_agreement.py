"""The feed and GraphQL agree event by event, as two independent parsers read the feed.

The sandbox's events (more than one `events` page) plus events made for the edges (+14:00,
-12:00, all-day across a DST change, text that needs escaping) are fetched both ways: every
`events` node must be one VEVENT that `icalendar` and ical.js both show as `parsers.expected`
says, and the occurrences `recurring-ical-events` and ical.js expand over the window must be
GraphQL's, with the same ids, instants and days.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.gateway.feed.parsers import (
    by_ical_js,
    by_icalendar,
    expanded,
    expected,
    expected_occurrences,
    graphql_events,
    occurrences_by_ical_js,
    shown_by_ical_js,
    uid_of,
)
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

PRETIX = (
    'mutation($input: CreatePretixEventInput!) { createPretixEvent(organizer: "demo-conf", input: $input) '
    "{ userErrors { field message } } }"
)
KONA = (
    "mutation($input: CreateKonaCalendarEventInput!) { createKonaCalendarEvent(input: $input) "
    "{ userErrors { field message } } }"
)
AWKWARD_TEXT = 'Q&A, part 1; room "A" \\ back\nsecond line — Zürich 東京 🎉'


async def make_edge_events(gateway: Gateway) -> None:
    """Events at the edges of days, offsets and text, created through the gateway."""
    pretix: list[tuple[str, str, str, str]] = [
        ("kiritimati", "Pacific/Kiritimati", "2026-06-01T00:30:00+14:00", "2026-06-01T02:00:00+14:00"),
        ("baker-island", "Etc/GMT+12", "2026-06-01T23:30:00-12:00", "2026-06-02T01:00:00-12:00"),
        ("new-york-dst", "America/New_York", "2026-03-08T01:30:00-05:00", "2026-03-08T03:30:00-04:00"),
    ]
    for slug, zone, starts, ends in pretix:
        input = {
            "name": [{"locale": "en", "text": f"{AWKWARD_TEXT} {slug}"}],
            "slug": slug,
            "dateFrom": starts,
            "dateTo": ends,
            "timezone": zone,
            "location": [{"locale": "en", "text": "Hall 3, Floor 2; Seat 14"}],
        }
        created = await gateway.data(PRETIX, {"input": input})
        assert created["createPretixEvent"]["userErrors"] == []
    kona = [
        {
            "name": "All-day across DST",
            "startAt": "2026-03-07T00:00:00Z",
            "endAt": "2026-03-09T23:59:59Z",
            "allDay": True,
        },
        {
            "name": AWKWARD_TEXT,
            "details": "Long notes, with commas; semicolons.\n" + "ünïcödé 東京タワー " * 12,
            "location": "Room 1, Floor 2; Seat 3",
            "startAt": "2026-03-08T06:30:00Z",
            "endAt": "2026-03-08T08:30:00Z",
        },
    ]
    # A weekly series across the March DST change (folded into one RRULE once the gateway expands
    # Kona series; one event before).
    kona.append(
        {
            "name": "Weekly sync",
            "startAt": "2026-02-24T14:00:00Z",
            "endAt": "2026-02-24T15:00:00Z",
            "period": "WEEK",
            "frequency": "EVERY",
            "selDays": ["TUESDAY"],
            "seriesEndAt": "2026-03-31T23:00:00Z",
        }
    )
    for kona_input in kona:
        created = await gateway.data(KONA, {"input": kona_input})
        assert created["createKonaCalendarEvent"]["userErrors"] == []


def feed_path(filter: dict[str, Any]) -> str:
    items = [("provider", name.lower()) for name in filter.get("providers", ())]
    items += [(name, filter[name]) for name in ("startsAfter", "startsBefore", "search") if name in filter]
    return "/calendar.ics" + (f"?{urlencode(items)}" if items else "")


WINDOWS: dict[str, dict[str, Any]] = {
    "everything": {},
    "spring and summer 2026, Kona and pretix": {
        "providers": ["KONA", "PRETIX"],
        "startsAfter": "2026-03-01T00:00:00Z",
        "startsBefore": "2026-07-01T00:00:00Z",
    },
    "a search": {"search": "cohort 1"},
}


#: Kona and Strigo accounts in UTC (the default), and in New York, where a weekly series and the
#: all-day days cross a DST change in local time.
ZONES = ("UTC", "America/New_York")


@pytest.fixture(params=ZONES)
async def zoned(request: pytest.FixtureRequest, sandbox: Sandbox) -> AsyncIterator[Gateway]:
    settings = settings_for(sandbox, kona_timezone=request.param, strigo_timezone=request.param)
    async with running_gateway(settings) as gateway:
        yield gateway


@pytest.mark.parametrize("window", WINDOWS, ids=str)
async def test_feed_and_graphql_agree_event_by_event(zoned: Gateway, window: str, tmp_path: Path) -> None:
    gateway = zoned
    await make_edge_events(gateway)
    filter = WINDOWS[window]
    events = await graphql_events(gateway, filter)
    response = await gateway.http.get(feed_path(filter))
    assert response.status_code == 200, response.text
    ics = response.content

    dated = [event for event in events if event["startsAt"] is not None]
    assert dated, "the window must hold events for the comparison to mean anything"
    if window == "everything":
        assert any(uid_of(event) != event["id"] for event in dated), "a series must be in the comparison"
    # Events of a series with a rule are folded into one RRULE: they are compared as occurrences.
    singles = [event for event in dated if uid_of(event) == event["id"]]
    series_ids = {uid_of(event) for event in dated} - {event["id"] for event in singles}
    wanted = sorted(map(expected, singles))
    written = by_icalendar(ics)
    assert {shown.uid for shown in written} <= {event["id"] for event in singles} | series_ids
    assert [shown for shown in written if shown.uid not in series_ids] == wanted
    start = datetime.fromisoformat(filter.get("startsAfter", "1990-01-01T00:00:00Z")) - timedelta(days=2)
    end = datetime.fromisoformat(filter.get("startsBefore", "2040-01-01T00:00:00Z")) + timedelta(days=2)
    report = by_ical_js(ics, tmp_path, start, end)
    assert [shown for shown in shown_by_ical_js(report) if shown.uid not in series_ids] == wanted

    occurrences = expected_occurrences(dated)
    assert expanded(ics, start.astimezone(UTC), end.astimezone(UTC)) == occurrences
    assert occurrences_by_ical_js(report) == occurrences


async def test_the_whole_sandbox_takes_more_than_one_page(gateway: Gateway) -> None:
    # The agreement above walks pages only if there is more than one: keep it that way.
    assert len(await graphql_events(gateway)) > 200
