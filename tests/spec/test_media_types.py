"""Response media types and status codes per GraphQL over HTTP, through the real ASGI app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from strawberry.extensions import SchemaExtension

from gateway import app as app_module
from gateway.edge.media_types import APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, response_media_type
from gateway.edge.prepared import PreparedOperations
from gateway.settings import Settings
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

NEW = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, GRAPHQL_RESPONSE_JSON),
        ("", GRAPHQL_RESPONSE_JSON),
        ("*/*", APPLICATION_JSON),
        ("application/*", APPLICATION_JSON),
        ("application/json", APPLICATION_JSON),
        ("application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
        ("application/graphql-response+json, application/json;q=0.9", GRAPHQL_RESPONSE_JSON),
        ("application/json, application/graphql-response+json", APPLICATION_JSON),
        ("application/graphql-response+json, application/json", GRAPHQL_RESPONSE_JSON),
        ("application/json;q=0.5, application/graphql-response+json;q=0.8", GRAPHQL_RESPONSE_JSON),
        ("application/graphql-response+json;q=0, */*", APPLICATION_JSON),
        ("*/*, application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
        ("text/html", APPLICATION_JSON),
        ("application/json;q=nonsense, application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
    ],
)
def test_negotiation(accept: str | None, expected: str) -> None:
    assert response_media_type(accept) == expected


async def _post(gateway: Gateway, accept: str, body: dict[str, object]) -> tuple[int, str, dict[str, Any]]:
    response = await gateway.http.post("/graphql", json=body, headers={"Accept": accept})
    return response.status_code, response.headers["content-type"], response.json()


@pytest.mark.parametrize(
    "body",
    [
        {"query": "{ providers { provider "},
        {"query": "{ nope }"},
        {"query": "query($id: ID!) { node(id: $id) { id } }", "variables": {"id": None}},
    ],
    ids=["parse", "validation", "variables"],
)
async def test_request_errors_are_400_without_data_only_in_the_new_media_type(
    gateway: Gateway, body: dict[str, object]
) -> None:
    new = await _post(gateway, GRAPHQL_RESPONSE_JSON, body)
    legacy = await _post(gateway, APPLICATION_JSON, body)

    assert new[:2] == (400, NEW)
    assert "data" not in new[2]
    assert new[2]["errors"]
    assert legacy[:2] == (200, APPLICATION_JSON)
    assert legacy[2]["data"] is None
    assert legacy[2]["errors"] == new[2]["errors"]


async def test_field_errors_keep_200_and_data(gateway: Gateway) -> None:
    status, content_type, body = await _post(
        gateway, GRAPHQL_RESPONSE_JSON, {"query": '{ node(id: "not-an-id") { id } }'}
    )
    assert (status, content_type) == (200, NEW)
    assert body["data"] == {"node": None}
    assert body["errors"]


async def test_success_and_vary(gateway: Gateway) -> None:
    response = await gateway.http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Accept": GRAPHQL_RESPONSE_JSON}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == NEW
    assert "Accept" in response.headers["vary"]
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_refusals_before_execution_are_json_errors_in_every_media_type(gateway: Gateway) -> None:
    """CONTRACT §5: a refused request is a JSON GraphQL error with a code, never plain text."""
    mutation = {"query": 'mutation { deleteStrigoEvent(id: "x") { deletedId } }'}
    new = await gateway.http.get("/graphql", params=mutation, headers={"Accept": GRAPHQL_RESPONSE_JSON})
    legacy = await gateway.http.get("/graphql", params=mutation, headers={"Accept": APPLICATION_JSON})
    broken = await gateway.http.post(
        "/graphql",
        content=b"{not json",
        headers={"Accept": GRAPHQL_RESPONSE_JSON, "Content-Type": "application/json"},
    )
    refused = {
        "errors": [
            {"message": "mutations are not allowed when using GET", "extensions": {"code": "BAD_REQUEST"}}
        ]
    }

    assert (new.status_code, new.headers["content-type"], new.headers["allow"]) == (405, NEW, "POST")
    assert new.json() == refused
    assert (legacy.status_code, legacy.headers["allow"]) == (405, "POST")
    assert legacy.headers["content-type"].startswith(APPLICATION_JSON)
    assert legacy.json() == refused
    assert (broken.status_code, broken.headers["content-type"]) == (400, NEW)
    assert broken.json()["errors"][0]["message"] == "Unable to parse request body as JSON"
    assert broken.json()["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}


class _Broken(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        raise RuntimeError("secret detail")
        yield  # pragma: no cover - makes this a generator hook


async def test_failures_before_execution_are_masked_and_500(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    extensions = app_module.schema_extensions

    def broken_extensions(settings: Settings, prepared: PreparedOperations | None = None) -> list[Any]:
        return [*extensions(settings, prepared), _Broken]

    monkeypatch.setattr(app_module, "schema_extensions", broken_extensions)
    async with running_gateway(settings_for(sandbox)) as broken:
        new = await _post(broken, GRAPHQL_RESPONSE_JSON, {"query": "{ __typename }"})
        legacy = await _post(broken, APPLICATION_JSON, {"query": "{ __typename }"})

    assert new[:2] == (500, NEW)
    assert legacy[:2] == (200, APPLICATION_JSON)
    for _, _, body in (new, legacy):
        assert "secret detail" not in str(body)
        assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
