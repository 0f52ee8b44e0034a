"""Relay: relay-compiler 21 compiles a project against the schema the live gateway serves, and
relay-runtime runs the compiled operations against it."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from tests.clients.events import all_events
from tests.clients.relay_project import RelayProject, compile_relay, sha256
from tests.clients.tools import ROOT, run_node
from tests.live_gateway import LiveGateway


@pytest.fixture(scope="module")
def live_schema(
    live_gateway: LiveGateway, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    """The live gateway's schema as an SDL file, and both it and schema/schema.graphql sorted."""
    path = tmp_path_factory.mktemp("schema") / "live.graphql"
    report = run_node(
        "lib/schema.mjs", live_gateway.graphql_url, str(path), str(ROOT / "schema" / "schema.graphql")
    )
    return path, report


@pytest.fixture(scope="module")
def compiled(
    live_schema: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> RelayProject:
    project, _ = compile_relay(tmp_path_factory.mktemp("relay"), live_schema[0])
    return project


def test_the_served_schema_is_the_committed_one(live_schema: tuple[Path, dict[str, Any]]) -> None:
    _, report = live_schema
    assert report["live"] == report["committed"]


def test_relay_compiler_accepts_the_connection_the_refetchable_fragment_and_the_mutation(
    compiled: RelayProject,
) -> None:
    # relay-compiler refuses a connection whose PageInfo lacks any of the four Relay fields.
    assert '"handle": "connection"' in compiled.artifact("EventListPaginationQuery")
    assert "node(id: $id)" in compiled.artifact("EventCardRefetchQuery")
    assert '"handle": "appendNode"' in compiled.artifact("CreateStrigoEventMutation")
    # persistConfig writes hash → text, the hash SHA-256 of the text: a trusted-documents file.
    assert all(sha256(text) == key for key, text in compiled.documents.items())
    assert sorted(text.split("(")[0].split(" {")[0] for text in compiled.documents.values()) == [
        "mutation CreateStrigoEventMutation",
        "query AppQuery",
        "query EventCardRefetchQuery",
        "query EventListPaginationQuery",
    ]


def test_relay_runtime_pages_refetches_and_appends_without_store_conflicts(
    live_gateway: LiveGateway, compiled: RelayProject, strigo_input: dict[str, Any]
) -> None:
    expected = [event["id"] for event in all_events(live_gateway.graphql_url)]
    report = run_node(
        "relay/run.mjs", live_gateway.graphql_url, str(compiled.root), "text", json.dumps(strigo_input)
    )

    assert report["mergedIds"] == expected  # the connection handler merged every page, in order
    assert report["pages"] == math.ceil(len(expected) / 50)
    assert report["refetched"]["id"] == expected[-1]
    assert report["created"]["userErrors"] == []
    assert report["appendedIds"] == [report["created"]["event"]["id"]]
    assert report["storeProblems"] == []
    assert report["identity"]["problems"] == []
    assert report["identity"]["distinct"] >= len(expected)
    assert report["warnings"] == []
    assert all(exchange["errorCodes"] == [] for exchange in report["exchanges"])


def test_a_failing_provider_leaves_the_rest_of_the_list_and_a_field_error(
    live_gateway: LiveGateway, compiled: RelayProject
) -> None:
    healthy = [event for event in all_events(live_gateway.graphql_url) if event["provider"] != "KONA"]
    with live_gateway.failing("kona"):
        report = run_node("relay/run.mjs", live_gateway.graphql_url, str(compiled.root), "partial")

    assert report["edges"] == min(50, len(healthy))  # the first page, Kona's events left out
    # relay-runtime keeps `data` and attaches errors only to fields that came back null: `events`
    # has a value, so components see no error, and the network layer is where an app notices it.
    assert report["fieldErrors"] == []
    assert [error["provider"] for error in report["networkErrors"]] == ["KONA"]
    assert report["warnings"] == []
