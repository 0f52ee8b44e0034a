"""Tests of the Strigo emulator: auth, envelope, event CRUD rules, error shapes and the rate limit."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from gateway.sandbox import strigo
from gateway.sandbox.recorder import CallLog

API = "/api/v1"
AUTH = {"Authorization": f"Bearer {strigo.ORG_ID}:{strigo.API_KEY}"}
FROZEN_NOW = 1_700_000_010.0  # 10 s into a minute window

Client = TestClient[web.Request, web.Application]


def new_event(**overrides: Any) -> dict[str, Any]:
    """A valid POST /events body."""
    body: dict[str, Any] = {
        "name": "Sandbox Event",
        "owner": strigo.OWNER_EMAIL,
        "class_id": strigo.CLASS_IDS[3],
        "date_start": "2025-06-01T10:00:00.000Z",
        "date_end": "2025-06-01T12:00:00.000Z",
    }
    return body | overrides


@pytest.fixture
def log() -> CallLog:
    return CallLog()


@pytest.fixture
async def client(log: CallLog) -> AsyncIterator[Client]:
    # A frozen clock keeps the rate-limit window from rolling over mid-test.
    async with TestClient(TestServer(strigo.create_app(log, clock=lambda: FROZEN_NOW))) as client:
        yield client


async def data_of(client: Client, method: str, path: str, **kwargs: Any) -> Any:
    response = await client.request(method, f"{API}{path}", headers=AUTH, **kwargs)
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["result"] == "success"
    return body["data"]


async def failure_of(client: Client, method: str, path: str, status: int, **kwargs: Any) -> dict[str, Any]:
    response = await client.request(method, f"{API}{path}", headers=AUTH, **kwargs)
    assert response.status == status, await response.text()
    body = await response.json()
    assert body["result"] == "failure"
    assert set(body) == {"result", "error"}
    error: dict[str, Any] = body["error"]
    return error


# --- auth, health, headers ------------------------------------------------------------------------


async def test_health_has_no_envelope(client: Client) -> None:
    response = await client.get(f"{API}/health", headers=AUTH)
    assert response.status == 200
    assert await response.json() == {"status": "ok", "message": "Healthy"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": f"Bearer {strigo.ORG_ID}:wrong-key"},
        {"Authorization": f"Bearer {strigo.API_KEY}"},
        {"Authorization": f"Basic {strigo.ORG_ID}:{strigo.API_KEY}"},
    ],
)
async def test_bad_credentials_are_401(client: Client, headers: dict[str, str]) -> None:
    for path in ("/health", "/events"):
        response = await client.get(f"{API}{path}", headers=headers)
        assert response.status == 401
        body = await response.json()
        assert body["result"] == "failure"
        assert body["error"]["type"] == "Unauthorized"
        assert body["error"]["message"]
        assert response.headers["x-ratelimit-limit"] == "600"


async def test_every_answer_carries_rate_limit_headers(client: Client) -> None:
    first = await client.get(f"{API}/events", headers=AUTH)
    second = await client.get(f"{API}/events/nope", headers=AUTH)
    unrouted = await client.get(f"{API}/nowhere", headers=AUTH)
    assert unrouted.status == 404
    for response in (first, second, unrouted):
        assert response.headers["x-powered-by"] == "Express"
        assert response.headers["x-ratelimit-limit"] == "600"
        assert response.headers["x-ratelimit-reset"] == "1700000040"
    assert first.headers["x-ratelimit-remaining"] == "599"
    assert second.headers["x-ratelimit-remaining"] == "598"


async def test_calls_are_recorded_relative_to_the_mount(log: CallLog) -> None:
    root = web.Application()
    root.add_subapp("/strigo", strigo.create_app(log))
    async with TestClient(TestServer(root)) as client:
        response = await client.get(f"/strigo{API}/events/{strigo.READY_EVENT_ID}", headers=AUTH)
        assert response.status == 200
    [call] = log.of(strigo.NAME)
    assert (call.method, call.path) == ("GET", f"{API}/events/{strigo.READY_EVENT_ID}")


def test_sandbox_env_points_at_api_v1() -> None:
    assert strigo.sandbox_env("http://127.0.0.1:9/strigo") == {
        "STRIGO_BASE_URL": "http://127.0.0.1:9/strigo/api/v1",
        "STRIGO_ORG_ID": strigo.ORG_ID,
        "STRIGO_API_KEY": strigo.API_KEY,
    }


# --- rate limit -----------------------------------------------------------------------------------


async def test_over_the_limit_is_plain_text_429(log: CallLog) -> None:
    now = [FROZEN_NOW]
    app = strigo.create_app(log, rate_limit=2, clock=lambda: now[0])
    async with TestClient(TestServer(app)) as client:
        for _ in range(2):
            assert (await client.get(f"{API}/members", headers=AUTH)).status == 200
        response = await client.get(f"{API}/members", headers=AUTH)
        assert response.status == 429
        assert await response.text() == "Too many requests, please try again later."
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["retry-after"] == "60"
        assert response.headers["x-ratelimit-limit"] == "2"
        assert response.headers["x-ratelimit-remaining"] == "0"
        assert response.headers["x-ratelimit-reset"] == "1700000040"
        now[0] += 60
        fresh = await client.get(f"{API}/members", headers=AUTH)
        assert fresh.status == 200
        assert fresh.headers["x-ratelimit-remaining"] == "1"


async def test_rate_limit_is_per_org(log: CallLog) -> None:
    app = strigo.create_app(log, rate_limit=1, clock=lambda: FROZEN_NOW)
    async with TestClient(TestServer(app)) as client:
        assert (await client.get(f"{API}/health", headers=AUTH)).status == 200
        other_org = {"Authorization": "Bearer other-org:key"}
        assert (await client.get(f"{API}/health", headers=other_org)).status == 401
        assert (await client.get(f"{API}/health", headers=AUTH)).status == 429


# --- reads ----------------------------------------------------------------------------------------


async def test_list_events_returns_every_status_unpaged(client: Client) -> None:
    events = await data_of(client, "GET", "/events")
    assert len(events) == len(strigo.EVENT_IDS) == 110
    assert {event["status"] for event in events} == {"ready", "live", "ended"}
    assert {event["availability"] for event in events} == {"public", "private"}
    assert len({event["class_id"] for event in events[:100]}) == 20
    assert any("partner_id" in event for event in events)
    assert any("description" not in event for event in events)
    iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
    assert all(iso.match(event["date_start"]) and iso.match(event["date_end"]) for event in events)
    assert all(event["trainees"] == [] for event in events if event["availability"] == "public")


async def test_seeded_constants_match_the_data(client: Client) -> None:
    for event_id, status in [
        (strigo.LIVE_EVENT_ID, "live"),
        (strigo.READY_EVENT_ID, "ready"),
        (strigo.ENDED_EVENT_ID, "ended"),
    ]:
        assert (await data_of(client, "GET", f"/events/{event_id}"))["status"] == status
    private = await data_of(client, "GET", f"/events/{strigo.PRIVATE_EVENT_ID}")
    assert (private["availability"], private["status"]) == ("private", "ready")
    assert private["trainees"]
    assert "partner_id" in await data_of(client, "GET", f"/events/{strigo.PARTNER_EVENT_ID}")


async def test_get_event_shape(client: Client) -> None:
    event = await data_of(client, "GET", f"/events/{strigo.READY_EVENT_ID}")
    assert event["id"] == strigo.READY_EVENT_ID
    assert len(event["id"]) == 17
    assert event["event_link"] == f"https://app.strigo.io/event/{event['id']}"
    assert set(event["owner"]) == {"email", "id"}
    assert event["class_id"] in strigo.CLASS_IDS
    assert all(email in strigo.MEMBER_EMAILS for email in event["tas"])


async def test_unknown_event_is_404(client: Client) -> None:
    error = await failure_of(client, "GET", "/events/doesNotExist12345", 404)
    assert error == {"type": "EventNotFound", "message": "Event doesNotExist12345 could not be found."}


async def test_classes(client: Client) -> None:
    classes = await data_of(client, "GET", "/classes")
    assert [cls["id"] for cls in classes] == list(strigo.CLASS_IDS)
    one = await data_of(client, "GET", f"/classes/{strigo.CLASS_IDS[0]}")
    assert {"id", "name", "description", "labels", "owner"} <= set(one)
    error = await failure_of(client, "GET", "/classes/hd3ALTaLAbhfzmBbf", 404)
    assert error == {"type": "ClassNotFound", "message": "Class hd3ALTaLAbhfzmBbf could not be found."}


async def test_members(client: Client) -> None:
    members = await data_of(client, "GET", "/members")
    assert len(members) == 6
    assert all(set(member) == {"id", "email", "role"} for member in members)
    assert members[0] == {"id": strigo.MEMBER_IDS[0], "email": strigo.OWNER_EMAIL, "role": "owner"}


# --- create ---------------------------------------------------------------------------------------


async def test_create_event(client: Client) -> None:
    created = await data_of(client, "POST", "/events", json=new_event(labels=["beta"]))
    assert len(created["id"]) == 17
    assert created["id"] not in strigo.EVENT_IDS
    assert created["status"] == "ready"
    assert created["availability"] == "public"
    assert created["event_link"].endswith(created["id"])
    assert re.fullmatch(r"[A-Z0-9]{4}", created["token"])
    assert created["owner"] == {"email": strigo.OWNER_EMAIL, "id": strigo.MEMBER_IDS[0]}
    assert created["labels"] == ["beta"]
    assert await data_of(client, "GET", f"/events/{created['id']}") == created
    assert len(await data_of(client, "GET", "/events")) == 111


async def test_create_reads_naive_dates_in_timezone(client: Client) -> None:
    body = new_event(
        date_start="2025-06-01T10:00:00", date_end="2025-06-01T12:30:00", timezone="Asia/Jerusalem"
    )
    created = await data_of(client, "POST", "/events", json=body)
    assert (created["date_start"], created["date_end"]) == (
        "2025-06-01T07:00:00.000Z",
        "2025-06-01T09:30:00.000Z",
    )


async def test_create_with_trainees_is_private(client: Client) -> None:
    created = await data_of(client, "POST", "/events", json=new_event(trainees=["a@learners.example"]))
    assert created["availability"] == "private"
    assert created["trainees"] == ["a@learners.example"]


async def test_create_validation_errors_have_strigo_shape(client: Client) -> None:
    body = {"name": "x" * 257, "owner": "not-an-email", "date_start": "yesterday", "include_chat": "yes"}
    error = await failure_of(client, "POST", "/events", 422, json=body)
    assert error["type"] == "RequestValidationError"
    assert error["message"] == "The request is not valid"
    assert all(set(issue) == {"location", "param", "msg"} for issue in error["errors"])
    assert {issue["location"] for issue in error["errors"]} == {"body"}
    params = {issue["param"]: issue["msg"] for issue in error["errors"]}
    assert set(params) == {"name", "owner", "class_id", "date_start", "date_end", "include_chat"}
    assert params["date_start"] == "Must be an ISO8601 compliant date"
    assert params["owner"] == "Must be a valid email address"


@pytest.mark.parametrize(
    ("overrides", "param"),
    [
        ({"owner": "stranger@elsewhere.example"}, "owner"),
        ({"class_id": ""}, "class_id"),
        ({"description": "d" * 65537}, "description"),
        ({"availability": "hidden"}, "availability"),
        ({"tas": ["not-an-email"]}, "tas"),
        ({"trainees": "a@learners.example"}, "trainees"),
        ({"labels": [1]}, "labels"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"captions_language": "xx-XX"}, "captions_language"),
        ({"is_recorded": 1}, "is_recorded"),
        ({"date_end": "2025-06-01T09:00:00.000Z"}, "date_end"),
        ({"availability": "public", "trainees": ["a@learners.example"]}, "trainees"),
    ],
)
async def test_create_rejects_each_bad_field(client: Client, overrides: dict[str, Any], param: str) -> None:
    error = await failure_of(client, "POST", "/events", 422, json=new_event(**overrides))
    assert [issue["param"] for issue in error["errors"]] == [param]


async def test_create_rejects_a_non_object_body(client: Client) -> None:
    error = await failure_of(client, "POST", "/events", 422, json=[1, 2])
    assert error["type"] == "RequestValidationError"


async def test_create_with_unknown_class_is_404(client: Client) -> None:
    error = await failure_of(client, "POST", "/events", 404, json=new_event(class_id="hd3ALTaLAbhfzmBbf"))
    assert error["type"] == "ClassNotFound"


# --- patch ----------------------------------------------------------------------------------------


async def test_patch_changes_only_given_fields(client: Client) -> None:
    before = await data_of(client, "GET", f"/events/{strigo.READY_EVENT_ID}")
    after = await data_of(
        client,
        "PATCH",
        f"/events/{strigo.READY_EVENT_ID}",
        json={"name": "Renamed", "owner": strigo.MEMBER_EMAILS[2]},
    )
    assert after["name"] == "Renamed"
    assert after["owner"] == {"email": strigo.MEMBER_EMAILS[2], "id": strigo.MEMBER_IDS[2]}
    unchanged = {key: value for key, value in after.items() if key not in {"name", "owner"}}
    assert unchanged == {key: value for key, value in before.items() if key not in {"name", "owner"}}
    assert await data_of(client, "GET", f"/events/{strigo.READY_EVENT_ID}") == after


async def test_patch_availability_rules(client: Client) -> None:
    path = f"/events/{strigo.READY_EVENT_ID}"
    private = await data_of(client, "PATCH", path, json={"trainees": ["a@learners.example"]})
    assert (private["availability"], private["trainees"]) == ("private", ["a@learners.example"])
    public = await data_of(client, "PATCH", path, json={"availability": "public"})
    assert (public["availability"], public["trainees"]) == ("public", [])


async def test_patch_validates_given_fields_only(client: Client) -> None:
    path = f"/events/{strigo.READY_EVENT_ID}"
    error = await failure_of(client, "PATCH", path, 422, json={"date_start": "soon"})
    assert error["errors"] == [
        {"location": "body", "param": "date_start", "msg": "Must be an ISO8601 compliant date"}
    ]
    event = await data_of(client, "GET", path)
    error = await failure_of(client, "PATCH", path, 422, json={"date_end": event["date_start"]})
    assert [issue["param"] for issue in error["errors"]] == ["date_end"]


async def test_patch_live_event_is_refused(client: Client) -> None:
    error = await failure_of(client, "PATCH", f"/events/{strigo.LIVE_EVENT_ID}", 409, json={"name": "New"})
    assert error == {"type": "EventIsLive", "message": "Live events cannot be modified"}


async def test_patch_unknown_event_and_class_are_404(client: Client) -> None:
    error = await failure_of(client, "PATCH", "/events/doesNotExist12345", 404, json={"name": "x"})
    assert error["type"] == "EventNotFound"
    path = f"/events/{strigo.READY_EVENT_ID}"
    error = await failure_of(client, "PATCH", path, 404, json={"class_id": "hd3ALTaLAbhfzmBbf"})
    assert error["type"] == "ClassNotFound"


# --- delete ---------------------------------------------------------------------------------------


async def test_delete_ready_event_is_204_without_body(client: Client) -> None:
    response = await client.delete(f"{API}/events/{strigo.READY_EVENT_ID}", headers=AUTH)
    assert response.status == 204
    assert await response.read() == b""
    assert response.headers["x-ratelimit-limit"] == "600"
    await failure_of(client, "GET", f"/events/{strigo.READY_EVENT_ID}", 404)


@pytest.mark.parametrize("event_id", [strigo.LIVE_EVENT_ID, strigo.ENDED_EVENT_ID])
async def test_delete_non_ready_event_is_refused(client: Client, event_id: str) -> None:
    error = await failure_of(client, "DELETE", f"/events/{event_id}", 409)
    assert error["type"] == "EventNotInReadyState"
    assert (await data_of(client, "GET", f"/events/{event_id}"))["id"] == event_id


async def test_delete_unknown_event_is_404(client: Client) -> None:
    error = await failure_of(client, "DELETE", "/events/doesNotExist12345", 404)
    assert error["type"] == "EventNotFound"


async def test_each_org_key_sees_its_own_org(client: Client) -> None:
    partner = {"Authorization": f"Bearer {strigo.SECOND_ORG_ID}:{strigo.SECOND_API_KEY}"}
    crossed = {"Authorization": f"Bearer {strigo.SECOND_ORG_ID}:{strigo.API_KEY}"}
    ours = await data_of(client, "GET", "/events")
    response = await client.get(f"{API}/events", headers=partner)
    theirs = (await response.json())["data"]
    refused = await client.get(f"{API}/events", headers=crossed)
    assert len(ours) == len(strigo.EVENT_IDS)
    assert theirs
    assert {event["id"] for event in theirs}.isdisjoint(strigo.EVENT_IDS)
    assert refused.status == 401
    first = theirs[0]["id"]
    assert (await client.get(f"{API}/events/{first}", headers=AUTH)).status == 404  # not in our org
