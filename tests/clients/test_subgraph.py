"""Subgraph mode: the gateway's `_service { sdl }` composed with a second subgraph by
@apollo/composition, the supergraph served by Hive Gateway, queries crossing both subgraphs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.clients.events import post
from tests.clients.processes import answers, background, free_port, wait_until
from tests.clients.tools import CLIENTS, bin_path, node, run_node
from tests.live_gateway import LiveGateway

GATEWAY_SETTINGS = {"gateway_subgraph": True}


@dataclass(frozen=True)
class Supergraph:
    """Hive Gateway serving the composed supergraph, and what went into it."""

    url: str
    composition: dict[str, Any]
    strigo_event: dict[str, Any]

    def query(self, query: str) -> dict[str, Any]:
        body: dict[str, Any] = httpx.post(self.url, json={"query": query}, timeout=30).json()
        return body


@pytest.fixture(scope="module")
def supergraph(live_gateway: LiveGateway, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Supergraph]:
    work = tmp_path_factory.mktemp("federation")
    strigo_event = post(
        live_gateway.graphql_url,
        "{ events(first: 1, filter: { providers: [STRIGO] }) { nodes { id title } } }",
    )["events"]["nodes"][0]
    reviews_port, router_port = free_port(), free_port()
    reviews_url = f"http://127.0.0.1:{reviews_port}/graphql"
    reviews = [node(), str(CLIENTS / "federation" / "reviews.mjs"), str(reviews_port), strigo_event["id"]]
    with background(reviews, work / "reviews.log", CLIENTS) as process:
        wait_until(answers(reviews_url), process, work / "reviews.log")
        composition = run_node(
            "federation/compose.mjs",
            str(work / "supergraph.graphql"),
            f"events={live_gateway.graphql_url}",
            f"reviews={reviews_url}",
        )
        assert composition["errors"] == []
        router = [
            node(),
            str(bin_path("hive-gateway")),
            "supergraph",
            str(work / "supergraph.graphql"),
            "--host",
            "127.0.0.1",
            "--port",
            str(router_port),
        ]
        with background(router, work / "hive-gateway.log", work) as hive:
            wait_until(answers(f"http://127.0.0.1:{router_port}/readiness"), hive, work / "hive-gateway.log")
            yield Supergraph(f"http://127.0.0.1:{router_port}/graphql", composition, strigo_event)


def test_the_gateway_composes_with_another_subgraph(supergraph: Supergraph) -> None:
    assert supergraph.composition["subgraphs"] == ["events", "reviews"]
    assert supergraph.composition["errors"] == []


def test_the_router_resolves_gateway_entities_for_the_other_subgraph(supergraph: Supergraph) -> None:
    """reviews → the gateway's `_entities` for each review's event."""
    body = supergraph.query("{ reviews { rating event { id title startsAt } } }")

    assert "errors" not in body, body
    assert [review["event"]["title"] for review in body["data"]["reviews"]] == [
        supergraph.strigo_event["title"]
    ] * 2


def test_the_router_extends_gateway_events_with_the_other_subgraph(supergraph: Supergraph) -> None:
    """The gateway's `events` → the reviews subgraph's `_entities` for `StrigoEvent.reviews`."""
    body = supergraph.query(
        "{ events(first: 1, filter: { providers: [STRIGO] }) "
        "{ nodes { id ... on StrigoEvent { reviews { rating text } } } } }"
    )

    assert "errors" not in body, body
    [event] = body["data"]["events"]["nodes"]
    assert event["id"] == supergraph.strigo_event["id"]
    assert [review["rating"] for review in event["reviews"]] == [5, 4]
