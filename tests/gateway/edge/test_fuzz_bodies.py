"""Fuzzing the HTTP edge: random bytes, JSON shapes, GraphQL-ish token soup, headers and URLs.

Whatever arrives, the gateway answers below 500, in JSON (or the GraphiQL page, for a browser
GET, or an event stream for a caller that accepts only that), and every error it sends carries
`extensions.code`. With keys configured, no keyless GET
ever gets anything but the page or a 401. A fixed seed and a bounded number of examples keep CI
fast and every failure reproducible.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.harness import Gateway, Sandbox, running_gateway, settings_for

FUZZ = settings(
    derandomize=True,
    database=None,
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
KEY = "gw_fuzz_key_7c1d"

TOKENS = [
    "{", "}", "(", ")", "[", "]", ":", "$", "!", "=", "...", "@", "|", "&", "#", "\n", "a:", "b:",
    "query", "mutation", "subscription", "fragment", "on", "Q", "F", "$v", "$ids", "Int", "ID", "[ID!]!",
    "JSON", "node", "nodes", "ids", "id", "events", "first", "after", "filter", "providers", "STRIGO",
    "edges", "cursor", "pageInfo", "hasNextPage", "strigoEvents", "title", "__typename", "__schema",
    "types", "name", "__type", "Event", "StrigoEvent", "... on StrigoEvent", "@skip(if: true)",
    "@include(if: $v)", '"x"', '"""block"""', '"\\u0000"', "1", "-1", "0.5", "99999999999999999999999",
    "1e400", "true", "null", '"c3RyaWdvOmFiYw"', '"c3RyaWdvOmFiYwo"',
]  # fmt: skip
ACCEPTS = [
    "application/json", "application/graphql-response+json", "*/*", "text/html", "text/event-stream",
    "multipart/mixed", "application/json;q=0", "text/html, application/json", "", "application/*;q=0.5",
]  # fmt: skip
CONTENT_TYPES = [
    "application/json", "application/json; charset=utf-8", "application/graphql", "application/graphql+json",
    "text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
    "application/json; charset=latin-1", "application/jsonx", "",
]  # fmt: skip
PARAMETER_NAMES = ["query", "variables", "operationName", "extensions", "%71uery", "QUERY", "query ", "x"]

header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
#: Valid operations whose variables (`$v`, `$ids`) the fuzzer fills with any JSON.
OPERATIONS = [
    "query Q($ids: [ID!]!) { nodes(ids: $ids) { id } }",
    "query Q($v: ID!) { node(id: $v) { id ... on Event { title startsAt } } }",
    "query Q($v: Int) { events(first: $v) { edges { cursor } } }",
    "query Q($v: String) { events(first: 1, after: $v) { pageInfo { hasNextPage } } }",
    "query Q($v: EventFilter) { events(first: 1, filter: $v) { edges { node { id } } } }",
    "query Q($v: [Provider!]) { events(first: 1, filter: {providers: $v}) { pageInfo { endCursor } } }",
    "query Q($v: Boolean!) { providers { provider @include(if: $v) } }",
]
documents = st.sampled_from(OPERATIONS) | st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
requests = st.fixed_dictionaries(
    {},
    optional={
        "query": documents | json_values,
        "variables": st.dictionaries(st.sampled_from(["v", "ids"]), json_values, max_size=2) | json_values,
        "operationName": st.sampled_from(["Q", "F", "Nope", ""]) | json_values,
        "extensions": json_values,
    },
)
bodies = requests | st.lists(requests, max_size=3) | json_values


def assert_graphql_answer(response: httpx.Response, *, page_allowed: bool = False) -> None:
    """Below 500; the GraphiQL page where allowed; otherwise JSON whose every error has a code."""
    assert response.status_code < 500, response.text[:500]
    content_type = response.headers.get("content-type", "")
    if content_type.startswith("text/html"):
        assert page_allowed, response.text[:200]
        assert response.status_code == 200
        return
    if content_type.startswith("text/event-stream"):
        answers: list[Any] = sse_answers(response.text)
    else:
        json_types = ("application/json", "application/graphql-response+json")
        assert content_type.startswith(json_types), content_type
        body: Any = response.json()
        answers = body if isinstance(body, list) else [body]
    for answer in answers:
        errors = answer.get("errors") or []
        if response.status_code >= 400:
            assert errors, answer
        for error in errors:
            assert error["extensions"]["code"], error


def sse_answers(stream: str) -> list[Any]:
    """The results of a graphql-sse stream (distinct connections mode): `next` events, then `complete`."""
    events = [block for block in stream.split("\r\n\r\n") if block and not block.startswith(":")]
    parsed = [dict(line.split(": ", 1) for line in block.split("\r\n")) for block in events]
    assert parsed, stream
    assert parsed[-1] == {"event": "complete", "data": ""}, stream
    assert all(event["event"] == "next" for event in parsed[:-1]), stream
    return [json.loads(event["data"]) for event in parsed[:-1]]


@FUZZ
@given(body=st.binary(max_size=600), content_type=st.sampled_from(CONTENT_TYPES))
async def test_random_bytes(gateway: Gateway, body: bytes, content_type: str) -> None:
    response = await gateway.http.post("/graphql", content=body, headers={"Content-Type": content_type})
    assert_graphql_answer(response)


@FUZZ
@given(body=bodies, accept=st.sampled_from(ACCEPTS) | header_text)
async def test_random_json_shapes(gateway: Gateway, body: object, accept: str) -> None:
    response = await gateway.http.post(
        "/graphql", content=_json_bytes(body), headers={"Accept": accept, "Content-Type": "application/json"}
    )
    assert_graphql_answer(response)


@FUZZ
@given(
    body=bodies,
    accept=st.sampled_from(ACCEPTS) | header_text,
    content_type=st.sampled_from(CONTENT_TYPES) | header_text,
    request_id=header_text,
    authorization=header_text,
)
async def test_random_headers(
    gateway: Gateway, body: object, accept: str, content_type: str, request_id: str, authorization: str
) -> None:
    headers = {
        "Accept": accept,
        "Content-Type": content_type,
        "X-Request-ID": request_id,
        "Authorization": authorization,
    }
    response = await gateway.http.post("/graphql", content=_json_bytes(body), headers=headers)
    assert_graphql_answer(response)


@pytest.fixture
async def keyed_gateway(sandbox: Sandbox) -> Any:
    async with running_gateway(settings_for(sandbox, gateway_api_keys=KEY)) as gateway:
        yield gateway


@FUZZ
@given(
    params=st.lists(
        st.tuples(st.sampled_from(PARAMETER_NAMES) | header_text, documents | header_text), max_size=5
    ),
    raw_suffix=st.sampled_from(["", ";query={__typename}", "&%71uery={__typename}", "&&", "#query=x"]),
    accept=st.sampled_from(ACCEPTS) | header_text,
)
async def test_no_keyless_get_runs_anything(
    keyed_gateway: Gateway, sandbox: Sandbox, params: list[tuple[str, str]], raw_suffix: str, accept: str
) -> None:
    url = f"/graphql?{urlencode(params)}{raw_suffix}"
    response = await keyed_gateway.http.get(url, headers={"Accept": accept})

    assert_graphql_answer(response, page_allowed=True)
    assert response.status_code in {200, 401}
    if response.status_code == 200:
        assert response.headers["content-type"].startswith("text/html")
    assert sandbox.log.calls == []


def _json_bytes(body: object) -> bytes:
    """`body` as JSON, except that infinities are written as `Infinity` (which is not JSON)."""
    return json.dumps(body).encode()
