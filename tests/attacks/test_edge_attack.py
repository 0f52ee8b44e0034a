"""The lane and the compression middleware against the whole Starlette stack they stand in for:
the same odd requests to the gateway as built, and to one with Starlette's `GZipMiddleware` and no
lane; the answers must be the same (status, headers, body; request ids and dates aside)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
import pytest
from asgi_lifespan import LifespanManager
from graphql import get_introspection_query
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.app import create_app
from gateway.edge import routes
from tests.harness import running_sandbox, settings_for


class NoLane:
    """What the app would be without `GraphQLLane`: every request through the router."""

    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


@asynccontextmanager
async def clients(
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    async with running_sandbox() as sandbox:
        settings = settings_for(sandbox, gateway_cors_origins=["https://app.example"])
        ours = create_app(settings)
        with monkeypatch.context() as patched:
            patched.setattr(routes, "GraphQLLane", NoLane)
            patched.setattr(routes, "Compression", GZipMiddleware)
            whole = create_app(settings)
        async with LifespanManager(ours) as one, LifespanManager(whole) as other:
            transports = [httpx.ASGITransport(app=m.app, raise_app_exceptions=False) for m in (one, other)]
            async with (
                httpx.AsyncClient(transport=transports[0], base_url="http://gateway.test") as a,
                httpx.AsyncClient(transport=transports[1], base_url="http://gateway.test") as b,
            ):
                yield a, b


GZIP = {"accept-encoding": "gzip"}
JSON = {"content-type": "application/json"}
INTROSPECTION = orjson.dumps({"query": get_introspection_query()})
CASES: list[tuple[str, str, dict[str, str], bytes]] = [
    ("POST", "/graphql", JSON, b'{"query": "{ __typename }"}'),
    ("POST", "/graphql", {**JSON, **GZIP}, b'{"query": "{ __typename }"}'),
    ("POST", "/graphql", {**JSON, **GZIP}, INTROSPECTION),
    ("POST", "/graphql", {**JSON, "accept-encoding": "br, GZIP"}, INTROSPECTION),
    ("POST", "/graphql", {**JSON, "accept-encoding": "identity;q=1, gzip;q=0"}, INTROSPECTION),
    ("POST", "/graphql", JSON, b"{not json"),
    ("POST", "/graphql", JSON, b""),
    ("POST", "/graphql", JSON, b'[{"query": "{ __typename }"}]'),
    ("POST", "/graphql", {"content-type": "text/plain"}, b'{"query": "{ __typename }"}'),
    ("POST", "/graphql", {**JSON, "accept": "text/html"}, b'{"query": "{ __typename }"}'),
    ("POST", "/graphql", {**JSON, "accept": "application/graphql-response+json"}, b'{"query": "{ nope }"}'),
    ("POST", "/graphql?query=%7B__typename%7D", JSON, b'{"query": "{ __typename }"}'),
    ("POST", "/graphql/", JSON, b'{"query": "{ __typename }"}'),
    ("POST", "//graphql", JSON, b'{"query": "{ __typename }"}'),
    ("POST", "/GRAPHQL", JSON, b'{"query": "{ __typename }"}'),
    ("POST", "/graph%71l", JSON, b'{"query": "{ __typename }"}'),
    ("GET", "/graphql?query=%7B__typename%7D", {}, b""),
    ("HEAD", "/graphql", {}, b""),
    ("PUT", "/graphql", JSON, b'{"query": "{ __typename }"}'),
    ("DELETE", "/graphql", {}, b""),
    ("OPTIONS", "/graphql", {"origin": "https://app.example", "access-control-request-method": "POST"}, b""),
    ("POST", "/graphql", {**JSON, "origin": "https://app.example"}, b'{"query": "{ __typename }"}'),
    ("POST", "/graphql", {**JSON, "origin": "https://evil.example"}, b'{"query": "{ __typename }"}'),
    ("POST", "/graphql", {**JSON, "content-length": "5"}, b'{"query": "{ __typename }"}'),
    (
        "POST",
        "/graphql",
        JSON,
        b'{"query": "{ __typename }", "extensions": {"persistedQuery": {"version": 1}}}',
    ),
    ("POST", "/graphql", JSON, orjson.dumps({"query": "{ " + "a: __typename " * 5000 + "}"})),
    ("POST", "/graphql", JSON, b'{"query": "{ __typename }", "pad": "' + b"x" * (3 * 2**20) + b'"}'),
    (
        "POST",
        "/graphql",
        {**JSON, **GZIP},
        b'{"query": "{ __typename }", "pad": "' + b"x" * (3 * 2**20) + b'"}',
    ),
    ("POST", "/healthz", JSON, b""),
    ("POST", "/readyz", {}, b""),
]


def _normal(response: httpx.Response) -> tuple[Any, ...]:
    headers = sorted(
        (name, value)
        for name, value in response.headers.multi_items()
        if name not in {"x-request-id", "date", "server-timing"}
    )
    body = re.sub(rb'"(requestId|request_id)":"[^"]*"', b'"<id>"', response.content)
    return response.status_code, headers, body


@pytest.mark.parametrize(
    ("method", "path", "headers", "body"), CASES, ids=[f"{c[0]} {c[1]} {i}" for i, c in enumerate(CASES)]
)
async def test_the_lane_and_compression_answer_as_the_whole_stack(
    monkeypatch: pytest.MonkeyPatch, method: str, path: str, headers: dict[str, str], body: bytes
) -> None:
    async with clients(monkeypatch) as (ours, whole):
        mine = await ours.request(method, path, headers=headers, content=body)
        theirs = await whole.request(method, path, headers=headers, content=body)
    assert _normal(mine) == _normal(theirs)
