"""The federated `events` query and mixed `nodes`: order, cursors, pushdown, partial failure, call counts."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import pytest

from resolvers.registry import PROVIDERS
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

EVENTS = """query($filter: EventFilter, $first: Int, $after: String) {
  events(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id provider providerId title startsAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
WIDE = {"startsAfter": "2024-01-01T00:00:00Z", "startsBefore": "2027-06-01T00:00:00Z"}
WINDOW = {"startsAfter": "2024-03-15T00:00:00Z", "startsBefore": "2026-01-20T00:00:00Z"}
NAMES = [api.spec.name for api in PROVIDERS]


def order_key(node: dict[str, Any]) -> tuple[datetime, str, str]:
    return (datetime.fromisoformat(node["startsAt"]), node["provider"], node["providerId"])


async def fetch(gateway: Gateway, **variables: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    data = await gateway.data(EVENTS, variables)
    connection = data["events"]
    return [edge["node"] for edge in connection["edges"]], connection["pageInfo"]


async def test_events_of_every_provider_merge_in_one_order(gateway: Gateway) -> None:
    nodes, info = await fetch(gateway, filter=WIDE, first=200)
    assert set(Counter(node["provider"] for node in nodes)) == {name.upper() for name in NAMES}
    assert nodes == sorted(nodes, key=order_key)
    assert info["hasNextPage"] is True


async def test_a_cursor_walk_equals_one_unpaged_fetch(gateway: Gateway) -> None:
    whole, info = await fetch(gateway, filter=WINDOW, first=200)
    assert info["hasNextPage"] is False
    assert len({node["provider"] for node in whole}) >= 3
    walked: list[dict[str, Any]] = []
    after = None
    while True:
        page, info = await fetch(gateway, filter=WINDOW, first=23, after=after)
        assert info["hasPreviousPage"] is (after is not None)
        assert info["startCursor"] is not None
        walked.extend(page)
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert [node["id"] for node in walked] == [node["id"] for node in whole]
    assert len({node["id"] for node in walked}) == len(walked)


async def test_page_info_has_the_cursors_of_the_first_and_last_edge(gateway: Gateway) -> None:
    data = await gateway.data(EVENTS, {"filter": WINDOW, "first": 5})
    edges, info = data["events"]["edges"], data["events"]["pageInfo"]
    assert (info["startCursor"], info["endCursor"]) == (edges[0]["cursor"], edges[-1]["cursor"])
    assert info["hasPreviousPage"] is False
    empty = await gateway.data(EVENTS, {"filter": {**WINDOW, "search": "no event says this"}, "first": 5})
    assert empty["events"]["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


async def test_the_window_and_search_apply_exactly(gateway: Gateway) -> None:
    nodes, _ = await fetch(gateway, filter={**WIDE, "search": "kubernetes"}, first=200)
    assert nodes
    assert all("kubernetes" in node["title"].lower() for node in nodes)
    window_nodes, _ = await fetch(gateway, filter=WINDOW, first=200)
    starts = [datetime.fromisoformat(node["startsAt"]) for node in window_nodes]
    assert min(starts) >= datetime.fromisoformat(WINDOW["startsAfter"])
    assert max(starts) < datetime.fromisoformat(WINDOW["startsBefore"])


async def test_search_matches_the_location_too(gateway: Gateway) -> None:
    # Kona's "Quarterly offsite" says Lisbon only in its location.
    query = EVENTS.replace("startsAt }", "startsAt location description }")
    data = await gateway.data(query, {"filter": {**WIDE, "search": "lisBON"}, "first": 50})
    nodes = [edge["node"] for edge in data["events"]["edges"]]
    assert [(node["provider"], node["title"]) for node in nodes] == [("KONA", "Quarterly offsite")]
    assert "lisbon" not in (nodes[0]["title"] + (nodes[0]["description"] or "")).lower()
    assert nodes[0]["location"] == "Lisbon"


async def test_the_date_window_is_pushed_down_where_the_api_can_filter(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    await fetch(gateway, filter=WINDOW, first=10)
    kona = sandbox.calls("kona")[0]
    assert kona.query["date_range_start"] == str(
        int(datetime.fromisoformat(WINDOW["startsAfter"]).timestamp() * 1000)
    )
    assert kona.query["date_range_end"] == str(
        int(datetime.fromisoformat(WINDOW["startsBefore"]).timestamp() * 1000)
    )
    [multiget] = sandbox.calls("schoology")
    # Realm event lists carry the dates; a user realm's object (read for its zone) has none.
    lists = [path for path in multiget.body["request"] if "/events" in path]
    assert lists
    assert all("start_date=" in path and "end_date=" in path for path in lists)
    assert sandbox.calls("strigo")[0].query == {}  # Strigo cannot filter: the gateway does
    if "pretix" in NAMES:
        pretix = sandbox.calls("pretix")[0]
        assert "date_from_after" in pretix.query
        assert "date_from_before" in pretix.query


async def test_only_the_asked_providers_are_called(gateway: Gateway, sandbox: Sandbox) -> None:
    nodes, _ = await fetch(gateway, filter={**WIDE, "providers": ["KONA"]}, first=5)
    assert {node["provider"] for node in nodes} == {"KONA"}
    assert {call.provider for call in sandbox.log.calls} == {"kona"}


@pytest.mark.parametrize("failing", NAMES)
@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"error_rate": 1.0, "status": 503}, "UPSTREAM_ERROR"),
        ({"error_rate": 1.0, "status": 429, "retry_after": 60}, "UPSTREAM_RATE_LIMITED"),
        ({"error_rate": 1.0, "status": 401}, "UPSTREAM_UNAUTHORIZED"),
        ({"hang": True}, "UPSTREAM_TIMEOUT"),
    ],
    ids=["5xx", "429", "credentials", "timeout"],
)
async def test_a_failing_provider_leaves_the_others_in_order_with_one_error(
    sandbox: Sandbox, failing: str, fault: dict[str, Any], code: str
) -> None:
    # The timeout bounds the healthy providers too: their first lists take 0.3 s, but over 1.5 s
    # while the whole suite and other jobs share the machine (Schoology's and pretix's timed out).
    settings = settings_for(sandbox, gateway_upstream_timeout=5.0, gateway_retries=0)
    async with running_gateway(settings) as gateway:
        sandbox.fault(failing, **fault)
        body = await gateway.query(EVENTS, {"filter": WIDE, "first": 200})
    nodes = [edge["node"] for edge in body["data"]["events"]["edges"]]
    assert {node["provider"] for node in nodes} == {name.upper() for name in NAMES if name != failing}
    assert nodes == sorted(nodes, key=order_key)
    [error] = body["errors"]
    assert error["extensions"]["code"] == code
    assert error["extensions"]["provider"] == failing.upper()
    assert error["path"] == ["events"]


async def test_nodes_of_mixed_providers_cost_one_round_each(gateway: Gateway, sandbox: Sandbox) -> None:
    listed, _ = await fetch(gateway, filter=WIDE, first=200)
    by_provider: dict[str, list[str]] = {}
    for node in listed:
        by_provider.setdefault(node["provider"], []).append(node["id"])
    ids = [id_ for provider_ids in by_provider.values() for id_ in provider_ids[:3]]
    ids.insert(2, ids[0])  # a repeat costs nothing more
    sandbox.log.clear()
    data = await gateway.data("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert [node["id"] for node in data["nodes"]] == ids
    calls = Counter(call.provider for call in sandbox.log.calls)
    assert calls["strigo"] == 1  # three ids: one list call
    for provider in set(calls) - {"strigo"}:
        assert calls[provider] <= 3  # at most one concurrent call per distinct id, in one round


async def test_nodes_after_a_list_in_the_same_request_cost_nothing(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    listed, _ = await fetch(gateway, filter={"providers": ["STRIGO", "KONA"], **WIDE}, first=100)
    ids = [node["id"] for node in listed[:2] + listed[-2:]]
    sandbox.log.clear()
    query = """query($f: EventFilter, $ids: [ID!]!) {
      events(filter: $f, first: 100) { edges { node { id } } }
      nodes(ids: $ids) { id }
    }"""
    data = await gateway.data(query, {"f": {"providers": ["STRIGO", "KONA"], **WIDE}, "ids": ids})
    assert [node["id"] for node in data["nodes"]] == ids
    assert Counter(call.provider for call in sandbox.log.calls) == Counter(
        {"strigo": 1, "kona": len(sandbox.calls("kona"))}
    )
    assert all(call.path.endswith("/calendar_events") for call in sandbox.calls("kona"))


async def test_missing_ids_are_null_in_place_with_not_found(gateway: Gateway) -> None:
    listed, _ = await fetch(gateway, filter=WIDE, first=3)
    ids = [listed[0]["id"], "c3RyaWdvOk5vcGU", listed[1]["id"]]
    body = await gateway.query("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert body["data"]["nodes"] == [{"id": ids[0]}, None, {"id": ids[2]}]
    [error] = body["errors"]
    assert (error["path"], error["extensions"]["code"]) == (["nodes", 1], "NOT_FOUND")


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"first": 0}, ["first"]),
        ({"first": 500}, ["first"]),
        ({"after": "bm90IGEgY3Vyc29y"}, ["after"]),
        ({"filter": {"startsAfter": "2026-01-02T00:00:00Z", "startsBefore": "2026-01-01T00:00:00Z"}},
         ["filter", "startsBefore"]),
    ],
    ids=["first-zero", "first-too-big", "bad-cursor", "inverted-window"],
)  # fmt: skip
async def test_bad_arguments_are_refused_before_any_call(
    gateway: Gateway, sandbox: Sandbox, variables: dict[str, Any], field: list[str]
) -> None:
    body = await gateway.query(EVENTS, variables)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert sandbox.log.calls == []
