"""Schoology in the federated `events` query: realms in one multi-get, dates pushed down, bounded paging."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from gateway.sandbox import schoology as emulator
from gateway.sandbox.schoology_seed import BUSY_SECTION_ID, SECTION_IDS
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

FEDERATED = """query($first: Int!, $filter: EventFilter) {
  events(first: $first, filter: $filter) { pageInfo { hasNextPage }
    nodes { title startsAt ... on SchoologyEvent { realm { kind providerId name } } } }
}"""
FEDERATED_PAGE = """query($first: Int!, $after: String, $filter: EventFilter) {
  events(first: $first, after: $after, filter: $filter) { pageInfo { endCursor } nodes { startsAt } }
}"""
ONLY_SCHOOLOGY: dict[str, Any] = {"providers": ["SCHOOLOGY"]}


def calls(sandbox: Sandbox) -> list[tuple[str, str, dict[str, str]]]:
    return [(call.method, call.path, call.query) for call in sandbox.calls("schoology")]


async def test_federated_query_gets_every_realms_first_page_in_one_multiget(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    data = await gateway.data(FEDERATED, {"first": 10, "filter": ONLY_SCHOOLOGY})
    nodes = data["events"]["nodes"]
    assert len(nodes) == 10
    assert [node["startsAt"] for node in nodes] == sorted(node["startsAt"] for node in nodes)
    first_call = sandbox.calls("schoology")[0]
    assert (first_call.method, first_call.path) == ("POST", "/v1/multiget")
    # The user realm's object comes along, for the user's zone (`tz_name`).
    users = [realm for realm in emulator.SEEDED_REALMS if realm.startswith("users/")]
    assert first_call.body == {
        "request": [
            *(f"/v1/{realm}/events?start=0&limit=20" for realm in emulator.SEEDED_REALMS),
            *(f"/v1/{realm}" for realm in users),
        ]
    }
    assert [call.path for call in sandbox.calls("schoology")] == ["/v1/multiget", "/v1/multiget"]


async def test_fifty_events_across_twelve_sections_with_titles_cost_two_calls(sandbox: Sandbox) -> None:
    realms = [f"sections/{section_id}" for section_id in SECTION_IDS]
    async with running_gateway(settings_for(sandbox, schoology_realms=",".join(realms))) as gateway:
        data = await gateway.data(FEDERATED, {"first": 50, "filter": ONLY_SCHOOLOGY})
    nodes = data["events"]["nodes"]
    assert len(nodes) == 50
    titled = {node["realm"]["providerId"]: node["realm"]["name"] for node in nodes}
    assert len(titled) == 12
    assert all(titled.values())
    lists, titles = sandbox.calls("schoology")
    assert (lists.method, lists.path, titles.method, titles.path) == (
        "POST",
        "/v1/multiget",
        "POST",
        "/v1/multiget",
    )
    assert len(lists.body["request"]) == 12
    assert sorted(titles.body["request"]) == sorted(f"/v1/{realm}" for realm in realms)


async def test_federated_window_pushes_dates_down_in_the_configured_zone(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    window = {**ONLY_SCHOOLOGY, "startsAfter": "2026-02-01T00:00:00Z", "startsBefore": "2026-02-08T00:00:00Z"}
    data = await gateway.data(FEDERATED, {"first": 50, "filter": window})
    starts = [node["startsAt"] for node in data["events"]["nodes"]]
    assert starts
    assert all("2026-01-31T19:00" <= start < "2026-02-07T19:00" for start in starts)
    # 1 Feb 00:00 UTC is 31 Jan in New York; a day wider each side; two for a user whose zone is
    # still being read (zones lie up to 26 h apart).
    for item in _items(sandbox):
        days = (
            "2026-01-29&end_date=2026-02-09"
            if item.startswith("/v1/users/")
            else "2026-01-30&end_date=2026-02-08"
        )
        assert f"start_date={days}" in item


async def test_federated_next_page_asks_only_from_the_cursors_day(gateway: Gateway, sandbox: Sandbox) -> None:
    first = await gateway.data(FEDERATED_PAGE, {"first": 30, "filter": ONLY_SCHOOLOGY})
    last_start = first["events"]["nodes"][-1]["startsAt"]
    sandbox.log.clear()
    cursor = first["events"]["pageInfo"]["endCursor"]
    second = await gateway.data(FEDERATED_PAGE, {"first": 30, "after": cursor, "filter": ONLY_SCHOOLOGY})
    assert all(node["startsAt"] >= last_start for node in second["events"]["nodes"])
    day_before = (date.fromisoformat(last_start[:10]) - timedelta(days=1)).isoformat()
    assert all(f"start_date={day_before}&end_date=2100-12-31" in item for item in _items(sandbox))


async def test_federated_query_pages_a_realm_further_only_while_it_is_short(sandbox: Sandbox) -> None:
    realms = f"sections/{BUSY_SECTION_ID},sections/{SECTION_IDS[1]}"
    async with running_gateway(settings_for(sandbox, schoology_realms=realms)) as gateway:
        data = await gateway.data(FEDERATED, {"first": 5, "filter": {**ONLY_SCHOOLOGY, "search": "lecture"}})
    assert len(data["events"]["nodes"]) == 5
    assert data["events"]["pageInfo"]["hasNextPage"] is True
    assert calls(sandbox) == [
        ("POST", "/v1/multiget", {}),
        ("GET", f"/v1/sections/{BUSY_SECTION_ID}/events", {"start": "20", "limit": "20"}),
        ("POST", "/v1/multiget", {}),  # the realm titles
    ]


def _items(sandbox: Sandbox) -> list[str]:
    return [item for call in sandbox.calls("schoology") for item in call.body["request"] if "/events" in item]


async def test_a_configured_realm_that_does_not_exist_fails_only_schoology(sandbox: Sandbox) -> None:
    realms = f"sections/{BUSY_SECTION_ID},groups/1"
    async with running_gateway(settings_for(sandbox, schoology_realms=realms)) as gateway:
        body = await gateway.query(FEDERATED, {"first": 5})
    assert len(body["data"]["events"]["nodes"]) == 5  # the other providers still answer
    [error] = body["errors"]
    assert error["extensions"] == {"code": "NOT_FOUND", "provider": "SCHOOLOGY"}
    assert error["message"] == "Schoology has no realm groups/1"
