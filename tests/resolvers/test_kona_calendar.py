"""Kona's calendar edge days, table-driven, against both ways Kona may store a recurring series.

Each case creates its events through the gateway in an account zone (`KONA_TIMEZONE`, the emulator
keeping the same zone), then reads the federated `events` window: all-day events across both
daylight-saving changes of America/New_York, at +14:00 and -12:00, spanning several days, a timed
event across midnight, a series across a DST change, a series ending at `series_end_at`, and an
instance Kona moved. Every occurrence is also fetched again by its id.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from aiohttp import web

from gateway.sandbox import kona
from gateway.sandbox.kona_state import STATE, KonaState
from gateway.sandbox.recorder import CallLog
from tests.harness import Gateway, Sandbox, running_gateway, running_sandbox, settings_for

MODELS = (kona.INSTANCES, kona.FIRST)
CREATE = """mutation($input: CreateKonaCalendarEventInput!) {
  createKonaCalendarEvent(input: $input) { event { id providerId } userErrors { field message code } }
}"""
FIELDS = "id startsAt endsAt allDay startDate endDate timezone series { id firstId index rule }"
EVENTS = f"""query($filter: EventFilter) {{
  events(filter: $filter, first: 50) {{ edges {{ node {{ {FIELDS} }} }} }}
}}"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Event {{ {FIELDS} }} }} }}"
SERIES_NODE = "query($id: ID!) { node(id: $id) { ... on EventSeries { id firstId index rule } } }"


@dataclass
class Stand:
    """The gateway on a sandbox whose Kona account is in one zone and stores series one way."""

    gateway: Gateway
    sandbox: Sandbox
    state: KonaState


@asynccontextmanager
async def kona_stand(model: str, zone: str) -> AsyncIterator[Stand]:
    made: list[web.Application] = []

    def kona_app(log: CallLog) -> web.Application:
        made.append(kona.create_app(log, recurrence=model, timezone=zone))
        return made[-1]

    async with running_sandbox({"kona": kona_app}) as sandbox:
        settings = settings_for(sandbox, kona_timezone=zone)
        async with running_gateway(settings) as gateway:
            yield Stand(gateway, sandbox, made[0][STATE])


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)


def occurrence(starts: str, ends: str, **more: Any) -> dict[str, Any]:
    return {"startsAt": starts, "endsAt": ends, "allDay": False, "startDate": None, "endDate": None} | more


def whole_days(first: str, last: str, starts: str, ends: str) -> dict[str, Any]:
    return {"startsAt": starts, "endsAt": ends, "allDay": True, "startDate": first, "endDate": last}


@dataclass(frozen=True)
class Case:
    name: str
    zone: str
    create: dict[str, Any]
    window: tuple[str, str]
    expected: list[dict[str, Any]]
    #: What Kona must have received: (start_at, end_at, all_day) of the created event.
    stored: tuple[int, int, bool] | None = None
    #: An instance moved on its own after creation: (number, start, end).
    move: tuple[int, str, str] | None = None
    rule: str | None = None


