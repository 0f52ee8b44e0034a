"""Tests of the Schoology emulator: OAuth 1.0a, negotiation, realm objects, event paging/CRUD, multi-get."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_PLAINTEXT, SIGNATURE_TYPE_AUTH_HEADER
from oauthlib.oauth1 import Client as OAuthClient

from gateway.sandbox import schoology
from gateway.sandbox.recorder import CallLog
from gateway.sandbox.schoology_auth import REPLAY_MESSAGE
from gateway.sandbox.schoology_seed import (
    BUSY_SECTION_ID,
    DANA_TOKEN,
    DANA_TOKEN_SECRET,
    GROUP_IDS,
    LUIS_TOKEN,
    LUIS_TOKEN_SECRET,
    SECTION_IDS,
    USER_IDS,
)

Client = TestClient[web.Request, web.Application]
JSON = "application/json"
SECTION = f"/schoology/v1/sections/{BUSY_SECTION_ID}"


class TwoLeggedClient(OAuthClient):  # type: ignore[misc]  # oauthlib is untyped
    """oauthlib drops an empty `oauth_token`; Schoology's docs want it sent as `oauth_token=""`."""

    def get_oauth_params(self, request: Any) -> list[tuple[str, str]]:
        params: list[tuple[str, str]] = super().get_oauth_params(request)
        return [*params, ("oauth_token", "")]


def signed(
    url: str,
    method: str = "GET",
    body: str | None = None,
    *,
    secret: str = schoology.CONSUMER_SECRET,
    empty_token: bool = True,
    signature_method: str = SIGNATURE_HMAC_SHA1,
    accept: str = JSON,
    access: tuple[str, str] | None = None,
) -> dict[str, str]:
    """Headers of a Schoology call to the absolute `url`: two-legged, or three-legged with `access`
    (a user's token and token secret)."""
    options: dict[str, Any] = {
        "client_secret": secret,
        "signature_type": SIGNATURE_TYPE_AUTH_HEADER,
        "signature_method": signature_method,
        "realm": "Schoology API",
    }
    if access is not None:
        oauth = OAuthClient(
            schoology.CONSUMER_KEY, resource_owner_key=access[0], resource_owner_secret=access[1], **options
        )
    else:
        oauth = (TwoLeggedClient if empty_token else OAuthClient)(schoology.CONSUMER_KEY, **options)
    headers = {"Content-Type": JSON} if body is not None else {}
    _, signed_headers, _ = oauth.sign(url, http_method=method, body=body, headers=headers)
    return {**signed_headers, "Accept": accept}


@pytest.fixture
def log() -> CallLog:
    return CallLog()


def _serve(app: web.Application) -> Client:
    # Mounted like the sandbox server does, so links and multi-get see the `/schoology` prefix.
    parent = web.Application()
    parent.add_subapp("/schoology", app)
    return TestClient(TestServer(parent, host="127.0.0.1"))


@pytest.fixture
async def client(log: CallLog) -> AsyncIterator[Client]:
    async with _serve(schoology.create_app(log)) as client:
        yield client


async def call(
    client: Client, method: str, path: str, json_body: Any = None, **sign: Any
) -> tuple[int, Any, ClientResponse]:
    """Send a signed request; return the status, the decoded body (JSON, text or None) and the response."""
    url = path if path.startswith("http") else str(client.make_url(path))
    body = None if json_body is None else json.dumps(json_body)
    response = await client.session.request(method, url, headers=signed(url, method, body, **sign), data=body)
    raw = await response.read()
    if not raw:
        return response.status, None, response
    if response.content_type == JSON:
        return response.status, await response.json(), response
    return response.status, raw.decode(), response


async def test_hmac_signature_with_empty_token_is_accepted(client: Client, log: CallLog) -> None:
    status, body, response = await call(client, "GET", SECTION)
    assert status == 200
    assert response.headers["X-Schoology"] == "API"
    assert body["id"] == BUSY_SECTION_ID
    assert body["course_title"] == "Biology I"
    assert body["section_title"] == "Period 2"
    assert body["links"]["self"] == str(client.make_url(SECTION))
    recorded = log.of("schoology")[-1]
    assert (recorded.method, recorded.path) == ("GET", f"/v1/sections/{BUSY_SECTION_ID}")
    assert 'oauth_token=""' in recorded.headers["Authorization"]


