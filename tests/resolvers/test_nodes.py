"""Every object with an `id` is a `Node`: `node(id:)` and `nodes(ids:)` give it back, batched through
the loaders the fields that reach it use, and no id of one type resolves as another."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.ids import encode_id
from gateway.sandbox import strigo as strigo_emulator
from tests.harness import Gateway, Sandbox

NODES = """query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
  ... on StrigoClass { providerId name } ... on StrigoOwner { providerId email }
  ... on KonaSpace { providerId name } ... on KonaUser { providerId name }
  ... on KonaExternalObject { externalId name url }
  ... on SchoologyRealm { kind providerId name }
  ... on PretixOrganizer { providerId slug name }
} }"""


def requests(sandbox: Sandbox, provider: str) -> list[tuple[str, str]]:
    return [(call.method, call.path) for call in sandbox.calls(provider)]


async def refetched(
    gateway: Gateway, sandbox: Sandbox, objects: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """`nodes(ids:)` of `objects`, in a request of its own (the log cleared first)."""
    sandbox.log.clear()
    data = await gateway.data(NODES, {"ids": [each["id"] for each in objects]})
    nodes: list[dict[str, Any]] = data["nodes"]
    return nodes


async def test_strigo_classes_and_owners_are_nodes_of_one_call_each(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    data = await gateway.data(
        "{ strigoEvents { class { id providerId name } owner { id providerId email } } }"
    )
    events = data["strigoEvents"]
    classes = list({event["class"]["id"]: event["class"] for event in events}.values())[:4]
    owners = list({event["owner"]["id"]: event["owner"] for event in events}.values())[:3]
    assert classes[0]["id"] == encode_id("strigo", classes[0]["providerId"], kind="class")
    assert owners[0]["id"] == encode_id("strigo", owners[0]["providerId"], kind="owner")
    nodes = await refetched(gateway, sandbox, classes + owners)
    assert nodes == [{"__typename": "StrigoClass", **each} for each in classes] + [
        {"__typename": "StrigoOwner", **each} for each in owners
    ]
    assert sorted(requests(sandbox, "strigo")) == [("GET", "/api/v1/classes"), ("GET", "/api/v1/members")]


async def test_kona_spaces_users_and_external_objects_are_nodes(gateway: Gateway, sandbox: Sandbox) -> None:
    created = await gateway.data(
        """mutation($input: CreateKonaCalendarEventInput!) { createKonaCalendarEvent(input: $input) {
          event { providerId space { id providerId name } creator { id providerId name }
                  externalObject { id externalId name url } } } }""",
        {
            "input": {
                "name": "Linked",
                "startAt": "2024-06-20T10:00:00Z",
                "endAt": "2024-06-20T11:00:00Z",
                "spaceId": 202,
                "externalObject": {"externalId": "T-1", "name": "Ticket 1", "url": "https://t.example/1"},
            }
        },
    )
    event = created["createKonaCalendarEvent"]["event"]
    space, creator, link = event["space"], event["creator"], event["externalObject"]
    assert space["id"] == encode_id("kona", 202, kind="space")
    assert creator["id"] == encode_id("kona", creator["providerId"], kind="user")
    assert link["id"] == encode_id("kona", event["providerId"], kind="external")
    nodes = await refetched(gateway, sandbox, [space, creator, link])
    assert nodes == [
        {"__typename": "KonaSpace", **space},
        {"__typename": "KonaUser", **creator},
        {"__typename": "KonaExternalObject", **link},
    ]
    assert sorted(requests(sandbox, "kona")) == [
        ("GET", f"/api/calendar_events/{event['providerId']}"),
        ("GET", "/api/spaces/202"),
        ("GET", f"/api/users/{creator['providerId']}"),
    ]


async def test_schoology_realms_are_nodes_of_one_multiget(gateway: Gateway, sandbox: Sandbox) -> None:
    data = await gateway.data(
        """{ events(filter: {providers: [SCHOOLOGY]}, first: 200) { nodes {
          ... on SchoologyEvent { realm { id kind providerId name } } } } }"""
    )
    realms = list({node["realm"]["id"]: node["realm"] for node in data["events"]["nodes"]}.values())
    assert len(realms) > 2
    assert realms[0]["id"] == encode_id(
        "schoology", realms[0]["kind"].lower() + "s", realms[0]["providerId"], kind="realm"
    )
    nodes = await refetched(gateway, sandbox, realms)
    assert nodes == [{"__typename": "SchoologyRealm", **realm} for realm in realms]
    assert requests(sandbox, "schoology") == [("POST", "/v1/multiget")]


async def test_pretix_organizers_are_nodes(gateway: Gateway, sandbox: Sandbox) -> None:
    data = await gateway.data(
        """{ events(filter: {providers: [PRETIX]}, first: 200) { nodes {
          ... on PretixEvent { organizerObject { id providerId slug name } } } } }"""
    )
    organizers = list(
        {node["organizerObject"]["id"]: node["organizerObject"] for node in data["events"]["nodes"]}.values()
    )
    assert organizers[0]["id"] == encode_id("pretix", organizers[0]["slug"], kind="organizer")
    nodes = await refetched(gateway, sandbox, organizers)
    assert nodes == [{"__typename": "PretixOrganizer", **organizer} for organizer in organizers]
    assert len(sandbox.calls("pretix")) == 1  # one organizer by slug, or one list page for several


@pytest.mark.parametrize(
    ("global_id", "code"),
    [
        (encode_id("kona", 999999, kind="space"), "NOT_FOUND"),
        (encode_id("strigo", "NoSuchMemberXXXXX", kind="owner"), "NOT_FOUND"),
        (encode_id("kona", "abc", kind="space"), "BAD_USER_INPUT"),
        (encode_id("kona", 201, kind="planet"), "BAD_USER_INPUT"),
        (encode_id("schoology", "sections", "0042", kind="realm"), "BAD_USER_INPUT"),
        (encode_id("pretix", "demo-conf", "conf-01", kind="organizer"), "BAD_USER_INPUT"),
    ],
    ids=[
        "missing-space",
        "missing-member",
        "space-not-a-number",
        "unknown-kind",
        "leading-zero",
        "two-parts",
    ],
)
async def test_ids_of_missing_or_malformed_objects(gateway: Gateway, global_id: str, code: str) -> None:
    body = await gateway.query("query($id: ID!) { node(id: $id) { id } }", {"id": global_id})
    assert body["data"]["node"] is None
    assert body["errors"][0]["extensions"]["code"] == code


async def test_an_object_id_never_reads_as_an_event_id(gateway: Gateway, sandbox: Sandbox) -> None:
    """`kona.space:1001` is space 1001, not calendar event 1001 (which exists)."""
    body = await gateway.query(
        "query($id: ID!) { node(id: $id) { __typename id } }", {"id": encode_id("kona", 1001, kind="space")}
    )
    assert body["data"]["node"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert requests(sandbox, "kona") == [("GET", "/api/spaces/1001")]


async def test_a_strigo_member_who_owns_nothing_is_still_a_node(gateway: Gateway) -> None:
    member = strigo_emulator.MEMBER_IDS[0]
    data = await gateway.data(NODES, {"ids": [encode_id("strigo", member, kind="owner")]})
    assert data["nodes"][0]["providerId"] == member
