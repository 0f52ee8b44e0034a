"""What Schoology's queries and mutations share: its events, loaded and primed with the zone they are
written in, and its realms."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial
from zoneinfo import ZoneInfo

from gateway.providers import schoology
from gateway.providers.base import JSONObject
from gateway.providers.schoology import EventPage, EventRef, Realm, SchoologyClient
from gateway.request.context import Context
from resolvers.provider_events import ProviderEvents
from resolvers.provider_objects import ProviderObjects
from schema.schoology import REALMS, SchoologyEvent, SchoologyRealm
from schema.schoology_inputs import in_zone

UTC_ZONE = ZoneInfo("UTC")


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


def event_of(context: Context, held: JSONObject, scope: tuple[str, ...]) -> SchoologyEvent:
    realm = Realm(scope[0], scope[1])
    client = SCHOOLOGY.client(context)
    return SchoologyEvent.from_upstream(
        held["event"],
        realm,
        client.zone_of(realm),
        written_in=ZoneInfo(held["written_in"]),
        web_url=client.web_url,
    )


def as_listed(context: Context, held: JSONObject, realm: Realm) -> JSONObject:
    """A held event as the realm's list shows it (times in the realm's zone), whichever read it came from."""
    zone, written_in = SCHOOLOGY.client(context).zone_of(realm), ZoneInfo(held["written_in"])
    data: JSONObject = held["event"]
    times: JSONObject = {
        name: in_zone(data.get(name), written_in, zone) for name in ("start", "end") if name in data
    }
    return kept({**data, **times}, zone)


def listed_event(context: Context, data: JSONObject, scope: tuple[str, ...]) -> SchoologyEvent:
    """The event of upstream JSON as a realm's list returns it (what polls and writes publish)."""
    realm = Realm(scope[0], scope[1])
    return event_of(context, kept(data, SCHOOLOGY.client(context).zone_of(realm)), scope)


async def _single_gets(client: SchoologyClient, refs: Sequence[EventRef]) -> list[JSONObject | None]:
    """Batch function of the by-id loader: the single GETs (in UTC), and the zones of user realms."""
    found, _ = await asyncio.gather(client.load_events(refs), client.learn_zones([ref.realm for ref in refs]))
    return [None if data is None else kept(data, UTC_ZONE) for data in found]


SCHOOLOGY = ProviderEvents(
    spec=schoology.SPEC,
    what="Schoology event",
    batch=lambda client: partial(_single_gets, client),
    key=_key,
    convert=event_of,
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


def convert_page(context: Context, page: EventPage) -> list[SchoologyEvent]:
    """The page's events as GraphQL objects; each also primes the by-id loader."""
    realm = page.request.realm
    zone = SCHOOLOGY.client(context).zone_of(realm)
    # Built first: an event without a usable id is an UPSTREAM_ERROR, never silently left out.
    loader = SCHOOLOGY.loader(context)
    return [
        SCHOOLOGY.remember(context, kept(data, zone), realm.kind, realm.id, loader=loader)
        for data in page.events
    ]


def prime_realms(context: Context, objects: dict[Realm, JSONObject | None]) -> None:
    """Keep realm objects read for their zone, so the events' realm names cost nothing more."""
    client = SCHOOLOGY.client(context)
    for realm, data in objects.items():
        context.loaders.prime(REALMS, client.load_realms, realm, data)