NY = "America/New_York"
CASES = [
    Case(
        "all-day across the March DST change", NY,
        {"startDate": "2030-03-09", "endDate": "2030-03-11"},
        ("2030-03-01T00:00:00Z", "2030-04-01T00:00:00Z"),
        [whole_days("2030-03-09", "2030-03-11", "2030-03-09T00:00:00-05:00", "2030-03-12T00:00:00-04:00")],
        stored=(ms("2030-03-09T05:00:00Z"), ms("2030-03-12T04:00:00Z") - 1, True),
    ),
    Case(
        "all-day across the November DST change", NY,
        {"startDate": "2030-11-02", "endDate": "2030-11-04"},
        ("2030-11-01T00:00:00Z", "2030-12-01T00:00:00Z"),
        [whole_days("2030-11-02", "2030-11-04", "2030-11-02T00:00:00-04:00", "2030-11-05T00:00:00-05:00")],
        stored=(ms("2030-11-02T04:00:00Z"), ms("2030-11-05T05:00:00Z") - 1, True),
    ),
    Case(
        "all-day at +14:00", "Pacific/Kiritimati",
        {"startDate": "2030-02-10", "endDate": "2030-02-10"},
        ("2030-02-01T00:00:00Z", "2030-03-01T00:00:00Z"),
        [whole_days("2030-02-10", "2030-02-10", "2030-02-10T00:00:00+14:00", "2030-02-11T00:00:00+14:00")],
        stored=(ms("2030-02-09T10:00:00Z"), ms("2030-02-10T10:00:00Z") - 1, True),
    ),
    Case(
        "all-day at -12:00", "Etc/GMT+12",
        {"startDate": "2030-02-10", "endDate": "2030-02-10"},
        ("2030-02-01T00:00:00Z", "2030-03-01T00:00:00Z"),
        [whole_days("2030-02-10", "2030-02-10", "2030-02-10T00:00:00-12:00", "2030-02-11T00:00:00-12:00")],
        stored=(ms("2030-02-10T12:00:00Z"), ms("2030-02-11T12:00:00Z") - 1, True),
    ),
    Case(
        "all-day given as a local midnight at +09:00", "Asia/Tokyo",
        {"allDay": True, "startAt": "2030-02-10T00:00:00+09:00", "endAt": "2030-02-11T00:00:00+09:00"},
        ("2030-02-01T00:00:00Z", "2030-03-01T00:00:00Z"),
        [whole_days("2030-02-10", "2030-02-10", "2030-02-10T00:00:00+09:00", "2030-02-11T00:00:00+09:00")],
        stored=(ms("2030-02-09T15:00:00Z"), ms("2030-02-10T15:00:00Z") - 1, True),
    ),
    Case(
        "multi-day all-day", NY,
        {"startDate": "2030-07-01", "endDate": "2030-07-05"},
        ("2030-07-01T00:00:00Z", "2030-08-01T00:00:00Z"),
        [whole_days("2030-07-01", "2030-07-05", "2030-07-01T00:00:00-04:00", "2030-07-06T00:00:00-04:00")],
    ),
    Case(
        "timed event across midnight", "Europe/Berlin",
        {"startAt": "2030-06-30T23:00:00+02:00", "endAt": "2030-07-01T01:30:00+02:00"},
        ("2030-06-01T00:00:00Z", "2030-08-01T00:00:00Z"),
        [occurrence("2030-06-30T21:00:00+00:00", "2030-06-30T23:30:00+00:00")],
        stored=(ms("2030-06-30T21:00:00Z"), ms("2030-06-30T23:30:00Z"), False),
    ),
    Case(
        "weekly series across the March DST change", NY,
        {"startAt": "2030-03-04T10:00:00-05:00", "endAt": "2030-03-04T10:30:00-05:00", "period": "WEEK",
         "frequency": "EVERY", "selDays": ["MONDAY"], "seriesEndAt": "2030-03-18T10:30:00-04:00"},
        ("2030-03-01T00:00:00Z", "2030-04-01T00:00:00Z"),
        [occurrence("2030-03-04T15:00:00+00:00", "2030-03-04T15:30:00+00:00", index=1),
         occurrence("2030-03-11T14:00:00+00:00", "2030-03-11T14:30:00+00:00", index=2),
         occurrence("2030-03-18T14:00:00+00:00", "2030-03-18T14:30:00+00:00", index=3)],
        rule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20300318T143000Z",
    ),
    Case(
        "daily series ending at seriesEndAt", "Europe/Berlin",
        {"startAt": "2030-05-01T09:00:00+02:00", "endAt": "2030-05-01T10:00:00+02:00", "period": "DAY",
         "frequency": "EVERY", "seriesEndAt": "2030-05-03T12:00:00+02:00"},
        ("2030-04-01T00:00:00Z", "2030-07-01T00:00:00Z"),
        [occurrence(f"2030-05-0{day}T07:00:00+00:00", f"2030-05-0{day}T08:00:00+00:00", index=day)
         for day in (1, 2, 3)],
        rule="FREQ=DAILY;UNTIL=20300503T100000Z",
    ),
    Case(
        "a moved instance, in a window holding both its times", NY,
        {"startAt": "2030-09-02T10:00:00-04:00", "endAt": "2030-09-02T10:30:00-04:00", "period": "WEEK",
         "frequency": "EVERY", "seriesEndAt": "2030-09-23T10:30:00-04:00"},
        ("2030-09-01T00:00:00Z", "2030-10-01T00:00:00Z"),
        [occurrence("2030-09-02T14:00:00+00:00", "2030-09-02T14:30:00+00:00", index=1),
         occurrence("2030-09-10T16:00:00+00:00", "2030-09-10T16:30:00+00:00", index=2),
         occurrence("2030-09-16T14:00:00+00:00", "2030-09-16T14:30:00+00:00", index=3),
         occurrence("2030-09-23T14:00:00+00:00", "2030-09-23T14:30:00+00:00", index=4)],
        move=(2, "2030-09-10T12:00:00-04:00", "2030-09-10T12:30:00-04:00"),
        rule="FREQ=WEEKLY;UNTIL=20300923T143000Z",
    ),
    Case(
        "a moved instance, in a window holding only its old time", NY,
        {"startAt": "2030-09-02T10:00:00-04:00", "endAt": "2030-09-02T10:30:00-04:00", "period": "WEEK",
         "frequency": "EVERY", "seriesEndAt": "2030-09-23T10:30:00-04:00"},
        ("2030-09-09T04:00:00Z", "2030-09-10T04:00:00Z"),
        [],
        move=(2, "2030-09-10T12:00:00-04:00", "2030-09-10T12:30:00-04:00"),
    ),
    Case(
        "a moved instance, in a window holding only its new time", NY,
        {"startAt": "2030-09-02T10:00:00-04:00", "endAt": "2030-09-02T10:30:00-04:00", "period": "WEEK",
         "frequency": "EVERY", "seriesEndAt": "2030-09-23T10:30:00-04:00"},
        ("2030-09-10T04:00:00Z", "2030-09-11T04:00:00Z"),
        [occurrence("2030-09-10T16:00:00+00:00", "2030-09-10T16:30:00+00:00", index=2)],
        move=(2, "2030-09-10T12:00:00-04:00", "2030-09-10T12:30:00-04:00"),
        rule="FREQ=WEEKLY;UNTIL=20300923T143000Z",
    ),
]  # fmt: skip


