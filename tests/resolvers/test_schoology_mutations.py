"""Schoology writes end to end: create, update (PUT then re-read), delete, read-only due dates, errors."""

from __future__ import annotations

from typing import Any

import pytest
from oauthlib.oauth1.rfc5849.utils import parse_authorization_header

from gateway.errors import BadUserInput, Forbidden, UpstreamUnauthorized
from gateway.ids import encode_id
from gateway.providers.schoology import NoAccess, read_error
from gateway.sandbox.schoology_seed import (
    BUSY_SECTION_ID,
    DISTRICT_ID,
    FIRST_EVENT_ID,
    GROUP_IDS,
    SCHOOL_IDS,
    USER_IDS,
)
from gateway.upstream.replies import Reply
from resolvers.mutations import point_at_arguments
from tests.harness import Gateway, Sandbox

PLAIN = FIRST_EVENT_ID  # "Lecture 1", 2026-01-12 08:30-09:30
HOMEWORK = FIRST_EVENT_ID + 2  # an assignment's due date
DISCUSSION = FIRST_EVENT_ID + 4  # a discussion's due date
FIELD_TRIP = FIRST_EVENT_ID + 5  # all day, no end
EVENT_FIELDS = "id title description start end startsAt endsAt hasEnd allDay rsvp type commentsEnabled"
CREATE = f"""mutation($realm: SchoologyRealmInput!, $input: CreateSchoologyEventInput!) {{
  createSchoologyEvent(realm: $realm, input: $input) {{
    event {{ {EVENT_FIELDS} realm {{ kind providerId }} }} userErrors {{ field message code }} }}
}}"""
UPDATE = f"""mutation($id: ID!, $input: UpdateSchoologyEventInput!) {{
  updateSchoologyEvent(id: $id, input: $input) {{
    event {{ {EVENT_FIELDS} }} userErrors {{ field message code }} }}
}}"""
DELETE = """mutation($id: ID!) {
  deleteSchoologyEvent(id: $id) { deletedId userErrors { field message code } }
}"""
NODE = "query($id: ID!) { node(id: $id) { id ... on SchoologyEvent { title start end hasEnd } } }"


def gid(event_id: int, kind: str = "sections", realm_id: int = BUSY_SECTION_ID) -> str:
    return encode_id("schoology", kind, realm_id, event_id)


def calls(sandbox: Sandbox) -> list[tuple[str, str]]:
    return [(call.method, call.path) for call in sandbox.calls("schoology")]


def valid_input(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Parent Night",
        "description": "Meet the teachers",
        "start": "2026-01-12T14:00:00Z",
        "hasEnd": True,
        "end": "2026-01-12T15:30:00Z",
        "rsvp": "ANYONE",
        "commentsEnabled": False,
        **overrides,
    }


REALMS = [
    ("DISTRICT", "districts", DISTRICT_ID),
    ("SCHOOL", "schools", SCHOOL_IDS[1]),
    ("USER", "users", USER_IDS[2]),
    ("GROUP", "groups", GROUP_IDS[1]),
    ("SECTION", "sections", BUSY_SECTION_ID),
]


