"""Kona's root fields: `konaCalendarEvents`, `konaCalendarEvent`, its mutations, `node` and `events`."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated

import strawberry

from gateway.errors import BadUserInput, NotFound
from gateway.ids import decode_id, encode_id
from gateway.providers import kona
from gateway.providers.base import JSONObject
from gateway.request.context import Context, Info
from resolvers.kona_window import window_events
from resolvers.mutations import Changes, EventId, NewEvent, deletion, payload, pointing_at_arguments
from resolvers.provider_events import ProviderEvents
from resolvers.provider_objects import ProviderObjects, one_number
from schema.event import Connection, Edge, EventSeries, Node, page_info
from schema.kona import EXTERNAL_KIND, KonaCalendarEvent, KonaExternalObject, KonaOrder, to_ms
from schema.kona_directory import SPACE_KIND, SPACES, USER_KIND, USERS, KonaSpace, KonaUser
from schema.kona_inputs import (
    CreateKonaCalendarEventInput,
    UpdateKonaCalendarEventInput,
    create_body,
    update_body,
)
from schema.kona_series import SERIES_KIND, event_series, series_facts
from schema.payloads import DeleteEventPayload, Payload

#: Tag of `konaCalendarEvents` cursors: opaque like ids, `position:page size` inside.
CURSOR = "kona-list"
DEFAULT_FIRST = 50
MAX_FIRST = 200


def _key(parts: tuple[str, ...]) -> kona.EventKey | None:
    """An event's Kona id, or a series' first id and an occurrence number from 2 (an occurrence Kona
    computes rather than stores); None when malformed."""
    if not parts or len(parts) > 2 or not all(part.isdigit() and len(part) <= 10 for part in parts):
        return None
    if len(parts) == 1:
        return parts[0], None
    number = int(parts[1])
    return (parts[0], number) if number >= 2 else None


def _record(key: kona.EventKey, id: str) -> str:
    """The Kona id a write goes to; BAD_USER_INPUT for an occurrence Kona stores no record of."""
    if key[1] is not None:
        raise BadUserInput(
            f"{id!r} is an occurrence Kona computes from its series' rule: it has no record of its own "
            "to change (change the series through its first occurrence)",
            field=["id"],
        )
    return key[0]


def _convert(context: Context, data: JSONObject, scope: tuple[str, ...]) -> KonaCalendarEvent:
    return KonaCalendarEvent.from_upstream(data, KONA.client(context).zone)


KONA = ProviderEvents(
    spec=kona.SPEC,
    what="Kona calendar event",
    batch=lambda client: client.load_events,
    key=_key,
    convert=_convert,
)
SPACE = ProviderObjects(
    spec=kona.SPEC,
    what="Kona space",
    loader_name=SPACES,
    batch=lambda client: client.load_spaces,
    key=one_number,
    convert=lambda data, key: KonaSpace.from_upstream(data),
)
USER = ProviderObjects(
    spec=kona.SPEC,
    what="Kona user",
    loader_name=USERS,
    batch=lambda client: client.load_users,
    key=one_number,
    convert=lambda data, key: KonaUser.from_upstream(data),
)


async def _series(context: Context, parts: tuple[str, ...]) -> Node | None:
    """`node(id:)` of an occurrence's place in a series: what that occurrence says of it (batched
    with the events)."""
    key = _key(parts) if len(parts) != 2 or parts[1] != "1" else None
    if key is None:
        raise BadUserInput("malformed Kona series id", field=["id"])
    data = await KONA.load(context, key)
    facts = None if data is None else series_facts(data)
    if facts is None or facts.series_id != parts[0] or facts.index != (key[1] or 1):
        return None
    return event_series(facts)


async def _external_object(context: Context, parts: tuple[str, ...]) -> Node | None:
    """`node(id:)` of an event's link to an outside record: read from the event (batched)."""
    event = await KONA.node(context, parts)
    return None if event is None else event.external_object


