"""Schoology's calendar edge days, table-driven: each event read three ways must agree.

Each case creates an event through the gateway in a user's realm whose `tz_name` the case sets, then
reads it from the realm's list (times in the user's zone), the federated `events` query, and `node`
(Schoology's single GET, in UTC): all-day events across both daylight-saving changes of
America/New_York, at +14:00 and -12:00, one given as a local midnight at +09:00, several days, and a
timed event across midnight. (Schoology has no recurring series: the series cases are Kona's.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web

from gateway.ids import decode_id
from gateway.sandbox import schoology
from gateway.sandbox.recorder import CallLog
from gateway.sandbox.schoology_seed import BUSY_SECTION_ID, USER_IDS
from tests.gateway.upstream.hostile_providers import STANDS
from tests.gateway.upstream.hostile_upstream import hostile_upstream, json_reply
from tests.harness import Gateway, Sandbox, running_gateway, running_sandbox, settings_for

USER = USER_IDS[3]
REALM = {"kind": "USER", "providerId": str(USER)}
FIELDS = "id startsAt endsAt allDay startDate endDate timezone url"
CREATE = f"""mutation($realm: SchoologyRealmInput!, $input: CreateSchoologyEventInput!) {{
  createSchoologyEvent(realm: $realm, input: $input) {{
    event {{ {FIELDS} start }} userErrors {{ field message code }} }}
}}"""
LIST = f"""query($realm: SchoologyRealmInput!) {{
  schoologyEvents(realm: $realm, first: 200) {{ nodes {{ {FIELDS} title }} }}
}}"""
EVENTS = f"""query($filter: EventFilter) {{
  events(filter: $filter, first: 50) {{ nodes {{ {FIELDS} }} }}
}}"""
UPDATE = f"""mutation($id: ID!, $input: UpdateSchoologyEventInput!) {{
  updateSchoologyEvent(id: $id, input: $input) {{ event {{ {FIELDS} }} userErrors {{ field }} }}
}}"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Event {{ {FIELDS} }} }} }}"


@dataclass
class Stand:
    gateway: Gateway
    sandbox: Sandbox


@asynccontextmanager
async def user_in(zone: str) -> AsyncIterator[Stand]:
    """The gateway on a sandbox whose user `USER` lives in `zone` (the school stays in New York)."""

    def schoology_app(log: CallLog) -> web.Application:
        app = schoology.create_app(log)
        app[schoology.STATE].realms[("users", USER)]["tz_name"] = zone
        return app

    async with running_sandbox({"schoology": schoology_app}) as sandbox:
        settings = settings_for(sandbox, schoology_realms=f"users/{USER}")
        async with running_gateway(settings) as gateway:
            yield Stand(gateway, sandbox)


def days(first: str, last: str, starts: str, ends: str) -> dict[str, Any]:
    return {"startsAt": starts, "endsAt": ends, "allDay": True, "startDate": first, "endDate": last}


@dataclass(frozen=True)
class Case:
    name: str
    zone: str
    create: dict[str, Any]
    expected: dict[str, Any]
    #: What Schoology must have received: start, has_end, end, all_day.
    sent: tuple[str, int, str | None, int]


