"""Bounds on list arguments, over a real socket: `search` is at most 200 characters wherever the
`events` filter is read (it travels upstream in URLs), and `konaCalendarEvents(first:)` starts at 1
like every other connection. Refused before any upstream call."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.app import create_app
from tests.gateway.edge.live_server import serving
from tests.harness import running_sandbox, settings_for

LONG = "x" * 45_000
EVENTS = "query($filter: EventFilter) { events(filter: $filter, first: 5) { edges { node { id } } } }"
FEED = "query($filter: EventFilter) { calendarFeed(filter: $filter) { url } }"


async def post(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}})
    body: dict[str, Any] = response.json()
    return body


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" in body, body
    [error] = body["errors"]
    return dict(error)


async def test_a_long_search_is_refused_before_any_upstream_call() -> None:
    async with (
        running_sandbox() as sandbox,
        serving(create_app(settings_for(sandbox))) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        answers = [await post(http, query, {"filter": {"search": LONG}}) for query in (EVENTS, FEED)]
        feed = await http.get("/calendar.ics", params={"search": LONG})
        calls_after_refusals = len(sandbox.log.calls)
        at_limit = await post(http, EVENTS, {"filter": {"search": "y" * 200, "providers": ["KONA"]}})
        calls_after_limit = len(sandbox.log.calls)

    for body in answers:
        error = only_error(body)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["field"] == ["filter", "search"]
        assert "at most 200 characters (got 45000)" in error["message"]
    assert feed.status_code == 400
    assert "at most 200 characters" in feed.text
    assert calls_after_refusals == 0, "a refused search reached an upstream"
    assert "errors" not in at_limit
    assert at_limit["data"]["events"]["edges"] == []
    assert calls_after_limit > 0  # 200 characters are still a search


async def test_kona_first_zero_is_refused_like_every_other_connection() -> None:
    async with (
        running_sandbox() as sandbox,
        serving(create_app(settings_for(sandbox))) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        kona = await post(http, "{ konaCalendarEvents(first: 0) { edges { cursor } } }")
        events = await post(http, "{ events(first: 0) { edges { cursor } } }")
        calls_after_refusals = len(sandbox.log.calls)
        one = await post(http, "{ konaCalendarEvents(first: 1) { edges { cursor } } }")
        kona_calls = len(sandbox.calls("kona"))

    for body in (kona, events):
        error = only_error(body)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["field"] == ["first"]
        assert "between 1 and" in error["message"]
    assert calls_after_refusals == 0
    assert "errors" not in one
    assert kona_calls >= 1