def _cursor(offset: int, page_size: int) -> str:
    return encode_id(CURSOR, offset, page_size)


def _position(cursor: str) -> tuple[int, int]:
    """The list position a cursor points at, and the page size that reaches it."""
    decoded = decode_id(cursor, field="after")
    parts = decoded.parts
    if decoded.is_of(CURSOR) and len(parts) == 2 and all(part.isdigit() for part in parts):
        offset, size = int(parts[0]), int(parts[1])
        if 1 <= size <= kona.PER_PAGE:
            return offset, size
    raise BadUserInput(f"{cursor!r} is not a cursor of konaCalendarEvents", field=["after"])


def _list_params(
    start: datetime | None, end: datetime | None, order_by: KonaOrder | None
) -> dict[str, str | int]:
    if (start is None) != (end is None):
        missing = "dateRangeEnd" if end is None else "dateRangeStart"
        raise BadUserInput("give both dateRangeStart and dateRangeEnd, or neither", field=[missing])
    params: dict[str, str | int] = {}
    if start is not None and end is not None:
        if end < start:
            raise BadUserInput("dateRangeEnd must not be before dateRangeStart", field=["dateRangeEnd"])
        params |= {"date_range_start": to_ms(start), "date_range_end": to_ms(end)}
    if order_by is not None:
        params["order_by"] = str(order_by.value)
    return params


async def kona_calendar_events(
    info: Info,
    date_range_start: Annotated[
        datetime | None, strawberry.argument(description="Start of the range (needs `dateRangeEnd`).")
    ] = None,
    date_range_end: Annotated[
        datetime | None, strawberry.argument(description="End of the range (needs `dateRangeStart`).")
    ] = None,
    order_by: Annotated[
        KonaOrder | None, strawberry.argument(description="Newest first by this date; omit for by start.")
    ] = None,
    first: Annotated[
        int | None, strawberry.argument(description=f"Page size, 1 to {MAX_FIRST} (default {DEFAULT_FIRST}).")
    ] = None,
    after: Annotated[str | None, strawberry.argument(description="`endCursor` of the previous page.")] = None,
) -> Connection[KonaCalendarEvent]:
    """One Relay page of `GET /calendar_events`, read one item ahead so `hasNextPage` is exact."""
    count = DEFAULT_FIRST if first is None else first
    # Not 0: without a count to report (Kona gives none) an empty page only looks like a success.
    if not 1 <= count <= MAX_FIRST:
        raise BadUserInput(f"first must be between 1 and {MAX_FIRST}", field=["first"])
    params = _list_params(date_range_start, date_range_end, order_by)
    offset, page_size = _position(after) if after else (0, None)
    context = info.context
    client = KONA.client(context)
    found = await pointing_at_arguments(
        client.read_slice(kona.EVENTS_PATH, params, offset=offset, count=count, page_size=page_size), at=()
    )
    loader = KONA.loader(context)
    edges = [
        Edge(
            cursor=_cursor(offset + index + 1, found.page_size),
            node=KONA.remember(context, data, loader=loader),
        )
        for index, data in enumerate(found.items)
    ]
    return Connection(
        edges=edges, page_info=page_info(edges, has_next_page=found.has_more, has_previous_page=offset > 0)
    )


async def kona_calendar_event(
    info: Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="Global id of a Kona calendar event.")],
    num_in_series: Annotated[
        int | None, strawberry.argument(description="Which instance of the event's series, from 1.")
    ] = None,
) -> KonaCalendarEvent | None:
    """One event, or with `numInSeries` the Nth instance of its series."""
    key = KONA.key_of(id)
    if num_in_series is not None:
        if num_in_series < 1:
            raise BadUserInput("numInSeries counts from 1", field=["numInSeries"])
        key = (key[0], num_in_series)
    context = info.context
    data = await KONA.load(context, key)
    if data is None:
        raise NotFound(f"no Kona calendar event matches {id!r}", provider=kona.NAME, field=["id"])
    return KONA.remember(context, data)


