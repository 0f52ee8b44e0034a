"""`GET /calendar.ics` over HTTP: who may read it, what a bad URL gets, what polling apps see.

With API keys on, a calendar app (which cannot send headers) gets in only with a URL signed for
its very filter; "nothing ran" is checked where it matters: the upstreams saw no call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import icalendar
import pytest
from aiohttp import web

from gateway.sandbox import kona
from gateway.sandbox.recorder import CallLog
from resolvers.registry import PROVIDERS
from tests.gateway.feed.parsers import expanded, expected_occurrences, graphql_events
from tests.harness import Gateway, Sandbox, running_gateway, running_sandbox, settings_for

KEY = "gw_feed_key_5d1e"
SECRET = "feed_secret_9b7c"
KEYED = {"Authorization": f"Bearer {KEY}"}
CALENDAR_FEED = "query($filter: EventFilter) { calendarFeed(filter: $filter) { url webcalUrl signed } }"
KONA_AND_PRETIX = {"providers": ["KONA", "PRETIX"], "startsAfter": "2026-01-01T00:00:00Z"}


@pytest.fixture
async def keyed(sandbox: Sandbox) -> AsyncIterator[Gateway]:
    settings = settings_for(sandbox, gateway_api_keys=KEY, gateway_feed_secret=SECRET)
    async with running_gateway(settings) as gateway:
        yield gateway


async def feed_url(gateway: Gateway, filter: dict[str, Any] | None = None) -> str:
    body = await gateway.query(CALENDAR_FEED, {"filter": filter}, headers=KEYED)
    assert "errors" not in body, body
    url: str = body["data"]["calendarFeed"]["url"]
    return url


def with_query(url: str, change: dict[str, str | None]) -> str:
    """`url` with some parameters replaced (None removes one)."""
    parts = urlsplit(url)
    items = [(name, value) for name, value in parse_qsl(parts.query) if name not in change]
    items += [(name, value) for name, value in change.items() if value is not None]
    return f"{parts.path}?{urlencode(items)}"


def uids(body: bytes) -> list[str]:
    return [str(event["UID"]) for event in icalendar.Calendar.from_ical(body).walk("VEVENT")]


async def test_a_signed_url_is_read_without_a_key(keyed: Gateway, sandbox: Sandbox) -> None:
    url = await feed_url(keyed, KONA_AND_PRETIX)
    response = await keyed.http.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    kona_and_pretix = {event["id"] for event in await _events(keyed, KONA_AND_PRETIX)}
    assert set(uids(response.content)) == kona_and_pretix
    assert len(kona_and_pretix) > 10


async def _events(gateway: Gateway, filter: dict[str, Any]) -> list[dict[str, Any]]:
    gateway.http.headers.update(KEYED)
    try:
        return await graphql_events(gateway, filter)
    finally:
        del gateway.http.headers["Authorization"]


@pytest.mark.parametrize(
    "change",
    [
        {"sig": None},
        {"provider": "strigo"},
        {"startsAfter": "2020-01-01T00:00:00Z"},
        {"startsBefore": "2027-01-01T00:00:00Z"},
        {"search": "x"},
        {"sig": "A" * 43},
        {"sig": ""},
    ],
    ids=lambda change: ",".join(f"{name}={value}" for name, value in change.items()),
)
async def test_an_unsigned_or_tampered_url_is_401_and_calls_nothing(
    keyed: Gateway, sandbox: Sandbox, change: dict[str, str | None]
) -> None:
    url = with_query(await feed_url(keyed, KONA_AND_PRETIX), change)
    sandbox.log.clear()
    response = await keyed.http.get(url)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("text/plain")
    assert "calendarFeed" in response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert sandbox.log.calls == []


async def test_a_tampered_signature_is_401(keyed: Gateway, sandbox: Sandbox) -> None:
    url = await feed_url(keyed, KONA_AND_PRETIX)
    signature = dict(parse_qsl(urlsplit(url).query))["sig"]
    flipped = ("B" if signature[5] == "A" else "A").join((signature[:5], signature[6:]))
    response = await keyed.http.get(with_query(url, {"sig": flipped}))
    assert response.status_code == 401


async def test_a_url_signed_with_another_secret_is_401(sandbox: Sandbox, keyed: Gateway) -> None:
    other = settings_for(sandbox, gateway_api_keys=KEY, gateway_feed_secret="another_secret")
    async with running_gateway(other) as elsewhere:
        url = await feed_url(elsewhere, KONA_AND_PRETIX)
    assert (await keyed.http.get(url)).status_code == 401


async def test_a_rotated_in_key_still_reads_urls_of_the_old_one(sandbox: Sandbox, keyed: Gateway) -> None:
    url = await feed_url(keyed, KONA_AND_PRETIX)
    rotated = settings_for(sandbox, gateway_api_keys=KEY, gateway_feed_secret=f"new_secret,{SECRET}")
    async with running_gateway(rotated) as gateway:
        assert (await gateway.http.get(url)).status_code == 200
        assert await feed_url(gateway, KONA_AND_PRETIX) != url  # new URLs are signed with the new key
    revoked = settings_for(sandbox, gateway_api_keys=KEY, gateway_feed_secret="new_secret")
    async with running_gateway(revoked) as gateway:
        assert (await gateway.http.get(url)).status_code == 401


async def test_the_api_key_in_a_header_reads_any_filter(keyed: Gateway) -> None:
    response = await keyed.http.get("/calendar.ics?provider=kona", headers=KEYED)
    assert response.status_code == 200
    assert (
        await keyed.http.get("/calendar.ics?provider=kona", headers={"X-API-Key": KEY})
    ).status_code == 200


async def test_a_wrong_key_is_refused_even_with_a_valid_signature(keyed: Gateway) -> None:
    url = await feed_url(keyed, KONA_AND_PRETIX)
    response = await keyed.http.get(url, headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401


async def test_the_feed_holds_neither_the_key_nor_the_secret(keyed: Gateway) -> None:
    url = await feed_url(keyed, None)
    response = await keyed.http.get(url)
    assert response.status_code == 200
    whole = url.encode() + response.content + str(response.headers).encode()
    assert KEY.encode() not in whole
    assert SECRET.encode() not in whole


async def test_without_a_feed_secret_keys_on_means_no_feed_url(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, gateway_api_keys=KEY)) as gateway:
        body = await gateway.query(CALENDAR_FEED, {"filter": None}, headers=KEYED)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FEED_NOT_CONFIGURED"
        assert "GATEWAY_FEED_SECRET" in body["errors"][0]["message"]
        signed_elsewhere = "/calendar.ics?sig=" + "A" * 43
        assert (await gateway.http.get(signed_elsewhere)).status_code == 401


async def test_with_caller_credentials_only_there_is_no_feed_url(sandbox: Sandbox) -> None:
    settings = settings_for(
        sandbox, gateway_api_keys=KEY, gateway_feed_secret=SECRET, gateway_credentials="caller"
    )
    async with running_gateway(settings) as gateway:
        body = await gateway.query(CALENDAR_FEED, {"filter": None}, headers=KEYED)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "FEED_NOT_CONFIGURED"
    assert "GATEWAY_CREDENTIALS" in error["message"]


async def test_without_keys_the_feed_is_open_and_its_url_unsigned(gateway: Gateway) -> None:
    body = await gateway.query(CALENDAR_FEED, {"filter": {"providers": ["KONA"]}})
    feed = body["data"]["calendarFeed"]
    assert feed == {
        "url": "http://gateway.test/calendar.ics?provider=kona",
        "webcalUrl": "webcal://gateway.test/calendar.ics?provider=kona",
        "signed": False,
    }
    assert (await gateway.http.get(feed["url"])).status_code == 200


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("providers=kona", "unknown parameter providers"),
        ("provider=eventbrite", "'eventbrite' is not one of"),
        ("startsAfter=tomorrow", "startsAfter 'tomorrow' is not an ISO 8601 date-time"),
        ("startsAfter=2026-01-01T00:00:00", "has no UTC offset"),
        ("startsAfter=2026-02-01T00:00:00Z&startsBefore=2026-01-01T00:00:00Z", "startsBefore must be after"),
        ("search=a&search=b", "search is given more than once"),
    ],
)
async def test_a_bad_parameter_is_a_400_naming_it(
    gateway: Gateway, sandbox: Sandbox, query: str, says: str
) -> None:
    sandbox.log.clear()
    response = await gateway.http.get(f"/calendar.ics?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert says in response.text
    assert sandbox.log.calls == []


async def test_a_provider_down_leaves_the_others_in_the_feed_and_says_so(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    sandbox.fault("kona", error_rate=1.0, status=503)
    response = await gateway.http.get("/calendar.ics")
    assert response.status_code == 200
    assert response.headers["x-feed-unavailable"].startswith("KONA=UPSTREAM_")
    assert response.headers["cache-control"] == "private, no-cache"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert "KONA (UPSTREAM_" in str(calendar["X-WR-CALDESC"])
    assert str(calendar["X-EVENT-GATEWAY-UNAVAILABLE"]).startswith("KONA UPSTREAM_")
    providers = {str(event.get("CATEGORIES").to_ical(), "utf-8") for event in calendar.walk("VEVENT")}
    assert providers == {api.spec.title for api in PROVIDERS if api.spec.name != kona.NAME}


async def test_every_provider_down_is_a_503_so_apps_keep_what_they_show(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    sandbox.fault("kona", error_rate=1.0, status=503)
    response = await gateway.http.get("/calendar.ics?provider=kona")
    assert response.status_code == 503
    assert response.headers["retry-after"].isdigit()
    assert "KONA" in response.text


async def test_a_provider_not_configured_is_an_empty_calendar_as_events_is_an_empty_list(
    sandbox: Sandbox,
) -> None:
    # Retrying cannot help a provider the deployment has no credentials for: a 503 with Retry-After
    # told calendar apps to come back for ever. The `events` query answers it with no events and
    # one PROVIDER_NOT_CONFIGURED error; the feed says the same in its own terms.
    async with running_gateway(settings_for(sandbox, kona_access_token="")) as gateway:
        events = await gateway.query("{ events(filter: {providers: [KONA]}) { edges { node { id } } } }")
        alone = await gateway.http.get("/calendar.ics?provider=kona")
        mixed = await gateway.http.get("/calendar.ics?provider=kona&provider=pretix")
    assert events["data"]["events"]["edges"] == []
    assert [error["extensions"] for error in events["errors"]] == [
        {"code": "PROVIDER_NOT_CONFIGURED", "provider": "KONA"}
    ]
    for response in (alone, mixed):
        assert response.status_code == 200, response.text
        assert response.headers["x-feed-unavailable"] == "KONA=PROVIDER_NOT_CONFIGURED"
        calendar = icalendar.Calendar.from_ical(response.content)
        assert "KONA (PROVIDER_NOT_CONFIGURED)" in str(calendar["X-WR-CALDESC"])
    assert uids(alone.content) == []
    assert uids(mixed.content)
    assert sandbox.calls("kona") == []


async def test_a_feed_cut_at_the_limit_says_so(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, gateway_feed_max_events=10)) as gateway:
        response = await gateway.http.get("/calendar.ics")
        first_ten = (await graphql_events(gateway))[:10]
    assert response.headers["x-feed-truncated"] == "10"
    window = (datetime(1990, 1, 1, tzinfo=UTC), datetime(2040, 1, 1, tzinfo=UTC))
    assert expanded(response.content, *window) == expected_occurrences(first_ten)
    calendar = icalendar.Calendar.from_ical(response.content)
    assert "Cut at 10 events" in str(calendar["X-WR-CALDESC"])
    assert str(calendar["X-EVENT-GATEWAY-TRUNCATED"]) == "10"


async def test_a_feed_under_the_limit_says_nothing_of_cuts(gateway: Gateway) -> None:
    response = await gateway.http.get("/calendar.ics?provider=kona")
    assert "x-feed-truncated" not in response.headers
    assert "x-feed-unavailable" not in response.headers
    assert "Cut at" not in str(icalendar.Calendar.from_ical(response.content)["X-WR-CALDESC"])


async def test_an_unchanged_feed_polled_with_its_etag_is_a_304(gateway: Gateway) -> None:
    first = await gateway.http.get("/calendar.ics?provider=pretix")
    assert first.headers["etag"].startswith('W/"')
    assert first.headers["cache-control"] == "private, max-age=300"
    again = await gateway.http.get(
        "/calendar.ics?provider=pretix", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""
    other = await gateway.http.get(
        "/calendar.ics?provider=kona", headers={"If-None-Match": first.headers["etag"]}
    )
    assert other.status_code == 200


async def test_a_changed_event_changes_the_etag(gateway: Gateway) -> None:
    first = await gateway.http.get("/calendar.ics?provider=kona")
    kona_id = uids(first.content)[0]
    rename = (
        'mutation($id: ID!) { updateKonaCalendarEvent(id: $id, input: {name: "Renamed"}) '
        "{ userErrors { message } } }"
    )
    changed = await gateway.data(rename, {"id": kona_id})
    assert changed["updateKonaCalendarEvent"]["userErrors"] == []
    again = await gateway.http.get(
        "/calendar.ics?provider=kona", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 200
    assert again.headers["etag"] != first.headers["etag"]


async def test_head_answers_like_get_without_a_body(gateway: Gateway) -> None:
    response = await gateway.http.head("/calendar.ics?provider=kona")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"


async def test_an_empty_feed_is_a_valid_calendar(gateway: Gateway) -> None:
    response = await gateway.http.get("/calendar.ics?search=no-event-has-this-text")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    assert list(calendar.walk("VEVENT")) == []
    assert calendar["VERSION"] == "2.0"


async def test_last_modified_is_the_upstreams_updated_at_where_it_has_one(gateway: Gateway) -> None:
    kona = "{ events(first: 50, filter: {providers: [KONA]}) "
    query = kona + "{ nodes { id ... on KonaCalendarEvent { updatedAt } } } }"
    data = await gateway.data(query)
    updated = {node["id"]: node["updatedAt"] for node in data["events"]["nodes"] if node["updatedAt"]}
    assert updated, "the sandbox's Kona events say when they changed"
    calendar = icalendar.Calendar.from_ical((await gateway.http.get("/calendar.ics?provider=kona")).content)
    for vevent in calendar.walk("VEVENT"):
        uid = str(vevent["UID"])
        if uid in updated:
            assert vevent.decoded("LAST-MODIFIED") == datetime.fromisoformat(updated[uid]).replace(
                microsecond=0
            )
        assert vevent.decoded("DTSTAMP").tzinfo is not None


async def test_a_low_cost_limit_makes_smaller_pages_not_a_failure(gateway: Gateway, sandbox: Sandbox) -> None:
    # A page of 200 events costs ~4,600; an operator may allow less per query.
    everything = uids((await gateway.http.get("/calendar.ics")).content)
    async with running_gateway(settings_for(sandbox, gateway_max_cost=1_500)) as frugal:
        response = await frugal.http.get("/calendar.ics")
    assert response.status_code == 200, response.text
    assert uids(response.content) == everything


async def test_line_breaks_and_controls_in_text_never_break_a_line(gateway: Gateway) -> None:
    created = await gateway.data(
        'mutation { createKonaCalendarEvent(input: {name: "Ring\\u0000\\u001b[31m\\rEND:VEVENT", '
        'startAt: "2026-03-02T09:00:00Z", endAt: "2026-03-02T10:00:00Z"}) { event { id } } }'
    )
    event_id = created["createKonaCalendarEvent"]["event"]["id"]
    # A search with CR and LF is written into the calendar's NAME: escaped, never a line of its own.
    calendars = []
    for search in ("Ring", "Ring\r\nEND:VCALENDAR\rX"):
        response = await gateway.http.get("/calendar.ics", params={"provider": "kona", "search": search})
        assert response.status_code == 200, response.text
        lines = response.content.split(b"\r\n")
        assert not any(b"\r" in line or b"\n" in line for line in lines)
        assert lines.count(b"END:VCALENDAR") == 1
        assert not any(ord(character) < 32 for character in response.text.replace("\r\n", ""))
        calendars.append(icalendar.Calendar.from_ical(response.content))
    found, searched = calendars
    assert str(searched["NAME"]).endswith("Ring\\nEND:VCALENDAR\\nX")  # TEXT's escaped line breaks
    [vevent] = [event for event in found.walk("VEVENT") if str(event["UID"]) == event_id]
    assert str(vevent["SUMMARY"]) == "Ring[31m\nEND:VEVENT"


async def test_a_series_kona_stores_as_its_first_instance_takes_smaller_pages_not_a_failure() -> None:
    # Kona confirms each occurrence it computes from a rule with a call of its own: a daily series
    # makes a page of 200 need more upstream calls than one request may make (100).
    def first_only(log: CallLog) -> web.Application:
        return kona.create_app(log, recurrence=kona.FIRST)

    window = {"provider": "kona", "startsAfter": "2026-01-01T00:00:00Z", "startsBefore": "2026-07-01T00Z"}
    async with running_sandbox({"kona": first_only}) as sandbox, running_gateway(settings_for(sandbox)) as gw:
        made = await gw.data(
            'mutation { createKonaCalendarEvent(input: {name: "Daily", startAt: "2026-01-01T10:00:00Z", '
            'endAt: "2026-01-01T11:00:00Z", period: DAY, frequency: EVERY}) { event { id } } }'
        )
        assert made["createKonaCalendarEvent"]["event"]["id"]
        response = await gw.http.get("/calendar.ics", params=window)
    assert response.status_code == 200, response.text
    assert "x-feed-unavailable" not in response.headers
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
    daily = [found for found in expanded(response.content, start, end) if found[3] == "Daily"]
    assert len(daily) == 181  # every day of January to June
