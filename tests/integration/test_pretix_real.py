"""The gateway's pretix reads, held against the emulator and a real pretix by the same test bodies.

Every test takes `pretix_target` (see conftest): the `emulator` variant always runs, the `real` one
(marked `pretix_real`) runs with `PRETIX_REAL=1` or in CI. A difference between the two variants is
an emulator bug to fix, not a test to special-case. Writes: test_pretix_real_writes.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.harness import running_gateway
from tests.integration.conftest import PretixTarget
from tests.integration.pretix_queries import LIST, NODE, create, ensure_events, listing


async def test_pages_of_fifty_walk_every_event_once(pretix_target: PretixTarget) -> None:
    await ensure_events(pretix_target, 61)
    first = await listing(pretix_target, first=50)
    total = first["totalCount"]
    assert total >= 55
    assert len(first["edges"]) == 50
    assert first["pageInfo"]["hasNextPage"] is True
    rest = await listing(pretix_target, first=50, after=first["pageInfo"]["endCursor"])
    assert len(rest["edges"]) == min(50, total - 50)
    assert rest["pageInfo"]["hasNextPage"] is (total > 100)
    slugs = [edge["node"]["slug"] for edge in first["edges"] + rest["edges"]]
    assert slugs == sorted(slugs)  # pretix's default order
    assert len(set(slugs)) == len(slugs)
    straddling = await listing(pretix_target, first=30, after=first["edges"][39]["cursor"])
    assert [edge["node"]["slug"] for edge in straddling["edges"]] == slugs[40:70]


async def test_federated_events_follow_pretixs_next_links(pretix_target: PretixTarget) -> None:
    await ensure_events(pretix_target, 61)
    query = (
        "query($f: EventFilter) { events(filter: $f, first: 60) { edges { node { startsAt providerId } } } }"
    )
    data = await pretix_target.gateway.data(query, {"f": {"providers": ["PRETIX"]}})
    keys = [(edge["node"]["startsAt"], edge["node"]["providerId"]) for edge in data["events"]["edges"]]
    assert len(keys) == 60
    assert keys == sorted(keys, key=lambda key: (datetime.fromisoformat(key[0]), key[1]))


async def test_node_reads_one_event_with_every_field(pretix_target: PretixTarget) -> None:
    target = pretix_target
    event = (await target.gateway.data(NODE, {"id": target.id(target.event)}))["node"]
    assert (event["id"], event["provider"], event["providerId"]) == (
        target.id(target.event),
        "PRETIX",
        target.event,
    )
    assert (event["organizer"], event["slug"]) == (target.organizer, target.event)
    english = {item["locale"]: item["text"] for item in event["localizedName"]["translations"]}["en"]
    assert event["title"] == event["localizedName"]["text"] == english
    assert event["startsAt"] == event["dateFrom"]
    assert event["startsAt"].endswith("+00:00")
    assert event["url"] == event["publicUrl"]
    assert event["publicUrl"].endswith(f"/{target.organizer}/{target.event}/")
    assert event["validKeys"] is not None  # detail views only
    assert event["bestAvailabilityState"] is None
    assert event["salesChannels"] == ["web"]
    assert event["allDay"] is False
    assert event["timezone"]


async def test_unknown_event_and_hidden_organizer_are_null_with_not_found(
    pretix_target: PretixTarget,
) -> None:
    target = pretix_target
    for global_id in (target.id("no-such-event"), target.id("any-event", target.hidden_organizer)):
        body = await target.gateway.query(NODE, {"id": global_id})
        assert body["data"]["node"] is None
        [error] = body["errors"]
        assert (error["extensions"]["code"], error["extensions"]["provider"]) == ("NOT_FOUND", "PRETIX")


async def test_listing_a_hidden_organizer_is_not_found(pretix_target: PretixTarget) -> None:
    body = await pretix_target.gateway.query(LIST, {"organizer": pretix_target.hidden_organizer})
    [error] = body["errors"]
    assert error["extensions"] == {"code": "NOT_FOUND", "provider": "PRETIX", "field": ["organizer"]}


async def test_filters_order_and_availability_are_pretixs(pretix_target: PretixTarget) -> None:
    target = pretix_target
    tag = target.unique("flt")
    for label, month, public in (("alpha", "01", True), ("beta", "02", False), ("gamma", "03", True)):
        await create(
            target.gateway,
            target.organizer,
            f"{tag}-{label}",
            dateFrom=f"2032-{month}-10T10:00:00Z",
            isPublic=public,
        )

    async def slugs(**variables: Any) -> list[str]:
        found = await listing(target, **variables)
        return [edge["node"]["slug"].removeprefix(f"{tag}-") for edge in found["edges"]]

    assert await slugs(filter={"search": tag}) == ["alpha", "beta", "gamma"]
    assert await slugs(filter={"search": tag, "isPublic": False}) == ["beta"]
    window = {
        "search": tag,
        "dateFromAfter": "2032-02-01T00:00:00Z",
        "dateFromBefore": "2032-02-28T00:00:00+01:00",
    }
    assert await slugs(filter=window) == ["beta"]
    assert await slugs(filter={"search": tag}, orderBy="DATE_FROM_DESC") == ["gamma", "beta", "alpha"]
    assert await slugs(filter={"search": tag, "isFuture": True}) == ["alpha", "beta", "gamma"]
    assert await slugs(filter={"search": tag, "isPast": True}) == []
    available = await listing(target, filter={"search": tag}, channel="web")
    assert [edge["node"]["bestAvailabilityState"] for edge in available["edges"]] == [None, None, None]
    body = await target.gateway.query(LIST, {"organizer": target.organizer, "channel": "no-such-channel"})
    assert body["errors"][0]["extensions"]["field"] == ["withAvailabilityFor"]
    federated = await target.gateway.data(
        "query($filter: EventFilter) { events(filter: $filter) { edges { node { providerId title } } } }",
        {"filter": {"providers": ["PRETIX"], "search": tag, "startsAfter": "2032-01-10T10:00:00Z"}},
    )
    assert [edge["node"]["providerId"] for edge in federated["events"]["edges"]] == [
        f"{tag}-alpha",
        f"{tag}-beta",
        f"{tag}-gamma",
    ]
    german = [{"locale": "de", "text": f"Großes Ölfest {tag}"}, {"locale": "en", "text": f"Oil fest {tag}"}]
    await create(
        target.gateway, target.organizer, f"{tag}-delta", name=german, dateFrom="2032-04-10T10:00:00Z"
    )
    # pretix's own search misses both (case of Ö, ß as ss); the gateway must not push them down.
    query = "query($filter: EventFilter) { events(filter: $filter) { edges { node { providerId } } } }"
    async with running_gateway(target.settings(pretix_locale="de")) as gateway:
        for search in (f"ÖLFEST {tag}", "GROSSES ÖLFEST", "grosses"):
            found = await gateway.data(query, {"filter": {"providers": ["PRETIX"], "search": search}})
            assert [edge["node"]["providerId"] for edge in found["events"]["edges"]] == [f"{tag}-delta"]


async def test_a_wrong_token_is_upstream_unauthorized(pretix_target: PretixTarget) -> None:
    async with running_gateway(pretix_target.settings(pretix_token="not-a-token")) as gateway:
        body = await gateway.query(LIST, {"organizer": pretix_target.organizer})
    assert body["errors"][0]["extensions"] == {"code": "UPSTREAM_UNAUTHORIZED", "provider": "PRETIX"}


async def test_federated_events_report_a_hidden_configured_organizer(pretix_target: PretixTarget) -> None:
    target = pretix_target
    query = "{ events(first: 3, filter: {providers: [PRETIX]}) { edges { node { providerId } } } }"
    organizers = f"{target.organizer},{target.hidden_organizer}"
    async with running_gateway(target.settings(pretix_organizers=organizers)) as gateway:
        body = await gateway.query(query)
    assert len(body["data"]["events"]["edges"]) == 3
    [error] = body["errors"]
    assert error["extensions"] == {"code": "UPSTREAM_UNAUTHORIZED", "provider": "PRETIX"}
    assert target.hidden_organizer in error["message"]
    async with running_gateway(target.settings(pretix_organizers="")) as gateway:
        every_visible = await gateway.data(query)
    assert len(every_visible["events"]["edges"]) == 3