NY = "America/New_York"
CASES = [
    Case(
        "all-day across the March DST change", NY, {"startDate": "2030-03-09", "endDate": "2030-03-11"},
        days("2030-03-09", "2030-03-11", "2030-03-09T00:00:00-05:00", "2030-03-12T00:00:00-04:00"),
        ("2030-03-09 00:00:00", 1, "2030-03-11 00:00:00", 1),
    ),
    Case(
        "all-day across the November DST change", NY, {"startDate": "2030-11-02", "endDate": "2030-11-04"},
        days("2030-11-02", "2030-11-04", "2030-11-02T00:00:00-04:00", "2030-11-05T00:00:00-05:00"),
        ("2030-11-02 00:00:00", 1, "2030-11-04 00:00:00", 1),
    ),
    Case(
        "all-day at +14:00", "Pacific/Kiritimati", {"startDate": "2030-02-10", "endDate": "2030-02-10"},
        days("2030-02-10", "2030-02-10", "2030-02-10T00:00:00+14:00", "2030-02-11T00:00:00+14:00"),
        ("2030-02-10 00:00:00", 0, None, 1),
    ),
    Case(
        "all-day at -12:00", "Etc/GMT+12", {"startDate": "2030-02-10", "endDate": "2030-02-10"},
        days("2030-02-10", "2030-02-10", "2030-02-10T00:00:00-12:00", "2030-02-11T00:00:00-12:00"),
        ("2030-02-10 00:00:00", 0, None, 1),
    ),
    Case(
        "all-day given as a local midnight at +09:00", NY,
        {"allDay": True, "start": "2030-02-10T00:00:00+09:00"},
        days("2030-02-10", "2030-02-10", "2030-02-10T00:00:00-05:00", "2030-02-11T00:00:00-05:00"),
        ("2030-02-10 00:00:00", 0, None, 1),
    ),
    Case(
        "multi-day all-day", "Asia/Tokyo", {"startDate": "2030-07-01", "endDate": "2030-07-05"},
        days("2030-07-01", "2030-07-05", "2030-07-01T00:00:00+09:00", "2030-07-06T00:00:00+09:00"),
        ("2030-07-01 00:00:00", 1, "2030-07-05 00:00:00", 1),
    ),
    Case(
        "timed event across midnight", NY,
        {"start": "2030-06-30T23:00:00-04:00", "hasEnd": True, "end": "2030-07-01T01:30:00-04:00"},
        {"startsAt": "2030-06-30T23:00:00-04:00", "endsAt": "2030-07-01T01:30:00-04:00", "allDay": False,
         "startDate": None, "endDate": None},
        ("2030-06-30 23:00:00", 1, "2030-07-01 01:30:00", 0),
    ),
]  # fmt: skip


def _shown(node: dict[str, Any]) -> dict[str, Any]:
    return {key: node[key] for key in ("startsAt", "endsAt", "allDay", "startDate", "endDate")}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_edge_days(case: Case) -> None:
    async with user_in(case.zone) as stand:
        made = await stand.gateway.data(CREATE, {"realm": REALM, "input": {"title": case.name} | case.create})
        payload = made["createSchoologyEvent"]
        assert payload["userErrors"] == []
        sent = stand.sandbox.calls("schoology")[-1].body
        assert (sent["start"], sent.get("has_end", 0), sent.get("end"), sent.get("all_day", 0)) == case.sent
        created = payload["event"]
        listed = (await stand.gateway.data(LIST, {"realm": REALM}))["schoologyEvents"]["nodes"]
        [in_list] = [node for node in listed if node["title"] == case.name]
        window = {"providers": ["SCHOOLOGY"], "startsAfter": "2030-01-01T00:00:00Z"}
        federated = (await stand.gateway.data(EVENTS, {"filter": window}))["events"]["nodes"]
        [in_events] = [node for node in federated if node["id"] == created["id"]]
        alone = (await stand.gateway.data(NODE, {"id": created["id"]}))["node"]
        for read in (created, in_list, in_events, alone):
            assert _shown(read) == case.expected
            page = f"https://app.schoology.com/event/{decode_id(read['id']).parts[-1]}"
            assert (read["timezone"], read["url"]) == (case.zone, page)


