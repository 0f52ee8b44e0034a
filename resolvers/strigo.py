"""Strigo's root fields: `strigoEvents`, its mutations, and `node(id:)` for Strigo ids."""

from __future__ import annotations

import strawberry
from aiodataloader import DataLoader

from gateway.errors import BadUserInput
from gateway.ids import decode_id, encode_id
from gateway.providers import strigo
from gateway.providers.base import JSONObject
from gateway.request.context import Context, Info
from resolvers.mutations import deletion, payload
from resolvers.provider import ProviderAPI, Window, select
from schema.event import Event
from schema.payloads import DeleteEventPayload, Payload
from schema.strigo import (
    CreateStrigoEventInput,
    StrigoEvent,
    UpdateStrigoEventInput,
    create_body,
    update_body,
)

EVENTS = "strigo.events"


def _events(context: Context) -> DataLoader[str, JSONObject | None]:
    return context.loaders.get(EVENTS, context.client(strigo.SPEC).load_events)


def _event_id(global_id: strawberry.ID) -> str:
    decoded = decode_id(global_id)
    if decoded.provider != strigo.NAME or len(decoded.parts) != 1:
        raise BadUserInput(f"{global_id!r} is not a Strigo event id", field=["id"])
    return decoded.parts[0]


async def load_node(context: Context, parts: tuple[str, ...]) -> Event | None:
    """A Strigo event by the key parts of its global id."""
    if len(parts) != 1:
        raise BadUserInput("malformed Strigo id", field=["id"])
    data = await _events(context).load(parts[0])
    return None if data is None else StrigoEvent.from_upstream(data)


def _remember(context: Context, data: JSONObject) -> StrigoEvent:
    """Build the event (refusing one without a usable id) and prime the loader with it."""
    event = StrigoEvent.from_upstream(data)
    context.loaders.prime(EVENTS, context.client(strigo.SPEC).load_events, event.provider_id, data)
    return event


async def _list(context: Context) -> list[StrigoEvent]:
    events = await context.client(strigo.SPEC).list_events()
    return [_remember(context, data) for data in events]


async def list_window(context: Context, window: Window) -> list[Event]:
    """The federated query's Strigo part: Strigo cannot filter, so one list call, filtered here."""
    return select(await _list(context), window)


async def strigo_events(info: Info) -> list[StrigoEvent]:
    """Every event of the Strigo org, whatever its status (Strigo's list does not page)."""
    return await _list(info.context)


async def create_strigo_event(info: Info, input: CreateStrigoEventInput) -> Payload[StrigoEvent]:
    """`POST /events`."""
    context = info.context

    async def run() -> StrigoEvent:
        data = await context.client(strigo.SPEC).create_event(create_body(input))
        return _remember(context, data)

    return await payload(run())


async def update_strigo_event(
    info: Info, id: strawberry.ID, input: UpdateStrigoEventInput
) -> Payload[StrigoEvent]:
    """`PATCH /events/{id}` with only the given fields."""
    context = info.context

    async def run() -> StrigoEvent:
        event_id = _event_id(id)
        body = update_body(input)
        client = context.client(strigo.SPEC)
        data = await client.update_event(event_id, body)
        context.loaders.prime(EVENTS, client.load_events, event_id, data)
        return StrigoEvent.from_upstream(data)

    return await payload(run())


async def delete_strigo_event(info: Info, id: strawberry.ID) -> DeleteEventPayload:
    """`DELETE /events/{id}` (Strigo deletes only `ready` events)."""
    context = info.context

    async def run() -> strawberry.ID:
        event_id = _event_id(id)
        client = context.client(strigo.SPEC)
        await client.delete_event(event_id)
        context.loaders.prime(EVENTS, client.load_events, event_id, None)
        return strawberry.ID(encode_id(strigo.NAME, event_id))

    return await deletion(run())


@strawberry.type
class Query:
    strigo_events: list[StrigoEvent] = strawberry.field(
        resolver=strigo_events,
        description="Every Strigo event of the org, whatever its status. Strigo lists do not page.",
    )


@strawberry.type
class Mutation:
    create_strigo_event: Payload[StrigoEvent] = strawberry.mutation(
        resolver=create_strigo_event, description="Create a Strigo event (POST /events)."
    )
    update_strigo_event: Payload[StrigoEvent] = strawberry.mutation(
        resolver=update_strigo_event,
        description="Change some fields of a Strigo event (PATCH). Live events cannot be modified: "
        "that comes back as a CONFLICT user error.",
    )
    delete_strigo_event: DeleteEventPayload = strawberry.mutation(
        resolver=delete_strigo_event,
        description="Delete a Strigo event (only events in the `ready` state can be deleted).",
    )


API = ProviderAPI(
    spec=strigo.SPEC,
    query=Query,
    mutation=Mutation,
    types=(StrigoEvent,),
    load_node=load_node,
    list_window=list_window,
)

__all__ = ["API"]
