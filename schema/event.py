"""The normalised view shared by every provider: `Node`, `Event`, `Provider`, connections."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Generic, TypeVar

import strawberry

from schema.scalars import JSON

NodeT = TypeVar("NodeT")


@strawberry.enum(description="The upstream API an object comes from.")
class Provider(Enum):
    STRIGO = strawberry.enum_value("strigo", description="Strigo: live training events.")
    SCHOOLOGY = strawberry.enum_value("schoology", description="Schoology: school calendars.")
    KONA = strawberry.enum_value("kona", description="Kona: team workspaces' calendars.")
    PRETIX = strawberry.enum_value("pretix", description="pretix: ticketed events.")


@strawberry.enum(
    description="Where an event stands, the same for every provider. Each provider's type says how "
    "its own status maps here (see `status` there); its native status, if it has one, keeps its own "
    "field and enum."
)
class EventStatus(Enum):
    SCHEDULED = strawberry.enum_value("scheduled", description="Planned, and not started yet.")
    LIVE = strawberry.enum_value("live", description="Happening now.")
    ENDED = strawberry.enum_value("ended", description="Over.")
    CANCELLED = strawberry.enum_value("cancelled", description="Called off by its organiser.")
    DRAFT = strawberry.enum_value(
        "draft", description="Not published yet (a pretix shop that is not live, say)."
    )
    UNKNOWN = strawberry.enum_value(
        "unknown", description="The provider does not say (no status and no start time)."
    )


def status_in_time(
    starts_at: datetime | None, ends_at: datetime | None, *, all_day: bool, now: datetime
) -> EventStatus:
    """SCHEDULED before the start, LIVE until the end, ENDED after: for providers without a status.

    Without an end an all-day event lasts its day; any other event is over once it has started.
    """
    if starts_at is None:
        return EventStatus.UNKNOWN
    if now < starts_at:
        return EventStatus.SCHEDULED
    end = ends_at if ends_at is not None else starts_at + timedelta(days=1) if all_day else starts_at
    return EventStatus.LIVE if now < end else EventStatus.ENDED


@strawberry.interface(description="An object with a global id, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Global, opaque and stable id: `node(id:)` returns this object, and no other object "
        "of any type has it (a client's cache can key on it alone)."
    )


@strawberry.type(
    description="An event's place in a recurring series: which series (`firstId`), which occurrence "
    "(`index`) and how it repeats (`rule`). `id` names this place (series and occurrence), so a "
    "normalised cache keeps one object per occurrence; compare `firstId` to find an event's siblings."
)
class EventSeries(Node):
    first_id: strawberry.ID = strawberry.field(
        description="Names the series: the `id` of its first occurrence's place, so the same on every "
        "occurrence of the series and on no other series (`node(id:)` returns that first place)."
    )
    index: int = strawberry.field(
        description="Which occurrence of the series this event is, counting from 1 for the first."
    )
    rule: str | None = strawberry.field(
        description="How the series repeats, as an RFC 5545 RRULE value (e.g. "
        "`FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;UNTIL=20240422T103000Z`), read from the first occurrence's "
        "start in the event's `timezone` (so a weekly 09:00 stays at 09:00 across daylight-saving "
        "changes). Null when the provider does not say how its series repeats."
    )


@strawberry.interface(
    description="An event from any provider, with the same meaning of each field everywhere. "
    "Use an inline fragment (`... on StrigoEvent`) for a provider's native fields."
)
class Event(Node):
    provider: Provider = strawberry.field(description="Which upstream API the event lives in.")
    provider_id: str = strawberry.field(description="The upstream's own id (pretix: the event slug).")
    title: str = strawberry.field(description="The event's name or title.")
    description: str | None = strawberry.field(description="Free text about the event, when given.")
    starts_at: datetime | None = strawberry.field(
        description="When the event starts; keeps the upstream's UTC offset where it gave one. An all-day "
        "event starts at the first moment of `startDate` in `timezone`."
    )
    ends_at: datetime | None = strawberry.field(
        description="When the event ends, when known. An all-day event ends where the day after `endDate` "
        "begins in `timezone` (so `endsAt` is exclusive, as in iCalendar)."
    )
    timezone: str | None = strawberry.field(
        description="The IANA time zone the event is planned in (e.g. `Europe/Berlin`): where its local "
        "times, its all-day days and its series' repetitions are reckoned. Each event type says where it "
        "comes from; null when the provider gives no way to know."
    )
    all_day: bool = strawberry.field(
        description="Whether the event lasts whole days rather than a time span (then read `startDate` "
        "and `endDate`, not the times)."
    )
    start_date: date | None = strawberry.field(
        description="The local calendar day an all-day event starts, in `timezone`; null for timed events. "
        "It never moves because of a UTC offset: an all-day event on 10 February is on 10 February "
        "wherever it is read."
    )
    end_date: date | None = strawberry.field(
        description="The last local calendar day an all-day event covers (inclusive: a one-day event has "
        "`endDate` = `startDate`); null for timed events."
    )
    url: str | None = strawberry.field(
        description="A page of the provider's web app a person can open for this event (a join link, a "
        "ticket shop, the event in the calendar), or null when the provider has none: never an API "
        "address."
    )
    location: str | None = strawberry.field(
        description="Where the event takes place, as text, when the provider has a place for it "
        "(Kona's `location`; pretix's in the gateway's locale; null for Strigo and Schoology)."
    )
    status: EventStatus = strawberry.field(
        description="Where the event stands, normalised; each event type says how it maps its provider's."
    )
    series: EventSeries | None = strawberry.field(
        default=None,
        description="For an occurrence of a recurring series: which series, which occurrence, and the "
        "rule. Null for an event that does not repeat (and for providers without recurrence).",
    )
    raw: JSON = strawberry.field(description="The upstream object exactly as received.")


@strawberry.type(description="Where a page of a connection starts and ends (Relay cursor connections).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether `after: endCursor` would return more.")
    has_previous_page: bool = strawberry.field(
        description="Whether items come before this page: true when `after` pointed past the start of "
        "the list. Pages go forward only (`first`/`after`), so this tells whether the page is the first."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last item: pass it as `after` to fetch the next page; "
        "null when the page is empty."
    )


def page_info(edges: Sequence[Edge[NodeT]], *, has_next_page: bool, has_previous_page: bool) -> PageInfo:
    """The `pageInfo` of a page of `edges`."""
    return PageInfo(
        has_next_page=has_next_page,
        has_previous_page=has_previous_page,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )


@strawberry.type(description="One item of a page, with the cursor that points just after it.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(
        description="Opaque: pass it as `after` to get the items that follow this one."
    )
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(description="A page of results (Relay cursor connection).")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="The items of this page, with their cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page starts and ends.")

    @strawberry.field(description="The items of this page, without cursors.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


# Named "Connection" as well, so `CountedConnection[SchoologyEvent]` is `SchoologyEventConnection`: a
# list is counted or not by what its upstream tells, and no type is both kinds.
@strawberry.type(name="Connection", description="A page of results (Relay cursor connection), with a count.")
class CountedConnection(Connection[NodeT]):
    total_count: int | None = strawberry.field(
        description="How many items match in all, as the provider counts them (null if it sent no count)."
    )
