"""What the `eventChanges` subscription sends: one `EventChange` per change to the events it watches."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from schema.event import Event


@strawberry.enum(description="What happened to an event, as the subscription's filter sees it.")
class ChangeKind(Enum):
    CREATED = strawberry.enum_value(
        "CREATED", description="The event is new to the filter: created, or changed so that it now matches."
    )
    UPDATED = strawberry.enum_value(
        "UPDATED", description="Something in the event changed (any field, `raw` included); it still matches."
    )
    DELETED = strawberry.enum_value(
        "DELETED",
        description="The event left the filter: deleted, or changed so that it no longer matches.",
    )


@strawberry.type(
    description="One change to the events a subscription watches. Each change reaches each subscriber "
    "once, in the order it was noticed."
)
class EventChange:
    kind: ChangeKind = strawberry.field(description="Whether the event was created, updated or deleted.")
    id: strawberry.ID = strawberry.field(
        description="Global id of the event that changed (what `node(id:)` takes; still given for DELETED)."
    )
    event: Event | None = strawberry.field(
        description="The event as it is now (the same object `node(id:)` would return); null for DELETED."
    )
    at: datetime = strawberry.field(
        description="When the gateway noticed the change: the poll that found it, or the write through "
        "the gateway that made it."
    )
