"""Deeply nested `variables` or `extensions` are a 400 BAD_REQUEST naming them, never a crash with a
logged traceback (a recursive walk raised RecursionError at 400 levels), over a real socket."""

from __future__ import annotations

import logging

import httpx
import pytest

from gateway.app import create_app
from tests.gateway.edge.live_server import serving
from tests.harness import running_sandbox, settings_for

#: `gateway.edge.request_body.MAX_JSON_DEPTH`, spelled out so the test runs on code without it.
MAX_JSON_DEPTH = 64
ACCEPTS = ["application/json", "application/graphql-response+json"]


def nested(levels: int) -> str:
    """`{"a": [[…]]}` with `levels` arrays, as text (Python's own json would recurse too)."""
    return '{"a":' + "[" * levels + "]" * levels + "}"


@pytest.mark.parametrize("levels", [400, 1_000])
async def test_deep_variables_and_extensions_are_bad_requests(
    levels: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with (
        running_sandbox() as sandbox,
        serving(create_app(settings_for(sandbox))) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        answers: list[tuple[str, httpx.Response]] = []
        for accept in ACCEPTS:
            for name in ("variables", "extensions"):
                body = f'{{"query":"{{__typename}}","{name}":{nested(levels)}}}'
                headers = {"Accept": accept, "Content-Type": "application/json"}
                answers.append((name, await http.post("/graphql", content=body, headers=headers)))
            get = await http.get(
                "/graphql",
                params={"query": "{__typename}", "variables": nested(levels)},
                headers={"Accept": accept},
            )
            answers.append(("variables", get))
            batch = f'[{{"query":"{{__typename}}","variables":{nested(levels)}}}]'
            headers = {"Accept": accept, "Content-Type": "application/json"}
            answers.append(("variables", await http.post("/graphql", content=batch, headers=headers)))
        # Nesting within the limit still runs.
        body = f'{{"query":"{{__typename}}","variables":{nested(MAX_JSON_DEPTH)}}}'
        shallow = await http.post("/graphql", content=body, headers={"Content-Type": "application/json"})

    assert len(answers) == 8
    for name, response in answers:
        assert response.status_code == 400, response.text[:300]
        [error] = response.json()["errors"]
        assert error["extensions"] == {"code": "BAD_REQUEST"}
        assert f"`{name}` nests deeper than {MAX_JSON_DEPTH} levels" in error["message"]
    assert shallow.status_code == 200
    assert shallow.json() == {"data": {"__typename": "Query"}}
    assert not [record for record in caplog.records if record.exc_info], "a traceback was logged"
