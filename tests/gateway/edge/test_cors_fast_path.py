"""Requests without `Origin` take the CORS fast path, and get the very headers Starlette would add."""

from __future__ import annotations

import pytest
from starlette.datastructures import MutableHeaders

from gateway.edge.cors import with_vary_origin
from tests.harness import Sandbox, running_gateway, settings_for


@pytest.mark.parametrize(
    "headers",
    [
        [],
        [(b"content-type", b"application/json")],
        [(b"vary", b"Accept"), (b"content-length", b"2")],
        [(b"vary", b"Accept"), (b"x-request-id", b"1"), (b"vary", b"Accept-Encoding")],
    ],
)
def test_vary_origin_is_joined_as_starlette_joins_it(headers: list[tuple[bytes, bytes]]) -> None:
    message = {"headers": list(headers)}
    starlette = MutableHeaders(scope=message)
    starlette["Vary"] = ", ".join([*starlette.getlist("Vary"), "Origin"])
    assert with_vary_origin(headers) == starlette.raw


async def test_a_request_without_origin_varies_on_origin_and_accept(sandbox: Sandbox) -> None:
    settings = settings_for(sandbox, gateway_cors_origins=["https://app.example"])
    async with running_gateway(settings) as gateway:
        plain = await gateway.http.post("/graphql", json={"query": "{ __typename }"})
        browser = await gateway.http.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": "https://app.example"}
        )
        health = await gateway.http.get("/healthz")
    assert plain.headers.get_list("vary") == ["Accept, Origin"]
    assert "access-control-allow-origin" not in plain.headers
    assert browser.headers["access-control-allow-origin"] == "https://app.example"
    assert (health.status_code, health.content, health.headers["vary"]) == (200, b'{"status":"ok"}', "Origin")
    assert health.headers["content-type"] == "application/json"
