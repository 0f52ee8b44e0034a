"""Redirects, endless paging and writes whose outcome is unknown (issue 10, items 8, 9, 10)."""

from __future__ import annotations

import orjson
import pytest
from aiohttp import web

from gateway.sandbox.pretix_state import ORGANIZERS
from tests.gateway.upstream.hostile_providers import STANDS
from tests.gateway.upstream.hostile_upstream import (
    Hostile,
    Responder,
    endless_kona_pages,
    hang,
    hostile_upstream,
    in_turn,
    json_reply,
    kona_event,
    redirect,
)
from tests.harness import Sandbox, running_gateway, settings_for

KONA_LIST = "{ konaCalendarEvents(first: 5) { edges { node { providerId } } } }"
CREATE_KONA = """mutation { createKonaCalendarEvent(input: {name: "Moved", startAt: "2026-05-01T09:00:00Z",
  endAt: "2026-05-01T10:00:00Z"}) { event { providerId name } userErrors { code message } } }"""
SEARCH = """query($p: Provider!) { events(filter: {providers: [$p], search: "matches nothing at all",
  startsAfter: "2024-01-01T00:00:00Z", startsBefore: "2027-06-01T00:00:00Z"}) { edges { node { id } } } }"""
CREATE_PRETIX = """mutation { createPretixEvent(organizer: "%s",
  input: {name: [{locale: "en", text: "Twice"}], slug: "twice", dateFrom: "2027-05-01T09:00:00Z"}) {
  event { slug } userErrors { code message } } }"""
STATUSES = [301, 302, 303, 307, 308]


def elsewhere_event() -> Responder:
    return json_reply({"calendar_events": [kona_event(666, name="From another host")]}, status=201)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("origin", ["same-origin", "cross-origin"])
async def test_a_redirected_read_is_not_followed(
    sandbox: Sandbox, hostile: Hostile, origin: str, status: int
) -> None:
    async with hostile_upstream() as elsewhere:
        target = elsewhere if origin == "cross-origin" else hostile
        target.on("GET", "/moved/calendar_events", elsewhere_event())
        hostile.on("GET", "/kona/api/calendar_events", redirect(status, target.url("/moved/calendar_events")))
        async with running_gateway(settings_for(sandbox, **STANDS["kona"].settings(hostile))) as gateway:
            body = await gateway.query(KONA_LIST, headers={"X-Request-ID": "secret-trace"})
        assert target.calls("/moved/calendar_events") == []  # neither path nor request id went there
    [error] = body["errors"]
    assert error["extensions"] == {"code": "UPSTREAM_ERROR", "provider": "KONA"}
    assert f"redirect (HTTP {status})" in error["message"]
    assert len(hostile.calls("/kona/api/calendar_events")) == 1  # a redirect comes back the same: no retry


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("origin", ["same-origin", "cross-origin"])
async def test_a_redirected_write_is_outcome_unknown_never_success(
    sandbox: Sandbox, hostile: Hostile, origin: str, status: int
) -> None:
    async with hostile_upstream() as elsewhere:
        target = elsewhere if origin == "cross-origin" else hostile
        for method in ("GET", "POST"):
            target.on(method, "/moved/calendar_events", elsewhere_event())
        hostile.on(
            "POST", "/kona/api/calendar_events", redirect(status, target.url("/moved/calendar_events"))
        )
        async with running_gateway(settings_for(sandbox, **STANDS["kona"].settings(hostile))) as gateway:
            body = await gateway.query(CREATE_KONA)
        assert target.calls("/moved/calendar_events") == []  # the body never went anywhere else
    [error] = body["errors"]
    assert error["extensions"] == {"code": "WRITE_OUTCOME_UNKNOWN", "provider": "KONA"}
    assert body["data"] is None
    assert len(hostile.calls("/kona/api/calendar_events")) == 1


