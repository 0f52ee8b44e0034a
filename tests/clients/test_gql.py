"""Python's gql (aiohttp transport): the schema by introspection, local validation, a query, a
mutation, a batch, and partial results."""

from __future__ import annotations

import json
from typing import Any

from tests.clients.tools import run_python
from tests.live_gateway import LiveGateway


def test_introspects_validates_locally_queries_mutates_and_batches(
    live_gateway: LiveGateway, strigo_input: dict[str, Any]
) -> None:
    report = run_python("python/gql_events.py", live_gateway.graphql_url, "basic", json.dumps(strigo_input))

    assert report["schemaTypes"] > 50
    assert report["introspectionRequests"] == 1
    assert "notAField" in report["invalidRefusedLocally"]
    assert report["requestsForInvalid"] == 0  # refused before anything was sent
    events = report["events"]["events"]["edges"]
    assert len(events) == 3
    assert report["created"]["createStrigoEvent"]["userErrors"] == []
    assert [result["node"]["id"] for result in report["batch"]] == [edge["node"]["id"] for edge in events]
    assert report["batchRequests"] == 1  # three operations, one HTTP request


def test_partial_results_ride_on_the_query_error(live_gateway: LiveGateway) -> None:
    with live_gateway.failing("kona"):
        report = run_python("python/gql_events.py", live_gateway.graphql_url, "partial")

    assert report["providers"]
    assert "KONA" not in report["providers"]
    assert [error["provider"] for error in report["errors"]] == ["KONA"]