@pytest.mark.parametrize(
    ("signature_method", "empty_token"),
    [(SIGNATURE_HMAC_SHA1, False), (SIGNATURE_PLAINTEXT, True), (SIGNATURE_PLAINTEXT, False)],
)
async def test_token_may_be_absent_and_plaintext_is_accepted(
    client: Client, signature_method: str, empty_token: bool
) -> None:
    path = f"/schoology/v1/users/{USER_IDS[0]}?with_attachments=1"
    status, body, _ = await call(
        client, "GET", path, signature_method=signature_method, empty_token=empty_token
    )
    assert status == 200
    assert body["name_display"] == "Dana Whitfield"
    assert body["tz_name"] == "America/New_York"


async def test_hand_built_plaintext_header_from_the_docs_is_accepted(client: Client) -> None:
    nonce, stamp = "c0ffee0ddba11", str(int(time.time()))
    authorization = (
        f'OAuth realm="Schoology API", oauth_consumer_key="{schoology.CONSUMER_KEY}", oauth_token="", '
        f'oauth_nonce="{nonce}", oauth_timestamp="{stamp}", oauth_signature_method="PLAINTEXT", '
        f'oauth_version="1.0", oauth_signature="{schoology.CONSUMER_SECRET}%26"'
    )
    headers = {"Authorization": authorization, "Accept": JSON}
    response = await client.get(f"/schoology/v1/groups/{GROUP_IDS[0]}", headers=headers)
    assert response.status == 200
    assert (await response.json())["title"] == "Robotics Club"


DANA = (DANA_TOKEN, DANA_TOKEN_SECRET)
LUIS = (LUIS_TOKEN, LUIS_TOKEN_SECRET)


@pytest.mark.parametrize("signature_method", [SIGNATURE_HMAC_SHA1, SIGNATURE_PLAINTEXT])
async def test_three_legged_calls_act_as_the_tokens_user(client: Client, signature_method: str) -> None:
    mine = await call(client, "GET", SECTION, access=DANA, signature_method=signature_method)
    me = await call(client, "GET", "/schoology/v1/users/265", access=DANA, signature_method=signature_method)
    theirs = await call(client, "GET", f"/schoology/v1/sections/{SECTION_IDS[1]}/events", access=DANA)
    assert (mine[0], me[0]) == (200, 200)
    assert (theirs[0], theirs[1]) == (403, None)  # not her section: no permission, an empty body
    own = await call(client, "GET", f"/schoology/v1/sections/{SECTION_IDS[1]}/events", access=LUIS)
    assert own[0] == 200
    assert own[1]["total"] > 0


async def test_a_token_secret_is_part_of_the_signing_key(client: Client) -> None:
    forged = await call(client, "GET", SECTION, access=(DANA_TOKEN, "not-her-secret"))
    unknown = await call(client, "GET", SECTION, access=("no-such-token", DANA_TOKEN_SECRET))
    # Signing with the consumer secret alone (as two-legged) is not enough once a token is named.
    plaintext = await call(
        client, "GET", SECTION, access=(DANA_TOKEN, ""), signature_method=SIGNATURE_PLAINTEXT
    )
    assert forged[:2] == (401, "Invalid signature")
    assert unknown[:2] == (401, "Invalid access token: no-such-token")
    assert plaintext[:2] == (401, "Invalid signature")


async def test_a_user_writes_only_in_their_realms(client: Client) -> None:
    event = {"title": "Club meeting", "start": "2026-02-02 15:00:00"}
    club = f"/schoology/v1/groups/{GROUP_IDS[0]}/events"
    created = await call(client, "POST", club, event, access=LUIS)
    refused = await call(client, "POST", f"{SECTION}/events", event, access=LUIS)
    assert created[0] == 201
    assert refused[:2] == (403, None)


async def test_multiget_items_of_other_realms_are_403_for_a_user(client: Client) -> None:
    paths = [f"/v1/sections/{BUSY_SECTION_ID}/events", f"/v1/sections/{SECTION_IDS[1]}/events"]
    status, body, _ = await call(client, "POST", "/schoology/v1/multiget", {"request": paths}, access=LUIS)
    assert status == 200
    assert [item["response_code"] for item in body["response"]] == [403, 200]


async def test_wrong_secret_or_missing_header_is_401(client: Client) -> None:
    status, body, response = await call(client, "GET", SECTION, secret="not-the-secret")
    assert (status, body) == (401, "Invalid signature")
    assert response.content_type == "text/plain"
    unsigned = await client.get(SECTION, headers={"Accept": JSON})
    assert unsigned.status == 401
    assert await unsigned.text()


