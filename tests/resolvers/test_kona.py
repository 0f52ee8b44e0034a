"""Kona end to end: GraphQL in, the real app, real aiohttp calls to the emulator, GraphQL out."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gateway.ids import encode_id
from gateway.sandbox import kona as emulator
from gateway.sandbox.recorder import RecordedCall
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

BEARER = f"Bearer {emulator.ACCESS_TOKEN}"
EVENTS = "/api/calendar_events"
MARCH = {"start": "2024-03-01T00:00:00Z", "end": "2024-03-31T23:59:59.999Z"}
MARCH_MS = {"date_range_start": "1709251200000", "date_range_end": "1711929599999"}

LIST = """query($start: DateTime, $end: DateTime, $order: KonaOrder, $first: Int, $after: String) {
  konaCalendarEvents(
    dateRangeStart: $start, dateRangeEnd: $end, orderBy: $order, first: $first, after: $after
  ) {
    edges { cursor node { providerId } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
FIELDS = """id provider providerId title description startsAt endsAt timezone allDay startDate endDate url
  name href location details startAt endAt spaceId creatorId status konaStatus visibility stakeholder
  defaultRole tags createdAt updatedAt icsFeedId seriesId numInSeries period frequency selDays seriesEndAt
  externalObject { id externalId name url } raw"""
NODE = "query($id: ID!) { node(id: $id) { id ... on KonaCalendarEvent { " + FIELDS + " } } }"
INSTANCE = """query($id: ID!, $n: Int) {
  konaCalendarEvent(id: $id, numInSeries: $n) { providerId seriesId numInSeries startsAt }
}"""
PAYLOAD = (
    "event { providerId name location konaStatus startsAt selDays externalObject { externalId name url } } "
    + ("userErrors { field message code }")
)
CREATE = (
    "mutation($input: CreateKonaCalendarEventInput!) { createKonaCalendarEvent(input: $input) { "
    + PAYLOAD
    + " } }"
)
UPDATE = """mutation($id: ID!, $input: UpdateKonaCalendarEventInput!) {
  updateKonaCalendarEvent(id: $id, input: $input) { PAYLOAD }
}""".replace("PAYLOAD", PAYLOAD)
DELETE = (
    "mutation($id: ID!) { deleteKonaCalendarEvent(id: $id) { deletedId userErrors { field message code } } }"
)


def gid(event_id: int | str) -> str:
    return encode_id("kona", event_id)


def ms(moment: str) -> int:
    return int(datetime.fromisoformat(moment).timestamp() * 1000)


def calls(sandbox: Sandbox) -> list[tuple[str, str, dict[str, str]]]:
    return [(call.method, call.path, call.query) for call in sandbox.calls("kona")]


def page(number: int, per_page: int, **params: str) -> tuple[str, str, dict[str, str]]:
    return ("GET", EVENTS, {**params, "page": str(number), "per_page": str(per_page)})


def only_call(sandbox: Sandbox) -> RecordedCall:
    [call] = sandbox.calls("kona")
    assert call.headers["Authorization"] == BEARER
    return call


async def list_ids(gateway: Gateway, **variables: Any) -> tuple[list[int], dict[str, Any]]:
    data = await gateway.data(LIST, variables)
    connection = data["konaCalendarEvents"]
    return [int(edge["node"]["providerId"]) for edge in connection["edges"]], connection["pageInfo"]


async def test_march_lists_sixty_events_with_bearer_and_the_range_in_ms(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    ids, info = await list_ids(gateway, first=100, **MARCH)
    assert len(ids) == 60
    assert ids[:3] == [1001, 1002, 1003]
    assert {1061, 1062, 1063, 1064} <= set(ids)
    assert not {1065, 1070, 1090, 1091} & set(ids)  # April, May, hidden, archived
    assert info["hasNextPage"] is False
    # The first page (60 < 100) could be Kona's cap: the next page, at that size, proves the end.
    assert calls(sandbox) == [page(1, 100, **MARCH_MS), page(2, 60, **MARCH_MS)]
    assert {call.headers["Authorization"] for call in sandbox.calls("kona")} == {BEARER}


async def test_relay_pages_walk_to_the_end_with_exact_has_next_page(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    seen: list[int] = []
    flags: list[bool] = []
    after = None
    while True:
        ids, info = await list_ids(gateway, first=25, after=after, **MARCH)
        assert info["hasPreviousPage"] is (after is not None)
        seen += ids
        flags.append(info["hasNextPage"])
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert (len(seen), len(set(seen)), flags) == (60, 60, [True, True, False])
    assert calls(sandbox) == [
        page(1, 100, **MARCH_MS),
        page(1, 60, **MARCH_MS),
        page(1, 60, **MARCH_MS),
        page(2, 60, **MARCH_MS),  # items 50-59 leave the list's end unproven until this empty page
    ]


async def test_a_server_cap_below_per_page_is_followed_not_taken_for_the_end(
    gateway: Gateway, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(emulator, "MAX_PER_PAGE", 25)
    ids, info = await list_ids(gateway, first=25, **MARCH)
    assert (len(ids), info["hasNextPage"]) == (25, True)
    rest, info = await list_ids(gateway, first=35, after=info["endCursor"], **MARCH)
    assert (len(rest), info["hasNextPage"]) == (35, False)
    assert len(set(ids + rest)) == 60
    assert calls(sandbox) == [
        page(1, 100, **MARCH_MS),
        page(2, 25, **MARCH_MS),
        page(2, 25, **MARCH_MS),
        page(3, 25, **MARCH_MS),
    ]


async def test_no_range_is_the_current_month(gateway: Gateway, sandbox: Sandbox) -> None:
    ids, info = await list_ids(gateway)
    assert (ids, info["hasNextPage"]) == (list(range(1101, 1109)), False)
    # 8 is below Kona's documented default page size (25), so it cannot be the cap: no probe.
    assert calls(sandbox) == [page(1, 100)]


async def test_order_by_is_sent_and_followed(gateway: Gateway, sandbox: Sandbox) -> None:
    data = await gateway.data(
        "{ konaCalendarEvents(first: 5, orderBy: UPDATED_AT) "
        "{ nodes { ... on KonaCalendarEvent { updatedAt } } } }"
    )
    stamps = [node["updatedAt"] for node in data["konaCalendarEvents"]["nodes"]]
    assert stamps == sorted(stamps, reverse=True)
    assert calls(sandbox) == [page(1, 100, order_by="updated_at")]


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"start": MARCH["start"]}, "dateRangeEnd"),
        ({"end": MARCH["end"]}, "dateRangeStart"),
        ({"start": MARCH["end"], "end": MARCH["start"]}, "dateRangeEnd"),
        ({"first": -1}, "first"),
        ({"after": "bm90IG91cnM"}, "after"),
    ],
    ids=["start-only", "end-only", "reversed", "negative-first", "foreign-cursor"],
)
async def test_bad_list_arguments_are_refused_before_any_call(
    gateway: Gateway, sandbox: Sandbox, variables: dict[str, Any], field: str
) -> None:
    body = await gateway.query(LIST, variables)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": [field]}
    assert sandbox.calls("kona") == []


async def test_sixty_events_with_space_and_creator_cost_seven_calls(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    data = await gateway.data(
        """query($start: DateTime, $end: DateTime) {
          konaCalendarEvents(dateRangeStart: $start, dateRangeEnd: $end, first: 100) {
            nodes { ... on KonaCalendarEvent { space { id name category } creator { id name email } } }
          }
        }""",
        MARCH,
    )
    nodes = data["konaCalendarEvents"]["nodes"]
    assert len(nodes) == 60
    assert {node["space"]["name"] for node in nodes} == {"Product Launch", "Engineering", "Customer Success"}
    assert {node["creator"]["id"] for node in nodes} == {
        encode_id("kona", user, kind="user") for user in (101, 102, 103, 104)
    }
    assert nodes[0]["creator"] == {
        "id": encode_id("kona", 101, kind="user"),
        "name": "Ada Lovelace",
        "email": "ada@example.com",
    }
    assert {node["space"]["id"] for node in nodes} == {
        encode_id("kona", space, kind="space") for space in (201, 202, 203)
    }
    assert nodes[0]["space"]["category"] == "WORK"
    made = calls(sandbox)
    assert made[:2] == [page(1, 100, **MARCH_MS), page(2, 60, **MARCH_MS)]
    # Three distinct spaces: one list page holds them all. Creators go by id, once each.
    assert sorted(made[2:]) == [
        ("GET", "/api/spaces", {"page": "1", "per_page": "100"}),
        *[("GET", f"/api/users/{user}", {}) for user in (101, 102, 103, 104)],
    ]


async def test_node_maps_every_field_and_fetches_space_and_creator_by_id(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    data = await gateway.data(
        "query($id: ID!) { node(id: $id) { ... on KonaCalendarEvent { space { name } creator { name } } } }",
        {"id": gid(1003)},
    )
    assert data["node"] == {"space": {"name": "Customer Success"}, "creator": {"name": "Grace Hopper"}}
    assert sorted((c.method, c.path) for c in sandbox.calls("kona")) == [
        ("GET", f"{EVENTS}/1003"),
        ("GET", "/api/spaces/203"),
        ("GET", "/api/users/102"),
    ]


async def test_timed_event_maps_onto_the_event_interface(gateway: Gateway, sandbox: Sandbox) -> None:
    event = (await gateway.data(NODE, {"id": gid(1001)}))["node"]
    raw = event.pop("raw")
    assert event == {
        "id": gid(1001), "provider": "KONA", "providerId": "1001",
        "title": "Design review 1", "name": "Design review 1",
        "description": "Agenda item 1.", "details": "Agenda item 1.",
        "startsAt": "2024-03-01T08:00:00+00:00", "startAt": "2024-03-01T08:00:00+00:00",
        "endsAt": "2024-03-01T08:30:00+00:00", "endAt": "2024-03-01T08:30:00+00:00",
        "timezone": "UTC", "allDay": False, "startDate": None, "endDate": None,
        "url": None, "href": raw["href"], "location": "Room 1", "spaceId": 201, "creatorId": 101,
        "status": "ENDED", "konaStatus": "IN_PROGRESS", "visibility": "PUBLIC", "stakeholder": "GROUP",
        "defaultRole": "EDITOR",
        "tags": [], "createdAt": "2024-01-31T00:00:00+00:00", "updatedAt": "2024-02-25T00:00:00+00:00",
        "icsFeedId": None, "seriesId": None, "numInSeries": None, "period": None, "frequency": None,
        "selDays": None, "seriesEndAt": None, "externalObject": None,
    }  # fmt: skip
    assert raw["href"].endswith(f"/kona{EVENTS}/1001")
    assert raw["start_at"] == ms("2024-03-01T08:00:00+00:00")
    call = only_call(sandbox)
    assert (call.method, call.path, call.query) == ("GET", f"{EVENTS}/1001", {})


@pytest.mark.parametrize(
    ("event_id", "expected"),
    [
        (1012, {"allDay": True, "startDate": "2024-03-07", "endDate": "2024-03-07"}),
        (1015, {"konaStatus": "COMPLETE"}),
        (1016, {"konaStatus": "PENDING"}),
        (1025, {"konaStatus": "GROUP_CLOSED"}),
        (1020, {"stakeholder": "EVERYONE", "tags": ["everyone"]}),
        (1005, {"defaultRole": "VIEWER", "creatorId": 102}),
        (1008, {"defaultRole": "COLLABORATION_COMPLETE"}),
        (1009, {"visibility": "PARTICIPANTS_ONLY"}),
        (1010, {"icsFeedId": 7001, "tags": ["imported", "ics"]}),
        (1063, {"seriesId": 1061, "numInSeries": 3, "period": "WEEK", "frequency": "EVERY",
                "selDays": ["MONDAY"], "seriesEndAt": "2024-04-22T10:30:00+00:00"}),
    ],
)  # fmt: skip
async def test_integer_codes_read_as_enums(gateway: Gateway, event_id: int, expected: dict[str, Any]) -> None:
    event = (await gateway.data(NODE, {"id": gid(event_id)}))["node"]
    assert {key: event[key] for key in expected} == expected


async def test_nth_instance_of_a_series(gateway: Gateway, sandbox: Sandbox) -> None:
    data = await gateway.data(INSTANCE, {"id": gid(1062), "n": 6})
    assert data["konaCalendarEvent"] == {
        "providerId": "1066",
        "seriesId": 1061,
        "numInSeries": 6,
        "startsAt": "2024-04-08T10:00:00+00:00",
    }
    call = only_call(sandbox)
    assert (call.path, call.query) == (f"{EVENTS}/1062", {"num_in_series": "6"})


async def test_missing_series_instance_is_null_with_not_found(gateway: Gateway) -> None:
    body = await gateway.query(INSTANCE, {"id": gid(1061), "n": 9})
    assert body["data"]["konaCalendarEvent"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    body = await gateway.query(INSTANCE, {"id": gid(1061), "n": 0})
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": ["numInSeries"]}


async def test_nodes_deduplicate_ids(gateway: Gateway, sandbox: Sandbox) -> None:
    ids = [gid(1001), gid(1002), gid(1001)]
    data = await gateway.data("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert [node["id"] for node in data["nodes"]] == ids
    assert sorted(c.path for c in sandbox.calls("kona")) == [f"{EVENTS}/1001", f"{EVENTS}/1002"]


@pytest.mark.parametrize("event_id", [999999, 1090], ids=["unknown", "participants-only"])
async def test_unknown_or_invisible_event_is_null_with_not_found(gateway: Gateway, event_id: int) -> None:
    body = await gateway.query(NODE, {"id": gid(event_id)})
    assert body["data"]["node"] is None
    [error] = body["errors"]
    assert (error["extensions"]["code"], error["extensions"]["provider"]) == ("NOT_FOUND", "KONA")


@pytest.mark.parametrize("raw_id", ["kona:abc", "kona:1001:2", "kona:", "kona:-1", "not base64 !"])
async def test_malformed_ids_are_refused_before_any_call(
    gateway: Gateway, sandbox: Sandbox, raw_id: str
) -> None:
    value = raw_id if " " in raw_id else base64.urlsafe_b64encode(raw_id.encode()).decode()
    for query in (NODE, INSTANCE):
        body = await gateway.query(query, {"id": value})
        assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": ["id"]}
    data = await gateway.data(DELETE, {"id": value})
    assert data["deleteKonaCalendarEvent"]["userErrors"][0]["field"] == ["id"]
    assert sandbox.calls("kona") == []


def new_event(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Launch party",
        "startAt": "2024-06-20T10:00:00+02:00",
        "endAt": "2024-06-20T12:00:00+02:00",
    }
    return values | overrides


async def test_create_sends_the_envelope_in_ms_and_codes(gateway: Gateway, sandbox: Sandbox) -> None:
    event = new_event(
        location="Roof", details="Bring snacks.", allDay=False, spaceId=202, participantIds=[102, 103],
        editorIds=[104], status="PENDING", visibility="PARTICIPANTS_ONLY", stakeholder="EVERYONE",
        defaultRole="VIEWER", period="WEEK", frequency="EVERY_OTHER", selDays=["THURSDAY"],
        seriesEndAt="2024-08-01T00:00:00Z", externalObject={"externalId": "T-1", "name": "Ticket 1"},
    )  # fmt: skip
    payload = (await gateway.data(CREATE, {"input": event}))["createKonaCalendarEvent"]
    assert payload == {
        "event": {
            "providerId": "2001", "name": "Launch party", "location": "Roof", "konaStatus": "PENDING",
            "startsAt": "2024-06-20T08:00:00+00:00", "selDays": ["THURSDAY"],
            "externalObject": {"externalId": "T-1", "name": "Ticket 1", "url": None},
        },
        "userErrors": [],
    }  # fmt: skip
    call = only_call(sandbox)
    assert (call.method, call.path, call.headers["Content-Type"]) == ("POST", EVENTS, "application/json")
    assert call.body == {
        "calendar_events": [
            {
                "name": "Launch party", "start_at": 1718870400000, "end_at": 1718877600000,
                "location": "Roof", "details": "Bring snacks.", "all_day": False, "space_id": 202,
                "participant_ids": [102, 103], "editor_ids": [104], "status": 0, "visibility": 1,
                "stakeholder": 2, "default_role": 2, "period": 2, "frequency": 2, "sel_days": 4,
                "series_end_at": ms("2024-08-01T00:00:00+00:00"),
                "external_object": {"id": "T-1", "name": "Ticket 1"},
            }
        ]
    }  # fmt: skip
    fetched = await gateway.data(NODE, {"id": gid(2001)})
    assert (fetched["node"]["seriesId"], fetched["node"]["creatorId"]) == (2001, 101)


async def test_create_reports_every_invalid_field_without_calling(gateway: Gateway, sandbox: Sandbox) -> None:
    bad = new_event(name="  ", endAt="2024-06-20T09:59:59+02:00", selDays=["MONDAY", "FRIDAY"])
    payload = (await gateway.data(CREATE, {"input": bad}))["createKonaCalendarEvent"]
    assert payload["event"] is None
    assert {(tuple(e["field"]), e["code"]) for e in payload["userErrors"]} == {
        (("input", "name"), "BAD_USER_INPUT"),
        (("input", "endAt"), "BAD_USER_INPUT"),
        (("input", "selDays"), "BAD_USER_INPUT"),
    }
    assert sandbox.calls("kona") == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"spaceId": 999}, "spaceId"), ({"participantIds": [101, 999]}, "participantIds")],
)
async def test_kona_422_names_the_input_field(
    gateway: Gateway, sandbox: Sandbox, overrides: dict[str, Any], field: str
) -> None:
    payload = (await gateway.data(CREATE, {"input": new_event(**overrides)}))["createKonaCalendarEvent"]
    [error] = payload["userErrors"]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", ["input", field])
    assert "999" in error["message"]
    assert only_call(sandbox).method == "POST"


async def test_update_puts_only_the_given_fields(gateway: Gateway, sandbox: Sandbox) -> None:
    changes = {"name": "Renamed", "location": None, "status": "COMPLETE", "externalObject": None}
    payload = (await gateway.data(UPDATE, {"id": gid(1001), "input": changes}))["updateKonaCalendarEvent"]
    assert payload["userErrors"] == []
    assert (payload["event"]["name"], payload["event"]["location"], payload["event"]["konaStatus"]) == (
        "Renamed",
        None,
        "COMPLETE",
    )
    call = only_call(sandbox)
    assert (call.method, call.path) == ("PUT", f"{EVENTS}/1001")
    assert call.body == {
        "calendar_events": [{"name": "Renamed", "location": None, "status": 2, "external_object": {}}]
    }


async def test_update_ending_before_the_stored_start_is_kona_422_on_end_at(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    payload = (await gateway.data(UPDATE, {"id": gid(1001), "input": {"endAt": "2024-03-01T07:00:00Z"}}))[
        "updateKonaCalendarEvent"
    ]
    [error] = payload["userErrors"]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", ["input", "endAt"])
    assert only_call(sandbox).body == {"calendar_events": [{"end_at": ms("2024-03-01T07:00:00+00:00")}]}


async def test_empty_update_is_refused_without_calling(gateway: Gateway, sandbox: Sandbox) -> None:
    payload = (await gateway.data(UPDATE, {"id": gid(1001), "input": {}}))["updateKonaCalendarEvent"]
    assert payload["userErrors"][0]["field"] == ["input"]
    assert sandbox.calls("kona") == []


@pytest.mark.parametrize("event_id", [1005, 1008])
async def test_changing_a_locked_event_is_forbidden(
    gateway: Gateway, sandbox: Sandbox, event_id: int
) -> None:
    updated = await gateway.data(UPDATE, {"id": gid(event_id), "input": {"name": "Mine"}})
    deleted = await gateway.data(DELETE, {"id": gid(event_id)})
    for payload in (updated["updateKonaCalendarEvent"], deleted["deleteKonaCalendarEvent"]):
        [error] = payload["userErrors"]
        assert error["code"] == "FORBIDDEN"
        assert f"You may not change calendar event {event_id}" in error["message"]
    assert [call.method for call in sandbox.calls("kona")] == ["PUT", "DELETE"]


async def test_delete_then_the_event_is_gone(gateway: Gateway, sandbox: Sandbox) -> None:
    data = await gateway.data(DELETE, {"id": gid(1007)})  # default_role viewer, but Ada is an editor
    assert data["deleteKonaCalendarEvent"] == {"deletedId": gid(1007), "userErrors": []}
    call = only_call(sandbox)
    assert (call.method, call.path, call.body) == ("DELETE", f"{EVENTS}/1007", None)
    body = await gateway.query(NODE, {"id": gid(1007)})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_delete_of_an_unknown_event_is_not_found(gateway: Gateway) -> None:
    data = await gateway.data(DELETE, {"id": gid(999999)})
    assert data["deleteKonaCalendarEvent"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_id_of_another_provider_is_refused_by_kona_mutations(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    data = await gateway.data(UPDATE, {"id": encode_id("strigo", "abc"), "input": {"name": "x"}})
    [error] = data["updateKonaCalendarEvent"]["userErrors"]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", ["id"])
    assert sandbox.calls("kona") == []


async def test_refused_token_is_upstream_unauthorized(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, kona_access_token="tok-4f9a1c2e")) as gateway:
        body = await gateway.query(LIST)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "UPSTREAM_UNAUTHORIZED", "provider": "KONA"}
    assert "tok-4f9a1c2e" not in str(body)
    [call] = sandbox.calls("kona")
    assert call.headers["Authorization"] == "Bearer tok-4f9a1c2e"


async def test_not_configured_provider_says_so(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, kona_access_token="")) as gateway:
        body = await gateway.query(LIST)
    assert body["errors"][0]["extensions"] == {"code": "PROVIDER_NOT_CONFIGURED", "provider": "KONA"}


FEDERATED = """query($filter: EventFilter, $first: Int, $after: String) {
  events(filter: $filter, first: $first, after: $after) {
    edges { node { providerId startsAt } } pageInfo { hasNextPage endCursor }
  }
}"""


async def test_federated_window_is_pushed_down_and_paging_stops_early(
    gateway: Gateway, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(emulator, "MAX_PER_PAGE", 25)
    window = {
        "providers": ["KONA"],
        "startsAfter": "2024-03-01T00:00:00Z",
        "startsBefore": "2024-04-01T00:00:00Z",
    }
    data = await gateway.data(FEDERATED, {"filter": window, "first": 30})
    nodes = [edge["node"] for edge in data["events"]["edges"]]
    assert len(nodes) == 30
    assert [node["startsAt"] for node in nodes] == sorted(node["startsAt"] for node in nodes)
    assert data["events"]["pageInfo"]["hasNextPage"] is True
    bounds = {"date_range_start": "1709251200000", "date_range_end": "1711929600000"}
    # 31 events are needed (one to know there are more): two pages of 25 cover them, the third is skipped.
    assert calls(sandbox) == [page(1, 100, **bounds), page(2, 25, **bounds)]

    sandbox.log.clear()
    after = data["events"]["pageInfo"]["endCursor"]
    rest = await gateway.data(FEDERATED, {"filter": window, "first": 50, "after": after})
    assert len(rest["events"]["edges"]) == 30
    assert {n["providerId"] for n in nodes}.isdisjoint(
        e["node"]["providerId"] for e in rest["events"]["edges"]
    )
    assert calls(sandbox)[0][2]["date_range_start"] == str(ms(nodes[-1]["startsAt"]))


async def test_federated_open_window_drops_nothing(gateway: Gateway, sandbox: Sandbox) -> None:
    far = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3 * 365)
    made = await gateway.data(
        CREATE, {"input": {"name": "Far future", "startAt": far.isoformat(), "endAt": far.isoformat()}}
    )
    assert made["createKonaCalendarEvent"]["userErrors"] == []
    sandbox.log.clear()
    # Both sides open: from the first event Kona has, a side is never cut a year away.
    data = await gateway.data(FEDERATED, {"filter": {"providers": ["KONA"]}, "first": 3})
    assert [edge["node"]["providerId"] for edge in data["events"]["edges"]] == ["1001", "1002", "1003"]
    query = calls(sandbox)[0][2]
    assert (query["date_range_start"], query["date_range_end"]) == (
        str(ms("1973-03-04T00:00:00+00:00")),
        str(ms("9999-12-31T23:59:59.999+00:00")),
    )
    # One side open: three years ahead is still there.
    later = {"providers": ["KONA"], "startsAfter": (far - timedelta(days=1)).isoformat()}
    data = await gateway.data(FEDERATED, {"filter": later, "first": 5})
    assert [edge["node"]["startsAt"] for edge in data["events"]["edges"]] == [far.isoformat()]
    assert data["events"]["pageInfo"]["hasNextPage"] is False
    # The other side open: March 2024, years before now, is still there.
    earlier = {"providers": ["KONA"], "startsBefore": "2024-03-02T00:00:00Z"}
    data = await gateway.data(FEDERATED, {"filter": earlier, "first": 50})
    assert [edge["node"]["providerId"] for edge in data["events"]["edges"]] == ["1001", "1002"]
