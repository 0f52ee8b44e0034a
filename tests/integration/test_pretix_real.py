"""The gateway's pretix contract, held against the emulator and a real pretix by the same test bodies.

Every test takes `pretix_target` (see conftest): the `emulator` variant always runs, the `real` one
(marked `pretix_real`) runs with `PRETIX_REAL=1` or in CI. A difference between the two variants is
an emulator bug to fix, not a test to special-case.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import aiohttp

from gateway.providers import pretix
from tests.harness import Gateway, running_gateway
from tests.integration.conftest import PretixTarget

EVENT_FIELDS = """id provider providerId title startsAt endsAt timezone url allDay
  organizer slug live testmode currency dateFrom dateTo dateAdmission isPublic presaleStart presaleEnd
  geoLat geoLon hasSubevents metaData seatingPlan seatCategoryMapping plugins itemMetaProperties validKeys
  allSalesChannels limitSalesChannels salesChannels bestAvailabilityState publicUrl
  name { text translations { locale text } } location { text translations { locale text } }"""
LIST = """query($organizer: String!, $first: Int, $after: String, $filter: PretixEventFilter,
  $orderBy: PretixEventOrder, $channel: String) {
  pretixEvents(organizer: $organizer, first: $first, after: $after, filter: $filter, orderBy: $orderBy,
    withAvailabilityFor: $channel) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { slug title dateFrom isPublic bestAvailabilityState } }
  }
}"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ id ... on PretixEvent {{ {EVENT_FIELDS} }} }} }}"
CREATE = f"""mutation($organizer: String!, $input: CreatePretixEventInput!) {{
  createPretixEvent(organizer: $organizer, input: $input) {{
    event {{ {EVENT_FIELDS} }} userErrors {{ field message code }}
  }}
}}"""
UPDATE = f"""mutation($id: ID!, $input: UpdatePretixEventInput!) {{
  updatePretixEvent(id: $id, input: $input) {{
    event {{ {EVENT_FIELDS} }} userErrors {{ field message code }}
  }}
}}"""
DELETE = (
    """mutation($id: ID!) { deletePretixEvent(id: $id) { deletedId userErrors { field message code } } }"""
)
CLONE = f"""mutation($id: ID!, $input: CreatePretixEventInput!) {{
  clonePretixEvent(id: $id, input: $input) {{
    event {{ {EVENT_FIELDS} }} userErrors {{ field message code }}
  }}
}}"""


def new_event(slug: str, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": [{"locale": "en", "text": f"Gateway {slug}"}],
        "slug": slug,
        "dateFrom": "2031-03-01T10:00:00+02:00",
    }
    return values | overrides


async def create(gateway: Gateway, organizer: str, slug: str, **overrides: Any) -> dict[str, Any]:
    data = await gateway.data(CREATE, {"organizer": organizer, "input": new_event(slug, **overrides)})
    payload: dict[str, Any] = data["createPretixEvent"]
    assert payload["userErrors"] == []
    return payload["event"]  # type: ignore[no-any-return]


async def listing(target: PretixTarget, **variables: Any) -> dict[str, Any]:
    data = await target.gateway.data(LIST, {"organizer": target.organizer, **variables})
    return data["pretixEvents"]  # type: ignore[no-any-return]


async def ensure_events(target: PretixTarget, at_least: int) -> None:
    """Create events until the organizer has `at_least` (the real server starts with two)."""
    missing = at_least - (await listing(target, first=0))["totalCount"]
    prefix = target.unique("page")
    fields = "{ userErrors { message } }"

    async def batch(numbers: range) -> None:
        aliases = " ".join(
            f'e{n}: createPretixEvent(organizer: "{target.organizer}", input: {{name: [{{locale: "en", '
            f'text: "Paging {n}"}}], slug: "{prefix}-{n:02d}", dateFrom: "2031-01-01T{n % 24:02d}:00:00Z"}}) '
            + fields
            for n in numbers
        )
        data = await target.gateway.data(f"mutation {{ {aliases} }}")
        assert all(payload["userErrors"] == [] for payload in data.values())

    await asyncio.gather(*(batch(range(start, min(start + 5, missing))) for start in range(0, missing, 5)))


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
    english = {item["locale"]: item["text"] for item in event["name"]["translations"]}["en"]
    assert event["title"] == event["name"]["text"] == english
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


