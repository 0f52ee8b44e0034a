"""pretix reads through the emulator: what pretix received, paging, filters, i18n, loader call counts, ids.

(The behaviour shared with a real pretix is held by tests/integration/test_pretix_real.py; these
tests look at what only the emulator can show: the requests themselves.)
"""

from __future__ import annotations

import base64

import pytest

from gateway.ids import encode_id
from gateway.sandbox import pretix as emulator
from resolvers.pretix import window_params
from resolvers.provider import Window
from schema.pretix import pick
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

LIST = """query($organizer: String!, $first: Int, $after: String, $filter: PretixEventFilter,
  $orderBy: PretixEventOrder) {
  pretixEvents(organizer: $organizer, first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { slug title } }
  }
}"""
WITH_ORGANIZER = LIST.replace(
    "node { slug title }", "node { slug title organizerObject { slug name publicUrl } }"
)
NODE = """query($id: ID!) { node(id: $id) { id ... on PretixEvent {
  slug title localizedName { text de: text(locale: "de") fr: text(locale: "fr") translations { locale text } }
} } }"""
EVENTS = """query($filter: EventFilter, $first: Int) {
  events(filter: $filter, first: $first) {
    edges { node { providerId title ... on PretixEvent { organizerObject { name } } } }
  }
}"""


def gid(slug: str, organizer: str = "demo-conf") -> str:
    return encode_id("pretix", organizer, slug)


def requests(sandbox: Sandbox) -> list[tuple[str, str, dict[str, str]]]:
    return [(call.method, call.path, call.query) for call in sandbox.calls("pretix")]


EVENTS_PATH = "/api/v1/organizers/demo-conf/events/"


async def test_a_list_sends_the_token_the_locale_and_pages_of_fifty(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, pretix_locale="de")) as gateway:
        data = await gateway.data(LIST, {"organizer": "demo-conf", "first": 2})
    connection = data["pretixEvents"]
    assert connection["totalCount"] == 60
    assert [edge["node"]["title"] for edge in connection["edges"]] == [
        "Datentage München #1",
        "Cloud-Forum Köln #2",
    ]
    first = sandbox.calls("pretix")[0]
    assert (first.method, first.path, first.query) == ("GET", EVENTS_PATH, {"page_size": "50"})
    assert first.headers["Authorization"] == f"Token {emulator.TOKEN}"
    assert first.headers["Accept-Language"] == "de"
    assert first.headers["Accept"] == "application/json"


async def test_sixty_events_with_their_organizer_cost_three_calls(gateway: Gateway, sandbox: Sandbox) -> None:
    data = await gateway.data(WITH_ORGANIZER, {"organizer": "demo-conf", "first": 60})
    edges = data["pretixEvents"]["edges"]
    assert len(edges) == 60
    assert {edge["node"]["organizerObject"]["name"] for edge in edges} == {"Demo Conferences"}
    assert requests(sandbox) == [
        ("GET", EVENTS_PATH, {"page_size": "50"}),
        ("GET", EVENTS_PATH, {"page": "2", "page_size": "50"}),
        ("GET", "/api/v1/organizers/demo-conf/", {}),
    ]


async def test_a_page_inside_pretixs_pages_reads_only_those(gateway: Gateway, sandbox: Sandbox) -> None:
    first = (await gateway.data(LIST, {"organizer": "demo-conf", "first": 45}))["pretixEvents"]
    sandbox.log.clear()
    rest = await gateway.data(
        LIST, {"organizer": "demo-conf", "first": 10, "after": first["pageInfo"]["endCursor"]}
    )
    assert [edge["node"]["slug"] for edge in rest["pretixEvents"]["edges"]] == [
        f"conf-{n}" for n in range(46, 56)
    ]
    assert (first["pageInfo"]["hasPreviousPage"], rest["pretixEvents"]["pageInfo"]["hasPreviousPage"]) == (
        False,
        True,
    )
    assert [call[2] for call in requests(sandbox)] == [
        {"page_size": "50"},
        {"page": "2", "page_size": "50"},
    ]


