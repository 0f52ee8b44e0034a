"""The gateway's pretix writes, held against the emulator and a real pretix by the same test bodies.

Each test creates what it changes under a unique slug, so tests never depend on each other's writes
(see test_pretix_real.py for how the two variants run).
"""

from __future__ import annotations

import aiohttp

from gateway.providers import pretix
from gateway.upstream.wiring import Wiring
from tests.harness import running_gateway
from tests.integration.conftest import PretixTarget
from tests.integration.pretix_queries import CLONE, CREATE, DELETE, NODE, UPDATE, create, new_event


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
    assert {item["locale"]: item["text"] for item in fetched["localizedName"]["translations"]} == {
        "de": "Gateway Anlegen",
        "en": "Gateway Create",
    }
    assert fetched["localizedLocation"]["text"] == fetched["location"] == "Berlin"
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
    assert payload["event"]["localizedName"]["translations"] == [{"locale": "en", "text": "After"}]
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
        settings = target.settings()
        client = pretix.SPEC.open_client(settings, Wiring(settings=settings, session=session))
        relative = client.events_path(target.organizer)
        headers = {"X-Idempotency-Key": target.unique("key")}
        first = await client.upstream.request("POST", relative, json=body, headers=headers)
        again = await client.upstream.request("POST", relative, json=body, headers=headers)
    assert first.status == again.status == 201
    assert again.data == first.data


async def test_german_locale_picks_names_and_keeps_error_codes(pretix_target: PretixTarget) -> None:
    """pretix translates its permission message for `Accept-Language: de`; the codes must not depend on it."""
    target = pretix_target
    settings = target.settings(pretix_locale="de", pretix_token=target.read_only_token)
    async with running_gateway(settings) as gateway:
        event = (await gateway.data(NODE, {"id": target.id(target.event)}))["node"]
        update = await gateway.data(UPDATE, {"id": target.id(target.event), "input": {"testmode": True}})
    german = {item["locale"]: item["text"] for item in event["localizedName"]["translations"]}["de"]
    assert event["title"] == event["localizedName"]["text"] == german
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
