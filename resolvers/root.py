"""The shared root fields (`node`, `nodes`, `events`, `calendarFeed`, `providers`) every provider's
`Query` is merged into."""

from __future__ import annotations

import strawberry

from resolvers.events import events
from resolvers.feed import calendar_feed
from resolvers.nodes import node, nodes
from resolvers.status import providers
from schema.event import Connection, Event, Node
from schema.feed import CalendarFeed
from schema.status import ProviderStatus


@strawberry.type
class CoreQuery:
    node: Node | None = strawberry.field(
        resolver=node, description="Any object by its global id; null (with a NOT_FOUND error) if missing."
    )
    events: Connection[Event] = strawberry.field(
        resolver=events,
        description="Events of every enabled provider (or `filter.providers`) merged in one order: by "
        "`startsAt`, then provider, then provider id; events without a start come last. Pages of 1 to 200 "
        "(`first`, default 50) never repeat or skip an event while the data is unchanged. A provider that "
        "fails adds one error (with `extensions.provider`, at this field's path) and the others' events "
        "still come back. There is no `totalCount`: counting every provider's matching events would "
        "mean reading all of them, whatever the page size.",
    )
    providers: list[ProviderStatus] = strawberry.field(
        resolver=providers, description="Every provider this gateway knows, with its health."
    )
    calendar_feed: CalendarFeed = strawberry.field(
        resolver=calendar_feed,
        description="A link calendar apps subscribe to (Google Calendar, Apple Calendar, Outlook, "
        "Thunderbird): the events `events(filter:)` returns, as an iCalendar feed that agrees with it event "
        "by event. Calendar apps cannot send an API key, so with keys on the link is signed "
        "(`GATEWAY_FEED_SECRET`); without a feed secret it is then FEED_NOT_CONFIGURED.",
    )
    nodes: list[Node | None] = strawberry.field(
        resolver=nodes,
        description="Objects by global id, in the order asked; one batched round per provider.",
    )
