"""One bad item, or an instant at the ends of time, fails only its own provider (issue 10, item 13).

Each provider with a hostile stand (`hostile_providers.STANDS`: its envelope, its junk) in turn is
served by the hostile upstream while the others, every registered one, stay on the sandbox.
"""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest

from resolvers.registry import PROVIDERS
from tests.gateway.upstream.hostile_providers import GOOD, JUNK, NO_ID, STANDS, serve_events
from tests.gateway.upstream.hostile_upstream import Hostile, json_reply
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

NAMES = [api.spec.name for api in PROVIDERS]
FIELDS = """id provider providerId title description startsAt endsAt timezone allDay startDate endDate url
  status location
  ... on StrigoEvent { token classId owner { id } availability includeChat tas trainees labels strigoStatus }
  ... on KonaCalendarEvent { tags konaStatus spaceId creatorId selDays seriesEndAt externalObject { id } }
  ... on SchoologyEvent { start end hasEnd rsvp type commentsEnabled editable links { self } }
  ... on PretixEvent { slug live currency dateAdmission localizedLocation { text } geoLat seatingPlan plugins
    bestAvailabilityState }"""
EVENTS = (
    "query($filter: EventFilter, $first: Int, $after: String) { events(filter: $filter, first: $first, "
    "after: $after) { edges { cursor node { " + FIELDS + " } } pageInfo { hasNextPage endCursor } } }"
)
WIDE = {"startsAfter": "2024-01-01T00:00:00Z", "startsBefore": "2027-06-01T00:00:00Z"}


async def events(gateway: Gateway, **variables: Any) -> dict[str, Any]:
    body = await gateway.query(EVENTS, variables)
    assert body.get("data") is not None, body
    return body


def providers_of(body: dict[str, Any]) -> set[str]:
    return {edge["node"]["provider"] for edge in body["data"]["events"]["edges"]}


@pytest.mark.parametrize("provider", sorted(STANDS))
async def test_an_item_without_an_id_fails_only_its_provider(
    sandbox: Sandbox, hostile: Hostile, provider: str
) -> None:
    serve_events(hostile, provider, [GOOD[provider], NO_ID[provider]])
    async with running_gateway(settings_for(sandbox, **STANDS[provider].settings(hostile))) as gateway:
        body = await events(gateway, filter=WIDE, first=200)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "UPSTREAM_ERROR", "provider": provider.upper()}
    assert error["path"] == ["events"]
    assert providers_of(body) == {name.upper() for name in NAMES if name != provider}


@pytest.mark.parametrize("provider", sorted(STANDS))
async def test_ill_typed_fields_and_extreme_dates_read_as_absent(
    sandbox: Sandbox, hostile: Hostile, provider: str
) -> None:
    serve_events(hostile, provider, [JUNK[provider], GOOD[provider]])
    async with running_gateway(settings_for(sandbox, **STANDS[provider].settings(hostile))) as gateway:
        body = await events(gateway, filter={"providers": [provider.upper()]}, first=200)
    assert "errors" not in body, body["errors"]
    nodes = {edge["node"]["providerId"]: edge["node"] for edge in body["data"]["events"]["edges"]}
    junk = nodes[str(JUNK[provider].get("id") or JUNK[provider].get("slug"))]
    assert junk["provider"] == provider.upper()
    assert junk["endsAt"] is None  # 9999-12-31 at -14:00 is past what UTC can express
    assert str(GOOD[provider].get("id") or GOOD[provider].get("slug")) in nodes


@pytest.mark.parametrize(
    "window",
    [
        {"startsAfter": "0001-01-01T00:00:00+14:00"},
        {"startsBefore": "0001-01-01T00:00:00+14:00"},
        {"startsAfter": "9999-12-31T23:59:59-14:00"},
        {"startsBefore": "9999-12-31T23:59:59-14:00"},
        {"startsAfter": "0001-01-01T00:00:00Z", "startsBefore": "9999-12-31T23:59:59.999999Z"},
    ],
    ids=["after-year-1", "before-year-1", "after-year-9999", "before-year-9999", "whole-range"],
)
async def test_filters_at_the_ends_of_time_answer_for_every_provider(
    gateway: Gateway, window: dict[str, str]
) -> None:
    body = await events(gateway, filter=window, first=5)
    assert "errors" not in body, body["errors"]


@pytest.mark.parametrize(
    "starts", ["9999-12-31T23:59:59.999999+00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]
)
async def test_a_cursor_at_the_ends_of_time_answers_for_every_provider(gateway: Gateway, starts: str) -> None:
    cursor = base64.urlsafe_b64encode(orjson.dumps([False, starts, "KONA", "1", "x"])).decode().rstrip("=")
    body = await events(gateway, first=5, after=cursor)
    assert "errors" not in body, body["errors"]


async def test_a_malformed_related_object_fails_only_its_own_field(
    sandbox: Sandbox, hostile: Hostile
) -> None:
    serve_events(hostile, "kona", [GOOD["kona"] | {"creator_id": 5, "space_id": 6}])
    hostile.on("GET", "/kona/api/users/5", json_reply({"users": [{"id": "five", "name": "x"}]}))
    hostile.on("GET", "/kona/api/spaces/6", json_reply({"spaces": [{"id": 6, "name": {"x": 1}}]}))
    query = """{ events(filter: {providers: [KONA]}) { edges { node { id
      ... on KonaCalendarEvent { creator { name } space { providerId name } } } } } }"""
    async with running_gateway(settings_for(sandbox, **STANDS["kona"].settings(hostile))) as gateway:
        body = await gateway.query(query)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "UPSTREAM_ERROR", "provider": "KONA"}
    assert error["path"][-1] == "creator"
    [edge] = body["data"]["events"]["edges"]
    assert edge["node"]["creator"] is None
    assert edge["node"]["space"] == {"providerId": "6", "name": None}
