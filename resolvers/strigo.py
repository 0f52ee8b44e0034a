"""Strigo's root fields: `strigoEvents`, its mutations, and `node(id:)` for Strigo ids."""

from __future__ import annotations

import strawberry

from gateway.providers import strigo
from gateway.providers.base import JSONObject
from gateway.request.context import Context, Info
from resolvers.mutations import Changes, EventId, NewEvent
from resolvers.provider_events import ProviderEvents
from resolvers.provider_objects import ProviderObjects, one_part
from schema.payloads import DeleteEventPayload, Payload
from schema.strigo import (
    CLASS_KIND,
    CLASSES,
    MEMBERS,
    OWNER_KIND,
    StrigoClass,
    StrigoEvent,
    StrigoOwner,
)
from schema.strigo_inputs import CreateStrigoEventInput, UpdateStrigoEventInput, create_body, update_body


def _key(parts: tuple[str, ...]) -> str | None:
    return parts[0] if len(parts) == 1 else None


def _convert(context: Context, data: JSONObject, scope: tuple[str, ...]) -> StrigoEvent:
    return StrigoEvent.from_upstream(data, STRIGO.client(context).zone)


STRIGO = ProviderEvents(
    spec=strigo.SPEC, what="Strigo event", batch=lambda client: client.load_events, key=_key, convert=_convert
)
CLASS = ProviderObjects(
    spec=strigo.SPEC,
    what="Strigo class",
    loader_name=CLASSES,
    batch=lambda client: client.load_classes,
    key=one_part,
    convert=lambda data, key: StrigoClass.from_upstream(data),
)
OWNER = ProviderObjects(
    spec=strigo.SPEC,
    what="Strigo member",
    loader_name=MEMBERS,
    batch=lambda client: client.load_members,
    key=one_part,
    convert=lambda data, key: StrigoOwner.from_upstream(data),
)


async def _list(context: Context) -> list[StrigoEvent]:
    return await STRIGO.listed(context, lambda client: client.list_events())


async def strigo_events(info: Info) -> list[StrigoEvent]:
    """Every event of the Strigo org, whatever its status (Strigo's list does not page)."""
    return await _list(info.context)


async def create_strigo_event(info: Info, input: NewEvent[CreateStrigoEventInput]) -> Payload[StrigoEvent]:
    """`POST /events`."""
    return await STRIGO.create(info.context, lambda client: client.create_event(create_body(input)))


async def update_strigo_event(
    info: Info, id: EventId, input: Changes[UpdateStrigoEventInput]
) -> Payload[StrigoEvent]:
    """`PATCH /events/{id}` with only the given fields."""
    return await STRIGO.update(
        info.context, id, lambda client, key: client.update_event(key, update_body(input))
    )


async def delete_strigo_event(info: Info, id: EventId) -> DeleteEventPayload:
    """`DELETE /events/{id}` (Strigo deletes only `ready` events)."""
    return await STRIGO.delete(info.context, id, lambda client, key: client.delete_event(key))


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


API = STRIGO.api(
    query=Query,
    mutation=Mutation,
    types=(StrigoEvent, StrigoClass, StrigoOwner),
    # The federated query's Strigo part: Strigo cannot filter, so one list call, filtered here.
    list_window=STRIGO.window(lambda client: client.list_events()),
    objects={CLASS_KIND: CLASS.node, OWNER_KIND: OWNER.node},
)

__all__ = ["API"]
