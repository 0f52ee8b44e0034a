"""Schoology's root fields: `schoologyEvents`, its mutations, `node(id:)` for Schoology ids, `events`."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated

import strawberry

from gateway.errors import BadUserInput, Forbidden, NotFound
from gateway.ids import decode_id, encode_id
from gateway.providers import schoology
from gateway.providers.base import JSONObject
from gateway.providers.schoology import EventRef, PageRequest
from gateway.request.context import Context, Info
from resolvers.mutations import Changes, EventId, NewEvent, deletion, payload
from resolvers.schoology_common import (
    REALM,
    SCHOOLOGY,
    as_listed,
    convert_page,
    event_of,
    kept,
    listed_event,
    prime_realms,
)
from resolvers.schoology_window import list_window
from schema.event import CountedConnection, Edge, page_info
from schema.payloads import DeleteEventPayload, Payload
from schema.schoology import REALM_KIND, SchoologyEvent, SchoologyRealm, SchoologyRealmInput, flag
from schema.schoology_inputs import (
    CreateSchoologyEventInput,
    UpdateSchoologyEventInput,
    create_body,
    update_body,
)

#: Tag of `schoologyEvents` cursors: opaque like ids, the list offset inside (Schoology pages by offset).
CURSOR = "schoology-list"


def encode_offset(offset: int) -> str:
    """The cursor pointing just after the first `offset` events of a realm's list."""
    return encode_id(CURSOR, offset)


def decode_offset(cursor: str) -> int:
    """The offset a cursor points at; BAD_USER_INPUT when it is not one of ours."""
    decoded = decode_id(cursor, field="after")
    if not decoded.is_of(CURSOR) or len(decoded.parts) != 1 or not decoded.parts[0].isdigit():
        raise BadUserInput(f"{cursor!r} is not a cursor of schoologyEvents", field=["after"])
    return int(decoded.parts[0])


async def schoology_events(
    info: Info,
    realm: Annotated[SchoologyRealmInput, strawberry.argument(description="Whose calendar.")],
    start_date: Annotated[
        date | None,
        strawberry.argument(description="Only events starting on or after this day (needs `endDate`)."),
    ] = None,
    end_date: Annotated[
        date | None,
        strawberry.argument(description="Only events starting on or before this day (needs `startDate`)."),
    ] = None,
    first: Annotated[
        int | None, strawberry.argument(description="Page size, 1 to 200 (default 20, Schoology's own).")
    ] = None,
    after: Annotated[str | None, strawberry.argument(description="`endCursor` of the previous page.")] = None,
    with_attachments: Annotated[
        bool,
        strawberry.argument(
            description="Read each event's `attachments` too (Schoology's `with_attachments`)."
        ),
    ] = False,
) -> CountedConnection[SchoologyEvent]:
    """One page of a realm's events: `GET {realm}/events?start=&limit=` (one upstream call)."""
    target = realm.to_realm("realm")
    if (start_date is None) != (end_date is None):
        missing = "endDate" if end_date is None else "startDate"
        raise BadUserInput(
            f"{missing} is missing: Schoology filters by dates only with startDate and endDate together",
            field=[missing],
        )
    if start_date is not None and end_date is not None and end_date < start_date:
        raise BadUserInput("endDate must not be before startDate", field=["endDate"])
    size = schoology.DEFAULT_LIMIT if first is None else first
    if not 1 <= size <= schoology.MAX_LIMIT:
        raise BadUserInput(f"first must be between 1 and {schoology.MAX_LIMIT}", field=["first"])
    offset = 0 if after is None else decode_offset(after)
    request = PageRequest(target, offset, size, start_date, end_date, with_attachments)
    client = SCHOOLOGY.client(info.context)
    try:
        page, objects = await asyncio.gather(client.list_events(request), client.learn_zones([target]))
    except NotFound as error:
        raise NotFound(error.message, provider=schoology.NAME, field=["realm"]) from error
    prime_realms(info.context, objects)
    events = convert_page(info.context, page)
    edges = [Edge(cursor=encode_offset(offset + n + 1), node=event) for n, event in enumerate(events)]
    return CountedConnection(
        edges=edges,
        page_info=page_info(edges, has_next_page=page.next_start is not None, has_previous_page=offset > 0),
        total_count=page.total,
    )