@pytest.mark.parametrize(("kind", "segment", "realm_id"), REALMS, ids=[realm[1] for realm in REALMS])
async def test_create_posts_local_times_and_returns_the_event(
    gateway: Gateway, sandbox: Sandbox, kind: str, segment: str, realm_id: int
) -> None:
    data = await gateway.data(
        CREATE, {"realm": {"kind": kind, "providerId": str(realm_id)}, "input": valid_input()}
    )
    payload = data["createSchoologyEvent"]
    assert payload["userErrors"] == []
    event = payload["event"]
    # 14:00 UTC is 09:00 in America/New_York (SCHOOLOGY_TIMEZONE); the offset is kept.
    assert (event["start"], event["startsAt"]) == ("2026-01-12 09:00:00", "2026-01-12T09:00:00-05:00")
    assert event["endsAt"] == "2026-01-12T10:30:00-05:00"
    assert (event["rsvp"], event["commentsEnabled"], event["type"]) == ("ANYONE", False, "EVENT")
    assert event["realm"] == {"kind": kind, "providerId": str(realm_id)}
    # In a user realm, the user's zone (`tz_name`) is read first (America/New_York here too).
    *zone, call = sandbox.calls("schoology")
    assert [(read.method, read.path) for read in zone] == (
        [("POST", "/v1/multiget")] if kind == "USER" else []
    )
    assert (call.method, call.path) == ("POST", f"/v1/{segment}/{realm_id}/events")
    assert call.headers["Content-Type"] == "application/json"
    oauth = dict(parse_authorization_header(call.headers["Authorization"]))
    assert oauth["oauth_token"] == ""
    assert oauth["oauth_body_hash"]
    assert call.body == {
        "title": "Parent Night",
        "description": "Meet the teachers",
        "start": "2026-01-12 09:00:00",
        "has_end": 1,
        "end": "2026-01-12 10:30:00",
        "rsvp": 2,
        "comments_enabled": 0,
        "type": "event",
    }
    fetched = await gateway.data(NODE, {"id": event["id"]})
    assert fetched["node"]["title"] == "Parent Night"


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"title": "  "}, {"title"}),
        ({"hasEnd": None}, {"end"}),
        ({"hasEnd": False}, {"end"}),
        ({"end": None}, {"end"}),
        ({"end": "2026-01-12T13:00:00Z"}, {"end"}),
        ({"title": "", "end": "2026-01-11T00:00:00Z"}, {"title", "end"}),
    ],
    ids=[
        "blank-title",
        "end-without-hasEnd",
        "end-with-hasEnd-false",
        "hasEnd-without-end",
        "end-first",
        "two",
    ],
)
async def test_create_checks_the_input_before_sending(
    gateway: Gateway, sandbox: Sandbox, overrides: dict[str, Any], fields: set[str]
) -> None:
    realm = {"kind": "SECTION", "providerId": str(BUSY_SECTION_ID)}
    data = await gateway.data(CREATE, {"realm": realm, "input": valid_input(**overrides)})
    payload = data["createSchoologyEvent"]
    assert payload["event"] is None
    assert {tuple(error["field"]) for error in payload["userErrors"]} == {("input", f) for f in fields}
    assert {error["code"] for error in payload["userErrors"]} == {"BAD_USER_INPUT"}
    assert sandbox.calls("schoology") == []


async def test_create_in_an_unknown_realm_names_the_realm(gateway: Gateway) -> None:
    data = await gateway.data(CREATE, {"realm": {"kind": "GROUP", "providerId": "1"}, "input": valid_input()})
    [error] = data["createSchoologyEvent"]["userErrors"]
    assert (error["code"], error["field"]) == ("NOT_FOUND", ["realm"])


async def test_update_puts_only_given_fields_then_rereads(gateway: Gateway, sandbox: Sandbox) -> None:
    data = await gateway.data(
        UPDATE, {"id": gid(PLAIN), "input": {"title": "Renamed", "end": "2026-01-12T15:00:00Z"}}
    )
    payload = data["updateSchoologyEvent"]
    assert payload["userErrors"] == []
    # Read back with the single GET, which writes times in UTC: the same instant, 10:00 in New York.
    assert (payload["event"]["title"], payload["event"]["end"]) == ("Renamed", "2026-01-12 15:00:00")
    assert payload["event"]["endsAt"] == "2026-01-12T10:00:00-05:00"
    path = f"/v1/sections/{BUSY_SECTION_ID}/events/{PLAIN}"
    assert calls(sandbox) == [("GET", path), ("PUT", path), ("GET", path)]
    assert sandbox.calls("schoology")[1].body == {"title": "Renamed", "end": "2026-01-12 10:00:00"}


async def test_update_with_null_end_removes_it(gateway: Gateway, sandbox: Sandbox) -> None:
    data = await gateway.data(UPDATE, {"id": gid(PLAIN), "input": {"end": None, "description": None}})
    event = data["updateSchoologyEvent"]["event"]
    assert (event["hasEnd"], event["end"], event["endsAt"], event["description"]) == (False, None, None, None)
    assert sandbox.calls("schoology")[1].body == {"has_end": 0, "description": ""}