async def test_the_docs_list_and_get_of_one_event_agree(sandbox: Sandbox) -> None:
    """Event.md shows "Test Event 1" listed at 18:59:59 and fetched at 23:59:59: one instant, in New
    York and in UTC. Served verbatim, both read as the same all-day 16 December."""
    listed = {
        "id": 5615031, "title": "Test Event 1", "description": "", "start": "2013-12-16 18:59:59",
        "has_end": 0, "end": "", "all_day": 1, "editable": 1, "rsvp": 0, "comments_enabled": 1,
        "type": "event", "realm": "section", "section_id": 3719526, "links": {"self": "http://.../5615031"},
    }  # fmt: skip
    single = {key: value for key, value in listed.items() if key != "links"} | {
        "start": "2013-12-16 23:59:59"
    }
    async with hostile_upstream() as hostile:
        realm = f"/schoology/v1/sections/{BUSY_SECTION_ID}/events"
        hostile.on("GET", realm, json_reply({"event": [listed], "total": 1, "links": {"self": "x"}}))
        hostile.on("GET", f"{realm}/5615031", json_reply(single))
        overrides = STANDS["schoology"].settings(hostile) | {"schoology_timezone": "America/New_York"}
        async with running_gateway(settings_for(sandbox, **overrides)) as gateway:
            section = {"kind": "SECTION", "providerId": str(BUSY_SECTION_ID)}
            [from_list] = (await gateway.data(LIST, {"realm": section}))["schoologyEvents"]["nodes"]
            # In a request of its own, so `node` reads the single GET rather than the primed list item.
            from_get = (await gateway.data(NODE, {"id": from_list["id"]}))["node"]
    assert (
        _shown(from_list)
        == _shown(from_get)
        == days("2013-12-16", "2013-12-16", "2013-12-16T00:00:00-05:00", "2013-12-17T00:00:00-05:00")
    )


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"startDate": "2030-02-10"}, "endDate"),
        ({"endDate": "2030-02-10"}, "startDate"),
        ({"startDate": "2030-02-10", "endDate": "2030-02-09"}, "endDate"),
        ({"startDate": "2030-02-10", "endDate": "2030-02-10", "start": "2030-02-10T09:00:00Z"}, "start"),
        ({"startDate": "2030-02-10", "endDate": "2030-02-10", "allDay": False}, "allDay"),
        ({"startDate": "2030-02-10", "endDate": "2030-02-11", "hasEnd": True}, "hasEnd"),
        ({}, "start"),
    ],
)
async def test_day_inputs_are_checked_before_anything_is_sent(
    gateway: Gateway, sandbox: Sandbox, given: dict[str, Any], field: str
) -> None:
    section = {"kind": "SECTION", "providerId": str(BUSY_SECTION_ID)}
    made = await gateway.data(CREATE, {"realm": section, "input": {"title": "Day"} | given})
    errors = made["createSchoologyEvent"]["userErrors"]
    assert ["input", field] in [error["field"] for error in errors]
    assert {error["code"] for error in errors} == {"BAD_USER_INPUT"}
    assert sandbox.calls("schoology") == []


async def test_an_update_can_make_a_timed_event_all_day(gateway: Gateway, sandbox: Sandbox) -> None:
    section = {"kind": "SECTION", "providerId": str(BUSY_SECTION_ID)}
    timed = {"title": "Open day", "start": "2030-05-04T10:00:00-04:00"}
    made = (await gateway.data(CREATE, {"realm": section, "input": timed}))["createSchoologyEvent"]["event"]
    days_only = {"startDate": "2030-05-04", "endDate": "2030-05-05"}
    changed = await gateway.data(UPDATE, {"id": made["id"], "input": days_only})
    assert changed["updateSchoologyEvent"]["userErrors"] == []
    assert _shown(changed["updateSchoologyEvent"]["event"]) == days(
        "2030-05-04", "2030-05-05", "2030-05-04T00:00:00-04:00", "2030-05-06T00:00:00-04:00"
    )
    put = next(call for call in sandbox.calls("schoology") if call.method == "PUT")
    assert put.body == {
        "all_day": 1,
        "start": "2030-05-04 00:00:00",
        "has_end": 1,
        "end": "2030-05-05 00:00:00",
    }