def _shown(node: dict[str, Any]) -> dict[str, Any]:
    shown = {key: node[key] for key in ("startsAt", "endsAt", "allDay", "startDate", "endDate")}
    return shown | ({"index": node["series"]["index"]} if node["series"] else {})


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_edge_days(case: Case, model: str) -> None:
    async with kona_stand(model, case.zone) as stand:
        made = await stand.gateway.data(CREATE, {"input": {"name": case.name} | case.create})
        assert made["createKonaCalendarEvent"]["userErrors"] == []
        created = int(made["createKonaCalendarEvent"]["event"]["providerId"])
        if case.stored is not None:
            body = stand.sandbox.calls("kona")[-1].body["calendar_events"][0]
            assert (body["start_at"], body["end_at"], body.get("all_day", False)) == case.stored
        if case.move is not None:
            number, start, end = case.move
            kona.move_instance(stand.state, created, number, ms(start), ms(end))
        window = {"providers": ["KONA"], "startsAfter": case.window[0], "startsBefore": case.window[1]}
        data = await stand.gateway.data(EVENTS, {"filter": window})
        nodes = [edge["node"] for edge in data["events"]["edges"]]
        assert [_shown(node) for node in nodes] == case.expected
        assert {node["timezone"] for node in nodes} <= {case.zone}
        assert len({node["id"] for node in nodes}) == len(nodes)
        assert {node["series"]["rule"] for node in nodes if node["series"]} <= {case.rule}
        places = [node["series"] for node in nodes if node["series"]]
        assert len({place["firstId"] for place in places}) <= 1
        # One place per occurrence: a normalised cache keyed by `id` keeps each occurrence's index.
        assert len({place["id"] for place in places}) == len(places)
        assert all(place["id"] == place["firstId"] for place in places if place["index"] == 1)
        for node in nodes:  # every occurrence is one `node` answers, in a request of its own
            assert (await stand.gateway.data(NODE, {"id": node["id"]}))["node"] == node
        for place in places:  # and so is its place in the series
            assert (await stand.gateway.data(SERIES_NODE, {"id": place["id"]}))["node"] == place


INSTANCE = """query($id: ID!, $n: Int) {
  konaCalendarEvent(id: $id, numInSeries: $n) { id startsAt series { index } }
}"""


