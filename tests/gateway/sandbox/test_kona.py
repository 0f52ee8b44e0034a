"""The Kona emulator keeps the documented contract: auth, envelope, month default, paging, writes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from gateway.sandbox import kona, kona_state
from gateway.sandbox.recorder import CallLog
from tests.gateway.sandbox.mounting import Client, mounted

NOW = datetime(2024, 6, 15, 12, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
AUTH = {"Authorization": f"Bearer {kona.ACCESS_TOKEN}"}
EVENTS = "/kona/api/calendar_events"
MARCH = {"date_range_start": "2024-03-01 00:00:00.000", "date_range_end": "2024-03-31 23:59:59.999"}


def _ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp() * 1000)


@pytest.fixture
def log() -> CallLog:
    return CallLog()


@pytest.fixture
async def client(log: CallLog) -> AsyncIterator[Client]:
    async with mounted("/kona", kona.create_app(log, now=lambda: NOW)) as test_client:
        yield test_client


async def _get(client: Client, path: str, **params: Any) -> Any:
    response = await client.get(path, params=params, headers=AUTH)
    assert response.status == 200, await response.text()
    return await response.json()


async def _event_ids(client: Client, **params: Any) -> list[int]:
    body = await _get(client, EVENTS, **params)
    return [event["id"] for event in body["calendar_events"]]


def _one(name: str = "Launch party", **fields: Any) -> dict[str, Any]:
    event = {"name": name, "start_at": 1_718_870_400, "end_at": "2024-06-20 10:30:00.000"} | fields
    return {"calendar_events": [event]}


async def test_refuses_missing_or_wrong_token(client: Client) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": kona.ACCESS_TOKEN}):
        response = await client.get(EVENTS, headers=headers)
        assert response.status == 401
        body = await response.json()
        assert set(body) == {"problemType", "title", "details"}
        assert (body["problemType"], body["title"]) == (kona.PROBLEM_TYPE, "Unauthenticated")


async def test_single_get_is_enveloped_with_epoch_ms(client: Client) -> None:
    body = await _get(client, f"{EVENTS}/1001")
    assert list(body) == ["calendar_events"]
    (event,) = body["calendar_events"]
    assert event["id"] == 1001
    assert event["href"] == str(client.make_url(f"{EVENTS}/1001"))
    assert event["start_at"] == _ms(2024, 3, 1, 8)
    assert "participant_ids" not in event
    assert "series_id" not in event


async def test_unknown_event_is_not_found(client: Client) -> None:
    for path in (f"{EVENTS}/999999", f"{EVENTS}/1090"):  # 1090 is participants-only, not for Ada
        response = await client.get(path, headers=AUTH)
        assert response.status == 404
        assert (await response.json())["title"] == "Not Found"


async def test_list_defaults_to_the_current_month(client: Client) -> None:
    assert await _event_ids(client) == list(range(1101, 1109))


async def test_date_range_matches_overlapping_events(client: Client) -> None:
    may = {"date_range_start": _ms(2024, 5, 1) // 1000, "date_range_end": _ms(2024, 6, 1) - 1}
    assert await _event_ids(client, **may) == [1070]
    april = {"date_range_start": "2024-04-01 00:00:00.000", "date_range_end": "2024-04-30 23:59:59.999"}
    assert await _event_ids(client, **april) == [1065, 1066, 1067, 1068, 1070]


async def test_pages_until_a_short_page(client: Client) -> None:
    pages = []
    for page in range(1, 5):
        body = await _get(client, EVENTS, page=page, **MARCH)
        assert list(body) == ["calendar_events"]
        pages.append([event["id"] for event in body["calendar_events"]])
    assert [len(ids) for ids in pages] == [25, 25, 10, 0]
    seen = [event_id for ids in pages for event_id in ids]
    assert sorted(seen) == [*range(1001, 1057), *range(1061, 1065)]
    assert await _event_ids(client, per_page=100, **MARCH) == seen


async def test_per_page_is_capped_at_100(client: Client) -> None:
    for _ in range(41):
        created = await client.post(
            EVENTS, json=_one(start_at=_ms(2024, 3, 9), end_at=_ms(2024, 3, 9)), headers=AUTH
        )
        assert created.status == 201
    assert len(await _event_ids(client, per_page=500, **MARCH)) == 100
    assert len(await _event_ids(client, per_page=100, page=2, **MARCH)) == 1


@pytest.mark.parametrize("key", ["created_at", "updated_at"])
async def test_order_by_is_newest_first(client: Client, key: str) -> None:
    body = await _get(client, EVENTS, order_by=key, per_page=100, **MARCH)
    stamps = [event[key] for event in body["calendar_events"]]
    assert len(stamps) == 60
    assert stamps == sorted(stamps, reverse=True)
    assert len(set(stamps)) == 60


async def test_num_in_series_returns_that_instance(client: Client) -> None:
    body = await _get(client, f"{EVENTS}/1063", num_in_series=5)
    (event,) = body["calendar_events"]
    assert (event["id"], event["series_id"], event["num_in_series"]) == (1065, 1061, 5)
    assert (event["period"], event["frequency"], event["sel_days"]) == (2, 1, 1)
    assert event["start_at"] == _ms(2024, 4, 1, 10)
    missing = await client.get(f"{EVENTS}/1061", params={"num_in_series": 9}, headers=AUTH)
    assert missing.status == 404


async def test_create_answers_201_with_location(client: Client, log: CallLog) -> None:
    response = await client.post(EVENTS, json=_one(participant_ids=[102], editor_ids=[103]), headers=AUTH)
    assert response.status == 201
    assert response.headers["Location"] == str(client.make_url(f"{EVENTS}/2001"))
    (event,) = (await response.json())["calendar_events"]
    assert event["href"] == response.headers["Location"]
    assert event["start_at"] == _ms(2024, 6, 20, 8)
    assert event["end_at"] == _ms(2024, 6, 20, 10, 30)
    assert (event["created_at"], event["updated_at"], event["creator_id"]) == (NOW_MS, NOW_MS, 101)
    defaults = {key: event[key] for key in ("status", "visibility", "stakeholder", "default_role")}
    assert defaults == {"status": 1, "visibility": 2, "stakeholder": 1, "default_role": 1}
    assert "participant_ids" not in event
    assert "editor_ids" not in event
    assert 2001 in await _event_ids(client)
    assert log.of("kona")[0].path == "/api/calendar_events"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "name"),
        ({"start_at": None}, "start_at"),
        ({"end_at": "2024-06-20T10:30:00Z"}, "end_at"),
        ({"end_at": 1_718_870_399}, "end_at"),
        ({"status": 5}, "status"),
        ({"visibility": 0}, "visibility"),
        ({"stakeholder": 3}, "stakeholder"),
        ({"default_role": 4}, "default_role"),
        ({"period": 6}, "period"),
        ({"frequency": -1}, "frequency"),
        ({"space_id": 999}, "space_id"),
        ({"creator_id": 999}, "creator_id"),
        ({"creator_id": "102"}, "creator_id"),
    ],
)
async def test_create_rejects_invalid_fields(client: Client, fields: dict[str, Any], field: str) -> None:
    response = await client.post(EVENTS, json=_one(**fields), headers=AUTH)
    assert response.status == 422
    body = await response.json()
    assert body["problemType"] == kona.PROBLEM_TYPE
    assert body["title"] == "Unprocessable Entity"
    assert body["details"].startswith(field)


async def test_create_requires_name(client: Client) -> None:
    body = {"calendar_events": [{"start_at": 1_718_870_400, "end_at": 1_718_870_400}]}
    response = await client.post(EVENTS, json=body, headers=AUTH)
    assert response.status == 422
    assert (await response.json())["details"] == "name can't be blank"


async def test_create_defaults_start_and_end_to_now(client: Client) -> None:
    # calendar_events.md: start_at and end_at are "required, defaults to current datetime".
    response = await client.post(EVENTS, json={"calendar_events": [{"name": "Right now"}]}, headers=AUTH)
    assert response.status == 201
    (event,) = (await response.json())["calendar_events"]
    assert (event["start_at"], event["end_at"]) == (NOW_MS, NOW_MS)


async def test_creator_id_is_writable(client: Client) -> None:
    # In a space Ada is in, so she still sees (and may change) the event she made for someone else.
    created = await client.post(EVENTS, json=_one(creator_id=103, space_id=201), headers=AUTH)
    (event,) = (await created.json())["calendar_events"]
    assert event["creator_id"] == 103
    changed = await client.put(
        f"{EVENTS}/{event['id']}", json={"calendar_events": [{"creator_id": 104}]}, headers=AUTH
    )
    assert (await changed.json())["calendar_events"][0]["creator_id"] == 104


async def test_malformed_json_is_400(client: Client) -> None:
    response = await client.post(EVENTS, data=b"{nope", headers=AUTH)
    assert response.status == 400
    assert response.content_type == "text/plain"
    as_json = await client.post(EVENTS, data=b"{nope", headers=AUTH | {"Accept": "application/json"})
    assert as_json.status == 400
    assert (await as_json.json())["title"] == "Bad Request"


async def test_put_changes_only_the_given_keys(client: Client) -> None:
    (before,) = (await _get(client, f"{EVENTS}/1001"))["calendar_events"]
    response = await client.put(
        f"{EVENTS}/1001", json={"calendar_events": [{"location": "Atrium"}]}, headers=AUTH
    )
    assert response.status == 200
    (after,) = (await response.json())["calendar_events"]
    assert after == before | {"location": "Atrium", "updated_at": NOW_MS}
    assert (await _get(client, f"{EVENTS}/1001"))["calendar_events"] == [after]


@pytest.mark.parametrize("event_id", [1005, 1006, 1008])
async def test_forbidden_events_cannot_be_changed(client: Client, event_id: int) -> None:
    path = f"{EVENTS}/{event_id}"
    for response in (
        await client.put(path, json={"calendar_events": [{"name": "Mine now"}]}, headers=AUTH),
        await client.delete(path, headers=AUTH),
    ):
        assert response.status == 403
        assert (await response.json())["title"] == "Forbidden"
    assert (await _get(client, path))["calendar_events"][0]["name"] != "Mine now"


async def test_editor_may_change_a_viewer_role_event(client: Client) -> None:
    response = await client.put(f"{EVENTS}/1007", json={"calendar_events": [{"status": 2}]}, headers=AUTH)
    assert response.status == 200


async def test_delete_answers_204_then_404(client: Client) -> None:
    deleted = await client.delete(f"{EVENTS}/1001", headers=AUTH)
    assert deleted.status == 204
    assert (await client.get(f"{EVENTS}/1001", headers=AUTH)).status == 404
    assert (await client.delete(f"{EVENTS}/1001", headers=AUTH)).status == 404


async def test_spaces_users_and_userinfo(client: Client) -> None:
    spaces = (await _get(client, "/kona/api/spaces"))["spaces"]
    assert [space["id"] for space in spaces] == [201, 202, 203, 204]
    (space,) = (await _get(client, "/kona/api/spaces/202", include="participants"))["spaces"]
    assert {p["user_id"] for p in space["participants"]} == {101, 102, 104}
    users = (await _get(client, "/kona/api/users", per_page=2, page=3))["users"]
    assert [user["id"] for user in users] == [105]
    (grace,) = (await _get(client, "/kona/api/users/102"))["users"]
    assert grace["email"] == "grace@example.com"
    (me,) = (await _get(client, "/kona/api/userinfo"))["users"]
    assert (me["id"], me["current_account"]) == (101, {"id": kona.ACCOUNT_ID, "member": True})
    assert (await client.get("/kona/api/spaces/299", headers=AUTH)).status == 404


def test_sandbox_env_points_at_the_api_root() -> None:
    env = kona.sandbox_env("http://127.0.0.1:8000/kona")
    assert env == {
        "KONA_BASE_URL": "http://127.0.0.1:8000/kona/api",
        "KONA_ACCESS_TOKEN": kona.ACCESS_TOKEN,
        "KONA_TOKEN_URL": "http://127.0.0.1:8000/kona/oauth/token",
        "KONA_TIMEZONE": "UTC",
    }


async def _ids_for(client: Client, token: str) -> set[int]:
    response = await client.get(EVENTS, params=MARCH, headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200
    return {event["id"] for event in (await response.json())["calendar_events"]}


async def test_users_see_the_events_of_the_spaces_they_are_in(client: Client) -> None:
    ada, grace = await _ids_for(client, kona.ACCESS_TOKEN), await _ids_for(client, kona.OTHER_ACCESS_TOKEN)
    assert 1090 in grace  # participants-only, Grace's own
    assert 1090 not in ada
    # A public event of Customer Success (203), where Grace is not, by someone else: Ada's only.
    assert 1012 in ada
    assert 1012 not in grace
    # Grace still sees the public events of the spaces she is in, and those she created.
    assert {1001, 1002} <= grace


async def _token(client: Client, **params: str) -> Any:
    form = {"grant_type": "refresh_token", "client_id": kona.CLIENT_ID, "client_secret": kona.CLIENT_SECRET}
    return await client.post(f"/kona{kona.TOKEN_PATH}", data=form | params)


async def test_the_token_endpoint_renews_with_the_refresh_token(client: Client) -> None:
    response = await _token(client, refresh_token=kona.REFRESH_TOKEN)
    assert response.status == 200
    body = await response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert (body["token_type"], body["expires_in"], body["refresh_token"]) == (
        "bearer",
        604_800,
        kona.REFRESH_TOKEN,
    )
    me = await client.get("/kona/api/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert (await me.json())["users"][0]["id"] == 101


async def test_the_token_endpoint_refuses_with_rfc_6749_errors(client: Client) -> None:
    unknown = await _token(client, refresh_token="nope")
    wrong_client = await _token(client, refresh_token=kona.REFRESH_TOKEN, client_secret="nope")
    grant = await _token(client, refresh_token=kona.REFRESH_TOKEN, grant_type="password")
    assert (unknown.status, (await unknown.json())["error"]) == (400, "invalid_grant")
    assert (wrong_client.status, (await wrong_client.json())["error"]) == (401, "invalid_client")
    assert (grant.status, (await grant.json())["error"]) == (400, "unsupported_grant_type")


async def test_tokens_expire(log: CallLog) -> None:
    clock = [NOW]
    async with mounted("/kona", kona.create_app(log, now=lambda: clock[0], token_lifetime=60)) as client:
        expired = await client.get(EVENTS, headers={"Authorization": f"Bearer {kona.EXPIRED_ACCESS_TOKEN}"})
        issued = await (await _token(client, refresh_token=kona.REFRESH_TOKEN)).json()
        fresh = {"Authorization": f"Bearer {issued['access_token']}"}
        assert (await client.get(EVENTS, headers=fresh)).status == 200
        clock[0] = NOW.replace(minute=1)
        later = await client.get(EVENTS, headers=fresh)
        details = (await later.json())["details"]
    assert expired.status == later.status == 401
    assert details == "The access token is invalid or has expired"


@pytest.fixture
async def first_only(log: CallLog) -> AsyncIterator[Client]:
    app = kona.create_app(log, now=lambda: NOW, recurrence=kona.FIRST)
    async with mounted("/kona", app) as test_client:
        yield test_client


async def test_first_only_lists_a_series_where_an_occurrence_overlaps(first_only: Client) -> None:
    april = {"date_range_start": _ms(2024, 4, 1), "date_range_end": _ms(2024, 4, 30, 23, 59)}
    # The weekly series is stored as 1061 alone: April has its instances 5-8, so 1061 is listed.
    assert await _event_ids(first_only, **april) == [1061, 1070]
    march = await _event_ids(first_only, **MARCH, per_page=100)
    assert len(march) == 57
    assert 1062 not in march


async def test_first_only_computes_the_nth_instance(first_only: Client) -> None:
    (event,) = (await _get(first_only, f"{EVENTS}/1061", num_in_series=6))["calendar_events"]
    assert (event["id"], event["series_id"], event["num_in_series"]) == (1061, 1061, 6)
    assert (event["start_at"], event["end_at"]) == (_ms(2024, 4, 8, 10), _ms(2024, 4, 8, 10, 30))
    missing = await first_only.get(f"{EVENTS}/1061", params={"num_in_series": 9}, headers=AUTH)
    assert missing.status == 404


async def test_a_moved_instance_is_a_record_of_its_own_in_both_models(log: CallLog) -> None:
    for model in (kona.INSTANCES, kona.FIRST):
        app = kona.create_app(log, now=lambda: NOW, recurrence=model)
        moved = kona.move_instance(app[kona_state.STATE], 1061, 6, _ms(2024, 4, 9, 12), _ms(2024, 4, 9, 13))
        async with mounted("/kona", app) as client:
            (event,) = (await _get(client, f"{EVENTS}/1061", num_in_series=6))["calendar_events"]
            assert (event["id"], event["start_at"]) == (moved.id, _ms(2024, 4, 9, 12))
            day = {"date_range_start": _ms(2024, 4, 8), "date_range_end": _ms(2024, 4, 8, 23, 59)}
            assert await _event_ids(client, **day) == []
            next_day = {"date_range_start": _ms(2024, 4, 9), "date_range_end": _ms(2024, 4, 9, 23, 59)}
            assert await _event_ids(client, **next_day) == [moved.id]


async def test_instances_are_stored_when_an_event_becomes_recurring(client: Client) -> None:
    weekly = _one(period=2, frequency=2, series_end_at="2024-07-18 12:00:00.000")
    created = await client.post(EVENTS, json=weekly, headers=AUTH)
    (first,) = (await created.json())["calendar_events"]
    assert (first["id"], first["series_id"], first["num_in_series"]) == (2001, 2001, 1)
    series = await _get(client, EVENTS, date_range_start=_ms(2024, 6, 1), date_range_end=_ms(2024, 8, 1))
    mine = [event for event in series["calendar_events"] if event.get("series_id") == 2001]
    # Every other Thursday from 20 June up to 18 July 12:00: 20 June, 4 July, 18 July.
    assert [(event["id"], event["num_in_series"]) for event in mine] == [(2001, 1), (2002, 2), (2003, 3)]
    assert mine[2]["start_at"] == _ms(2024, 7, 18, 8)


def test_the_switches_come_from_the_environment(log: CallLog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_KONA_RECURRENCE", "first")
    monkeypatch.setenv("SANDBOX_KONA_TIMEZONE", "America/New_York")
    state = kona.create_app(log)[kona_state.STATE]
    assert (state.recurrence, state.zone.key) == ("first", "America/New_York")
    assert kona.sandbox_env("http://127.0.0.1:9/kona")["KONA_TIMEZONE"] == "America/New_York"
    monkeypatch.setenv("SANDBOX_KONA_RECURRENCE", "sometimes")
    with pytest.raises(ValueError, match="SANDBOX_KONA_RECURRENCE"):
        kona.create_app(log)
