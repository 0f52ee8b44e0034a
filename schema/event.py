"""The normalised view shared by every provider: `Node`, `Event`, `Provider`, connections."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Generic, TypeVar

import strawberry

from schema.scalars import JSON

NodeT = TypeVar("NodeT")


@strawberry.enum(description="The upstream API an object comes from.")
class Provider(Enum):
    STRIGO = "strigo"
    SCHOOLOGY = "schoology"
    KONA = "kona"
    PRETIX = "pretix"


@strawberry.interface(description="An object with a global id, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Global, opaque and stable id.")


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
        description="When the event starts; keeps the upstream's UTC offset where it gave one."
    )
    ends_at: datetime | None = strawberry.field(description="When the event ends, when known.")
    timezone: str | None = strawberry.field(description="IANA time zone of the event, when known.")
    all_day: bool = strawberry.field(
        description="Whether the event lasts whole days rather than a time span."
    )
    start_date: date | None = strawberry.field(
        description="The local calendar day an all-day event starts (null for timed events)."
    )
    end_date: date | None = strawberry.field(description="The local calendar day an all-day event ends.")
    url: str | None = strawberry.field(description="A link to the event in the provider's web app.")
    raw: JSON = strawberry.field(description="The upstream object exactly as received.")


@strawberry.type(description="Where a page of a connection ends.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether `after: endCursor` would return more.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` to fetch the next page.")


@strawberry.type(description="One item of a page, with the cursor that points just after it.")
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type(description="A page of results (Relay cursor connection).")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        default=None, description="How many items match in all, when the upstream tells."
    )

    @strawberry.field(description="The items of this page, without cursors.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]
