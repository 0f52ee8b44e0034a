"""A plain POST (one JSON object, `gateway.edge.view._plain_post`) skips strawberry's view on the way
to execution, and a prepared one `Schema.execute` too (`gateway.edge.prepared`); their answers are
the ones the whole view gives (a GET of the same operation, or the same POST as a batch of one)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.edge.lane import GraphQLLane
from gateway.edge.media_types import APPLICATION_JSON, GRAPHQL_RESPONSE_JSON
from gateway.edge.prepared import MAX_PREPARED_BYTES, PreparedOperations
from gateway.edge.view import GatewayGraphQL
from gateway.ids import encode_id
from gateway.sandbox import strigo as strigo_sandbox
from tests.harness import Gateway, Sandbox, settings_for

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
    "named-unnamed": {"query": "query Named { __typename }"},
    "fragment": {"query": "query F { ...Root } fragment Root on Query { __typename t: __typename }"},
    "with-null": {"query": "{ events(first: 1, filter: { search: null }) { edges { node { id } } } }"},
    "partial": {"query": "{ events(first: 5) { edges { node { id provider } } } }"},
    "mutation": {"query": 'mutation { deleteStrigoEvent(id: "bm9wZQ") { userErrors { message } } }'},
}


#: The operations that qualify for the prepared path (see `gateway.edge.prepared`).
PREPARED = {
    "typename",
    "node",
    "list",
    "bad-id",
    "operation-name-chosen",
    "partial",
    "named-unnamed",
    "fragment",
}


@pytest.fixture
async def served(sandbox: Sandbox) -> AsyncIterator[tuple[httpx.AsyncClient, Starlette]]:
    """An HTTP client on the app, and the app (whose `state.prepared` a test may read)."""
    # Breakers that never open: every request of a test meets the same upstream failures.
    app = create_app(settings_for(sandbox, gateway_breaker_failures=10_000))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
            yield http, app


@pytest.mark.parametrize("accept", [APPLICATION_JSON, GRAPHQL_RESPONSE_JSON])
@pytest.mark.parametrize("name", sorted(OPERATIONS))
async def test_a_plain_post_answers_as_the_whole_view_does(
    served: tuple[httpx.AsyncClient, Starlette], sandbox: Sandbox, name: str, accept: str
) -> None:
    http, app = served
    operation = OPERATIONS[name]
    if name == "partial":
        sandbox.fault("kona", status=503, error_rate=1.0)
    headers = {"Accept": accept, "Content-Type": "application/json"}
    params = {
        key: orjson.dumps(value).decode() if key == "variables" else value for key, value in operation.items()
    }
    # The whole view first (a batch of one; a GET but for a mutation): it prepares what qualifies.
    batch = await http.post("/graphql", content=orjson.dumps([operation]), headers=headers)
    got = (
        None if name == "mutation" else await http.get("/graphql", params=params, headers={"Accept": accept})
    )
    prepared = app.state.prepared.get(operation.get("query"), operation.get("operationName"))
    assert (prepared is not None) == (name in PREPARED)
    plain = await http.post("/graphql", content=orjson.dumps(operation), headers=headers)
    # A prepared operation's second run reuses what its first found in the document (its `Setup`).
    again = await http.post("/graphql", content=orjson.dumps(operation), headers=headers)
    assert (prepared is not None and prepared.setup is not None) == (name in PREPARED)

    assert plain.json() == batch.json()[0]
    assert (again.status_code, again.json()) == (plain.status_code, plain.json())
    if got is not None:
        assert plain.json() == got.json()
        assert plain.status_code == got.status_code
        for header in ("content-type", "vary"):
            assert plain.headers.get(header) == got.headers.get(header)


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


@pytest.mark.parametrize("name", [{"a": 1}, ["a"], 7, True])
async def test_an_operation_name_of_another_type_is_a_request_error(gateway: Gateway, name: object) -> None:
    """Not a string: the whole view answers it (400), before and after `{ __typename }` is prepared."""
    for _ in range(2):
        response = await gateway.http.post(
            "/graphql", json={"query": "{ __typename }", "operationName": name}
        )
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
        await gateway.http.get("/graphql", params={"query": "{ __typename }"})  # prepares it


async def test_prepared_documents_are_bounded_by_their_memory(
    served: tuple[httpx.AsyncClient, Starlette],
) -> None:
    """Dense documents (about 1,900 tokens each, ~0.7 MB parsed) are kept within MAX_PREPARED_BYTES,
    not by their text's length (an outsider found 256 of them pinned ~170 MB)."""
    http, app = served
    for index in range(40):
        providers = " ".join(["KONA"] * 1_800)
        query = (
            f"{{ a{index}: __typename events(filter: {{providers: [{providers}]}}) @skip(if: true) "
            "{ pageInfo { hasNextPage } } }"
        )
        response = await http.get("/graphql", params={"query": query}, headers={"Accept": APPLICATION_JSON})
        assert response.json() == {"data": {f"a{index}": "Query"}}
    prepared: PreparedOperations = app.state.prepared
    assert 0 < len(prepared) < 40
    assert prepared.size <= MAX_PREPARED_BYTES


async def test_a_plain_post_takes_the_graphql_lane(served: tuple[httpx.AsyncClient, Starlette]) -> None:
    """The gateway's own stack lets `GraphQLLane` stand in for Starlette's router on `POST /graphql`."""
    http, app = served
    answer = await http.post("/graphql", json={"query": "{ __typename }"})
    assert answer.json() == {"data": {"__typename": "Query"}}
    layer: Any = app.middleware_stack
    while not isinstance(layer, GraphQLLane):
        layer = layer.app
    assert layer._target is not None
    assert isinstance(layer._target[2].endpoint, GatewayGraphQL)