def endless_schoology() -> Responder:
    """Every realm's every page is full and links a next one, for as long as it is asked."""

    async def respond(request: web.Request) -> web.StreamResponse:
        answers = []
        for item in orjson.loads(await request.read())["request"]:
            if "/events" not in item:  # a user realm's object, read with the first lists for its zone
                answers.append({"response_code": 200, "body": {"id": 1, "tz_name": "America/New_York"}})
                continue
            start = int(item.split("start=")[1].split("&")[0])
            events = [{"id": start + n + 1, "title": "x", "start": "2026-01-01 10:00:00"} for n in range(20)]
            links = {
                "next": f"https://api.schoology.com/v1{item.replace(f'start={start}', f'start={start + 20}')}"
            }
            answers.append({"response_code": 200, "body": {"event": events, "total": 10**6, "links": links}})
        return web.json_response({"response": answers})

    return respond


def endless_pretix(organizer: str, pages: int = 60) -> Responder:
    """A pretix list whose every page links the next, up to page `pages` (far past any limit)."""

    async def respond(request: web.Request) -> web.StreamResponse:
        number = int(request.query.get("page", "1"))
        results = [
            {"slug": f"e{number}-{n}", "name": {"en": "x"}, "date_from": "2026-01-01T10:00:00Z"}
            for n in range(50)
        ]
        following = f"https://pretix.example/api/v1/organizers/{organizer}/events/?page={number + 1}"
        return web.json_response(
            {"count": 10**6, "next": following if number < pages else None, "results": results}
        )

    return respond


def serve_endless(hostile: Hostile, provider: str) -> str:
    """Script a list that never ends; the path its pages are asked at."""
    prefix = STANDS[provider].prefix
    if provider == "kona":
        hostile.on("GET", f"{prefix}/calendar_events", endless_kona_pages(pages=50))
        return f"{prefix}/calendar_events"
    if provider == "pretix":
        for organizer in ORGANIZERS:
            hostile.on("GET", f"{prefix}/organizers/{organizer}/events/", endless_pretix(organizer))
        return f"{prefix}/organizers/{ORGANIZERS[0]}/events/"
    hostile.on("POST", f"{prefix}/multiget", endless_schoology())
    return f"{prefix}/multiget"


@pytest.mark.parametrize("provider", ["kona", "pretix", "schoology"])
async def test_a_list_that_never_ends_is_stopped_with_an_error(
    sandbox: Sandbox, hostile: Hostile, provider: str
) -> None:
    pages = serve_endless(hostile, provider)
    settings = settings_for(
        sandbox, **STANDS[provider].settings(hostile), gateway_max_pages=5, schoology_rate_limit=100
    )
    async with running_gateway(settings) as gateway:
        body = await gateway.query(SEARCH, {"p": provider.upper()})
    [error] = body["errors"]
    assert error["extensions"] == {"code": "UPSTREAM_ERROR", "provider": provider.upper()}
    assert "GATEWAY_MAX_PAGES" in error["message"]
    assert len(hostile.calls(pages)) == 5


@pytest.mark.parametrize(
    "second",
    [
        json_reply({"detail": "busy"}, status=503),
        json_reply({"detail": "The server was too busy to process your request."}, status=409),
        json_reply({"detail": "Request was throttled."}, status=429, headers={"Retry-After": "0"}),
        json_reply({"detail": "You do not have permission to perform this action."}, status=403),
        json_reply({"name": ["This field is required."]}, status=400),
    ],
    ids=["503", "409-busy", "429", "403", "400"],
)
async def test_a_retried_write_that_may_have_happened_stays_outcome_unknown(
    sandbox: Sandbox, hostile: Hostile, second: Responder
) -> None:
    """The first POST times out (pretix may have created the event); the retry, with the same
    idempotency key, fails differently: the event may exist all the same."""
    path = f"{STANDS['pretix'].prefix}/organizers/{ORGANIZERS[0]}/events/"
    hostile.on("POST", path, in_turn(hang(), second))
    settings = settings_for(
        sandbox, **STANDS["pretix"].settings(hostile), gateway_upstream_timeout=1.0, gateway_retries=1
    )
    async with running_gateway(settings) as gateway:
        body = await gateway.query(CREATE_PRETIX % ORGANIZERS[0])
    [error] = body["errors"]
    assert error["extensions"] == {"code": "WRITE_OUTCOME_UNKNOWN", "provider": "PRETIX"}
    posts = hostile.calls(path)
    assert [call.method for call in posts] == ["POST", "POST"]
    assert posts[0].headers["X-Idempotency-Key"] == posts[1].headers["X-Idempotency-Key"]