async def create_kona_calendar_event(
    info: Info, input: NewEvent[CreateKonaCalendarEventInput]
) -> Payload[KonaCalendarEvent]:
    """`POST /calendar_events`."""
    return await KONA.create(
        info.context, lambda client: client.create_event(create_body(input, client.zone))
    )


async def update_kona_calendar_event(
    info: Info, id: EventId, input: Changes[UpdateKonaCalendarEventInput]
) -> Payload[KonaCalendarEvent]:
    """`PUT /calendar_events/{id}` with only the given fields."""
    context = info.context

    async def run() -> KonaCalendarEvent:
        event_id = _record(KONA.key_of(id), id)
        client = KONA.client(context)
        data = await client.update_event(event_id, update_body(input, client.zone))
        return await KONA.written(context, data)

    return await payload(run(), missing="id")


async def delete_kona_calendar_event(info: Info, id: EventId) -> DeleteEventPayload:
    """`DELETE /calendar_events/{id}`."""
    context = info.context

    async def run() -> strawberry.ID:
        event_id = _record(KONA.key_of(id), id)
        await KONA.client(context).delete_event(event_id)
        await KONA.erased(context, (event_id, None), id)
        return id

    return await deletion(run(), missing="id")


@strawberry.type
class Query:
    kona_calendar_events: Connection[KonaCalendarEvent] = strawberry.field(
        resolver=kona_calendar_events,
        description="Kona calendar events, a page at a time. Give both `dateRangeStart` and "
        "`dateRangeEnd` (events overlapping that range, both ends included) or neither: with no "
        "range, Kona returns only the events of the current month (UTC). Without `orderBy` Kona's "
        f"own order applies (by start); `orderBy` sorts newest first. `first` defaults to {DEFAULT_FIRST} "
        f"(at most {MAX_FIRST}). Cursors are positions in the list: reuse them with the same arguments. "
        "There is no `totalCount`: Kona does not say how many events match. This is Kona's list as "
        "Kona stores it (a recurring series may be its first instance alone, with its rule): the "
        "federated `events` query gives every occurrence.",
    )
    kona_calendar_event: KonaCalendarEvent | None = strawberry.field(
        resolver=kona_calendar_event,
        description="One Kona calendar event by id (like `node`). With `numInSeries` (from 1), the "
        "Nth instance of the recurring series the event belongs to; any instance's id works, and an "
        "instance Kona computes from the rule has an id of its own that `node` resolves. Null (with a "
        "NOT_FOUND error) when there is no such event or instance.",
    )


@strawberry.type
class Mutation:
    create_kona_calendar_event: Payload[KonaCalendarEvent] = strawberry.mutation(
        resolver=create_kona_calendar_event,
        description="Create a Kona calendar event (POST /calendar_events). The creator is the account "
        "the gateway uses unless `creatorId` says otherwise; `period` other than NONE makes a series.",
    )
    update_kona_calendar_event: Payload[KonaCalendarEvent] = strawberry.mutation(
        resolver=update_kona_calendar_event,
        description="Change some fields of a Kona calendar event (PUT). Events whose default role "
        "locks them for this account come back as a FORBIDDEN user error; an occurrence Kona computes "
        "from its series' rule has no record of its own to change (BAD_USER_INPUT at `id`).",
    )
    delete_kona_calendar_event: DeleteEventPayload = strawberry.mutation(
        resolver=delete_kona_calendar_event,
        description="Delete a Kona calendar event; FORBIDDEN when this account may not change it.",
    )


API = KONA.api(
    query=Query,
    mutation=Mutation,
    types=(KonaCalendarEvent, KonaSpace, KonaUser, KonaExternalObject, EventSeries),
    list_window=partial(window_events, KONA),
    objects={
        SPACE_KIND: SPACE.node,
        USER_KIND: USER.node,
        EXTERNAL_KIND: _external_object,
        SERIES_KIND: _series,
    },
)

__all__ = ["API"]