async def test_filters_and_order_are_pushed_down(gateway: Gateway, sandbox: Sandbox) -> None:
    filter = {
        "isPublic": True, "live": False, "testmode": False, "hasSubevents": False, "isFuture": True,
        "isPast": False, "endsAfter": "2026-08-01T00:00:00+02:00", "dateFromAfter": "2026-07-01T00:00:00Z",
        "dateFromBefore": "2027-01-01T00:00:00Z", "dateToAfter": "2026-07-01T00:00:00Z",
        "dateToBefore": "2027-02-01T00:00:00Z", "search": "Köln", "salesChannel": "web",
    }  # fmt: skip
    await gateway.data(LIST, {"organizer": "demo-conf", "filter": filter, "orderBy": "DATE_FROM_DESC"})
    [(_, _, query)] = requests(sandbox)
    assert query == {
        "is_public": "true", "live": "false", "testmode": "false", "has_subevents": "false",
        "is_future": "true", "is_past": "false", "ends_after": "2026-07-31T22:00:00Z",
        "date_from_after": "2026-07-01T00:00:00Z", "date_from_before": "2027-01-01T00:00:00Z",
        "date_to_after": "2026-07-01T00:00:00Z", "date_to_before": "2027-02-01T00:00:00Z",
        "search": "Köln", "sales_channel": "web", "ordering": "-date_from", "page_size": "50",
    }  # fmt: skip


async def test_cursors_belong_to_their_arguments(gateway: Gateway, sandbox: Sandbox) -> None:
    page = (await gateway.data(LIST, {"organizer": "demo-conf", "first": 1}))["pretixEvents"]
    cursor = page["pageInfo"]["endCursor"]
    other = await gateway.query(LIST, {"organizer": "demo-conf", "after": cursor, "orderBy": "DATE_FROM"})
    garbage = await gateway.query(LIST, {"organizer": "demo-conf", "after": "nonsense!"})
    too_many = await gateway.query(LIST, {"organizer": "demo-conf", "first": 201})
    bad_slug = await gateway.query(LIST, {"organizer": "../demo-conf"})
    fields = [body["errors"][0]["extensions"]["field"] for body in (other, garbage, too_many, bad_slug)]
    assert fields == [["after"], ["after"], ["first"], ["organizer"]]
    assert len(sandbox.calls("pretix")) == 1


async def test_a_cursor_past_a_shrunken_list_gives_an_empty_page(gateway: Gateway, sandbox: Sandbox) -> None:
    page = (await gateway.data(LIST, {"organizer": "demo-conf", "first": 1}))["pretixEvents"]
    digest = base64.urlsafe_b64decode(page["pageInfo"]["endCursor"] + "==").decode().split(":")[2]
    sandbox.log.clear()
    after = encode_id("pretix-list", 120, digest)
    data = await gateway.data(LIST, {"organizer": "demo-conf", "after": after})
    assert data["pretixEvents"] == {
        "totalCount": 60,
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": True, "startCursor": None, "endCursor": None},
        "edges": [],
    }
    assert [call[2] for call in requests(sandbox)] == [{"page": "3", "page_size": "50"}, {"page_size": "50"}]


async def test_names_follow_the_requested_then_the_default_locale(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, pretix_locale="en-GB")) as gateway:
        event = (await gateway.data(NODE, {"id": gid("conf-03")}))["node"]
    name = event["localizedName"]
    assert event["title"] == name["text"] == name["fr"] == "Security Camp Vienna #3"
    assert name["de"] == "Sicherheitscamp Wien #3"
    assert name["translations"] == [
        {"locale": "de", "text": "Sicherheitscamp Wien #3"},
        {"locale": "en", "text": "Security Camp Vienna #3"},
    ]


@pytest.mark.parametrize(
    ("values", "preferred", "expected"),
    [
        ({"de": "Hallo", "en": "Hello"}, ("de-AT",), "Hallo"),
        ({"de-informal": "Hallo du", "en": "Hello"}, ("de",), "Hallo du"),
        ({"de": "Hallo", "en": "Hello"}, ("fr", "it"), "Hello"),
        ({"de": "Hallo", "nl": "Hoi"}, ("fr",), "Hallo"),
        ({"pt-BR": "Olá", "en": "Hello"}, ("pt_br",), "Olá"),
        ({"de": "", "en": "Hello"}, ("de",), "Hello"),
        ({}, ("en",), None),
    ],
)
def test_pick_falls_back_by_language_then_english_then_first(
    values: dict[str, str], preferred: tuple[str, ...], expected: str | None
) -> None:
    assert pick(values, *preferred) == expected


