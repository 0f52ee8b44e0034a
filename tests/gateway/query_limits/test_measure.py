"""Query limits against hostile documents: each refused early, cheaply and with `QUERY_TOO_COMPLEX`."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from graphql import get_introspection_query, parse

from gateway.ids import encode_id
from gateway.query_limits.document_cache import DocumentCache
from gateway.query_limits.measure import LOOKUP_COST
from tests.harness import Gateway, Sandbox, running_gateway, running_sandbox, settings_for

NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
WHOLE_TYPE = (
    "types { name kind description fields { name description isDeprecated args { name description "
    "type { name kind } } type { name kind ofType { name kind } } } inputFields { name description "
    "type { name kind } } enumValues { name description } }"
)
EVENTS = "query($n: Int!) { events(first: $n) { edges { node { id title } } } }"


def fragments_doubling(levels: int) -> str:
    """Each fragment spreads the next twice: 2^levels paths through a document of a few KB."""
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    return f"{{ ...F0 }} {chain} fragment F{levels} on Query {{ providers {{ provider }} }}"


def answered_in_own_thread(
    query: str, deadline: float = 60.0, **overrides: Any
) -> tuple[dict[str, Any], int]:
    """The response to `query` and the upstream calls it made, from a gateway on its own loop.

    The check runs on the event loop, so a walk that never ends would block this test's loop as
    well: a thread lets the test give up after `deadline` seconds (thousands of times what the
    bounded walk needs) and fail instead of hanging.
    """
    outcome: dict[str, Any] = {}

    async def ask() -> None:
        async with (
            running_sandbox() as sandbox,
            running_gateway(settings_for(sandbox, **overrides)) as gateway,
        ):
            outcome["body"] = await gateway.query(query)
            outcome["calls"] = len(sandbox.log.calls)

    thread = threading.Thread(target=lambda: asyncio.run(ask()), daemon=True)
    thread.start()
    thread.join(deadline)
    assert not thread.is_alive(), f"no answer within {deadline} s: measuring the query is unbounded"
    return outcome["body"], outcome["calls"]


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    """The single error of a refused request (which has no data)."""
    assert body.get("data") is None, body
    [error] = body["errors"]
    error_: dict[str, Any] = error
    return error_


def test_fragments_spreading_the_next_twice_are_measured_once() -> None:
    body, calls = answered_in_own_thread(fragments_doubling(40))
    error = only_error(body)
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "cost": 51 * 2**40}  # exact, not walked
    assert calls == 0


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("{ " + "providers { provider } " * 450 + "}", "share a response name"),
        ("{ " + "providers { lastError { code } } " * 200 + "}", "share a response name"),
        (
            "{ " + " ".join(f"...F{i}" for i in range(160)) + " } "
            + " ".join(f"fragment F{i} on Query {{ providers {{ provider }} }}" for i in range(160)),
            "share a response name",
        ),
        (
            "{ ...F0 } " + " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(200))
            + " fragment F200 on Query { __typename }",
            "nested too deeply",
        ),
    ],
    ids=["450-same-fields", "200-same-nested-fields", "160-fragments-one-field", "200-fragments-deep"],
)  # fmt: skip
async def test_documents_that_stall_graphql_core_validation_are_refused(
    sandbox: Sandbox, query: str, reason: str
) -> None:
    """Within the cost limit, but graphql-core's field-merging rule would compare every pair."""
    async with running_gateway(settings_for(sandbox)) as gateway:
        error = only_error(await gateway.query(query))
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert reason in error["message"]
    assert sandbox.log.calls == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ providers { provider } }\n#" + "x" * 60_000, "60028 characters exceed the limit of 50000"),
        ("{ " + "__typename " * 2500 + "}", "more than 2000 tokens"),
    ],
    ids=["too-long", "too-many-tokens"],
)
async def test_query_text_is_bounded_before_it_is_parsed(sandbox: Sandbox, query: str, message: str) -> None:
    async with running_gateway(settings_for(sandbox)) as gateway:
        error = only_error(await gateway.query(query))
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX"}
    assert message in error["message"]


async def test_measuring_has_a_work_budget_whatever_the_token_limit(sandbox: Sandbox) -> None:
    settings = settings_for(sandbox, gateway_max_query_tokens=100_000, gateway_max_query_length=1_000_000)
    async with running_gateway(settings) as gateway:
        error = only_error(await gateway.query("{ " + "__typename " * 25_000 + "}"))
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX"}
    assert "more than 10000 selections" in error["message"]


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("{ __schema { " + " ".join(f"t{i}: types {{ name }}" for i in range(100)) + " } }", "100 aliases"),
        (
            "{ __schema { types { " + "fields { type { " * 6 + "name" + " } }" * 6 + " } } }",
            "depth 15",
        ),
        (
            "{ __schema { " + " ".join(f"t{i}: {WHOLE_TYPE}" for i in range(29)) + " } }",
            "estimated cost",
        ),
    ],
    ids=["aliases", "depth", "cost"],
)  # fmt: skip
async def test_introspection_counts_like_any_other_field(sandbox: Sandbox, query: str, problem: str) -> None:
    async with running_gateway(settings_for(sandbox)) as gateway:
        body = await gateway.query(query)
    assert body["data"] is None
    assert {error["extensions"]["code"] for error in body["errors"]} == {"QUERY_TOO_COMPLEX"}
    assert problem in body["errors"][0]["message"]