async def _changeable(context: Context, ref: EventRef) -> JSONObject:
    """The event as it is now, if it may be changed; otherwise the user error that explains why.

    Checked before sending because Schoology's refusal is a bare, empty 403 (the same status as a
    credentials problem), and because the update is validated against the current event.
    """
    held = await SCHOOLOGY.load(context, ref)
    if held is None:
        raise NotFound(f"Schoology has no event {ref.event_id} in {ref.realm}", field=["id"])
    data: JSONObject = held["event"]
    kind = str(data.get("type") or "event")
    if kind != "event":
        raise Forbidden(
            f"{data.get('title')!r} is the due date of a Schoology {kind}: it cannot be edited or "
            f"deleted as an event; change the {kind} itself in Schoology",
            provider=schoology.NAME,
            field=["id"],
        )
    if flag(data.get("editable")) is False:
        raise Forbidden(
            "Schoology does not let the gateway's account change this event",
            provider=schoology.NAME,
            field=["id"],
        )
    # Written in the realm's zone, like the update will be.
    listed: JSONObject = as_listed(context, held, ref.realm)["event"]
    return listed


async def create_schoology_event(
    info: Info,
    realm: Annotated[SchoologyRealmInput, strawberry.argument(description="The realm to create it in.")],
    input: NewEvent[CreateSchoologyEventInput],
) -> Payload[SchoologyEvent]:
    """`POST {realm}/events` (201 with the stored event)."""
    context = info.context

    async def run() -> SchoologyEvent:
        target = realm.to_realm("realm")
        client = SCHOOLOGY.client(context)
        await client.learn_zones([target])
        zone = client.zone_of(target)
        body = create_body(input, zone)
        try:
            data = await client.create_event(target, body)
        except NotFound as error:
            raise NotFound(
                f"Schoology has no realm {target}", provider=schoology.NAME, field=["realm"]
            ) from error
        return await SCHOOLOGY.written(context, kept(data, zone), target.kind, target.id)

    return await payload(run())


async def update_schoology_event(
    info: Info, id: EventId, input: Changes[UpdateSchoologyEventInput]
) -> Payload[SchoologyEvent]:
    """`PUT {realm}/events/{id}` with only the given fields, then the event re-read.

    Schoology answers a PUT with an empty 204, so the event is read back (one more GET) instead of
    being patched locally: the answer then shows what Schoology actually stored, including whatever
    it normalises (e.g. `end` cleared when `has_end` goes to 0).
    """
    context = info.context

    async def run() -> SchoologyEvent:
        ref = SCHOOLOGY.key_of(id)
        client = SCHOOLOGY.client(context)
        current = await _changeable(context, ref)
        await client.update_event(ref, update_body(input, current, client.zone_of(ref.realm)))
        SCHOOLOGY.stale(context, ref)
        held = await SCHOOLOGY.load(context, ref)
        if held is None:
            raise NotFound("the event was deleted while it was being updated", field=["id"])
        scope = (ref.realm.kind, ref.realm.id)
        # Told as a list shows it (the realm's zone), so the next poll finds nothing new.
        await SCHOOLOGY.announce(context, event_of(context, as_listed(context, held, ref.realm), scope))
        return event_of(context, held, scope)

    return await payload(run())


async def delete_schoology_event(info: Info, id: EventId) -> DeleteEventPayload:
    """`DELETE {realm}/events/{id}` (cannot be undone)."""
    context = info.context

    async def run() -> strawberry.ID:
        ref = SCHOOLOGY.key_of(id)
        await _changeable(context, ref)
        await SCHOOLOGY.client(context).delete_event(ref)
        await SCHOOLOGY.erased(context, ref, id)
        return id

    return await deletion(run())


@strawberry.type
class Query:
    schoology_events: CountedConnection[SchoologyEvent] = strawberry.field(
        resolver=schoology_events,
        description="A realm's events, a page at a time, in Schoology's order (by start). `totalCount` is "
        "Schoology's `total`. Cursors are positions in that list, as Schoology pages by offset: an event "
        "added or deleted meanwhile shifts later pages by one.",
    )


@strawberry.type
class Mutation:
    create_schoology_event: Payload[SchoologyEvent] = strawberry.mutation(
        resolver=create_schoology_event,
        description="Create a plain event in a Schoology realm (POST {realm}/events).",
    )
    update_schoology_event: Payload[SchoologyEvent] = strawberry.mutation(
        resolver=update_schoology_event,
        description="Change some fields of a Schoology event (PUT) and return it as Schoology stored it. "
        "Assignment and discussion due dates are read-only: that comes back as a FORBIDDEN user error.",
    )
    delete_schoology_event: DeleteEventPayload = strawberry.mutation(
        resolver=delete_schoology_event,
        description="Delete a Schoology event for good. Assignment and discussion due dates cannot be "
        "deleted (a FORBIDDEN user error).",
    )


API = SCHOOLOGY.api(
    query=Query,
    mutation=Mutation,
    types=(SchoologyEvent, SchoologyRealm),
    list_window=list_window,
    convert=listed_event,
    objects={REALM_KIND: REALM.node},
)

__all__ = ["API"]
