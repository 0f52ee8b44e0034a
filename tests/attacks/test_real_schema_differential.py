"""Hand-picked queries on the real schema that put `BatchedLoad` fields where the generated corpus
rarely does (the same object twice in one list, an id of the related object beside it, aliases,
directives with variables), answered by a compiled and a stock gateway on one sandbox."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.gateway.execution.test_execution_differential import _unclock, gateway_pair
from tests.harness import Gateway


async def _answer(gateway: Gateway, query: str, variables: dict[str, Any] | None = None) -> tuple[int, bytes]:
    response = await gateway.http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers={"X-Request-ID": "attack3"}
    )
    decoded = response.json()
    _unclock(decoded)
    return response.status_code, orjson.dumps(decoded)


@pytest.fixture(autouse=True)
def unlimited_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_STRIGO_RATE_LIMIT", str(10**9))


async def test_hand_picked_related_object_queries_answer_alike() -> None:
    async with gateway_pair() as (fast, slow):
        listed = await fast.data("{ strigoEvents { id class { id } } }")
        events = [event for event in listed["strigoEvents"] if event["class"]]
        assert len(events) >= 2
        first, second = events[0], events[1]
        ids = [first["id"], second["id"], first["id"], first["class"]["id"], "bm9wZQ=="]
        cases: list[tuple[str, dict[str, Any] | None]] = [
            (
                "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on StrigoEvent { class { id name } "
                "again: class { labels } } ... on StrigoClass { name } } }",
                {"ids": ids},
            ),
            (
                "query($on: Boolean!) { strigoEvents { id c: class @include(if: $on) { name } "
                "d: class @skip(if: $on) { id } } }",
                {"on": True},
            ),
            (
                "query($on: Boolean!) { strigoEvents { id c: class @include(if: $on) { name } "
                "d: class @skip(if: $on) { id } } }",
                {"on": False},
            ),
            (
                "query($id: ID!) { node(id: $id) { ... on StrigoEvent { class { name } } } "
                "strigoEvents { class { name } } }",
                {"id": first["id"]},
            ),
            (
                "{ events(first: 200) { edges { node { __typename ... on StrigoEvent { class { name } } "
                "... on KonaCalendarEvent { space { name } creator { name } } "
                "... on PretixEvent { organizerObject { name } } "
                "... on SchoologyEvent { realm { name rawObject } } } } } "
                "strigoEvents { class { id } } }",
                None,
            ),
        ]
        mismatches = []
        for query, variables in cases:
            compiled, stock = await _answer(fast, query, variables), await _answer(slow, query, variables)
            if compiled != stock:
                mismatches.append(f"{query}\n{compiled[1][:400]!r}\n{stock[1][:400]!r}")
    assert not mismatches, "\n\n".join(mismatches)


FEDERATED = (
    "{ events(first: 200) { edges { node { __typename ... on StrigoEvent { class { name } } "
    "... on KonaCalendarEvent { space { name } creator { name } } "
    "... on PretixEvent { organizerObject { name } } "
    "... on SchoologyEvent { realm { name rawObject } } } } } }"
)


async def test_the_federated_list_makes_the_same_upstream_calls_compiled_and_stock() -> None:
    """Each mode on a fresh sandbox: the calls every emulator receives (method, path, query), in
    order per provider."""
    from tests.gateway.execution.test_execution_differential import UNLIMITED
    from tests.harness import running_gateway, running_sandbox, settings_for

    calls = {}
    for compiled in (True, False):
        async with running_sandbox() as sandbox:
            settings = settings_for(sandbox, gateway_compiled_execution=compiled, **UNLIMITED)
            async with running_gateway(settings) as gateway:
                status, _ = await _answer(gateway, FEDERATED)
                assert status == 200
            calls[compiled] = {
                provider: [
                    (call.method, call.path, sorted(call.query.items())) for call in sandbox.calls(provider)
                ]
                for provider in ("strigo", "kona", "pretix", "schoology")
            }
    assert calls[True] == calls[False]
