"""Trusted documents: the file Relay's persistConfig writes, served with GATEWAY_PERSISTED_ONLY,
runs exactly those documents by hash and nothing else."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.clients.relay_project import RelayProject, compile_relay, sha256
from tests.clients.tools import ROOT, run_node
from tests.live_gateway import RESILIENCE_OFF, LiveGateway, serving_gateway


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> RelayProject:
    """clients/relay compiled against the committed SDL (the served one: see test_relay)."""
    project, _ = compile_relay(tmp_path_factory.mktemp("relay"), ROOT / "schema" / "schema.graphql")
    return project


@pytest.fixture(scope="module")
def live_gateway(compiled: RelayProject) -> Iterator[LiveGateway]:
    """A gateway that runs only the documents Relay persisted."""
    documents = compiled.root / "persisted-documents.json"
    with serving_gateway(
        **RESILIENCE_OFF, gateway_persisted_documents=str(documents), gateway_persisted_only=True
    ) as gateway:
        yield gateway


def test_relay_runs_its_persisted_documents_by_hash_alone(
    live_gateway: LiveGateway, compiled: RelayProject, strigo_input: dict[str, Any]
) -> None:
    report = run_node(
        "relay/run.mjs", live_gateway.graphql_url, str(compiled.root), "persisted", json.dumps(strigo_input)
    )

    assert report["created"]["userErrors"] == []
    assert report["appendedIds"] == [report["created"]["event"]["id"]]
    assert report["refetched"]["id"] == report["mergedIds"][-1]
    assert report["pages"] > 1
    for exchange in report["exchanges"]:
        assert exchange["sentHash"]
        assert not exchange["sentQuery"]
        assert (exchange["status"], exchange["errorCodes"]) == (200, [])


def test_a_document_not_in_the_file_is_refused(live_gateway: LiveGateway) -> None:
    query = "{ events(first: 1) { nodes { id } } }"
    response = httpx.post(
        live_gateway.graphql_url,
        json={"query": query},
        headers={"accept": "application/graphql-response+json"},
        timeout=30,
    )

    assert response.status_code == 400  # refused before execution: a request error
    body = response.json()
    assert "data" not in body
    assert [error["extensions"]["code"] for error in body["errors"]] == ["PERSISTED_QUERY_NOT_ALLOWED"]


def test_an_unknown_hash_is_not_found(live_gateway: LiveGateway) -> None:
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256("{ __typename }")}}
    body = httpx.post(live_gateway.graphql_url, json={"extensions": extensions}, timeout=30).json()

    assert [error["extensions"]["code"] for error in body["errors"]] == ["PERSISTED_QUERY_NOT_FOUND"]
