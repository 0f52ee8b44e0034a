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
