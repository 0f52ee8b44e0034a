"""The HTTP edge under malformed and hostile requests: 400s with JSON errors, bounded echoes, and
work that stops when the client goes away."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from gateway.app import create_app
from gateway.edge.media_types import APPLICATION_JSON, GRAPHQL_RESPONSE_JSON
from gateway.error_shape import ERROR_LIMIT, MESSAGE_LIMIT
from gateway.ids import encode_id
from tests.gateway.edge.live_server import serving
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

DEEP = b"[" * 5000 + b"]" * 5000

# --- malformed bodies: always 400, always a JSON GraphQL error coded BAD_REQUEST -------------------------

MALFORMED_BODIES = {
    "number": b"1",
    "string": b'"{ __typename }"',
    "null": b"null",
    "true": b"true",
    "array-of-numbers": b"[1, 2]",
    "empty": b"",
    "truncated": b'{"query": "{ __typename }"',
    "invalid-utf8": b'{"query": "{ __typename }\xff"}',
    "lone-surrogate": b'{"query": "{ __typename } # \\ud800"}',
    "nan": b'{"query": "{ __typename }", "variables": {"x": NaN}}',
    "infinity": b'{"query": "{ __typename }", "variables": {"x": 1e400}}',
    "deeply-nested-variables": b'{"query": "query($v: JSON) { __typename }", "variables": {"v": %s}}' % DEEP,
    "deeply-nested-body": DEEP,
    "query-not-a-string": b'{"query": 1}',
    "variables-not-an-object": b'{"query": "{ __typename }", "variables": [1]}',
    "extensions-not-an-object": b'{"query": "{ __typename }", "extensions": "x"}',
    "no-query": b"{}",
    "operation-name-not-a-string": b'{"query": "{ __typename }", "operationName": 7}',
}


@pytest.mark.parametrize("accept", [APPLICATION_JSON, GRAPHQL_RESPONSE_JSON])
@pytest.mark.parametrize("body", MALFORMED_BODIES.values(), ids=MALFORMED_BODIES.keys())
async def test_a_malformed_body_is_a_400_json_error(gateway: Gateway, body: bytes, accept: str) -> None:
    response = await gateway.http.post(
        "/graphql", content=body, headers={"Content-Type": "application/json", "Accept": accept}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(accept)
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (None, b'{"query": "{ __typename }"}'),
        ("text/plain", b'{"query": "{ __typename }"}'),
        ("multipart/form-data; boundary=x", b"--x--"),
        ("application/x-www-form-urlencoded", b"query=%7B__typename%7D"),
        ("application/json; charset=latin-1", '{"query": "{ __typename } # é"}'.encode("latin-1")),
    ],
)
async def test_unsupported_content_types_are_400_json_errors(
    gateway: Gateway, content_type: str | None, body: bytes
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = await gateway.http.post("/graphql", content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize(
    "url",
    [
        "/graphql?query={__typename}&variables={not json",
        "/graphql?query={__typename}&extensions=[",
        "/graphql?query={__typename}&variables=NaN",
        "/graphql?query={__typename}&operationName=a&operationName=b",
    ],
)
async def test_malformed_get_parameters_are_400_json_errors(gateway: Gateway, url: str) -> None:
    response = await gateway.http.get(url, headers={"Accept": APPLICATION_JSON})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_a_chunked_body_over_the_limit_is_a_413_json_error(sandbox: Sandbox) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }", "variables": {"x": "'
        for _ in range(20):
            yield b"y" * 100
        yield b'"}}'

    async with running_gateway(settings_for(sandbox, gateway_max_body_bytes=1000)) as gateway:
        response = await gateway.http.post(
            "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
async def test_other_methods_are_405_json_errors(gateway: Gateway, method: str) -> None:
    response = await gateway.http.request(method, "/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ providers { provider ", "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ events(first: 99999999999999999999999) { edges { cursor } } }", None),
        ("{ events(first: 1e400) { edges { cursor } } }", "GRAPHQL_VALIDATION_FAILED"),
        ("query($n: Int) { events(first: $n) { edges { cursor } } }", "BAD_USER_INPUT"),
    ],
    ids=["parse", "validation", "int-above-64-bits", "float-literal-as-int", "variable-coercion"],
)
async def test_request_errors_carry_their_contract_code(
    gateway: Gateway, query: str, code: str | None
) -> None:
    response = await gateway.http.post(
        "/graphql",
        json={"query": query, "variables": {"n": "ten"}},
        headers={"Accept": GRAPHQL_RESPONSE_JSON},
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors
    for error in errors:
        assert error["extensions"]["code"] == code if code else error["extensions"]["code"]
    orjson.dumps(response.json())  # no integer a JSON client cannot hold (an estimated cost of 1e23, say)


# --- bounded echoes: no error quotes more than a little of what the caller sent --------------------------

BIG = "x" * 56_000


async def test_one_large_bad_id_repeated_does_not_amplify_the_response(gateway: Gateway) -> None:
    """The reported shape: `nodes(ids: [$a, $a, …])` with a 56 KB id gave 100 MB."""
    repeats = 2 * ERROR_LIMIT
    query = "query($a: ID!) { nodes(ids: [" + ", ".join(["$a"] * repeats) + "]) { id } }"
    response = await gateway.http.post("/graphql", json={"query": query, "variables": {"a": BIG}})
    body = response.json()

    assert response.status_code == 200
    assert body["data"]["nodes"] == [None] * repeats
    assert len(body["errors"]) == ERROR_LIMIT
    assert body["extensions"]["errorsOmitted"] == repeats - ERROR_LIMIT
    assert all(error["extensions"]["code"] == "BAD_USER_INPUT" for error in body["errors"])
    assert len(response.content) < 40_000  # was 56 KB per error


@pytest.mark.parametrize(
    ("body", "expected_status"),
    [
        ({"query": "query($p: [Provider!]) { events(filter: {providers: $p}) { pageInfo { hasNextPage } } }",
          "variables": {"p": [BIG]}}, 200),
        ({"query": "query($n: Int) { events(first: $n) { pageInfo { hasNextPage } } }",
          "variables": {"n": BIG}}, 200),
        ({"query": "{ " + BIG + " }"}, 200),
        ({"query": '{ events(first: "' + BIG + '") { pageInfo { hasNextPage } } }'}, 200),
        ({"query": "{ node(id: $" + BIG + ") { id } }"}, 200),
        ({"query": "{ __typename }", "operationName": BIG}, 400),
        ({"query": "query($id: ID!) { node(id: $id) { id } }", "variables": {"id": BIG}}, 200),
    ],
    ids=["enum-variable", "int-variable", "unknown-field", "string-literal-as-int", "unknown-variable",
         "unknown-operation-name", "bad-id"],
)  # fmt: skip
async def test_every_error_message_is_bounded(
    gateway: Gateway, body: dict[str, object], expected_status: int
) -> None:
    response = await gateway.http.post("/graphql", json=body, headers={"Accept": APPLICATION_JSON})

    assert response.status_code == expected_status
    errors = response.json()["errors"]
    assert errors
    for error in errors:
        assert len(error["message"]) <= MESSAGE_LIMIT + 40
        assert error["extensions"]["code"]
    assert len(response.content) < 2_000


# --- a client that goes away takes its upstream calls with it --------------------------------------------


@dataclass
class HangingUpstream:
    """A Strigo stand-in that never answers, and notes when the gateway gives up on a call."""

    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    cancelled: asyncio.Event = field(default_factory=asyncio.Event)
    paths: list[str] = field(default_factory=list)

    async def hang(self, request: web.Request) -> web.Response:
        self.paths.append(request.path)
        self.arrived.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            self.cancelled.set()  # aiohttp cancels the handler when its client closed the connection
            raise
        return web.Response(status=500)


@asynccontextmanager
async def _hanging_strigo() -> AsyncIterator[tuple[HangingUpstream, str]]:
    upstream = HangingUpstream()
    app = web.Application()
    app.router.add_get("/api/v1/{tail:.*}", upstream.hang)
    server = TestServer(app, host="127.0.0.1", handler_cancellation=True)
    await server.start_server()
    try:
        yield upstream, str(server.make_url("/api/v1"))
    finally:
        await server.close()


@pytest.mark.parametrize(
    "query",
    ["{ strigoEvents { id } }", f'{{ node(id: "{encode_id("strigo", "evt1")}") {{ id }} }}'],
    ids=["list", "node-through-a-loader"],
)
async def test_a_client_disconnect_cancels_the_upstream_call(sandbox: Sandbox, query: str) -> None:
    async with _hanging_strigo() as (upstream, strigo_url):
        # Generous upstream timeout and no retries: only the disconnect can end the upstream call.
        settings = settings_for(
            sandbox, strigo_base_url=strigo_url, gateway_upstream_timeout=600, gateway_retries=0
        )
        async with serving(create_app(settings)) as base_url, aiohttp.ClientSession() as client:
            request = asyncio.create_task(client.post(f"{base_url}/graphql", json={"query": query}))
            await asyncio.wait_for(upstream.arrived.wait(), timeout=30)
            request.cancel()  # the client goes away: its connection closes mid-request
            with pytest.raises(asyncio.CancelledError):
                await request
            await asyncio.wait_for(upstream.cancelled.wait(), timeout=30)
    assert len(upstream.paths) == 1