GRAPHIQL_INTROSPECTION = get_introspection_query(
    descriptions=True,
    specified_by_url=True,
    directive_is_repeatable=True,
    schema_description=True,
    input_value_deprecation=True,
)


def resolved_fields(value: object) -> int:
    """How many fields a response's data holds, at every level."""
    if isinstance(value, dict):
        return sum(1 + resolved_fields(inner) for inner in value.values())
    if isinstance(value, list):
        return sum(resolved_fields(inner) for inner in value)
    return 0


async def test_graphiql_introspection_costs_about_what_it_returns(sandbox: Sandbox) -> None:
    """GraphiQL asks for the whole schema, nine `ofType`s deep: within the limits, and costed by
    the schema's real sizes rather than guessed list lengths."""
    async with running_gateway(settings_for(sandbox)) as gateway:
        data = await gateway.data(GRAPHIQL_INTROSPECTION)
    async with running_gateway(settings_for(sandbox, gateway_max_cost=1)) as gateway:
        cost = only_error(await gateway.query(GRAPHIQL_INTROSPECTION))["extensions"]["cost"]
    assert len(data["__schema"]["types"]) > 50
    assert abs(cost - resolved_fields(data)) < resolved_fields(data) / 20


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (NODES, {"ids": [encode_id("strigo", f"evt-{i}") for i in range(600)]}),
        (EVENTS, {"n": 200}),
        ("query($n: Int = 200) { events(first: $n) { edges { node { id title } } } }", {}),
    ],
    ids=["ids-variable", "first-variable", "first-variable-default"],
)
async def test_list_lengths_given_as_variables_count(
    sandbox: Sandbox, query: str, variables: dict[str, Any]
) -> None:
    async with running_gateway(settings_for(sandbox, gateway_max_cost=500)) as gateway:
        error = only_error(await gateway.query(query, variables))
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["cost"] > 500
    assert sandbox.log.calls == []  # refused before any resolver ran


async def test_a_cached_validation_never_skips_the_variable_check(sandbox: Sandbox) -> None:
    """The document is validated once; each request's variables are still measured."""
    ids = [encode_id("strigo", f"evt-{i}") for i in range(600)]
    async with running_gateway(settings_for(sandbox, gateway_max_cost=500)) as gateway:
        few = await gateway.query(NODES, {"ids": ids[:3]})
        calls_for_few = len(sandbox.log.calls)
        many = await gateway.query(NODES, {"ids": ids})
        small_page = await gateway.data(EVENTS, {"n": 5})
        big_page = await gateway.query(EVENTS, {"n": 200})
    assert [node is None for node in few["data"]["nodes"]] == [True] * 3  # asked upstream: not found
    assert calls_for_few > 0
    assert only_error(many)["extensions"]["cost"] == 1 + 600 * (LOOKUP_COST + 1)  # each id is fetched
    assert len(small_page["events"]["edges"]) == 5
    assert only_error(big_page)["extensions"]["code"] == "QUERY_TOO_COMPLEX"


def test_the_document_cache_is_bounded_by_memory_as_well_as_entries() -> None:
    cache = DocumentCache(max_entries=1000, max_bytes=4_000_000)
    big = ["{ " + " ".join(f"a{i}: __typename" for i in range(600)) + f" }} # {n}" for n in range(20)]
    for query in big:
        cache.parse(query, lambda text: parse(text, max_tokens=2000))
    cache.parse(big[-5], lambda text: parse(text, max_tokens=2000))  # recently used
    cache.parse("{ __typename }", lambda text: parse(text, max_tokens=2000))
    assert cache.size <= 4_000_000
    assert 0 < len(cache.entries) < 20
    assert big[-5] in cache.entries
    assert big[0] not in cache.entries


async def test_an_int_literal_beyond_32_bits_is_invalid_not_costly(gateway: Gateway) -> None:
    error = only_error(
        await gateway.query("{ events(first: 99999999999999999999999) { pageInfo { hasNextPage } } }")
    )
    assert "Int cannot represent" in error["message"]


async def test_fragments_on_different_event_types_cost_the_costliest_not_their_sum(sandbox: Sandbox) -> None:
    """Each event is of one type: of three type-specific fragments only one applies to it."""
    query = """{ events(first: 10) { edges { node { id
        ... on StrigoEvent { title status }
        ... on KonaCalendarEvent { title location status }
        ... on PretixEvent { title }
    } } } }"""
    async with running_gateway(settings_for(sandbox, gateway_max_cost=1)) as gateway:
        error = only_error(await gateway.query(query))
    node = 1 + (1 + 3)  # `id`, then the Kona fragment's three fields (not 2 + 3 + 1)
    assert error["extensions"]["cost"] == 1 + 10 * (1 + node)  # events, then edges per event
