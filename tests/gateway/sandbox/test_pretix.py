"""The pretix emulator answers as real pretix 2026.8 does: auth, 403s, paging, filters, writes, replays."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from yarl import URL

from gateway.sandbox import pretix
from gateway.sandbox.recorder import CallLog
from tests.gateway.sandbox.mounting import Client, mounted

NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)
AUTH = {"Authorization": f"Token {pretix.TOKEN}"}
READ_ONLY = {"Authorization": f"Token {pretix.READ_ONLY_TOKEN}"}
API = "/pretix/api/v1"
CONF = f"{API}/organizers/demo-conf/events/"
ARTS = f"{API}/organizers/demo-arts/events/"
LIVE_ON_CREATE = (
    "Events cannot be created as 'live'. Quotas and payment must be added to the event before sales can go "
    "live."
)
NO_PERMISSION = {"detail": "You do not have permission to perform this action."}
EVENT_FIELDS = [
    "name", "slug", "live", "testmode", "currency", "date_from", "date_to", "date_admission", "is_public",
    "presale_start", "presale_end", "location", "geo_lat", "geo_lon", "has_subevents", "meta_data",
    "seating_plan", "plugins", "seat_category_mapping", "timezone", "item_meta_properties", "valid_keys",
    "all_sales_channels", "limit_sales_channels", "public_url", "sales_channels",
]  # fmt: skip


@pytest.fixture
def log() -> CallLog:
    return CallLog()


@pytest.fixture
async def client(log: CallLog) -> AsyncIterator[Client]:
    async with mounted("/pretix", pretix.create_app(log, now=lambda: NOW)) as test_client:
        yield test_client


async def _json(client: Client, method: str, path: str, status: int, **kwargs: Any) -> Any:
    kwargs.setdefault("headers", AUTH)
    response = await client.request(method, path, **kwargs)
    assert response.status == status, await response.text()
    return await response.json()


async def _slugs(client: Client, path: str = CONF, **params: str) -> list[str]:
    body = await _json(client, "GET", path, 200, params={"page_size": "50", **params})
    return [event["slug"] for event in body["results"]]


def _new_event(slug: str = "new-event", **fields: Any) -> dict[str, Any]:
    return {"name": {"en": "New", "de": "Neu"}, "slug": slug, "date_from": "2027-01-10T10:00:00Z"} | fields


async def test_missing_token_is_401_with_the_drf_body_and_challenge(client: Client) -> None:
    response = await client.get(f"{API}/organizers/")
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert await response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Token nope", "Invalid token."),
        ("Token", "Invalid token header. No credentials provided."),
        ("Token a b", "Invalid token header. Token string should not contain spaces."),
        ("Bearer x", "Authentication credentials were not provided."),
    ],
)
async def test_bad_authorization_headers_are_401(client: Client, header: str, detail: str) -> None:
    body = await _json(client, "GET", f"{API}/organizers/", 401, headers={"Authorization": header})
    assert body == {"detail": detail}


async def test_token_keyword_is_case_insensitive(client: Client) -> None:
    headers = {"Authorization": f"token {pretix.TOKEN}"}
    assert (await _json(client, "GET", f"{API}/organizers/", 200, headers=headers))["count"] == 2


async def test_organizers_list_and_detail(client: Client) -> None:
    body = await _json(client, "GET", f"{API}/organizers/", 200)
    assert [org["slug"] for org in body["results"]] == ["demo-arts", "demo-conf"]
    org = await _json(client, "GET", f"{API}/organizers/demo-arts/", 200)
    assert org == {
        "name": "Demo Arts",
        "slug": "demo-arts",
        "public_url": f"http://{client.host}:{client.port}/pretix/demo-arts/",
        "plugins": [],
    }


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/organizers/nope/",
        f"{API}/organizers/nope/events/",
        f"{CONF}nope/",
        f"{CONF}nope/clone/",
    ],
)
async def test_unknown_organizer_or_event_is_403_not_404(client: Client, path: str) -> None:
    method = "POST" if path.endswith("clone/") else "GET"
    assert await _json(client, method, path, 403, json={}) == NO_PERMISSION


async def test_events_page_past_fifty_with_absolute_links(client: Client) -> None:
    first = await _json(client, "GET", CONF, 200)
    base = f"http://{client.host}:{client.port}{CONF}"
    assert (first["count"], len(first["results"]), first["previous"]) == (60, 50, None)
    assert first["next"] == f"{base}?page=2"
    second = await _json(client, "GET", URL(first["next"]).path_qs, 200)
    assert len(second["results"]) == 10
    assert (second["next"], second["previous"]) == (None, base)
    slugs = [event["slug"] for event in first["results"] + second["results"]]
    assert slugs == sorted(slugs)  # default ordering is slug


async def test_paging_links_keep_the_query_with_sorted_keys(client: Client) -> None:
    body = await _json(
        client, "GET", CONF, 200, params={"page": "2", "page_size": "7", "ordering": "-date_from"}
    )
    base = f"http://{client.host}:{client.port}{CONF}"
    assert body["next"] == f"{base}?ordering=-date_from&page=3&page_size=7"
    assert body["previous"] == f"{base}?ordering=-date_from&page_size=7"


@pytest.mark.parametrize("page", ["0", "3", "abc"])
async def test_invalid_page_is_404(client: Client, page: str) -> None:
    assert await _json(client, "GET", CONF, 404, params={"page": page}) == {"detail": "Invalid page."}


async def test_page_size_is_capped_at_fifty_and_last_is_a_page(client: Client) -> None:
    assert len((await _json(client, "GET", CONF, 200, params={"page_size": "500"}))["results"]) == 50
    last = await _json(client, "GET", CONF, 200, params={"page": "last", "page_size": "25"})
    assert len(last["results"]) == 10


async def test_boolean_filters(client: Client) -> None:
    assert await _slugs(client, is_public="false") == [f"conf-{i:02d}" for i in range(7, 57, 7)]
    assert await _slugs(client, has_subevents="True") == ["conf-20", "conf-40"]
    assert await _slugs(client, testmode="1") == [f"conf-{i:02d}" for i in range(11, 57, 11)]
    live = await _slugs(client, ARTS, live="true")
    assert live == ["summer-opera"]
    assert len(await _slugs(client, ARTS, live="maybe")) == 5  # not true/false/1/0: no filter


async def test_time_filters(client: Client) -> None:
    future = await _slugs(client, ARTS, is_future="true")
    assert future == ["spring-gala", "summer-opera", "winter-ballet"]
    assert await _slugs(client, ARTS, is_past="true") == ["autumn-jazz", "new-year-concert"]
    after = await _slugs(client, ARTS, date_from_after="2027-03-01", date_from_before="2027-12-31T00:00:00Z")
    assert after == ["spring-gala", "summer-opera"]
    assert await _slugs(client, ARTS, ends_after="2027-06-01T00:00:00Z") == ["summer-opera"]
    assert "conf-20" not in await _slugs(client, is_past="true")  # series are never past
    body = await _json(client, "GET", CONF, 400, params={"date_from_after": "soon", "ends_after": "x"})
    assert body == {"ends_after": ["Enter a valid date/time."], "date_from": ["Enter a valid date/time."]}


async def test_search_matches_any_language_slug_and_location(client: Client) -> None:
    assert await _slugs(client, ARTS, search="winterBALLETT") == ["winter-ballet"]
    assert await _slugs(client, ARTS, search="opera") == ["summer-opera"]
    assert len(await _slugs(client, ARTS, search="wien")) == 5
    assert "conf-01" in await _slugs(client, search="münchen")  # the German name, as escaped JSON


async def test_ordering(client: Client) -> None:
    by_date = await _slugs(client, ARTS, ordering="-date_from")
    assert by_date == ["summer-opera", "spring-gala", "winter-ballet", "autumn-jazz", "new-year-concert"]
    assert await _slugs(client, ARTS, ordering="-slug") == sorted(by_date, reverse=True)
    assert await _slugs(client, ARTS, ordering="name") == sorted(by_date)  # unknown field: default


async def test_get_event_has_every_serializer_field(client: Client) -> None:
    event = await _json(client, "GET", f"{ARTS}spring-gala/", 200)
    assert list(event) == EVENT_FIELDS
    assert event["name"] == {"de": "Frühlingsgala", "en": "Spring Gala"}
    assert event["date_from"] == "2027-03-20T09:00:00Z"
    assert event["valid_keys"] == {"pretix_sig1": []}
    assert event["sales_channels"] == ["web"]
    assert event["public_url"] == f"http://{client.host}:{client.port}/pretix/demo-arts/spring-gala/"
    listed = (await _json(client, "GET", ARTS, 200))["results"][0]
    assert "valid_keys" not in listed


async def test_create_fills_defaults_and_converts_to_utc(client: Client) -> None:
    body = _new_event(date_from="2027-01-10T10:00:00.5+01:00", location="Hamburg")
    event = await _json(client, "POST", ARTS, 201, json=body)
    assert "valid_keys" not in event
    assert event["date_from"] == "2027-01-10T09:00:00.500000Z"
    assert event["name"] == {"en": "New", "de": "Neu"}  # the write answer echoes what was sent
    assert event["location"] == {"en": "Hamburg"}
    assert (event["live"], event["is_public"], event["currency"], event["timezone"]) == (
        False,
        True,
        "EUR",
        "UTC",
    )
    assert event["plugins"] == ["pretix.plugins.sendmail", "pretix.plugins.statistics"]
    stored = await _json(client, "GET", f"{ARTS}new-event/", 200)
    assert stored["name"] == {"de": "Neu", "en": "New"}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {name: ["This field is required."] for name in ("name", "slug", "date_from")}),
        (_new_event("spring-gala"), {"slug": ["This slug has already been used for a different event."]}),
        (
            _new_event(live=True),
            {"live": [LIVE_ON_CREATE]},
        ),
        (
            _new_event(date_to="2026-01-01T00:00:00Z"),
            {"non_field_errors": ["The event cannot end before it starts."]},
        ),
        (
            _new_event("a b", currency="EURO", date_from="soon"),
            {
                "slug": ["The slug may only contain letters, numbers, dots and dashes."],
                "currency": ['"EURO" is not a valid choice.'],
                "date_from": [
                    "Datetime has wrong format. Use one of these formats instead: "
                    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                ],
            },
        ),
        (
            _new_event(meta_data=[], item_meta_properties={"a": 1}, seat_category_mapping={"a": "b"}),
            {
                "meta_data": ["meta_data needs to be an object (str -> str)."],
                "seat_category_mapping": ["seat_category_mapping needs to be an object (str -> int)."],
                "item_meta_properties": ["item_meta_properties needs to be an object (str -> str)."],
            },
        ),
    ],
)
async def test_create_validation_errors(client: Client, body: dict[str, Any], errors: dict[str, Any]) -> None:
    assert await _json(client, "POST", ARTS, 400, json=body) == errors


async def test_non_object_bodies(client: Client) -> None:
    assert await _json(client, "POST", ARTS, 400, data=b"null") == {"non_field_errors": ["No data provided"]}
    parse_error = await _json(client, "POST", ARTS, 400, data=b"{")
    assert parse_error == {"detail": "JSON parse error - Expected object or value"}
    response = await client.post(ARTS, data=b"[1]", headers=AUTH)
    assert response.status == 500  # real pretix crashes on a JSON list
    response = await client.post(ARTS, json=_new_event(plugins=5), headers=AUTH)
    assert response.status == 500  # and on plugins it cannot iterate


async def test_messages_follow_accept_language(client: Client) -> None:
    german = AUTH | {"Accept-Language": "fr;q=0.5, de-AT;q=0.8, xx"}
    response = await client.get(f"{ARTS}missing/", headers=german)
    assert response.headers["Content-Language"] == "de"
    assert (
        await response.read() == b'{"detail":"Sie sind nicht berechtigt, diese Aktion durchzuf\\u00fchren."}'
    )
    body = _new_event("spring-gala", currency="EURO", geo_lat=100)
    assert await _json(client, "POST", ARTS, 400, json=body, headers=german) == {
        "slug": ["Diese Kurzform ist bereits in Verwendung, bitte wählen Sie eine andere."],
        "currency": ['"EURO" ist keine gültige Auswahl.'],
        "geo_lat": ["Stelle sicher, dass dieser Wert kleiner oder gleich 90 ist."],
    }
    refused = await _json(client, "DELETE", f"{ARTS}summer-opera/", 403, headers=german)
    assert refused["detail"].startswith("The event can not be deleted")  # untranslated in pretix too
    informal = await client.get(f"{ARTS}missing/", headers=AUTH | {"Accept-Language": "de-informal"})
    assert informal.headers["Content-Language"] == "en"  # emulator assumption: only de and en


async def test_availability_for_a_sales_channel(client: Client) -> None:
    listed = await _json(client, "GET", ARTS, 200, params={"with_availability_for": "web"})
    states = {event["slug"]: event["best_availability_state"] for event in listed["results"]}
    assert states["summer-opera"] == 100
    assert list(listed["results"][0])[-4:] == [
        "limit_sales_channels", "best_availability_state", "public_url", "sales_channels",
    ]  # fmt: skip
    created = await _json(client, "POST", ARTS, 201, json=_new_event())
    assert "best_availability_state" not in created
    detail = await _json(client, "GET", f"{ARTS}new-event/", 200, params={"with_availability_for": "web"})
    assert detail["best_availability_state"] is None  # no quotas yet
    unknown = await _json(client, "GET", ARTS, 404, params={"with_availability_for": "pos", "page": "9"})
    assert unknown == {"detail": "No SalesChannel matches the given query."}


async def test_patch_changes_only_given_fields(client: Client) -> None:
    event = await _json(
        client, "PATCH", f"{ARTS}spring-gala/", 200, json={"name": {"de": "Nur"}, "geo_lat": "45"}
    )
    assert list(event) == EVENT_FIELDS
    assert (event["name"], event["geo_lat"], event["location"]) == (
        {"de": "Nur"},
        45.0,
        {"de": "Wien", "en": "Vienna"},
    )


async def test_patch_refuses_slug_and_series_changes(client: Client) -> None:
    body = await _json(
        client, "PATCH", f"{ARTS}spring-gala/", 400, json={"slug": "other", "has_subevents": True}
    )
    assert body == {
        "slug": ["The event slug cannot be changed."],
        "has_subevents": ["Once created an event cannot change between an series and a single event."],
    }


async def test_going_live_needs_a_quota(client: Client) -> None:
    await _json(client, "POST", ARTS, 201, json=_new_event())
    body = await _json(client, "PATCH", f"{ARTS}new-event/", 400, json={"live": True})
    assert body == {"live": ["You need to configure at least one quota to sell anything."]}
    assert (await _json(client, "PATCH", f"{ARTS}spring-gala/", 200, json={"live": True}))["live"] is True


async def test_put_needs_the_required_fields_and_keeps_omitted_ones(client: Client) -> None:
    errors = await _json(client, "PUT", f"{ARTS}spring-gala/", 400, json={"name": "x"})
    assert errors == {"slug": ["This field is required."], "date_from": ["This field is required."]}
    body = {"name": {"en": "Gala"}, "slug": "spring-gala", "date_from": "2027-04-01T18:00:00Z"}
    event = await _json(client, "PUT", f"{ARTS}spring-gala/", 200, json=body)
    assert (event["name"], event["date_from"]) == ({"en": "Gala"}, "2027-04-01T18:00:00Z")
    assert event["date_to"] == "2027-03-20T12:00:00Z"  # DRF update: omitted fields stay


async def test_delete_then_gone_is_403(client: Client) -> None:
    response = await client.delete(f"{ARTS}spring-gala/", headers=AUTH)
    assert (response.status, await response.read()) == (204, b"")
    assert await _json(client, "GET", f"{ARTS}spring-gala/", 403) == NO_PERMISSION


async def test_delete_refused_when_the_event_has_orders(client: Client) -> None:
    body = await _json(client, "DELETE", f"{ARTS}summer-opera/", 403)
    assert body == {
        "detail": "The event can not be deleted as it already contains orders. Please set 'live' to false to "
        "hide the event and take the shop offline instead."
    }


async def test_read_only_token_reads_but_cannot_write(client: Client) -> None:
    assert (await _json(client, "GET", f"{ARTS}spring-gala/", 200, headers=READ_ONLY))[
        "slug"
    ] == "spring-gala"
    writes = [
        ("POST", ARTS),
        ("PATCH", f"{ARTS}spring-gala/"),
        ("PUT", f"{ARTS}spring-gala/"),
        ("DELETE", f"{ARTS}spring-gala/"),
        ("POST", f"{ARTS}spring-gala/clone/"),
    ]
    for method, path in writes:
        assert await _json(client, method, path, 403, headers=READ_ONLY, json=_new_event()) == NO_PERMISSION


async def test_idempotency_key_replays_the_first_answer(client: Client) -> None:
    headers = AUTH | {"X-Idempotency-Key": "k-1"}
    first = await _json(client, "POST", ARTS, 201, json=_new_event(), headers=headers)
    again = await _json(client, "POST", ARTS, 201, json=_new_event(), headers=headers)
    assert again == first
    assert (await _json(client, "GET", ARTS, 200))["count"] == 6
    # Keyed by Authorization + key only: any later request with both gets the stored answer.
    assert await _json(client, "DELETE", f"{ARTS}spring-gala/", 201, headers=headers) == first
    await _json(client, "POST", ARTS, 400, json=_new_event(), headers=AUTH)


async def test_a_request_that_crashed_frees_its_idempotency_key(client: Client) -> None:
    headers = AUTH | {"X-Idempotency-Key": "k-crash"}
    crashing = _new_event() | {"date_from": "9999-12-31T23:00:00-14:00"}
    first = await client.post(ARTS, json=crashing, headers=headers)
    again = await client.post(ARTS, json=crashing, headers=headers)
    assert (first.status, again.status) == (500, 500)  # not 409 "Concurrent request" for ever after


async def test_clone_copies_settings_from_the_source(client: Client) -> None:
    await _json(
        client, "PATCH", f"{ARTS}autumn-jazz/", 200, json={"testmode": True, "timezone": "Europe/Vienna"}
    )
    clone = await _json(client, "POST", f"{ARTS}autumn-jazz/clone/", 201, json=_new_event("jazz-2"))
    assert (clone["testmode"], clone["timezone"], clone["location"]) == (True, "Europe/Vienna", None)
    assert "valid_keys" in clone


async def test_method_checks_come_after_auth_and_missing_slash_redirects(client: Client) -> None:
    assert await _json(client, "DELETE", ARTS, 405) == {"detail": 'Method "DELETE" not allowed.'}
    assert (await client.delete(ARTS)).status == 401
    response = await client.get(f"{ARTS}spring-gala", headers=AUTH, allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (301, f"{ARTS}spring-gala/")


async def test_calls_are_recorded_without_the_mount_prefix(client: Client, log: CallLog) -> None:
    await client.get(f"{API}/organizers/", headers=AUTH, params={"page": "1"})
    call = log.of(pretix.NAME)[-1]
    assert (call.method, call.path, call.query) == ("GET", "/api/v1/organizers/", {"page": "1"})


def test_sandbox_env_points_at_the_api_root() -> None:
    assert pretix.sandbox_env("http://127.0.0.1:9/pretix/") == {
        "PRETIX_BASE_URL": "http://127.0.0.1:9/pretix/api/v1",
        "PRETIX_TOKEN": pretix.TOKEN,
        "PRETIX_ORGANIZERS": "demo-conf,demo-arts",
    }


async def test_a_team_token_sees_only_its_organizer(client: Client) -> None:
    conf = {"Authorization": f"Token {pretix.CONF_TEAM_TOKEN}"}
    organizers = await _json(client, "GET", "/pretix/api/v1/organizers/", 200, headers=conf)
    assert [organizer["slug"] for organizer in organizers["results"]] == ["demo-conf"]
    await _json(client, "GET", "/pretix/api/v1/organizers/demo-arts/events/", 403, headers=conf)
    arts = {"Authorization": f"Token {pretix.ARTS_TEAM_TOKEN}"}
    await _json(client, "GET", "/pretix/api/v1/organizers/demo-arts/events/", 200, headers=arts)
