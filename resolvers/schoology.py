"""Schoology's root fields: `schoologyEvents`, its mutations, `node(id:)` for Schoology ids, `events`."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import partial
from typing import Annotated
from zoneinfo import ZoneInfo

import strawberry

from gateway.errors import BadUserInput, Forbidden, NotFound, TooManyPages
from gateway.ids import decode_id, encode_id
from gateway.providers import schoology
from gateway.providers.base import JSONObject
from gateway.providers.schoology import EventPage, EventRef, PageRequest, Realm, SchoologyClient
from gateway.request.context import Context, Info
from resolvers.mutations import Changes, EventId, NewEvent, deletion, payload
from resolvers.provider import ProviderAPI, Window, select
from resolvers.provider_events import ProviderEvents
from resolvers.provider_objects import ProviderObjects
from schema.event import CountedConnection, Edge, Event, page_info
from schema.payloads import DeleteEventPayload, Payload
from schema.schoology import REALM_KIND, REALMS, SchoologyEvent, SchoologyRealm, SchoologyRealmInput, flag
from schema.schoology_inputs import (
    CreateSchoologyEventInput,
    UpdateSchoologyEventInput,
    create_body,
    in_zone,
    update_body,
)

UTC_ZONE = ZoneInfo("UTC")

#: Stand-ins for the open side of a one-sided window: Schoology filters by dates only when both are given.
_EARLIEST, _LATEST = date(1970, 1, 1), date(2100, 12, 31)
#: Tag of `schoologyEvents` cursors: opaque like ids, the list offset inside (Schoology pages by offset).
CURSOR = "schoology-list"


def _key(parts: tuple[str, ...]) -> EventRef | None:
    """(realm kind, realm id, event id) as an `EventRef`; None when malformed."""
    if len(parts) != 3 or not parts[2].isdigit():
        return None
    try:
        return EventRef(Realm.parse(f"{parts[0]}/{parts[1]}"), parts[2])
    except ValueError:
        return None


def kept(data: JSONObject, written_in: ZoneInfo) -> JSONObject:
    """How the loaders keep a Schoology event: the object as received, and the zone its times are
    written in (the realm's for lists and writes, UTC for the single GET; see `SchoologyEvent`)."""
    return {"event": data, "written_in": written_in.key}


def _event(context: Context, held: JSONObject, scope: tuple[str, ...]) -> SchoologyEvent:
    realm = Realm(scope[0], scope[1])
    client = SCHOOLOGY.client(context)
    return SchoologyEvent.from_upstream(
        held["event"],
        realm,
        client.zone_of(realm),
        written_in=ZoneInfo(held["written_in"]),
        web_url=client.web_url,
    )


async def _single_gets(client: SchoologyClient, refs: Sequence[EventRef]) -> list[JSONObject | None]:
    """Batch function of the by-id loader: the single GETs (in UTC), and the zones of user realms."""
    found, _ = await asyncio.gather(client.load_events(refs), client.learn_zones([ref.realm for ref in refs]))
    return [None if data is None else kept(data, UTC_ZONE) for data in found]


SCHOOLOGY = ProviderEvents(
    spec=schoology.SPEC,
    what="Schoology event",
    batch=lambda client: partial(_single_gets, client),
    key=_key,
    convert=_event,
)


def _realm_key(parts: tuple[str, ...]) -> Realm | None:
    """(realm kind, realm id) as a `Realm`; None when malformed (or a number spelt with leading zeros)."""
    if len(parts) != 2 or (parts[1].startswith("0") and parts[1] != "0"):
        return None
    try:
        return Realm.parse("/".join(parts))
    except ValueError:
        return None


REALM = ProviderObjects(
    spec=schoology.SPEC,
    what="Schoology realm",
    loader_name=REALMS,
    batch=lambda client: client.load_realms,
    key=_realm_key,
    convert=lambda data, realm: SchoologyRealm.of(realm),
)


def _convert(context: Context, page: EventPage) -> list[SchoologyEvent]:
    """The page's events as GraphQL objects; each also primes the by-id loader."""
    realm = page.request.realm
    zone = SCHOOLOGY.client(context).zone_of(realm)
    # Built first: an event without a usable id is an UPSTREAM_ERROR, never silently left out.
    return [SCHOOLOGY.remember(context, kept(data, zone), realm.kind, realm.id) for data in page.events]


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
    _prime_realms(info.context, objects)
    events = _convert(info.context, page)
    edges = [Edge(cursor=encode_offset(offset + n + 1), node=event) for n, event in enumerate(events)]
    return CountedConnection(
        edges=edges,
        page_info=page_info(edges, has_next_page=page.next_start is not None, has_previous_page=offset > 0),
        total_count=page.total,
    )


def _prime_realms(context: Context, objects: dict[Realm, JSONObject | None]) -> None:
    """Keep realm objects read for their zone, so the events' realm names cost nothing more."""
    client = SCHOOLOGY.client(context)
    for realm, data in objects.items():
        context.loaders.prime(REALMS, client.load_realms, realm, data)


def _window_days(window: Window, zone: ZoneInfo, widen: int = 1) -> tuple[date | None, date | None]:
    """`start_date`/`end_date` covering the window in the realm's zone, `widen` days wider each side
    (zone edges, DST; two where the realm's zone is not known yet, as zones lie up to 26 h apart).

    Days outside `_EARLIEST … _LATEST` are clamped into it; a window wholly outside it is not
    pushed down at all (the gateway's own filter then applies alone).
    """
    starts_after = window.starts_after
    if window.after is not None and not window.after[0]:
        # A cursor of the merged order: nothing starting before its event can come next.
        starts_after = max(starts_after, window.after[1]) if starts_after else window.after[1]
    if starts_after is None and window.starts_before is None:
        return None, None
    before = window.starts_before
    first = _EARLIEST if starts_after is None else max(_local_day(starts_after, zone, -widen), _EARLIEST)
    last = _LATEST if before is None else min(_local_day(before, zone, widen), _LATEST)
    return (first, last) if first <= last else (None, None)


def _local_day(moment: datetime, zone: ZoneInfo, widen: int) -> date:
    """The day `moment` falls on in `zone`, moved `widen` days; at datetime's ends, its first or last day."""
    try:
        return moment.astimezone(zone).date() + timedelta(days=widen)
    except OverflowError:
        return date.min if widen < 0 else date.max


async def list_window(context: Context, window: Window) -> list[Event]:
    """The federated query's Schoology part: every `SCHOOLOGY_REALMS` realm, dates pushed down.

    The first pages of all realms come in one multi-get; a realm is paged further (all such realms
    together, one multi-get per round) only while it has given fewer than `window.limit` events
    inside the window. A realm still short after `GATEWAY_MAX_PAGES` rounds is an UPSTREAM_ERROR
    rather than a silently shortened list.
    """
    client = SCHOOLOGY.client(context)
    if not client.realms:
        return []
    size = min(max(window.limit, schoology.DEFAULT_LIMIT), schoology.MAX_LIMIT)
    pending = [
        PageRequest(
            realm, 0, size, *_window_days(window, client.zone_of(realm), 2 if client.needs_zone(realm) else 1)
        )
        for realm in client.realms
    ]
    events: list[Event] = []
    admitted: Counter[Realm] = Counter()
    learning: tuple[Realm, ...] = client.realms
    for _ in range(client.upstream.max_pages):
        if not pending:
            break
        pages, objects = await client.list_pages(pending, learning=learning)
        learning = ()
        _prime_realms(context, objects)
        pending = []
        for page in pages:
            converted = _convert(context, page)
            events.extend(converted)
            realm = page.request.realm
            admitted[realm] += sum(1 for event in converted if window.admits(event))
            if page.next_start is not None and admitted[realm] < window.limit:
                pending.append(replace(page.request, start=page.next_start))
    if pending:
        raise TooManyPages("Schoology", "events", client.upstream.max_pages, provider=schoology.NAME)
    return select(events, window)


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
    zone, written_in = SCHOOLOGY.client(context).zone_of(ref.realm), ZoneInfo(held["written_in"])
    return {**data, **{name: in_zone(data.get(name), written_in, zone) for name in ("start", "end")}}


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
        return SCHOOLOGY.remember(context, kept(data, zone), target.kind, target.id)

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
        return _event(context, held, (ref.realm.kind, ref.realm.id))

    return await payload(run())


async def delete_schoology_event(info: Info, id: EventId) -> DeleteEventPayload:
    """`DELETE {realm}/events/{id}` (cannot be undone)."""
    context = info.context

    async def run() -> strawberry.ID:
        ref = SCHOOLOGY.key_of(id)
        await _changeable(context, ref)
        await SCHOOLOGY.client(context).delete_event(ref)
        SCHOOLOGY.prime(context, ref, None)
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


API = ProviderAPI(
    spec=schoology.SPEC,
    query=Query,
    mutation=Mutation,
    types=(SchoologyEvent, SchoologyRealm),
    load_node=SCHOOLOGY.node,
    list_window=list_window,
    objects={REALM_KIND: REALM.node},
)

__all__ = ["API"]
