"""Strigo end to end: GraphQL in, the real app, real aiohttp calls to the emulator, GraphQL out."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from gateway.ids import encode_id
from gateway.sandbox import strigo as emulator
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

BEARER = f"Bearer {emulator.ORG_ID}:{emulator.API_KEY}"

EVENTS_WITH_CLASS = "{ strigoEvents { id providerId title status class { id name } } }"
NODE = (
    "query($id: ID!) { node(id: $id) { id ... on StrigoEvent { name status strigoStatus owner { email } } } }"
)
CREATE = """mutation($input: CreateStrigoEventInput!) {
  createStrigoEvent(input: $input) {
    event { id name status strigoStatus availability dateStart dateEnd owner { email } trainees }
    userErrors { field message code }
  }
}"""
UPDATE = """mutation($id: ID!, $input: UpdateStrigoEventInput!) {
  updateStrigoEvent(id: $id, input: $input) {
    event { id name description status strigoStatus }
    userErrors { field message code }
  }
}"""
DELETE = """mutation($id: ID!) {
  deleteStrigoEvent(id: $id) { deletedId userErrors { field message code } }
}"""


def gid(event_id: str) -> str:
    return encode_id("strigo", event_id)


def valid_input(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "GraphQL for Trainers",
        "owner": emulator.OWNER_EMAIL,
        "classId": emulator.CLASS_IDS[0],
        "dateStart": "2026-12-01T09:00:00+01:00",
        "dateEnd": "2026-12-01T12:00:00+01:00",
        "trainees": ["ada@example.com"],
        "availability": "PRIVATE",
    }
    values.update(overrides)
    return values


async def test_list_sends_org_bearer_and_maps_every_attribute(gateway: Gateway, sandbox: Sandbox) -> None:
    data = await gateway.data(
        "{ strigoEvents { provider providerId title startsAt endsAt url raw "
        "eventLink token classId availability includeChat tas trainees labels status owner { id email } } }"
    )
    events = data["strigoEvents"]
    assert len(events) == len(emulator.EVENT_IDS)
    [call] = sandbox.calls("strigo")
    assert (call.method, call.path) == ("GET", "/api/v1/events")
    assert call.headers["Authorization"] == BEARER
    assert call.headers["Accept"] == "application/json"
    first = events[0]
    assert first["provider"] == "STRIGO"
    assert first["title"] == first["raw"]["name"]
    assert first["startsAt"].startswith(first["raw"]["date_start"][:19])
    assert first["url"] == first["eventLink"] == first["raw"]["event_link"]
    assert first["owner"]["email"] == first["raw"]["owner"]["email"]
    assert {event["availability"] for event in events} == {"PUBLIC", "PRIVATE"}


async def test_every_event_has_the_org_zone_strigo_timezone(sandbox: Sandbox) -> None:
    # Strigo replies carry no zone: every event is in STRIGO_TIMEZONE (UTC unless set).
    query = "{ strigoEvents { timezone allDay startDate series { id } } }"
    async with running_gateway(settings_for(sandbox)) as gateway:
        default = (await gateway.data(query))["strigoEvents"]
    async with running_gateway(settings_for(sandbox, strigo_timezone="Europe/Berlin")) as gateway:
        berlin = (await gateway.data(query))["strigoEvents"]
    assert {event["timezone"] for event in default} == {"UTC"}
    seen = {(event["timezone"], event["allDay"], event["startDate"], event["series"]) for event in berlin}
    assert seen == {("Europe/Berlin", False, None, None)}


async def test_hundred_events_with_their_twenty_classes_cost_two_calls(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    data = await gateway.data(EVENTS_WITH_CLASS)
    events = data["strigoEvents"][:100]
    assert len({event["class"]["id"] for event in events}) == 20
    assert all(event["class"]["name"] for event in events)
    assert [(c.method, c.path) for c in sandbox.calls("strigo")] == [
        ("GET", "/api/v1/events"),
        ("GET", "/api/v1/classes"),
    ]


async def test_node_fetches_one_event(gateway: Gateway, sandbox: Sandbox) -> None:
    data = await gateway.data(NODE, {"id": gid(emulator.LIVE_EVENT_ID)})
    assert (data["node"]["status"], data["node"]["strigoStatus"]) == ("LIVE", "live")
    assert [(c.method, c.path) for c in sandbox.calls("strigo")] == [
        ("GET", f"/api/v1/events/{emulator.LIVE_EVENT_ID}")
    ]


async def test_nodes_batch_many_strigo_ids_into_one_list_call(gateway: Gateway, sandbox: Sandbox) -> None:
    ids = [gid(event_id) for event_id in emulator.EVENT_IDS[:5]]
    data = await gateway.data("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert [node["id"] for node in data["nodes"]] == ids
    assert [(c.method, c.path) for c in sandbox.calls("strigo")] == [("GET", "/api/v1/events")]


async def test_unknown_id_is_null_with_not_found(gateway: Gateway, sandbox: Sandbox) -> None:
    body = await gateway.query(NODE, {"id": gid("NoSuchEventXXXXXX")})
    assert body["data"]["node"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["extensions"]["provider"] == "STRIGO"


@pytest.mark.parametrize(
    "raw_id",
    ["not base64 !", "strigo:../../classes", "strigo:a/b", "strigo:", "unknown:abc", "strigo:%2e%2e"],
    ids=["garbage", "dot-dot", "slash", "empty", "unknown-provider", "encoded-dots"],
)
async def test_malformed_ids_are_refused_before_any_call(
    gateway: Gateway, sandbox: Sandbox, raw_id: str
) -> None:
    value = raw_id if " " in raw_id else base64.urlsafe_b64encode(raw_id.encode()).decode()
    body = await gateway.query(NODE, {"id": value})
    assert body["data"]["node"] is None
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": ["id"]}
    assert sandbox.calls("strigo") == []


async def test_create_posts_the_documented_body(gateway: Gateway, sandbox: Sandbox) -> None:
    data = await gateway.data(CREATE, {"input": valid_input()})
    payload = data["createStrigoEvent"]
    assert payload["userErrors"] == []
    assert (payload["event"]["status"], payload["event"]["strigoStatus"]) == ("SCHEDULED", "ready")
    assert payload["event"]["trainees"] == ["ada@example.com"]
    [call] = sandbox.calls("strigo")
    assert (call.method, call.path) == ("POST", "/api/v1/events")
    assert call.headers["Content-Type"] == "application/json"
    assert call.body == {
        "name": "GraphQL for Trainers",
        "owner": emulator.OWNER_EMAIL,
        "class_id": emulator.CLASS_IDS[0],
        "date_start": "2026-12-01T09:00:00+01:00",
        "date_end": "2026-12-01T12:00:00+01:00",
        "trainees": ["ada@example.com"],
        "availability": "private",
    }
    fetched = await gateway.data(NODE, {"id": payload["event"]["id"]})
    assert fetched["node"]["name"] == "GraphQL for Trainers"


async def test_create_reports_every_invalid_field_without_calling(gateway: Gateway, sandbox: Sandbox) -> None:
    bad = valid_input(
        name="x" * 257,
        owner="not-an-email",
        dateEnd="2026-12-01T08:00:00+01:00",
        timezone="Mars/Olympus",
        description="d" * 65537,
    )
    data = await gateway.data(CREATE, {"input": bad})
    errors = data["createStrigoEvent"]["userErrors"]
    assert {tuple(error["field"]) for error in errors} == {
        ("input", "name"),
        ("input", "owner"),
        ("input", "dateEnd"),
        ("input", "timezone"),
        ("input", "description"),
    }
    assert {error["code"] for error in errors} == {"BAD_USER_INPUT"}
    assert data["createStrigoEvent"]["event"] is None
    assert sandbox.calls("strigo") == []


async def test_date_without_offset_is_refused_by_the_scalar(gateway: Gateway, sandbox: Sandbox) -> None:
    body = await gateway.query(CREATE, {"input": valid_input(dateStart="2026-12-01T09:00:00")})
    assert "no UTC offset" in body["errors"][0]["message"]
    assert sandbox.calls("strigo") == []


async def test_upstream_validation_error_names_the_field(gateway: Gateway, sandbox: Sandbox) -> None:
    data = await gateway.data(CREATE, {"input": valid_input(owner="stranger@example.com")})
    [error] = data["createStrigoEvent"]["userErrors"]
    assert error["code"] == "BAD_USER_INPUT"
    assert error["field"] == ["input", "owner"]


async def test_update_patches_only_given_fields(gateway: Gateway, sandbox: Sandbox) -> None:
    data = await gateway.data(
        UPDATE, {"id": gid(emulator.READY_EVENT_ID), "input": {"name": "Renamed", "description": None}}
    )
    payload = data["updateStrigoEvent"]
    assert payload["userErrors"] == []
    assert payload["event"]["name"] == "Renamed"
    [call] = sandbox.calls("strigo")
    assert (call.method, call.path) == ("PATCH", f"/api/v1/events/{emulator.READY_EVENT_ID}")
    assert call.body == {"name": "Renamed", "description": ""}


async def test_updating_a_live_event_is_a_conflict_with_strigos_message(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    data = await gateway.data(UPDATE, {"id": gid(emulator.LIVE_EVENT_ID), "input": {"name": "Nope"}})
    payload = data["updateStrigoEvent"]
    assert payload["event"] is None
    [error] = payload["userErrors"]
    assert error["code"] == "CONFLICT"
    assert "Live events cannot be modified" in error["message"]


async def test_delete_ready_event(gateway: Gateway, sandbox: Sandbox) -> None:
    data = await gateway.data(DELETE, {"id": gid(emulator.READY_EVENT_ID)})
    assert data["deleteStrigoEvent"] == {"deletedId": gid(emulator.READY_EVENT_ID), "userErrors": []}
    [call] = sandbox.calls("strigo")
    assert (call.method, call.path, call.body) == (
        "DELETE",
        f"/api/v1/events/{emulator.READY_EVENT_ID}",
        None,
    )
    body = await gateway.query(NODE, {"id": gid(emulator.READY_EVENT_ID)})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_delete_of_a_live_event_is_refused(gateway: Gateway) -> None:
    data = await gateway.data(DELETE, {"id": gid(emulator.LIVE_EVENT_ID)})
    [error] = data["deleteStrigoEvent"]["userErrors"]
    assert error["code"] == "CONFLICT"
    assert data["deleteStrigoEvent"]["deletedId"] is None


async def test_delete_of_an_unknown_event_is_not_found(gateway: Gateway) -> None:
    data = await gateway.data(DELETE, {"id": gid("NoSuchEventXXXXXX")})
    [error] = data["deleteStrigoEvent"]["userErrors"]
    assert (error["code"], error["field"]) == ("NOT_FOUND", ["id"])


async def test_not_found_names_the_input_that_named_it(gateway: Gateway) -> None:
    updated = await gateway.data(UPDATE, {"id": gid("NoSuchEventXXXXXX"), "input": {"name": "x"}})
    [error] = updated["updateStrigoEvent"]["userErrors"]
    assert (error["code"], error["field"]) == ("NOT_FOUND", ["id"])
    created = await gateway.data(CREATE, {"input": valid_input(classId="NoSuchClassXXXXXX")})
    [error] = created["createStrigoEvent"]["userErrors"]
    assert (error["code"], error["field"]) == ("NOT_FOUND", ["input", "classId"])


async def test_id_of_another_provider_is_refused_by_strigo_mutations(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    data = await gateway.data(DELETE, {"id": encode_id("pretix", "org", "slug")})
    [error] = data["deleteStrigoEvent"]["userErrors"]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", ["id"])
    assert sandbox.calls("strigo") == []


async def test_not_configured_provider_says_so(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, strigo_api_key="")) as gateway:
        body = await gateway.query("{ strigoEvents { id } }")
    assert body["errors"][0]["extensions"] == {"code": "PROVIDER_NOT_CONFIGURED", "provider": "STRIGO"}