async def test_create_keeps_every_language_and_the_instant(pretix_target: PretixTarget) -> None:
    target = pretix_target
    slug = target.unique("create")
    name = [{"locale": "en", "text": "Gateway Create"}, {"locale": "de", "text": "Gateway Anlegen"}]
    event = await create(
        target.gateway,
        target.organizer,
        slug,
        name=name,
        dateTo="2031-03-01T18:00:00+02:00",
        dateAdmission="2031-03-01T09:30:00.250000+02:00",
        location=[{"locale": "en", "text": "Berlin"}],
        timezone="Europe/Berlin",
        isPublic=False,
        geoLat=52.5,
        geoLon=13.4,
    )
    assert (event["slug"], event["title"], event["live"], event["isPublic"]) == (
        slug,
        "Gateway Create",
        False,
        False,
    )
    assert (event["startsAt"], event["endsAt"]) == ("2031-03-01T08:00:00+00:00", "2031-03-01T16:00:00+00:00")
    assert (event["timezone"], event["currency"], event["geoLat"]) == ("Europe/Berlin", "EUR", 52.5)
    assert event["dateAdmission"] == "2031-03-01T07:30:00.250000+00:00"
    assert event["validKeys"] is None  # pretix's POST answer has none
    fetched = (await target.gateway.data(NODE, {"id": event["id"]}))["node"]
    assert {item["locale"]: item["text"] for item in fetched["name"]["translations"]} == {
        "de": "Gateway Anlegen",
        "en": "Gateway Create",
    }
    assert fetched["location"]["text"] == "Berlin"
    assert fetched["validKeys"] is not None


async def test_update_patches_and_replaces_multilingual_values(pretix_target: PretixTarget) -> None:
    target = pretix_target
    event = await create(
        target.gateway,
        target.organizer,
        target.unique("update"),
        name=[{"locale": "en", "text": "Before"}, {"locale": "de", "text": "Vorher"}],
    )
    changes = {
        "name": [{"locale": "en", "text": "After"}],
        "dateTo": "2031-03-02T10:00:00Z",
        "hasSubevents": False,
    }
    payload = (await target.gateway.data(UPDATE, {"id": event["id"], "input": changes}))["updatePretixEvent"]
    assert payload["userErrors"] == []
    assert payload["event"]["name"]["translations"] == [{"locale": "en", "text": "After"}]
    assert payload["event"]["endsAt"] == "2031-03-02T10:00:00+00:00"
    assert payload["event"]["validKeys"] is not None


async def test_immutable_fields_are_refused(pretix_target: PretixTarget) -> None:
    target = pretix_target
    event = await create(target.gateway, target.organizer, target.unique("fixed"))
    for changes, field in (({"slug": "renamed"}, "slug"), ({"hasSubevents": True}, "hasSubevents")):
        payload = (await target.gateway.data(UPDATE, {"id": event["id"], "input": changes}))[
            "updatePretixEvent"
        ]
        assert payload["event"] is None
        [error] = payload["userErrors"]
        assert (error["code"], error["field"]) == ("BAD_USER_INPUT", ["input", field])


async def test_pretix_refusals_name_the_input_field(pretix_target: PretixTarget) -> None:
    target = pretix_target
    body = {"organizer": target.organizer, "input": new_event(target.event)}
    [duplicate] = (await target.gateway.data(CREATE, body))["createPretixEvent"]["userErrors"]
    assert duplicate == {
        "field": ["input", "slug"],
        "message": "This slug has already been used for a different event.",
        "code": "BAD_USER_INPUT",
    }
    event = await create(target.gateway, target.organizer, target.unique("live"))
    payload = (await target.gateway.data(UPDATE, {"id": event["id"], "input": {"live": True}}))[
        "updatePretixEvent"
    ]
    [live] = payload["userErrors"]
    assert live == {
        "field": ["input", "live"],
        "message": "You need to configure at least one quota to sell anything.",
        "code": "BAD_USER_INPUT",
    }


async def test_delete_then_the_event_is_gone(pretix_target: PretixTarget) -> None:
    target = pretix_target
    event = await create(target.gateway, target.organizer, target.unique("delete"))
    payload = (await target.gateway.data(DELETE, {"id": event["id"]}))["deletePretixEvent"]
    assert payload == {"deletedId": event["id"], "userErrors": []}
    body = await target.gateway.query(NODE, {"id": event["id"]})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    [again] = (await target.gateway.data(DELETE, {"id": event["id"]}))["deletePretixEvent"]["userErrors"]
    assert (again["code"], again["field"]) == ("NOT_FOUND", ["id"])


async def test_delete_of_an_event_with_orders_is_a_conflict(pretix_target: PretixTarget) -> None:
    target = pretix_target
    global_id = target.id(target.event_with_orders)
    payload = (await target.gateway.data(DELETE, {"id": global_id}))["deletePretixEvent"]
    assert payload["deletedId"] is None
    [error] = payload["userErrors"]
    assert error["code"] == "CONFLICT"
    assert error["message"].startswith("The event can not be deleted as it already contains orders.")
    assert (await target.gateway.data(NODE, {"id": global_id}))["node"]["slug"] == target.event_with_orders


