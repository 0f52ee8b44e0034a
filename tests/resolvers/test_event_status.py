"""`Event.status` and `Event.location`: each provider's own notion mapped onto one enum, one text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from resolvers.registry import NAMES
from schema.event import EventStatus, status_in_time
from schema.strigo import normalised_status
from tests.harness import Gateway

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
EVENTS = """{ events(first: 200,
  filter: {startsAfter: "2024-01-01T00:00:00Z", startsBefore: "2027-06-01T00:00:00Z"}) {
  nodes { provider status location startsAt endsAt allDay
    ... on StrigoEvent { strigoStatus } ... on KonaCalendarEvent { konaStatus }
    ... on PretixEvent { live localizedLocation { text } } } } }"""


@pytest.mark.parametrize(
    ("starts", "ends", "all_day", "expected"),
    [
        (None, None, False, EventStatus.UNKNOWN),
        (NOW + HOUR, NOW + 2 * HOUR, False, EventStatus.SCHEDULED),
        (NOW - HOUR, NOW + HOUR, False, EventStatus.LIVE),
        (NOW - 2 * HOUR, NOW - HOUR, False, EventStatus.ENDED),
        (NOW - HOUR, None, False, EventStatus.ENDED),
        (NOW - HOUR, None, True, EventStatus.LIVE),
        (NOW - 25 * HOUR, None, True, EventStatus.ENDED),
    ],
    ids=["no-start", "before", "during", "after", "point-in-time", "all-day-today", "all-day-yesterday"],
)
def test_status_in_time(
    starts: datetime | None, ends: datetime | None, all_day: bool, expected: EventStatus
) -> None:
    assert status_in_time(starts, ends, all_day=all_day, now=NOW) is expected


@pytest.mark.parametrize(
    ("strigo", "expected"),
    [
        ("ready", EventStatus.SCHEDULED),
        ("live", EventStatus.LIVE),
        ("ended", EventStatus.ENDED),
        ("finished", EventStatus.ENDED),
        ("cancelled", EventStatus.CANCELLED),
        ("Canceled", EventStatus.CANCELLED),
        (None, EventStatus.UNKNOWN),
        ("", EventStatus.UNKNOWN),
    ],
)
def test_strigo_statuses(strigo: str | None, expected: EventStatus) -> None:
    assert normalised_status(strigo) is expected


def _by_clock(node: dict[str, Any], now: datetime) -> set[str]:
    """The statuses the clock allows (either side of a boundary the request may have crossed)."""
    starts = datetime.fromisoformat(node["startsAt"])
    ends = datetime.fromisoformat(node["endsAt"]) if node["endsAt"] else None
    return {
        status_in_time(starts, ends, all_day=node["allDay"], now=moment).name
        for moment in (now - timedelta(minutes=1), now + timedelta(minutes=1))
    }


async def test_every_provider_fills_status_and_location(gateway: Gateway) -> None:
    nodes = (await gateway.data(EVENTS))["events"]["nodes"]
    now = datetime.now(UTC)
    seen: dict[str, set[str]] = {}
    for node in nodes:
        seen.setdefault(node["provider"], set()).add(node["status"])
        provider = node["provider"]
        if provider == "STRIGO":
            assert node["status"] == normalised_status(node["strigoStatus"]).name
            assert node["location"] is None
        elif provider == "PRETIX":
            if not node["live"]:
                assert node["status"] == "DRAFT"
            else:
                ends = node["endsAt"] or None
                allowed = _by_clock({**node, "endsAt": ends, "allDay": ends is None}, now)
                assert node["status"] in allowed
            localized = node["localizedLocation"]
            assert node["location"] == (localized["text"] if localized else None)
        else:  # Schoology, Kona and any provider without its own status: by the clock
            assert node["status"] in _by_clock(node, now), node
            if provider == "SCHOOLOGY":
                assert node["location"] is None
    assert set(seen) == {name.upper() for name in NAMES}
    assert {"SCHEDULED", "LIVE", "ENDED"} <= seen["STRIGO"]
    assert "DRAFT" in seen["PRETIX"]
    assert any(node["location"] for node in nodes if node["provider"] == "KONA")