@pytest.mark.parametrize(
    ("event_id", "change", "field"),
    [
        (FIELD_TRIP, {"end": "2026-01-20T15:00:00Z"}, "end"),
        (FIELD_TRIP, {"hasEnd": True}, "end"),
        (PLAIN, {"start": "2026-01-12T16:00:00Z"}, "start"),
        (PLAIN, {"title": " "}, "title"),
        (PLAIN, {}, "input"),
    ],
    ids=["end-on-event-without-end", "hasEnd-without-end", "start-after-end", "blank-title", "nothing"],
)
async def test_update_is_checked_against_the_current_event(
    gateway: Gateway, sandbox: Sandbox, event_id: int, change: dict[str, Any], field: str
) -> None:
    data = await gateway.data(UPDATE, {"id": gid(event_id), "input": change})
    payload = data["updateSchoologyEvent"]
    assert payload["event"] is None
    [error] = payload["userErrors"]
    assert (error["code"], error["field"][-1]) == ("BAD_USER_INPUT", field)
    assert [method for method, _ in calls(sandbox)] == ["GET"]


@pytest.mark.parametrize(
    ("event_id", "kind", "mutation"),
    [
        (HOMEWORK, "assignment", UPDATE),
        (DISCUSSION, "discussion", UPDATE),
        (HOMEWORK, "assignment", DELETE),
        (DISCUSSION, "discussion", DELETE),
    ],
    ids=["update-assignment", "update-discussion", "delete-assignment", "delete-discussion"],
)
async def test_due_date_events_are_refused_with_a_clear_user_error(
    gateway: Gateway, sandbox: Sandbox, event_id: int, kind: str, mutation: str
) -> None:
    data = await gateway.data(
        mutation,
        {"id": gid(event_id), "input": {"title": "x"}} if "input" in mutation else {"id": gid(event_id)},
    )
    [payload] = data.values()
    [error] = payload["userErrors"]
    assert (error["code"], error["field"]) == ("FORBIDDEN", ["id"])
    assert f"due date of a Schoology {kind}" in error["message"]
    assert calls(sandbox) == [("GET", f"/v1/sections/{BUSY_SECTION_ID}/events/{event_id}")]


async def test_delete_sends_delete_and_the_event_is_gone(gateway: Gateway, sandbox: Sandbox) -> None:
    data = await gateway.data(DELETE, {"id": gid(FIELD_TRIP)})
    assert data["deleteSchoologyEvent"] == {"deletedId": gid(FIELD_TRIP), "userErrors": []}
    path = f"/v1/sections/{BUSY_SECTION_ID}/events/{FIELD_TRIP}"
    assert [(c.method, c.path, c.body) for c in sandbox.calls("schoology")] == [
        ("GET", path, None),
        ("DELETE", path, None),
    ]
    body = await gateway.query(NODE, {"id": gid(FIELD_TRIP)})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("mutation", [UPDATE, DELETE], ids=["update", "delete"])
async def test_unknown_event_is_a_not_found_user_error(gateway: Gateway, mutation: str) -> None:
    variables: dict[str, Any] = {"id": gid(9999999)}
    if mutation is UPDATE:
        variables["input"] = {"title": "x"}
    data = await gateway.data(mutation, variables)
    [payload] = data.values()
    [error] = payload["userErrors"]
    assert (error["code"], error["field"]) == ("NOT_FOUND", ["id"])


@pytest.mark.parametrize(
    "value",
    [encode_id("strigo", "abc"), encode_id("schoology", "sections", "1"), "not an id"],
    ids=["other-provider", "short", "garbage"],
)
async def test_foreign_or_malformed_ids_are_refused_before_any_call(
    gateway: Gateway, sandbox: Sandbox, value: str
) -> None:
    data = await gateway.data(DELETE, {"id": value})
    [error] = data["deleteSchoologyEvent"]["userErrors"]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", ["id"])
    assert sandbox.calls("schoology") == []


def test_error_reader_maps_schoologys_bare_statuses() -> None:
    refused = read_error(Reply(403, {}, None, ""), "PUT")
    assert isinstance(refused, Forbidden)
    hidden = read_error(Reply(403, {}, None, ""), "GET")
    assert isinstance(hidden, NoAccess)  # may not read it: UPSTREAM_UNAUTHORIZED
    assert hidden.code.value == "UPSTREAM_UNAUTHORIZED"
    assert not isinstance(read_error(Reply(401, {}, None, ""), "PUT"), Forbidden | UpstreamUnauthorized)
    rejected = read_error(Reply(400, {}, "The end field is required when has_end is 1", ""), "POST")
    assert isinstance(rejected, BadUserInput)
    assert rejected.upstream_field == ("end",)
    point_at_arguments(rejected)  # what every mutation does with an upstream's key
    assert rejected.field == ("input", "end")
    assert "required when has_end is 1" in rejected.message
