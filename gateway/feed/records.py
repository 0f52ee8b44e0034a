"""What the feed knows of an event: the `events` query's fields, read back from its JSON result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class FeedSeries:
    """The series an occurrence belongs to (`Event.series`): `id` is the series' own (`firstId`)."""

    id: str
    index: int
    rule: str | None


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One event of the federated `events` query, as the feed renders it."""

    id: str
    provider: str
    title: str
    description: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    timezone: str | None
    all_day: bool
    start_date: date | None
    end_date: date | None
    url: str | None
    location: str | None
    status: str
    updated_at: datetime | None = None
    series: FeedSeries | None = None

    @classmethod
    def from_result(cls, node: Mapping[str, Any]) -> FeedEvent:
        """Read one `events` node (the fields `gateway.edge.calendar_feed` selects)."""
        series = node.get("series")
        return cls(
            id=node["id"],
            provider=node["provider"],
            title=node["title"],
            description=node.get("description"),
            starts_at=_instant(node.get("startsAt")),
            ends_at=_instant(node.get("endsAt")),
            timezone=node.get("timezone"),
            all_day=bool(node.get("allDay")),
            start_date=_day(node.get("startDate")),
            end_date=_day(node.get("endDate")),
            url=node.get("url"),
            location=node.get("location"),
            status=node.get("status") or "UNKNOWN",
            updated_at=_instant(node.get("updatedAt")),
            series=None
            if not series
            else FeedSeries(id=series["firstId"], index=int(series["index"]), rule=series.get("rule")),
        )


def _instant(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None