async def test_replayed_nonce_and_timestamp_is_401(client: Client) -> None:
    url = str(client.make_url(SECTION))
    headers = signed(url)
    first = await client.session.get(url, headers=headers)
    assert first.status == 200
    replay = await client.session.get(url, headers=headers)
    assert replay.status == 401
    assert await replay.text() == REPLAY_MESSAGE


async def test_stale_timestamp_is_401(log: CallLog) -> None:
    async with _serve(schoology.create_app(log, clock=lambda: time.time() + 3600)) as client:
        status, body, _ = await call(client, "GET", SECTION)
    assert status == 401
    assert body.startswith("Expired timestamp")


async def test_events_page_through_links_next(client: Client) -> None:
    url: str | None = f"{SECTION}/events"
    pages: list[dict[str, Any]] = []
    while url is not None:
        status, body, _ = await call(client, "GET", url)
        assert status == 200
        pages.append(body)
        url = body["links"].get("next")
    assert [len(page["event"]) for page in pages] == [20, 20, 7]
    assert {page["total"] for page in pages} == {47}
    host = f"http://127.0.0.1:{client.port}"
    assert pages[0]["links"]["self"] == f"{host}{SECTION}/events?start=0&limit=20"
    assert pages[0]["links"]["next"] == f"{host}{SECTION}/events?start=20&limit=20"
    assert "next" not in pages[-1]["links"]
    events = [event for page in pages for event in page["event"]]
    assert [(e["start"], e["id"]) for e in events] == sorted((e["start"], e["id"]) for e in events)
    first = events[0]
    assert first["realm"] == "section"
    assert first["section_id"] == BUSY_SECTION_ID
    assert first["links"]["self"] == f"{host}{SECTION}/events/{first['id']}"
    assert {e["type"] for e in events} == {"event", "assignment", "discussion"}
    due = next(e for e in events if e["type"] == "assignment")
    assert (due["editable"], due["end"], due["has_end"]) == (0, "", 0)
    assert due["assignment_id"] > 0
    assert due["web_url"].startswith("https://app.schoology.com/")


async def test_limit_is_capped_and_start_offsets(client: Client) -> None:
    status, body, _ = await call(client, "GET", f"{SECTION}/events?limit=500")
    assert status == 200
    assert len(body["event"]) == 47
    assert body["links"]["self"].endswith("?start=0&limit=200")
    _, offset, _ = await call(client, "GET", f"{SECTION}/events?start=45&limit=20")
    assert [e["id"] for e in offset["event"]] == [e["id"] for e in body["event"][45:]]
    assert "next" not in offset["links"]


async def test_date_filter_keeps_events_starting_within_the_days(client: Client) -> None:
    _, everything, _ = await call(client, "GET", f"{SECTION}/events?limit=200")
    window = ("2026-01-20", "2026-02-03")
    expected = [e["id"] for e in everything["event"] if window[0] <= e["start"][:10] <= window[1]]
    assert 0 < len(expected) < 47
    path = f"{SECTION}/events?start_date=2026-01-20&end_date=20260203&limit=200"
    status, body, _ = await call(client, "GET", path)
    assert status == 200
    assert [e["id"] for e in body["event"]] == expected
    assert body["total"] == len(expected)
    _, one_bound, _ = await call(client, "GET", f"{SECTION}/events?start_date=2026-01-20")
    assert one_bound["total"] == 47
    status, _, _ = await call(client, "GET", f"{SECTION}/events?start_date=01/20/2026&end_date=2026-02-03")
    assert status == 400


async def test_the_docs_all_day_example_reads_5_hours_apart_in_list_and_get(client: Client) -> None:
    # Event.md: the list says "2013-12-16 18:59:59", the single GET "2013-12-16 23:59:59".
    events = f"/schoology/v1/sections/{BUSY_SECTION_ID}/events"
    new = {"title": "Test Event 1", "start": "2013-12-16 00:00:00", "all_day": 1}
    _, created, _ = await call(client, "POST", events, new)
    _, listed, _ = await call(client, "GET", f"{events}?start_date=2013-12-16&end_date=2013-12-16")
    _, single, _ = await call(client, "GET", f"{events}/{created['id']}")
    assert [event["start"] for event in listed["event"]] == ["2013-12-16 18:59:59"]
    assert (created["start"], single["start"]) == ("2013-12-16 18:59:59", "2013-12-16 23:59:59")


