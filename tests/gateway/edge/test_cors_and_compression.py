"""Browsers' preflights with the headers client libraries and tracing add; credentials only with named
origins; responses of 1 KB or more gzip-compressed for callers that accept it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gateway.settings import Settings
from tests.harness import Sandbox, running_gateway, settings_for

ORIGIN = "https://app.example"
PAGE = '{ events(first: 200, filter: {startsAfter: "2024-01-01T00:00:00Z"}) { nodes { id title startsAt } } }'


@pytest.mark.parametrize(
    "headers",
    [
        "content-type, traceparent, tracestate, baggage",
        "sentry-trace, apollographql-client-name, apollographql-client-version",
        "apollo-require-preflight, authorization, x-request-id, x-api-key",
    ],
)
async def test_preflights_with_client_and_tracing_headers_pass(sandbox: Sandbox, headers: str) -> None:
    async with running_gateway(settings_for(sandbox, gateway_cors_origins=[ORIGIN])) as gateway:
        response = await gateway.http.options(
            "/graphql",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": headers,
            },
        )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    allowed = {name.strip().lower() for name in response.headers["access-control-allow-headers"].split(",")}
    assert {name.strip() for name in headers.split(",")} <= allowed
    assert "access-control-allow-credentials" not in response.headers


async def test_a_header_outside_the_list_is_refused(sandbox: Sandbox) -> None:
    settings = settings_for(
        sandbox, gateway_cors_origins=[ORIGIN], gateway_cors_allow_headers=["content-type"]
    )
    async with running_gateway(settings) as gateway:
        response = await gateway.http.options(
            "/graphql",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "traceparent",
            },
        )
    assert response.status_code == 400


async def test_credentials_are_allowed_for_named_origins(sandbox: Sandbox) -> None:
    settings = settings_for(sandbox, gateway_cors_origins=[ORIGIN], gateway_cors_credentials=True)
    async with running_gateway(settings) as gateway:
        preflight = await gateway.http.options(
            "/graphql", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
        )
        answer = await gateway.http.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": ORIGIN}
        )
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    assert answer.headers["access-control-allow-credentials"] == "true"


def test_credentials_with_a_wildcard_origin_are_refused_at_startup() -> None:
    with pytest.raises(ValidationError, match="GATEWAY_CORS_CREDENTIALS"):
        Settings.from_values({"gateway_cors_origins": "*", "gateway_cors_credentials": True})


def test_the_default_allowed_headers_are_the_contracts() -> None:
    assert Settings.from_values({}).gateway_cors_allow_headers == [
        "content-type", "authorization", "x-api-key", "x-request-id", "traceparent", "tracestate",
        "baggage", "sentry-trace", "apollographql-client-name", "apollographql-client-version",
        "apollo-require-preflight",
    ]  # fmt: skip


async def test_a_large_page_is_gzipped_for_callers_that_accept_it(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox)) as gateway:
        plain = await gateway.http.post(
            "/graphql", json={"query": PAGE}, headers={"Accept-Encoding": "identity"}
        )
        packed = await gateway.http.post(
            "/graphql", json={"query": PAGE}, headers={"Accept-Encoding": "gzip"}
        )
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["vary"]
    assert "Accept" in [value.strip() for value in packed.headers["vary"].split(",")]
    assert packed.content == plain.content  # httpx decoded it
    compressed = int(packed.headers["content-length"])
    assert compressed < len(plain.content) / 4


async def test_small_answers_are_sent_as_they_are(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox)) as gateway:
        small = await gateway.http.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Accept-Encoding": "gzip"}
        )
    assert len(small.content) < 1024
    assert "content-encoding" not in small.headers