async def test_a_list_then_a_node_of_it_costs_one_call(gateway: Gateway, sandbox: Sandbox) -> None:
    query = """query($id: ID!) { pretixEvents(organizer: "demo-conf", first: 5) { totalCount }
      node(id: $id) { ... on PretixEvent { slug } } }"""
    data = await gateway.data(query, {"id": gid("conf-02")})
    assert data["node"]["slug"] == "conf-02"
    assert requests(sandbox) == [("GET", EVENTS_PATH, {"page_size": "50"})]


async def test_nodes_fetch_each_event_once_and_concurrently(gateway: Gateway, sandbox: Sandbox) -> None:
    ids = [gid("conf-01"), gid("spring-gala", "demo-arts"), gid("conf-01"), gid("nope")]
    body = await gateway.query("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert [node and node["id"] for node in body["data"]["nodes"]] == [ids[0], ids[1], ids[0], None]
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert sorted(call[1] for call in requests(sandbox)) == [
        "/api/v1/organizers/demo-arts/events/spring-gala/",
        "/api/v1/organizers/demo-conf/events/conf-01/",
        "/api/v1/organizers/demo-conf/events/nope/",
    ]


@pytest.mark.parametrize(
    "raw",
    [
        "pretix:demo-conf",
        "pretix:demo-conf:conf-01:x",
        "pretix:demo-conf:a_b",
        "pretix:-x:conf-01",
        "pretix:..",
    ],
)
async def test_malformed_pretix_ids_are_refused_before_any_call(
    gateway: Gateway, sandbox: Sandbox, raw: str
) -> None:
    body = await gateway.query(NODE, {"id": base64.urlsafe_b64encode(raw.encode()).decode()})
    assert body["data"]["node"] is None
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": ["id"]}
    assert sandbox.calls("pretix") == []


async def test_federated_window_is_pushed_down_and_paging_stops_early(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    filter = {"providers": ["PRETIX"], "startsAfter": "2026-07-01T00:00:00+02:00", "search": "summit"}
    data = await gateway.data(EVENTS, {"filter": filter, "first": 3})
    assert [edge["node"]["providerId"] for edge in data["events"]["edges"]] == [
        "conf-07",
        "conf-14",
        "conf-21",
    ]
    calls = requests(sandbox)
    pushed = {
        "ordering": "date_from",
        "date_from_after": "2026-06-30T22:00:00Z",
        "search": "summit",
        "page_size": "50",
    }
    assert calls[:2] == [
        ("GET", "/api/v1/organizers/demo-conf/events/", pushed),
        ("GET", "/api/v1/organizers/demo-arts/events/", pushed),
    ]
    assert calls[2:] == [("GET", "/api/v1/organizers/demo-conf/", {})]


async def test_a_non_ascii_search_is_not_pushed_down(sandbox: Sandbox) -> None:
    # pretix compares non-ASCII letters case-sensitively; the federated search folds case.
    async with running_gateway(settings_for(sandbox, pretix_locale="de")) as gateway:
        data = await gateway.data(EVENTS, {"filter": {"providers": ["PRETIX"], "search": "KÖLN"}, "first": 3})
    assert [edge["node"]["title"] for edge in data["events"]["edges"]][:1] == ["Cloud-Forum Köln #2"]
    assert all("search" not in call[2] for call in requests(sandbox))


@pytest.mark.parametrize(("search", "pushed"), [("summit", True), ("KÖLN", False), ("grosses", False)])
def test_only_searches_pretix_matches_as_the_window_does_are_pushed_down(search: str, pushed: bool) -> None:
    assert ("search" in window_params(Window(search=search))) is pushed


async def test_federated_paging_stops_once_the_window_is_full(gateway: Gateway, sandbox: Sandbox) -> None:
    data = await gateway.data(EVENTS, {"filter": {"providers": ["PRETIX"]}, "first": 5})
    assert len(data["events"]["edges"]) == 5
    assert {
        organizer["name"]
        for edge in data["events"]["edges"]
        if (organizer := edge["node"]["organizerObject"])
    }
    pages = [call for call in requests(sandbox) if call[1].endswith("/events/")]
    assert [call[2].get("page", "1") for call in pages] == ["1", "1"]  # demo-conf has 60: one page is enough
    assert ("GET", "/api/v1/organizers/", {"page_size": "50"}) in requests(
        sandbox
    )  # two organizers: one list


async def test_without_configured_organizers_every_visible_one_is_listed(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, pretix_organizers="")) as gateway:
        data = await gateway.data(EVENTS, {"filter": {"providers": ["PRETIX"]}, "first": 100})
    assert {edge["node"]["organizerObject"]["name"] for edge in data["events"]["edges"]} == {
        "Demo Arts",
        "Demo Conferences",
    }
    calls = requests(sandbox)
    assert calls[0] == ("GET", "/api/v1/organizers/", {"page_size": "50"})
    assert len(calls) == 4  # organizers, demo-arts' page, demo-conf's two pages; organizer details primed


async def test_a_wrong_base_url_is_an_upstream_error_not_a_missing_object(sandbox: Sandbox) -> None:
    settings = settings_for(sandbox, pretix_base_url=f"{sandbox.base_url}/pretix/api/v9")
    async with running_gateway(settings) as gateway:
        body = await gateway.query(LIST, {"organizer": "demo-conf"})
    [error] = body["errors"]
    assert error["extensions"] == {"code": "UPSTREAM_ERROR", "provider": "PRETIX"}
    assert "PRETIX_BASE_URL" in error["message"]


async def test_not_configured_pretix_says_so(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, pretix_token="")) as gateway:
        body = await gateway.query(LIST, {"organizer": "demo-conf"})
        status = await gateway.data("{ providers { provider enabled } }")
    assert body["errors"][0]["extensions"] == {"code": "PROVIDER_NOT_CONFIGURED", "provider": "PRETIX"}
    assert {"provider": "PRETIX", "enabled": False} in status["providers"]


