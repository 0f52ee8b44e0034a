"""Schoology reads end to end: signed calls to the emulator, paging, every realm kind, multi-get, node."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from oauthlib.oauth1.rfc5849.utils import parse_authorization_header

from gateway.ids import encode_id
from gateway.sandbox import schoology as emulator
from gateway.sandbox.schoology_seed import (
    BUSY_SECTION_ID,
    DISTRICT_ID,
    FIRST_EVENT_ID,
    GROUP_IDS,
    SCHOOL_IDS,
    SECTION_IDS,
    USER_IDS,
)
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

SECTION = {"kind": "SECTION", "providerId": str(BUSY_SECTION_ID)}
LIST = """query($realm: SchoologyRealmInput!, $first: Int, $after: String, $from: Date, $to: Date) {
  schoologyEvents(realm: $realm, first: $first, after: $after, startDate: $from, endDate: $to) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id providerId title start end startsAt endsAt timezone hasEnd allDay
      startDate endDate rsvp type commentsEnabled editable sectionId assignmentId webUrl url
      links { self } realm { kind providerId } raw } }
  }
}"""
NODE = """query($id: ID!) { node(id: $id) { id ... on SchoologyEvent {
  title type editable assignmentId webUrl url startsAt realm { kind providerId name } } } }"""


def gid(kind: str, realm_id: int, event_id: int) -> str:
    return encode_id("schoology", kind, realm_id, event_id)


def oauth_fields(call: Any) -> dict[str, str]:
    return dict(parse_authorization_header(call.headers["Authorization"]))


def calls(sandbox: Sandbox) -> list[tuple[str, str, dict[str, str]]]:
    return [(call.method, call.path, call.query) for call in sandbox.calls("schoology")]


async def test_list_is_signed_two_legged_and_maps_every_field(gateway: Gateway, sandbox: Sandbox) -> None:
    data = await gateway.data(LIST, {"realm": SECTION})
    connection = data["schoologyEvents"]
    assert connection["totalCount"] == 47
    assert connection["pageInfo"]["hasNextPage"] is True
    [call] = sandbox.calls("schoology")
    assert (call.method, call.path, call.query) == (
        "GET",
        f"/v1/sections/{BUSY_SECTION_ID}/events",
        {"start": "0", "limit": "20"},
    )
    assert call.headers["Accept"] == "application/json"
    assert call.headers["Authorization"].startswith('OAuth realm="Schoology API"')
    fields = oauth_fields(call)
    assert fields["realm"] == "Schoology API"
    assert fields["oauth_token"] == ""
    assert fields["oauth_signature_method"] == "HMAC-SHA1"
    assert fields["oauth_consumer_key"] == emulator.CONSUMER_KEY
    assert emulator.CONSUMER_SECRET not in call.headers["Authorization"]

    nodes = [edge["node"] for edge in connection["edges"]]
    first = nodes[0]
    assert first["id"] == gid("sections", BUSY_SECTION_ID, FIRST_EVENT_ID)
    assert (first["start"], first["end"]) == ("2026-01-12 08:30:00", "2026-01-12 09:30:00")
    assert first["startsAt"] == "2026-01-12T08:30:00-05:00"
    assert first["endsAt"] == "2026-01-12T09:30:00-05:00"
    assert first["timezone"] == "America/New_York"
    assert (first["hasEnd"], first["allDay"], first["startDate"]) == (True, False, None)
    assert (first["type"], first["rsvp"], first["commentsEnabled"], first["editable"]) == (
        "EVENT",
        "NOBODY",
        True,
        True,
    )
    assert first["sectionId"] == str(BUSY_SECTION_ID)
    assert first["realm"] == {"kind": "SECTION", "providerId": str(BUSY_SECTION_ID)}
    assert first["links"]["self"] == first["raw"]["links"]["self"]
    homework = next(node for node in nodes if node["type"] == "ASSIGNMENT")
    assert homework["editable"] is False
    assert homework["assignmentId"] == str(homework["raw"]["assignment_id"])
    assert homework["url"] == homework["webUrl"] == homework["raw"]["web_url"]
    assert homework["end"] is None
    assert homework["endsAt"] is None
    field_trip = next(node for node in nodes if node["allDay"])
    assert field_trip["startDate"] == field_trip["endDate"] == field_trip["start"][:10]
    assert {node["rsvp"] for node in nodes} == {"NOBODY", "INVITED", "ANYONE"}


async def test_paging_follows_schoology_offsets_to_the_last_page(gateway: Gateway, sandbox: Sandbox) -> None:
    ids: list[str] = []
    after = None
    offsets: list[str] = []
    while True:
        data = await gateway.data(LIST, {"realm": SECTION, "after": after})
        connection = data["schoologyEvents"]
        ids += [edge["node"]["id"] for edge in connection["edges"]]
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        assert connection["pageInfo"]["startCursor"] == connection["edges"][0]["cursor"]
        offsets.append(sandbox.calls("schoology")[-1].query["start"])
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert offsets == ["0", "20", "40"]
    assert len(ids) == len(set(ids)) == 47
    # Spring: the zone's offset follows daylight saving time (from 8 March 2026).
    last = data["schoologyEvents"]["edges"][-1]["node"]
    assert last["start"] > "2026-03-09"
    assert last["startsAt"].endswith("-04:00")


async def test_page_size_and_date_range_are_pushed_down(gateway: Gateway, sandbox: Sandbox) -> None:
    variables = {"realm": SECTION, "first": 5, "from": "2026-02-01", "to": "2026-02-10"}
    data = await gateway.data(LIST, variables)
    starts = [edge["node"]["start"] for edge in data["schoologyEvents"]["edges"]]
    assert starts
    assert all("2026-02-01" <= start[:10] <= "2026-02-10" for start in starts)
    assert calls(sandbox)[0][2] == {
        "start": "0",
        "limit": "5",
        "start_date": "2026-02-01",
        "end_date": "2026-02-10",
    }


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"from": "2026-02-01"}, "endDate"),
        ({"to": "2026-02-01"}, "startDate"),
        ({"from": "2026-02-10", "to": "2026-02-01"}, "endDate"),
        ({"first": 0}, "first"),
        ({"first": 201}, "first"),
        ({"after": "bm90IGEgY3Vyc29y"}, "after"),
        ({"realm": {"kind": "SECTION", "providerId": "../users"}}, "realm"),
    ],
    ids=["start-alone", "end-alone", "reversed", "first-zero", "first-too-big", "foreign-cursor", "realm-id"],
)
async def test_bad_list_arguments_name_the_field(
    gateway: Gateway, sandbox: Sandbox, variables: dict[str, Any], field: str
) -> None:
    body = await gateway.query(LIST, {"realm": SECTION, **variables})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"][0] == field
    assert sandbox.calls("schoology") == []


REALMS = [
    ("DISTRICT", "districts", DISTRICT_ID, "Maple Valley Unified School District"),
    ("SCHOOL", "schools", SCHOOL_IDS[0], "Maple Valley High School"),
    ("USER", "users", USER_IDS[0], "Dana Whitfield"),
    ("GROUP", "groups", GROUP_IDS[0], "Robotics Club"),
    ("SECTION", "sections", SECTION_IDS[1], "Biology I: Period 4"),
]


@pytest.mark.parametrize(("kind", "segment", "realm_id", "title"), REALMS, ids=[r[1] for r in REALMS])
async def test_every_realm_kind_lists_and_titles_through_multiget(
    gateway: Gateway, sandbox: Sandbox, kind: str, segment: str, realm_id: int, title: str
) -> None:
    data = await gateway.data(
        "query($realm: SchoologyRealmInput!) { schoologyEvents(realm: $realm) "
        "{ nodes { id providerId realm { kind providerId name rawObject } } } }",
        {"realm": {"kind": kind, "providerId": str(realm_id)}},
    )
    nodes = data["schoologyEvents"]["nodes"]
    assert nodes
    assert {node["realm"]["name"] for node in nodes} == {title}
    assert nodes[0]["realm"]["rawObject"]["id"] == realm_id
    assert all(node["id"] == gid(segment, realm_id, int(node["providerId"])) for node in nodes)
    # A user realm's object is read with the list (for its zone, `tz_name`), the others' for the names.
    assert sorted(calls(sandbox)) == [
        ("GET", f"/v1/{segment}/{realm_id}/events", {"start": "0", "limit": "20"}),
        ("POST", "/v1/multiget", {}),
    ]
    [realm_read] = [call for call in sandbox.calls("schoology") if call.method == "POST"]
    assert realm_read.body == {"request": [f"/v1/{segment}/{realm_id}"]}
    fetched = await gateway.data(NODE, {"id": nodes[-1]["id"]})
    assert fetched["node"]["realm"] == {"kind": kind, "providerId": str(realm_id), "name": title}


async def test_node_reads_one_event_in_its_realm(gateway: Gateway, sandbox: Sandbox) -> None:
    homework = FIRST_EVENT_ID + 2
    data = await gateway.data(NODE, {"id": gid("sections", BUSY_SECTION_ID, homework)})
    node = data["node"]
    assert (node["title"], node["type"], node["editable"]) == ("Homework 1", "ASSIGNMENT", False)
    assert node["webUrl"].endswith(node["assignmentId"])
    assert node["startsAt"] == "2026-01-15T23:59:00-05:00"
    assert calls(sandbox) == [
        ("GET", f"/v1/sections/{BUSY_SECTION_ID}/events/{homework}", {}),
        ("POST", "/v1/multiget", {}),
    ]


async def test_unknown_event_is_null_with_not_found(gateway: Gateway) -> None:
    body = await gateway.query(NODE, {"id": gid("sections", BUSY_SECTION_ID, 9999999)})
    assert body["data"]["node"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["extensions"]["provider"] == "SCHOOLOGY"


async def test_event_asked_in_the_wrong_realm_is_not_found(gateway: Gateway) -> None:
    body = await gateway.query(NODE, {"id": gid("sections", SECTION_IDS[1], FIRST_EVENT_ID)})
    assert body["data"]["node"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    "raw_id",
    [
        "schoology:sections:abc:1",
        "schoology:planets:1:1",
        "schoology:sections:1",
        "schoology:sections:1:x",
        "schoology:sections:1:2:3",
        "schoology:..:1:2",
    ],
    ids=["realm-id", "realm-kind", "short", "event-id", "long", "dot-dot"],
)
async def test_malformed_ids_are_refused_before_any_call(
    gateway: Gateway, sandbox: Sandbox, raw_id: str
) -> None:
    body = await gateway.query(NODE, {"id": base64.urlsafe_b64encode(raw_id.encode()).decode()})
    assert body["data"]["node"] is None
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": ["id"]}
    assert sandbox.calls("schoology") == []


async def test_the_emulator_verifies_the_signature(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, schoology_consumer_secret="wrong")) as gateway:
        body = await gateway.query(LIST, {"realm": SECTION})
    assert body["errors"][0]["extensions"] == {"code": "UPSTREAM_UNAUTHORIZED", "provider": "SCHOOLOGY"}
    assert "wrong" not in body["errors"][0]["message"]
    assert len(sandbox.calls("schoology")) == 1  # a 401 is not retried


@pytest.mark.parametrize(
    ("status", "code"),
    [(401, "UPSTREAM_UNAUTHORIZED"), (403, "UPSTREAM_UNAUTHORIZED"), (429, "UPSTREAM_RATE_LIMITED")],
)
async def test_read_failures_map_to_contract_codes(
    gateway: Gateway, sandbox: Sandbox, status: int, code: str
) -> None:
    sandbox.fault("schoology", error_rate=1.0, status=status, retry_after=60)
    body = await gateway.query(LIST, {"realm": SECTION})
    assert body["errors"][0]["extensions"] == {"code": code, "provider": "SCHOOLOGY"}


async def test_unknown_realm_is_not_found(gateway: Gateway) -> None:
    body = await gateway.query(LIST, {"realm": {"kind": "GROUP", "providerId": "1"}})
    [error] = body["errors"]
    assert error["extensions"] == {"code": "NOT_FOUND", "provider": "SCHOOLOGY", "field": ["realm"]}
    assert error["message"] == "Schoology has no realm groups/1"


ATTACHED = """query($realm: SchoologyRealmInput!, $with: Boolean!) {
  schoologyEvents(realm: $realm, first: 20, withAttachments: $with) {
    nodes { title attachments {
      files { providerId title filename filesize extension downloadPath }
      links { title url } videos { title url } embeds { embedCode } } }
  }
}"""


async def test_with_attachments_asks_schoology_for_them(gateway: Gateway, sandbox: Sandbox) -> None:
    realm = {"kind": "SECTION", "providerId": str(BUSY_SECTION_ID)}
    plain = (await gateway.data(ATTACHED, {"realm": realm, "with": False}))["schoologyEvents"]["nodes"]
    assert {node["attachments"] for node in plain} == {None}
    attached = (await gateway.data(ATTACHED, {"realm": realm, "with": True}))["schoologyEvents"]["nodes"]
    queries = [call.query for call in sandbox.calls("schoology")]
    assert [query.get("with_attachments") for query in queries] == [None, "1"]
    trip = next(node for node in attached if node["title"].startswith("Field Trip"))
    assert trip["attachments"]["files"][0]["filename"] == "permission-slip.pdf"
    assert trip["attachments"]["files"][0]["filesize"] == 48213
    assert trip["attachments"]["links"] == [{"title": "Science museum", "url": "https://museum.example.org/"}]
    assert (trip["attachments"]["videos"], trip["attachments"]["embeds"]) == ([], [])
    speaker = next(node for node in attached if node["title"].startswith("Guest Speaker"))
    assert speaker["attachments"]["videos"] == [
        {"title": "The talk", "url": "https://video.example.org/talk"}
    ]
    lecture = next(node for node in attached if node["title"].startswith("Lecture"))
    assert lecture["attachments"] is None
