"""Array batching: up to `GATEWAY_MAX_BATCH` operations answered as an array in order, each on its own,
all within one request's limits (cost, upstream calls, body size)."""

from __future__ import annotations

from typing import Any

from graphql import parse

from gateway.app import build_schema
from gateway.query_limits.measure import QueryLimits, measured
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

WIDE = '{startsAfter: "2024-01-01T00:00:00Z"}'
EVENTS = "{ events(first: 5, filter: " + WIDE + ") { nodes { id provider } } }"


async def batch(gateway: Gateway, operations: list[dict[str, Any]]) -> tuple[int, Any]:
    response = await gateway.http.post("/graphql", json=operations)
    return response.status_code, response.json()


async def test_answers_come_as_an_array_in_order_with_mixed_outcomes(gateway: Gateway) -> None:
    status, answers = await batch(
        gateway,
        [
            {"query": "{ providers { provider } }"},
            {"query": "{ nope }"},
            {"query": "query($n: Int!) { events(first: $n) { nodes { id } } }", "variables": {"n": 0}},
            {"query": "{ __typename }", "operationName": "Missing"},
            {"variables": {}},
        ],
    )
    assert status == 200
    assert [answer.get("data") is not None for answer in answers] == [True, False, False, False, False]
    assert answers[0]["data"]["providers"][0] == {"provider": "STRIGO"}
    codes = [[error["extensions"]["code"] for error in answer.get("errors", [])] for answer in answers]
    assert codes == [
        [],
        ["GRAPHQL_VALIDATION_FAILED"],
        ["BAD_USER_INPUT"],
        ["BAD_REQUEST"],
        ["BAD_REQUEST"],
    ]


async def test_a_providers_failure_stays_with_the_operation_that_met_it(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, gateway_retries=0)) as gateway:
        sandbox.fault("strigo", error_rate=1.0, status=503)
        _, answers = await batch(gateway, [{"query": EVENTS}, {"query": "{ providers { provider } }"}])
    [error] = answers[0]["errors"]
    assert (error["path"], error["extensions"]["provider"]) == (["events"], "STRIGO")
    assert answers[0]["data"]["events"]["nodes"]
    assert "errors" not in answers[1]


async def test_batching_off_and_too_many_are_json_errors(sandbox: Sandbox) -> None:
    one = {"query": "{ __typename }"}
    async with running_gateway(settings_for(sandbox, gateway_max_batch=0)) as gateway:
        off = await gateway.http.post("/graphql", json=[one])
        single = await gateway.data("{ __typename }")
    async with running_gateway(settings_for(sandbox, gateway_max_batch=2)) as gateway:
        over = await gateway.http.post("/graphql", json=[one] * 3)
        empty = await gateway.http.post("/graphql", json=[])
    assert single == {"__typename": "Query"}
    for response, words in [(off, "not enabled"), (over, "at most 2"), (empty, "empty")]:
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("application/")
        [error] = response.json()["errors"]
        assert error["extensions"] == {"code": "BAD_REQUEST"}
        assert words in error["message"]


async def test_the_operations_share_the_upstream_call_budget(sandbox: Sandbox) -> None:
    operations = [
        {"query": "{ strigoEvents { id } }"},
        {"query": '{ pretixEvents(organizer: "demo-conf", first: 1) { nodes { id } } }'},
        {"query": '{ konaCalendarEvent(id: "a29uYToxMDAx") { id } }'},
    ]
    async with running_gateway(settings_for(sandbox, gateway_max_upstream_calls=2)) as gateway:
        _, answers = await batch(gateway, operations)
    refused = [answer for answer in answers if answer.get("errors")]
    assert len(refused) == 1
    assert refused[0]["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert len(sandbox.log.calls) == 2


async def test_the_operations_share_the_cost_limit(sandbox: Sandbox) -> None:
    schema = build_schema()._schema
    limits = QueryLimits(max_depth=12, max_cost=10**9, max_aliases=30)
    _, cost = measured(schema, parse(EVENTS), limits)
    settings = settings_for(sandbox, gateway_max_cost=cost + cost // 2)
    async with running_gateway(settings) as gateway:
        alone = await gateway.data(EVENTS)
        _, answers = await batch(gateway, [{"query": EVENTS}, {"query": EVENTS}])
    assert alone["events"]["nodes"]
    codes = sorted(answer["errors"][0]["extensions"]["code"] for answer in answers if answer.get("errors"))
    assert codes == ["QUERY_TOO_COMPLEX"]
    assert sum(1 for answer in answers if answer.get("data")) == 1


async def test_the_body_limit_is_the_whole_batchs(sandbox: Sandbox) -> None:
    one = {"query": "{ __typename }" + " " * 400}
    async with running_gateway(settings_for(sandbox, gateway_max_body_bytes=1500)) as gateway:
        fits = await gateway.http.post("/graphql", json=[one] * 3)
        too_big = await gateway.http.post("/graphql", json=[one] * 4)
    assert fits.status_code == 200
    assert too_big.status_code == 413