async def test_a_list_known_to_span_pages_is_read_in_one_round(gateway: Gateway, sandbox: Sandbox) -> None:
    """Pages of 50 in sequence cost a round trip each; once the gateway has seen a list's count it
    asks for the pages it needs at once, and never speculates on a list that fits one page."""
    variables = {"filter": {"providers": ["PRETIX"]}, "first": 55}
    await gateway.data(EVENTS, variables)
    sandbox.log.clear()
    await gateway.data(EVENTS, variables)
    pages = [
        (call[1].split("/")[4], call[2].get("page", "1"))
        for call in requests(sandbox)
        if call[1].endswith("/events/")
    ]
    # demo-conf (60 events) gets both pages, demo-arts (5) one: no speculative call past the end.
    assert sorted(pages) == [("demo-arts", "1"), ("demo-conf", "1"), ("demo-conf", "2")]


async def test_meta_data_filters_as_pretix_attr(gateway: Gateway, sandbox: Sandbox) -> None:
    track = {"metaData": [{"property": "Track", "value": "Tech"}]}
    tech = (await gateway.data(LIST, {"organizer": "demo-conf", "first": 100, "filter": track}))[
        "pretixEvents"
    ]
    assert requests(sandbox)[0][2] == {"attr[Track]": "Tech", "page_size": "50"}
    everything = (await gateway.data(LIST, {"organizer": "demo-conf", "first": 100}))["pretixEvents"]
    assert 0 < tech["totalCount"] < everything["totalCount"]
    sandbox.log.clear()
    # `Room` is not a property events may be filtered by: pretix ignores it.
    room = {"metaData": [{"property": "Room", "value": "Nowhere"}]}
    ignored = (await gateway.data(LIST, {"organizer": "demo-conf", "first": 1, "filter": room}))[
        "pretixEvents"
    ]
    assert ignored["totalCount"] == everything["totalCount"]
    node = """query($id: ID!) { node(id: $id) { ... on PretixEvent { metaData } } }"""
    for edge in tech["edges"][:3]:
        data = await gateway.data(node, {"id": gid(edge["node"]["slug"])})
        assert data["node"]["metaData"] == {"Track": "Tech"}