async def test_writes_to_missing_objects_are_not_found(pretix_target: PretixTarget) -> None:
    target = pretix_target
    missing = target.id("no-such-event")
    update = await target.gateway.data(UPDATE, {"id": missing, "input": {"testmode": True}})
    assert [(e["code"], e["field"]) for e in update["updatePretixEvent"]["userErrors"]] == [
        ("NOT_FOUND", ["id"])
    ]
    body = {"organizer": target.hidden_organizer, "input": new_event(target.unique("hidden"))}
    created = await target.gateway.data(CREATE, body)
    errors = created["createPretixEvent"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [("NOT_FOUND", ["organizer"])]


async def test_read_only_token_may_read_but_every_write_is_forbidden(pretix_target: PretixTarget) -> None:
    target = pretix_target
    event_id, with_orders = target.id(target.event), target.id(target.event_with_orders)
    async with running_gateway(target.settings(pretix_token=target.read_only_token)) as read_only:
        assert (await read_only.data(NODE, {"id": event_id}))["node"]["slug"] == target.event
        payloads = [
            (await read_only.data(UPDATE, {"id": event_id, "input": {"testmode": True}}))[
                "updatePretixEvent"
            ],
            (await read_only.data(DELETE, {"id": event_id}))["deletePretixEvent"],
            # pretix checks the permission before it looks for orders
            (await read_only.data(DELETE, {"id": with_orders}))["deletePretixEvent"],
            (await read_only.data(CLONE, {"id": event_id, "input": new_event(target.unique("ro"))}))[
                "clonePretixEvent"
            ],
            (
                await read_only.data(
                    CREATE, {"organizer": target.organizer, "input": new_event(target.unique("ro"))}
                )
            )["createPretixEvent"],
        ]
        missing = await read_only.data(DELETE, {"id": target.id("no-such-event")})
    assert [[error["code"] for error in payload["userErrors"]] for payload in payloads] == [["FORBIDDEN"]] * 5
    assert [e["code"] for e in missing["deletePretixEvent"]["userErrors"]] == ["NOT_FOUND"]


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


async def test_clone_copies_the_source_settings(pretix_target: PretixTarget) -> None:
    target = pretix_target
    source = (await target.gateway.data(NODE, {"id": target.id(target.event)}))["node"]
    slug = target.unique("clone")
    data = await target.gateway.data(CLONE, {"id": target.id(target.event), "input": new_event(slug)})
    payload = data["clonePretixEvent"]
    assert payload["userErrors"] == []
    assert (payload["event"]["slug"], payload["event"]["organizer"]) == (slug, target.organizer)
    assert payload["event"]["plugins"] == source["plugins"]
    assert payload["event"]["timezone"] == source["timezone"]
    assert payload["event"]["validKeys"] is not None  # answered under an event, unlike a create
    missing = await target.gateway.data(
        CLONE, {"id": target.id("no-such-event"), "input": new_event(slug + "x")}
    )
    errors = missing["clonePretixEvent"]["userErrors"]
    assert [(error["code"], error["field"]) for error in errors] == [("NOT_FOUND", ["id"])]


async def test_a_repeated_idempotency_key_replays_the_first_answer(pretix_target: PretixTarget) -> None:
    """Why the client may retry writes: pretix answers a repeated key with the stored reply."""
    target = pretix_target
    body = {"name": {"en": "Replayed"}, "slug": target.unique("replay"), "date_from": "2031-05-01T10:00:00Z"}
    async with aiohttp.ClientSession() as session:
        client = pretix.open_client(target.settings(), session)
        relative = client.events_path(target.organizer)
        headers = {"X-Idempotency-Key": target.unique("key")}
        first = await client.upstream.request("POST", relative, json=body, headers=headers)
        again = await client.upstream.request("POST", relative, json=body, headers=headers)
    assert first.status == again.status == 201
    assert again.data == first.data


async def test_a_wrong_token_is_upstream_unauthorized(pretix_target: PretixTarget) -> None:
    async with running_gateway(pretix_target.settings(pretix_token="not-a-token")) as gateway:
        body = await gateway.query(LIST, {"organizer": pretix_target.organizer})
    assert body["errors"][0]["extensions"] == {"code": "UPSTREAM_UNAUTHORIZED", "provider": "PRETIX"}


async def test_german_locale_picks_names_and_keeps_error_codes(pretix_target: PretixTarget) -> None:
    """pretix translates its permission message for `Accept-Language: de`; the codes must not depend on it."""
    target = pretix_target
    settings = target.settings(pretix_locale="de", pretix_token=target.read_only_token)
    async with running_gateway(settings) as gateway:
        event = (await gateway.data(NODE, {"id": target.id(target.event)}))["node"]
        update = await gateway.data(UPDATE, {"id": target.id(target.event), "input": {"testmode": True}})
    german = {item["locale"]: item["text"] for item in event["name"]["translations"]}["de"]
    assert event["title"] == event["name"]["text"] == german
    assert [error["code"] for error in update["updatePretixEvent"]["userErrors"]] == ["FORBIDDEN"]
    async with running_gateway(target.settings(pretix_locale="de")) as gateway:
        delete = await gateway.data(DELETE, {"id": target.id(target.event_with_orders)})
        body = {"organizer": target.organizer, "input": new_event(target.event)}
        duplicate = await gateway.data(CREATE, body)
    [refused] = delete["deletePretixEvent"]["userErrors"]
    assert refused["code"] == "CONFLICT"
    assert refused["message"].startswith("The event can not be deleted")  # pretix never translates it
    assert duplicate["createPretixEvent"]["userErrors"] == [
        {
            "field": ["input", "slug"],
            "message": "Diese Kurzform ist bereits in Verwendung, bitte wählen Sie eine andere.",
            "code": "BAD_USER_INPUT",
        }
    ]


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
