"""urql: a query and a mutation with the default exchanges, persisted queries with the persisted
exchange, and partial results as `result.error` beside `result.data`."""

from __future__ import annotations

import json
from typing import Any

from tests.clients.tools import run_node
from tests.live_gateway import LiveGateway


def test_query_and_mutation_with_the_default_exchanges(
    live_gateway: LiveGateway, strigo_input: dict[str, Any]
) -> None:
    report = run_node("urql/events.mjs", live_gateway.graphql_url, "basic", json.dumps(strigo_input))

    assert report["first"]["error"] is None
    edges = report["first"]["data"]["events"]["edges"]
    assert len(edges) == 5
    assert {edge["node"]["provider"] for edge in edges} == {"STRIGO"}
    assert report["cachedFromCache"] is True  # the document cache answered the repeat
    created = report["created"]["data"]["createStrigoEvent"]
    assert created["userErrors"] == []
    assert created["event"]["title"] == strigo_input["name"]
    # The mutation returned a StrigoEvent: the document cache dropped the list and asked again.
    assert [exchange["method"] for exchange in report["exchanges"]] == ["POST", "POST", "POST"]
    assert report["afterMutation"]["error"] is None


def test_persisted_exchange_by_post_and_by_get(live_gateway: LiveGateway) -> None:
    report = run_node("urql/events.mjs", live_gateway.graphql_url, "persisted")

    for method in ("POST", "GET"):
        run = report[method.lower()]
        assert run["miss"]["error"] is None
        assert run["hit"]["error"] is None
        assert run["hit"]["data"] == run["miss"]["data"]
        miss, register, hit = run["exchanges"]
        assert (miss["method"], miss["sentHash"], miss["sentQuery"]) == (method, True, False)
        assert miss["errorCodes"] == ["PERSISTED_QUERY_NOT_FOUND"]
        assert register["sentQuery"]
        assert register["method"] == method  # urql registers by GET too (the text in the URL)
        assert register["errorCodes"] == []
        assert (hit["method"], hit["sentHash"], hit["sentQuery"]) == (method, True, False)
        assert hit["errorCodes"] == []


def test_partial_results_come_as_error_beside_data(live_gateway: LiveGateway) -> None:
    with live_gateway.failing("kona"):
        report = run_node("urql/events.mjs", live_gateway.graphql_url, "partial")

    providers = {edge["node"]["provider"] for edge in report["data"]["events"]["edges"]}
    assert providers
    assert "KONA" not in providers
    assert report["error"]["networkError"] is None
    assert [error["provider"] for error in report["error"]["graphQLErrors"]] == ["KONA"]