@pytest.mark.parametrize("model", MODELS)
async def test_a_series_made_through_the_gateway_has_every_instance(model: str) -> None:
    weekly = CASES[7]
    async with kona_stand(model, weekly.zone) as stand:
        made = await stand.gateway.data(CREATE, {"input": {"name": "Stand-up"} | weekly.create})
        first = made["createKonaCalendarEvent"]["event"]["id"]
        third = await stand.gateway.data(INSTANCE, {"id": first, "n": 3})
        assert third["konaCalendarEvent"]["startsAt"] == "2030-03-18T14:00:00+00:00"
        assert third["konaCalendarEvent"]["series"] == {"index": 3}
        again = await stand.gateway.data(NODE, {"id": third["konaCalendarEvent"]["id"]})
        assert again["node"]["startsAt"] == "2030-03-18T14:00:00+00:00"
        beyond = await stand.gateway.query(INSTANCE, {"id": first, "n": 4})
        assert beyond["data"]["konaCalendarEvent"] is None
        assert beyond["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("model", MODELS)
async def test_an_open_ended_series_pages_without_repeats(model: str) -> None:
    endless: dict[str, Any] = {
        "name": "Daily check-in", "startAt": "2030-01-01T09:00:00+01:00",
        "endAt": "2030-01-01T09:15:00+01:00", "period": "DAY", "frequency": "EVERY",
    }  # fmt: skip
    query = """query($filter: EventFilter, $after: String) {
      events(filter: $filter, first: 7, after: $after) {
        edges { node { id startsAt series { index } } } pageInfo { hasNextPage endCursor }
      }
    }"""
    async with kona_stand(model, "Europe/Berlin") as stand:
        await stand.gateway.data(CREATE, {"input": endless})
        window = {"providers": ["KONA"], "startsAfter": "2030-01-01T00:00:00Z"}
        seen: list[int] = []
        after = None
        for _ in range(3):
            data = await stand.gateway.data(query, {"filter": window, "after": after})
            seen.extend(edge["node"]["series"]["index"] for edge in data["events"]["edges"])
            assert data["events"]["pageInfo"]["hasNextPage"] is True
            after = data["events"]["pageInfo"]["endCursor"]
        assert seen == list(range(1, 22))


async def test_where_kona_stores_every_instance_one_list_call_is_all() -> None:
    weekly = CASES[7]
    async with kona_stand(kona.INSTANCES, weekly.zone) as stand:
        await stand.gateway.data(CREATE, {"input": {"name": "Stand-up"} | weekly.create})
        stand.sandbox.log.clear()
        window = {"providers": ["KONA"], "startsAfter": weekly.window[0], "startsBefore": weekly.window[1]}
        await stand.gateway.data(EVENTS, {"filter": window})
        assert [call.path for call in stand.sandbox.calls("kona")] == ["/api/calendar_events"]


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"startDate": "2030-02-10"}, "endDate"),
        ({"endDate": "2030-02-10"}, "startDate"),
        ({"startDate": "2030-02-10", "endDate": "2030-02-09"}, "endDate"),
        ({"startDate": "2030-02-10", "endDate": "2030-02-10", "startAt": "2030-02-10T09:00:00Z"}, "startAt"),
        ({"startDate": "2030-02-10", "endDate": "2030-02-10", "endAt": "2030-02-10T09:00:00Z"}, "endAt"),
        ({"startDate": "2030-02-10", "endDate": "2030-02-10", "allDay": False}, "allDay"),
    ],
)
async def test_day_inputs_are_checked_before_anything_is_sent(
    gateway: Gateway, sandbox: Sandbox, given: dict[str, Any], field: str
) -> None:
    made = await gateway.data(CREATE, {"input": {"name": "Day"} | given})
    errors = made["createKonaCalendarEvent"]["userErrors"]
    assert ["input", field] in [error["field"] for error in errors]
    assert {error["code"] for error in errors} == {"BAD_USER_INPUT"}
    assert sandbox.calls("kona") == []


async def test_create_without_times_takes_konas_default_of_now(gateway: Gateway, sandbox: Sandbox) -> None:
    made = await gateway.data(CREATE, {"input": {"name": "Now", "creatorId": 103}})
    assert made["createKonaCalendarEvent"]["userErrors"] == []
    [call] = sandbox.calls("kona")
    assert call.body == {"calendar_events": [{"name": "Now", "creator_id": 103}]}


async def test_update_and_delete_of_a_missing_event_name_the_id(gateway: Gateway) -> None:
    missing = "a29uYTo5OTk5"  # kona:9999
    update = """mutation($id: ID!) { updateKonaCalendarEvent(id: $id, input: {name: "x"}) {
      userErrors { field code } } }"""
    delete = "mutation($id: ID!) { deleteKonaCalendarEvent(id: $id) { userErrors { field code } } }"
    changed = await gateway.data(update, {"id": missing})
    deleted = await gateway.data(delete, {"id": missing})
    expected = [{"field": ["id"], "code": "NOT_FOUND"}]
    assert (
        changed["updateKonaCalendarEvent"]["userErrors"]
        == deleted["deleteKonaCalendarEvent"]["userErrors"]
        == expected
    )
