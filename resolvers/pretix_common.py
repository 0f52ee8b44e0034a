"""What pretix's queries and mutations share: the event loader, remembering events, event ids."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import strawberry
from aiodataloader import DataLoader

from gateway.errors import BadUserInput, NotFound
from gateway.ids import decode_id
from gateway.providers import pretix
from gateway.providers.base import JSONObject
from gateway.request.context import Context
from schema.pretix import PretixEvent
from schema.pretix_inputs import EVENT_SLUG, ORGANIZER_SLUG

T = TypeVar("T")
EVENTS = "pretix.events"


def events_loader(context: Context) -> DataLoader[pretix.EventKey, JSONObject | None]:
    """The request's by-(organizer, slug) event loader."""
    return context.loaders.get(EVENTS, context.client(pretix.SPEC).load_events)


def remember(context: Context, organizer: str, data: JSONObject) -> PretixEvent:
    """Prime the event loader with an event just read or written, and build its GraphQL object."""
    event = PretixEvent.from_upstream(data, organizer, context.client(pretix.SPEC).locale)
    context.loaders.prime(EVENTS, context.client(pretix.SPEC).load_events, (organizer, event.slug), data)
    return event


def forget(context: Context, key: pretix.EventKey) -> None:
    """Remember that an event is gone (after a delete)."""
    context.loaders.prime(EVENTS, context.client(pretix.SPEC).load_events, key, None)


def key_of_parts(parts: tuple[str, ...], field: str = "id") -> pretix.EventKey:
    """(organizer, slug) from the key parts of a pretix global id; BAD_USER_INPUT when malformed."""
    if len(parts) != 2 or not ORGANIZER_SLUG.match(parts[0]) or not EVENT_SLUG.match(parts[1]):
        raise BadUserInput("malformed pretix event id", field=[field])
    return parts[0], parts[1]


def event_key(global_id: strawberry.ID, field: str = "id") -> pretix.EventKey:
    """(organizer, slug) of a pretix event's global id; BAD_USER_INPUT for any other id."""
    decoded = decode_id(global_id, field=field)
    if decoded.provider != pretix.NAME:
        raise BadUserInput(f"{global_id!r} is not a pretix event id", field=[field])
    return key_of_parts(decoded.parts, field)


async def upstream(action: Awaitable[T], *, missing: str) -> T:
    """Await a pretix write; a missing event or organizer points at the `missing` argument.

    (pretix's field errors name its own keys, such as `date_to`; `resolvers.mutations` points those
    at the GraphQL input, `["input", "dateTo"]`.)
    """
    try:
        return await action
    except NotFound as error:
        error.field = error.field or (missing,)
        raise
