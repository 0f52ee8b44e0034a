"""Malformed persisted-query requests are BAD_REQUEST with HTTP 400 in both media types (real socket)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.edge.persisted_queries import sha256_hex
from tests.gateway.edge.live_server import serving
from tests.harness import running_sandbox, settings_for

QUERY = "{ providers { provider } }"
MALFORMED: dict[str, tuple[dict[str, Any], str]] = {
    "hash-mismatch": (
        {"query": QUERY, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}},
        "provided sha does not match query",
    ),
    "unsupported-version": (
        {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": sha256_hex(QUERY)}}},
        "`extensions.persistedQuery.version` must be 1",
    ),
    "document-id-not-a-string": ({"documentId": 12345}, "`documentId` is a string"),
}


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
async def test_malformed_persisted_queries_are_400_in_either_media_type(accept: str) -> None:
    async with (
        running_sandbox() as sandbox,
        serving(create_app(settings_for(sandbox))) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        for name, (body, message) in MALFORMED.items():
            response = await http.post("/graphql", json=body, headers={"Accept": accept})
            assert response.status_code == 400, (name, response.status_code, response.text)
            assert response.headers["content-type"].startswith(accept), name
            [error] = response.json()["errors"]
            assert error["extensions"] == {"code": "BAD_REQUEST"}, name
            assert message in error["message"], name
        # The APQ protocol's own answer stays a 200 (Apollo's clients resend the text on it).
        unknown = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "f" * 64}}}
        response = await http.post("/graphql", json=unknown, headers={"Accept": accept})
        assert response.status_code == 200
        assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
