"""The feed's events: the federated `events` query itself, run page by page through the schema.

Running the very query clients run (with its limits, masking and merge order) is what makes the
feed and GraphQL agree event by event. A provider that fails on one page is left out of the pages
after it and reported, so the feed never holds a hole in the middle of a provider's events without
saying which provider it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLInterfaceType, GraphQLObjectType
from starlette.requests import Request

from gateway.errors import ErrorCode
from gateway.feed.filter import FeedFilter
from gateway.feed.records import FeedEvent
from gateway.providers.base import ProviderClient
from gateway.request.context import Context
from gateway.settings import Settings
from gateway.upstream.endpoint import calls_in_request, current_request_id

#: The `events` query's largest page (`first`).
PAGE_SIZE = 200

_EVENT_FIELDS = (
    "id provider title description startsAt endsAt timezone allDay startDate endDate url location status"
)


class FeedFailed(Exception):
    """The events could not be listed at all; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(slots=True)
class FeedEvents:
    """What the walk collected: the events in federated order, and what is missing from them."""

    events: list[FeedEvent] = field(default_factory=list)
    #: Provider (`Provider` enum name) → the error code that left its events out (from that page on).
    unavailable: dict[str, str] = field(default_factory=dict)
    #: Whether more events matched than `GATEWAY_FEED_MAX_EVENTS`.
    truncated: bool = False
    pages: int = 0


def feed_document(schema: strawberry.Schema) -> str:
    """The `events` query the feed runs: the shared fields, `series` when the schema has it, and
    `updatedAt` on each event type that has one (for LAST-MODIFIED)."""
    graphql_schema = schema._schema
    event = graphql_schema.get_type("Event")
    assert isinstance(event, GraphQLInterfaceType)
    selection = _EVENT_FIELDS
    if "series" in event.fields:
        selection += " series { firstId index rule }"
    for possible in graphql_schema.get_possible_types(event):
        if isinstance(possible, GraphQLObjectType) and "updatedAt" in possible.fields:
            selection += f" ... on {possible.name} {{ updatedAt }}"
    return (
        "query CalendarFeed($filter: EventFilter, $first: Int!, $after: String) {"
        " events(filter: $filter, first: $first, after: $after) {"
        f" pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {selection} }} }} }} }}"
    )


async def collect(
    request: Request,
    schema: strawberry.Schema,
    settings: Settings,
    filter: FeedFilter,
    request_id: str,
) -> FeedEvents:
    """Every event of `filter`, up to `GATEWAY_FEED_MAX_EVENTS`, walking the `events` pages."""
    clients: Mapping[str, ProviderClient] = request.state.clients
    document = feed_document(schema)
    limit = settings.gateway_feed_max_events
    collected = FeedEvents()
    # Providers still asked: those of the filter (every enabled one when it names none).
    asking = list(filter.providers) or sorted(clients)
    page_size = PAGE_SIZE
    after: str | None = None
    while asking:
        first = min(page_size, limit - len(collected.events) + 1)
        variables = {"filter": filter.variables(asking), "first": first, "after": after}
        context = Context(
            request=request, response=None, settings=settings, clients=clients, request_id=request_id
        )
        calls_in_request.set(context.upstream_calls)
        current_request_id.set(request_id)
        result = await schema.execute(document, variable_values=variables, context_value=context)
        collected.pages += 1
        if first > 1 and _too_costly(result.errors or ()):
            # GATEWAY_MAX_COST set below what a full page costs: smaller pages, the same events.
            page_size = first // 2
            continue
        _note_failures(result.errors or (), collected)
        asking = [name for name in asking if name.upper() not in collected.unavailable]
        if result.data is None:
            break
        connection: dict[str, Any] = result.data["events"]
        collected.events.extend(FeedEvent.from_result(edge["node"]) for edge in connection["edges"])
        if len(collected.events) > limit:
            del collected.events[limit:]
            collected.truncated = True
            break
        page_info = connection["pageInfo"]
        # An empty page or a cursor that does not move would never end: the query has said all it will.
        if not page_info["hasNextPage"] or not connection["edges"] or page_info["endCursor"] in (None, after):
            break
        after = page_info["endCursor"]
    return collected


def _too_costly(errors: Sequence[GraphQLError]) -> bool:
    """Whether the page was refused whole for its cost (not one provider's call budget)."""
    return any(
        (error.extensions or {}).get("code") == ErrorCode.QUERY_TOO_COMPLEX
        and not (error.extensions or {}).get("provider")
        for error in errors
    )


def _note_failures(errors: Sequence[GraphQLError], collected: FeedEvents) -> None:
    """Record each provider's failure; anything that is not one provider's fails the whole feed."""
    for error in errors:
        extensions = error.extensions or {}
        provider = extensions.get("provider")
        code = str(extensions.get("code", ErrorCode.INTERNAL_SERVER_ERROR.value))
        if isinstance(provider, str) and provider:
            collected.unavailable.setdefault(provider.upper(), code)
        elif code in (ErrorCode.BAD_USER_INPUT, ErrorCode.GRAPHQL_VALIDATION_FAILED):
            raise FeedFailed(400, error.message)
        else:
            raise FeedFailed(500, error.message)
