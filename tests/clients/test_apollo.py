"""Apollo Client 3: relayStylePagination() over `events`, the persisted-query link by POST and by
GET, a cache that keys every object `__typename:id` with no keyFields, and partial results."""

from __future__ import annotations

from typing import Any

import pytest

from tests.clients.events import all_events
from tests.clients.tools import run_node
from tests.live_gateway import LiveGateway

PAGE_SIZE = 25  # clients/apollo/events.mjs


def hash_only(exchange: dict[str, Any]) -> bool:
    return bool(exchange["sentHash"]) and not exchange["sentQuery"]


@pytest.fixture(scope="module", params=["POST", "GET"])
def paged(live_gateway: LiveGateway, request: pytest.FixtureRequest) -> dict[str, Any]:
    """The paging script's report, its hash-only requests sent by this method."""
    method: str = request.param
    report = run_node("apollo/events.mjs", live_gateway.graphql_url, "page", method.lower())
    return {**report, "method": method}


def test_pages_every_event_into_one_normalised_cache(
    live_gateway: LiveGateway, paged: dict[str, Any]
) -> None:
    expected = [event["id"] for event in all_events(live_gateway.graphql_url)]
    report = paged

    assert report["pagedIds"] == expected
    assert report["mergedIds"] == expected  # relayStylePagination() merged the pages, in order
    assert report["pages"] == -(-len(expected) // PAGE_SIZE)
    assert report["mergedPageInfo"]["hasNextPage"] is False
    assert report["cacheProblems"] == []  # every object with an id is its own `Typename:id` entry
    assert report["identity"]["problems"] == []  # and no two objects share one
    # One entry per object with an id (the events and every object they reach), plus ROOT_QUERY.
    assert report["cacheEntries"] == report["identity"]["distinct"] + 1
    assert report["identity"]["distinct"] > len(expected)
    assert report["warnings"] == []
    # Pages of 25 events are well over 1 KB: fetch asked for gzip and got it.
    pages = [exchange for exchange in report["exchanges"] if exchange["errorCodes"] == []]
    assert {exchange["contentEncoding"] for exchange in pages} == {"gzip"}


def test_persisted_query_link_registers_once_then_sends_only_the_hash(paged: dict[str, Any]) -> None:
    method = paged["method"]
    miss, register, *hits = paged["exchanges"]

    assert hash_only(miss)
    assert miss["method"] == method
    assert miss["errorCodes"] == ["PERSISTED_QUERY_NOT_FOUND"]
    assert "json" in miss["contentType"]
    assert register["sentQuery"]
    assert register["method"] == "POST"
    assert register["errorCodes"] == []
    assert hits, "the paging sent no further request"
    for hit in hits:
        assert hash_only(hit)
        assert hit["method"] == method
        assert (hit["status"], hit["errorCodes"]) == (200, [])
        assert "json" in hit["contentType"]  # never the GraphiQL page a browser gets


def test_error_policy_all_keeps_the_healthy_providers_events(live_gateway: LiveGateway) -> None:
    with live_gateway.failing("kona"):
        report = run_node("apollo/events.mjs", live_gateway.graphql_url, "partial")

    kept = report["errorPolicyAll"]
    assert kept["providers"]
    assert "KONA" not in kept["providers"]
    assert [error["provider"] for error in kept["errors"]] == ["KONA"]
    assert all(error["code"] for error in kept["errors"])
    # Apollo's default policy ("none") throws the whole result away: why the README says "all".
    assert report["errorPolicyNone"]["threw"] is True


def test_batch_http_link_sends_one_request_for_concurrent_queries(live_gateway: LiveGateway) -> None:
    ids = [event["id"] for event in all_events(live_gateway.graphql_url)[:3]]

    report = run_node("apollo/events.mjs", live_gateway.graphql_url, "batch", *ids)

    assert [node["id"] for node in report["nodes"]] == ids
    [exchange] = report["exchanges"]
    assert (exchange["method"], exchange["batch"], exchange["status"]) == ("POST", 3, 200)
    assert exchange["errorCodes"] == []
