"""Reading a feed back as a calendar app would, with two independent parsers, and what GraphQL says.

Each side is reduced to the same plain shape (`Shown`), so a test compares them with `==`:
`icalendar` (Python), Mozilla's `ical.js` (node, `clients/calendar/parse.mjs`) and the federated
`events` query. Expansion of recurring events uses `recurring-ical-events` and ical.js's engine.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import recurring_ical_events

from gateway.feed.ics import STATUSES
from gateway.feed.times import known_zone
from tests.harness import Gateway
from tests.node_tools import node_for

CLIENT = Path(__file__).parents[3] / "clients" / "calendar"

EVENT_FIELDS = (
    "id provider title description startsAt endsAt timezone allDay startDate endDate url location status "
    "series { firstId index rule }"
)


@dataclass(frozen=True, order=True)
class Shown:
    """One event (or occurrence) as a calendar shows it: days for all-day ones (end exclusive),
    UTC instants otherwise, and its text."""

    uid: str
    start: str
    end: str | None
    summary: str
    description: str | None = None
    location: str | None = None
    url: str | None = None
    status: str | None = None
    tzid: str | None = None


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def uid_of(event: Mapping[str, Any]) -> str:
    """The UID the feed shows an event under: its series' id when the series has a rule (the feed
    folds it into one RRULE), else its own id."""
    series = event.get("series")
    return str(series["firstId"]) if series and series.get("rule") else str(event["id"])


def expected(event: Mapping[str, Any]) -> Shown:
    """What the feed must show for one `events` node (as a VEVENT of its own)."""
    end: str | None
    if event["allDay"]:
        first = date.fromisoformat(event["startDate"])
        last = date.fromisoformat(event["endDate"]) if event["endDate"] else first
        start, end = first.isoformat(), (max(last, first) + timedelta(days=1)).isoformat()
        tzid = None
    else:
        starts = datetime.fromisoformat(event["startsAt"])
        ends = datetime.fromisoformat(event["endsAt"]) if event["endsAt"] else None
        start, end = _instant(starts), _instant(ends) if ends and ends >= starts else None
        tzid = event["timezone"] if known_zone(event["timezone"]) else None
    return Shown(
        uid=event["id"],
        start=start,
        end=end,
        summary=event["title"],
        description=event["description"] or None,
        location=event["location"],
        url=event["url"],
        status=STATUSES.get(event["status"]),
        tzid=tzid,
    )


def by_icalendar(ics: bytes) -> list[Shown]:
    """Every VEVENT as the `icalendar` library reads it."""
    calendar = icalendar.Calendar.from_ical(ics)
    shown = []
    for component in calendar.walk("VEVENT"):
        start = component.decoded("DTSTART")
        end = component.decoded("DTEND") if "DTEND" in component else None
        tzid = component["DTSTART"].params.get("TZID")
        shown.append(
            Shown(
                uid=str(component["UID"]),
                start=_day_or_instant(start),
                end=None if end is None else _day_or_instant(end),
                summary=str(component["SUMMARY"]),
                description=str(component["DESCRIPTION"]) if "DESCRIPTION" in component else None,
                location=str(component["LOCATION"]) if "LOCATION" in component else None,
                url=str(component["URL"]) if "URL" in component else None,
                status=str(component["STATUS"]) if "STATUS" in component else None,
                tzid=tzid,
            )
        )
    return sorted(shown)


def _day_or_instant(value: date | datetime) -> str:
    return _instant(value) if isinstance(value, datetime) else value.isoformat()


#: (uid, start, end, summary) of one occurrence a calendar app shows.
Occurrence = tuple[str, str, str, str]


def expanded(ics: bytes, start: datetime, end: datetime) -> list[Occurrence]:
    """`(uid, start, end)` of every occurrence `recurring-ical-events` finds starting in [start, end);
    an event without an end ends when it starts (RFC 5545 3.6.1)."""
    calendar = icalendar.Calendar.from_ical(ics)
    found = []
    for occurrence in recurring_ical_events.of(calendar).between(start, end):
        begins = occurrence.decoded("DTSTART")
        ends = occurrence.decoded("DTEND") if "DTEND" in occurrence else None
        moment = (
            begins if isinstance(begins, datetime) else datetime.combine(begins, datetime.min.time(), UTC)
        )
        if start <= moment < end:
            first = _day_or_instant(begins)
            last = first if ends is None else _day_or_instant(ends)
            found.append((str(occurrence["UID"]), first, last, str(occurrence["SUMMARY"])))
    return sorted(found)


def node_binary() -> str:
    """node, with `clients/calendar`'s packages installed (see `tests.node_tools`)."""
    return node_for(CLIENT)


def by_ical_js(ics: bytes, folder: Path, start: datetime, end: datetime) -> dict[str, Any]:
    """What ical.js reads from the feed (`clients/calendar/parse.mjs`'s JSON report)."""
    path = folder / "feed.ics"
    path.write_bytes(ics)
    completed = subprocess.run(  # noqa: S603 - a fixed script; arguments the test made
        [node_binary(), str(CLIENT / "parse.mjs"), str(path), _instant(start), _instant(end)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=CLIENT,
    )
    assert completed.returncode == 0, f"parse.mjs failed ({completed.returncode}): {completed.stderr}"
    report: dict[str, Any] = json.loads(completed.stdout)
    return report


def shown_by_ical_js(report: Mapping[str, Any]) -> list[Shown]:
    """ical.js's events in the `Shown` shape."""
    return sorted(
        Shown(
            uid=event["uid"],
            start=_js_when(event["start"]),
            end=None if event["end"] is None else _js_when(event["end"]),
            summary=event["summary"],
            description=event["description"],
            location=event["location"],
            url=event["url"],
            status=event["status"],
            tzid=event["startTzid"],
        )
        for event in report["events"]
    )


def occurrences_by_ical_js(report: Mapping[str, Any]) -> list[Occurrence]:
    """ical.js's expanded occurrences as `(uid, start, end)`."""
    found = []
    for item in report["occurrences"]:
        first = _js_when(item["start"])
        last = first if item["end"] is None else _js_when(item["end"])
        found.append((item["uid"], first, last, item["summary"]))
    return sorted(found)


def _js_when(when: Mapping[str, Any]) -> str:
    if "date" in when:
        return str(when["date"])
    return str(when["instant"]).replace(".000Z", "Z")


async def graphql_events(gateway: Gateway, filter: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every event of the federated `events` query for `filter`, walking its pages."""
    query = (
        "query($filter: EventFilter, $after: String) { events(filter: $filter, first: 200, after: $after) "
        f"{{ pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {EVENT_FIELDS} }} }} }} }}"
    )
    found: list[dict[str, Any]] = []
    after = None
    while True:
        data = await gateway.data(query, {"filter": dict(filter or {}), "after": after})
        connection = data["events"]
        found.extend(edge["node"] for edge in connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            return found
        after = connection["pageInfo"]["endCursor"]


def expected_occurrences(events: Iterable[Mapping[str, Any]]) -> list[Occurrence]:
    """`(uid, start, end)` of GraphQL's events, as the expanders report occurrences."""
    found = []
    for event in events:
        shown = expected(event)
        found.append((uid_of(event), shown.start, shown.end or shown.start, shown.summary))
    return sorted(found)