async def test_a_users_calendar_is_written_in_her_own_zone(client: Client) -> None:
    # User 269's tz_name is Asia/Tokyo: her list writes times there, the GET still in UTC.
    events = f"/schoology/v1/users/{USER_IDS[-1]}/events"
    new = {"title": "Call", "start": "2026-03-02 09:00:00", "has_end": 1, "end": "2026-03-02 10:00:00"}
    _, created, _ = await call(client, "POST", events, new)
    _, single, _ = await call(client, "GET", f"{events}/{created['id']}")
    assert (created["start"], single["start"], single["end"]) == (
        "2026-03-02 09:00:00",
        "2026-03-02 00:00:00",
        "2026-03-02 01:00:00",
    )


async def test_unknown_realm_is_empty_404(client: Client) -> None:
    for path in ("/schoology/v1/sections/1", "/schoology/v1/groups/1/events", "/schoology/v1/courses/1"):
        status, body, _ = await call(client, "GET", path)
        assert (status, body) == (404, None), path


async def test_create_update_delete_event(client: Client) -> None:
    events = f"/schoology/v1/groups/{GROUP_IDS[1]}/events"
    new = {"title": "Scrimmage", "start": "2026-03-02 16:30:00", "has_end": "1", "end": "2026-03-02 18:00:00"}
    status, created, _ = await call(client, "POST", events, new)
    assert status == 201
    assert created["links"]["self"] == f"{client.make_url(events)}/{created['id']}"
    assert (created["realm"], created["has_end"], created["editable"], created["rsvp"]) == ("group", 1, 1, 0)
    assert "section_id" not in created
    one = f"{events}/{created['id']}"
    status, body, _ = await call(client, "PUT", one, {"title": "Scrimmage vs. Cedar Ridge", "has_end": 0})
    assert (status, body) == (204, None)
    _, fetched, _ = await call(client, "GET", one)
    assert (fetched["title"], fetched["has_end"], fetched["end"]) == ("Scrimmage vs. Cedar Ridge", 0, "")
    # Written in the group's zone (New York, UTC-5 in March); the single GET answers in UTC.
    assert (created["start"], fetched["start"]) == ("2026-03-02 16:30:00", "2026-03-02 21:30:00")
    assert (await call(client, "DELETE", one))[:2] == (204, None)
    assert (await call(client, "GET", one))[:2] == (404, None)
    assert (await call(client, "DELETE", one))[:2] == (404, None)


@pytest.mark.parametrize(
    "body",
    [
        {"start": "2026-03-02 16:30:00"},
        {"title": "No start"},
        {"title": "Bad start", "start": "2026-03-02T16:30:00"},
        {"title": "Bad rsvp", "start": "2026-03-02 16:30:00", "rsvp": 3},
        {"title": "End first", "start": "2026-03-02 16:30:00", "has_end": 1, "end": "2026-03-01 10:00:00"},
        {"title": "Assignment", "start": "2026-03-02 16:30:00", "type": "assignment"},
    ],
)
async def test_invalid_event_bodies_are_400_with_a_message(client: Client, body: dict[str, Any]) -> None:
    status, message, _ = await call(client, "POST", f"{SECTION}/events", body)
    assert status == 400
    assert isinstance(message, str)
    assert message


async def test_end_is_ignored_without_has_end(client: Client) -> None:
    body = {"title": "Open lab", "start": "2026-03-03 09:00:00", "end": "2026-03-03 10:00:00"}
    _, created, _ = await call(client, "POST", f"{SECTION}/events", body)
    assert (created["has_end"], created["end"], created["section_id"]) == (0, "", BUSY_SECTION_ID)


async def test_assignment_events_cannot_be_changed(client: Client) -> None:
    _, page, _ = await call(client, "GET", f"{SECTION}/events")
    due = next(e for e in page["event"] if e["type"] in ("assignment", "discussion"))
    one = f"{SECTION}/events/{due['id']}"
    assert (await call(client, "PUT", one, {"title": "Renamed"}))[:2] == (403, None)
    assert (await call(client, "DELETE", one))[:2] == (403, None)
    _, fetched, _ = await call(client, "GET", one)
    assert fetched["title"] == due["title"]


