"""A plain POST (one JSON object, `gateway.edge.view._plain_post`) skips strawberry's view on the way
to execution; its answers are the ones the whole view gives (a GET of the same operation, or the
same POST as a batch of one)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from gateway.edge.media_types import APPLICATION_JSON, GRAPHQL_RESPONSE_JSON
from gateway.ids import encode_id
from gateway.sandbox import strigo as strigo_sandbox
from tests.harness import Gateway

EVENT = encode_id("strigo", strigo_sandbox.EVENT_IDS[0])
OPERATIONS: dict[str, dict[str, Any]] = {
    "typename": {"query": "{ __typename }"},
    "node": {"query": f'{{ node(id: "{EVENT}") {{ id ... on StrigoEvent {{ name status startsAt }} }} }}'},
    "variables": {
        "query": "query One($id: ID!) { node(id: $id) { id } }",
        "variables": {"id": EVENT},
        "operationName": "One",
    },
    "list": {"query": "{ strigoEvents { id title startsAt endsAt status } }"},
    "validation-error": {"query": "{ nope }"},
    "syntax-error": {"query": "{ __typename"},
    "bad-id": {"query": '{ node(id: "not-an-id") { id } }'},
    "missing-variable": {"query": "query($id: ID!) { node(id: $id) { id } }"},
    "two-operations-no-name": {"query": "query A { __typename } query B { __typename }"},
    "operation-name-chosen": {"query": "query A { __typename } query B { __typename }", "operationName": "B"},
}


@pytest.mark.parametrize("accept", [APPLICATION_JSON, GRAPHQL_RESPONSE_JSON])
@pytest.mark.parametrize("name", sorted(OPERATIONS))
async def test_a_plain_post_answers_as_the_whole_view_does(gateway: Gateway, name: str, accept: str) -> None:
    operation = OPERATIONS[name]
    headers = {"Accept": accept, "Content-Type": "application/json"}
    plain = await gateway.http.post("/graphql", content=orjson.dumps(operation), headers=headers)
    batch = await gateway.http.post("/graphql", content=orjson.dumps([operation]), headers=headers)
    params = {
        key: orjson.dumps(value).decode() if key == "variables" else value for key, value in operation.items()
    }
    got = await gateway.http.get("/graphql", params=params, headers={"Accept": accept})

    assert plain.json() == got.json() == batch.json()[0]
    assert plain.status_code == got.status_code
    for header in ("content-type", "vary"):
        assert plain.headers.get(header) == got.headers.get(header)
    assert plain.headers["x-request-id"] != got.headers["x-request-id"]


@pytest.mark.parametrize("spelling", ["Text/Event-Stream", "TEXT/EVENT-STREAM"])
async def test_a_stream_accept_in_any_case_takes_the_whole_view(gateway: Gateway, spelling: str) -> None:
    """Media types are case-insensitive: asking for SSE in capitals gets the stream lower case gets."""
    body = orjson.dumps({"query": "{ __typename }"})
    lower = await gateway.http.post(
        "/graphql", content=body, headers={"Accept": "text/event-stream", "Content-Type": "application/json"}
    )
    other = await gateway.http.post(
        "/graphql", content=body, headers={"Accept": spelling, "Content-Type": "application/json"}
    )
    assert lower.headers["content-type"].startswith("text/event-stream")
    assert (other.status_code, other.headers["content-type"]) == (
        lower.status_code,
        lower.headers["content-type"],
    )
    assert other.text == lower.text


@pytest.mark.parametrize("content_type", ["Application/JSON", "APPLICATION/JSON; charset=utf-8"])
async def test_a_content_type_is_read_as_the_whole_view_reads_it(gateway: Gateway, content_type: str) -> None:
    body = orjson.dumps({"query": "{ __typename }"})
    headers = {"Content-Type": content_type}
    plain = await gateway.http.post("/graphql", content=body, headers=headers)
    batch = await gateway.http.post("/graphql", content=b"[" + body + b"]", headers=headers)
    assert (plain.status_code, plain.json()) == (batch.status_code, batch.json())