async def test_multiget_answers_in_order_with_per_item_codes(client: Client) -> None:
    _, page, _ = await call(client, "GET", f"{SECTION}/events")
    requests = [
        f"/v1/sections/{SECTION_IDS[1]}",
        f"/v1/sections/{BUSY_SECTION_ID}/events?limit=5",
        f"/v1/sections/{BUSY_SECTION_ID}/events/{page['event'][0]['id']}",
        "/v1/sections/1",
        "/v1/courses/7",
        f"/v1/users/{USER_IDS[0]}",
    ]
    status, body, _ = await call(client, "POST", "/schoology/v1/multiget", {"request": requests})
    assert status == 200
    answers = body["response"]
    assert [a["response_code"] for a in answers] == [200, 200, 403, 404, 404, 200]
    assert [a["location"] for a in answers] == [str(client.make_url(f"/schoology{r}")) for r in requests]
    assert answers[0]["body"]["id"] == SECTION_IDS[1]
    listed = answers[1]["body"]
    assert (len(listed["event"]), listed["total"]) == (5, 47)
    assert listed["links"]["next"].endswith(
        f"/schoology/v1/sections/{BUSY_SECTION_ID}/events?start=5&limit=5"
    )
    assert all(a["body"] is None for a in answers[2:5])
    assert answers[5]["body"]["name_display"] == "Dana Whitfield"
    assert all(a["headers"] == {} for a in answers)


async def test_multiget_answers_only_the_first_50(client: Client) -> None:
    requests = [f"/v1/sections/{SECTION_IDS[n % 12]}" for n in range(60)]
    status, body, _ = await call(client, "POST", "/schoology/v1/multiget", {"request": requests})
    assert status == 200
    assert len(body["response"]) == 50
    assert [a["body"]["id"] for a in body["response"]] == [SECTION_IDS[n % 12] for n in range(50)]


async def test_multiget_rejects_get_and_bad_bodies(client: Client) -> None:
    assert (await call(client, "GET", "/schoology/v1/multiget"))[0] == 405
    assert (await call(client, "POST", "/schoology/v1/multiget", {"requests": []}))[0] == 400


async def test_xml_when_accept_prefers_it(client: Client) -> None:
    # The docs' own example Accept header weights XML above JSON.
    accept = "text/xml;q=1.0,application/json;q=0.0"
    status, text, response = await call(client, "GET", f"{SECTION}/events?limit=2", accept=accept)
    assert status == 200
    assert response.content_type == "text/xml"
    root = ET.fromstring(text)  # noqa: S314 - our own emulator's output
    assert root.tag == "result"
    assert [node.findtext("section_id") for node in root.findall("event")] == [str(BUSY_SECTION_ID)] * 2
    assert root.findtext("total") == "47"
    assert root.find("links/next") is not None
    json_first = "text/xml;q=0.5, application/json"
    assert (await call(client, "GET", SECTION, accept=json_first))[2].content_type == JSON


async def test_xml_request_body_creates_an_event(client: Client) -> None:
    url = str(client.make_url(f"/schoology/v1/users/{USER_IDS[0]}/events"))
    body = (
        "<body><title>XML event</title><start>2026-04-01 10:00:00</start>"
        "<has_end>1</has_end><end>2026-04-01 11:00:00</end></body>"
    )
    headers = {**signed(url, "POST", body), "Content-Type": "text/xml"}
    response = await client.session.post(url, headers=headers, data=body)
    assert response.status == 201
    created = await response.json()
    assert (created["title"], created["realm"], created["has_end"]) == ("XML event", "user", 1)
    assert created["end"] == "2026-04-01 11:00:00"


async def test_rate_limit_answers_429_with_retry_after(log: CallLog) -> None:
    async with _serve(schoology.create_app(log, rate_limit=(3, 5.0))) as client:
        statuses = [(await call(client, "GET", SECTION))[0] for _ in range(3)]
        status, _, response = await call(client, "GET", SECTION)
    assert statuses == [200, 200, 200]
    assert status == 429
    assert response.headers["Retry-After"] == "5"


def test_sandbox_env_points_the_gateway_at_seeded_realms() -> None:
    env = schoology.sandbox_env("http://127.0.0.1:9000/schoology")
    assert env["SCHOOLOGY_BASE_URL"] == "http://127.0.0.1:9000/schoology/v1"
    assert (env["SCHOOLOGY_CONSUMER_KEY"], env["SCHOOLOGY_CONSUMER_SECRET"]) == (
        schoology.CONSUMER_KEY,
        schoology.CONSUMER_SECRET,
    )
    assert env["SCHOOLOGY_REALMS"].split(",")[0] == f"sections/{BUSY_SECTION_ID}"
    assert env["SCHOOLOGY_TIMEZONE"] == "America/New_York"
