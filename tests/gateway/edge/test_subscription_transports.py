"""The live transports on /graphql: graphql-transport-ws and GraphQL over SSE, their errors and bounds.

Bad messages get the protocol's own answers (close codes over the WebSocket, `next` events with
coded errors over SSE); subscriptions authenticate like every request and count against the same
query limits; each operation of a WebSocket gets a request state of its own.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from gateway.ids import encode_id
from gateway.sandbox import strigo as emulator
from tests.gateway.live.wire import (
    WAIT,
    event_stream,
    live_gateway,
    metric,
    transport_ws,
    until,
)
from tests.gateway.upstream.strigo_requests import CREATE, new_event
from tests.harness import Gateway, Sandbox

KEY = "gw_live_subscriber_5d1e"
SUBSCRIBE = "subscription { eventChanges(filter: {providers: [STRIGO]}) { kind id } }"
NEW_EVENT = new_event("Transport drill")


async def raw_ws(base_url: str, *messages: dict[str, Any]) -> tuple[list[dict[str, Any]], int | None, str]:
    """Send `messages` on a fresh graphql-transport-ws socket; what came back until it closed, and how."""
    url = base_url.replace("http://", "ws://") + "/graphql"
    received: list[dict[str, Any]] = []
    reason = ""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, protocols=("graphql-transport-ws",)) as ws,
    ):
        for message in messages:
            await ws.send_json(message)
        while True:
            frame = await ws.receive(timeout=WAIT)
            if frame.type != aiohttp.WSMsgType.TEXT:
                reason = str(frame.extra or "")
                break
            received.append(frame.json())
        return received, ws.close_code, reason


INIT = {"type": "connection_init"}


def nested(levels: int) -> dict[str, Any]:
    """An object `levels` deep."""
    value: dict[str, Any] = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


async def test_a_subscription_over_plain_http_is_refused_with_the_way_to_stream_it(gateway: Gateway) -> None:
    response = await gateway.http.post("/graphql", json={"query": SUBSCRIBE})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "text/event-stream" in error["message"]


#: What urql's fetch sends with every operation: JSON first, the stream as well.
URQL_ACCEPT = (
    "application/graphql-response+json, application/graphql+json, application/json, text/event-stream, "
    "multipart/mixed"
)


async def test_a_client_naming_json_beside_the_stream_gets_json_unless_it_subscribes(
    sandbox: Sandbox,
) -> None:
    async with live_gateway(sandbox) as base, aiohttp.ClientSession() as session:
        async with session.post(
            base + "/graphql", json={"query": "{ __typename }"}, headers={"Accept": URQL_ACCEPT}
        ) as answered:
            assert answered.content_type == "application/graphql-response+json"
            assert await answered.json(content_type=None) == {"data": {"__typename": "Query"}}
        async with session.post(
            base + "/graphql", json={"query": SUBSCRIBE}, headers={"Accept": URQL_ACCEPT}
        ) as streamed:
            assert streamed.content_type == "text/event-stream"
        # A client asking for the stream alone (graphql-sse) gets it for a query too.
        async with session.post(
            base + "/graphql", json={"query": "{ __typename }"}, headers={"Accept": "text/event-stream"}
        ) as streamed:
            assert streamed.content_type == "text/event-stream"
            assert (await streamed.text()).startswith("event: next")


@pytest.mark.parametrize(
    ("messages", "code", "reason"),
    [
        ([INIT, {"type": "shout"}], 4400, "Unknown message type: shout"),
        ([{"type": "subscribe", "id": "1", "payload": {"query": SUBSCRIBE}}], 4401, "Unauthorized"),
        ([INIT, INIT], 4429, "Too many initialisation requests"),
        ([INIT, {"type": "subscribe", "id": "1"}], 4400, "Invalid subscribe payload"),
        ([INIT, {"type": "subscribe", "id": "1", "payload": None}], 4400, "Invalid subscribe payload"),
        ([INIT, {"type": "subscribe", "id": "1", "payload": "x"}], 4400, "Invalid subscribe payload"),
        (
            [INIT, {"type": "subscribe", "id": "1", "payload": {"query": 123}}],
            4400,
            "Invalid subscribe payload",
        ),
        (
            [INIT, {"type": "subscribe", "id": "1", "payload": {"query": SUBSCRIBE, "variables": "x"}}],
            4400,
            "`variables` must be an object or null",
        ),
        (
            [
                INIT,
                {"type": "subscribe", "id": "1", "payload": {"query": SUBSCRIBE, "variables": nested(70)}},
            ],
            4400,
            "`variables` nests deeper than 64 levels",
        ),
        (
            [INIT, {"type": "subscribe", "id": 123, "payload": {"query": SUBSCRIBE}}],
            4400,
            "Invalid subscribe id",
        ),
        (
            [INIT, {"type": "subscribe", "id": "i" * 129, "payload": {"query": SUBSCRIBE}}],
            4400,
            "Invalid subscribe id",
        ),
        (
            [INIT, {"type": "subscribe", "id": "1", "payload": {"query": "subscription {"}}],
            4400,
            "Syntax Error",
        ),
    ],
    ids=[
        "unknown-type",
        "subscribe-before-init",
        "second-init",
        "no-payload",
        "null-payload",
        "string-payload",
        "number-query",
        "string-variables",
        "deep-variables",
        "number-id",
        "huge-id",
        "syntax-error",
    ],
)
async def test_bad_messages_close_the_socket_with_the_protocols_code(
    sandbox: Sandbox, messages: list[dict[str, Any]], code: int, reason: str
) -> None:
    async with live_gateway(sandbox) as base:
        received, close_code, close_reason = await raw_ws(base, *messages)
    assert close_code == code
    assert reason in close_reason
    assert all(message["type"] == "connection_ack" for message in received)
    assert sandbox.calls("strigo") == []


async def test_a_socket_that_never_initialises_is_closed_after_the_header_timeout(sandbox: Sandbox) -> None:
    # Unauthenticated until `connection_init`: it may hold a connection slot no longer than a
    # request's head may take, not strawberry's default minute.
    async with live_gateway(sandbox, gateway_header_timeout=1) as base:
        received, close_code, reason = await raw_ws(base)
    assert (received, close_code) == ([], 4408)
    assert "Connection initialisation timeout" in reason


async def test_a_reused_operation_id_closes_the_socket_4409(sandbox: Sandbox) -> None:
    subscribe = {"type": "subscribe", "id": "same", "payload": {"query": SUBSCRIBE}}
    async with live_gateway(sandbox) as base:
        _, close_code, reason = await raw_ws(base, INIT, subscribe, subscribe)
    assert (close_code, reason) == (4409, "Subscriber for same already exists")


async def test_an_invalid_subscription_is_an_error_message_and_the_socket_stays(sandbox: Sandbox) -> None:
    async with live_gateway(sandbox) as base, transport_ws(base) as client:
        await client.subscribe("bad", "subscription { eventChanges { kind nope } }")
        refusal = await client.message("bad")
        await client.subscribe("good", "{ providers { provider } }")
        answer = await client.message("good")
    assert refusal["type"] == "error"
    assert [error["extensions"]["code"] for error in refusal["payload"]] == ["GRAPHQL_VALIDATION_FAILED"]
    assert answer["type"] == "next"
    assert answer["payload"]["data"]["providers"]


DEEP = "subscription { eventChanges { event { ... on StrigoEvent { class { owner { email } } } } } }"


async def test_subscriptions_count_against_the_query_limits_on_both_transports(sandbox: Sandbox) -> None:
    async with live_gateway(sandbox, gateway_max_depth=3) as base:
        async with transport_ws(base) as client:
            await client.subscribe("deep", DEEP)
            refusal = await client.message("deep")
        async with event_stream(base, DEEP) as stream:
            event, data = await stream.event()
            end, _ = await stream.event()
    assert refusal["type"] == "error"
    assert [error["extensions"]["code"] for error in refusal["payload"]] == ["QUERY_TOO_COMPLEX"]
    assert (event, end) == ("next", "complete")
    assert [error["extensions"]["code"] for error in json.loads(data)["errors"]] == ["QUERY_TOO_COMPLEX"]
    assert sandbox.calls("strigo") == []


async def test_sse_reports_validation_errors_in_the_stream(sandbox: Sandbox) -> None:
    async with live_gateway(sandbox) as base, event_stream(base, "subscription { nope }") as stream:
        assert stream.response.status == 200
        assert stream.response.headers["Content-Type"].startswith("text/event-stream")
        event, data = await stream.event()
        end, _ = await stream.event()
    assert (event, end) == ("next", "complete")
    assert [error["extensions"]["code"] for error in json.loads(data)["errors"]] == [
        "GRAPHQL_VALIDATION_FAILED"
    ]


# --- authentication -------------------------------------------------------------------------------------


async def test_sse_needs_the_key_like_any_request(sandbox: Sandbox) -> None:
    async with (
        live_gateway(sandbox, gateway_api_keys=KEY) as base,
        aiohttp.ClientSession() as session,
        session.post(
            base + "/graphql", json={"query": SUBSCRIBE}, headers={"Accept": "text/event-stream"}
        ) as refused,
    ):
        assert refused.status == 401
        assert (await refused.json())["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert sandbox.calls("strigo") == []


@pytest.mark.parametrize("where", ["sse-header", "ws-header", "ws-connection-init"])
async def test_a_subscriber_with_the_key_receives_changes(sandbox: Sandbox, where: str) -> None:
    bearer = {"Authorization": f"Bearer {KEY}"}
    async with live_gateway(sandbox, gateway_api_keys=KEY) as base, aiohttp.ClientSession() as session:

        async def write() -> str:
            async with session.post(
                base + "/graphql", json={"query": CREATE, "variables": {"input": NEW_EVENT}}, headers=bearer
            ) as response:
                body = await response.json()
            created: str = body["data"]["createStrigoEvent"]["event"]["id"]
            return created

        async def first_poll_done() -> bool:
            return await metric(base, "gateway_live_polls_total", provider="strigo") > before

        before = await metric(base, "gateway_live_polls_total", provider="strigo")
        if where == "sse-header":
            async with event_stream(base, SUBSCRIBE, headers=bearer) as stream:
                await until(first_poll_done, "the first poll")
                created = await write()
                change = await stream.change()
        else:
            headers, init = (
                (bearer, None) if where == "ws-header" else ({}, {"authorization": f"Bearer {KEY}"})
            )
            async with transport_ws(base, headers=headers, init=init) as client:
                await client.subscribe("1", SUBSCRIBE)
                await until(first_poll_done, "the first poll")
                created = await write()
                change = await client.change("1")
    assert change == {"kind": "CREATED", "id": created}


# --- bounds ---------------------------------------------------------------------------------------------


async def test_one_subscription_over_the_process_limit_is_refused_until_a_slot_frees(
    sandbox: Sandbox,
) -> None:
    async with live_gateway(sandbox, gateway_max_subscriptions=1) as base, transport_ws(base) as client:
        await client.subscribe("first", SUBSCRIBE)

        async def one_subscriber() -> bool:
            return await metric(base, "gateway_live_subscribers") == 1

        await until(one_subscriber, "the first subscription is served")
        await client.subscribe("second", SUBSCRIBE)
        refused, ended = await client.message("second"), await client.message("second")
        await client.complete("first")

        async def none() -> bool:
            return await metric(base, "gateway_live_subscribers") == 0

        await until(none, "the first subscription has left")
        await client.subscribe("third", SUBSCRIBE)
        await until(one_subscriber, "the third subscription is served")
    assert refused["type"] == "next"
    [error] = refused["payload"]["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "GATEWAY_MAX_SUBSCRIPTIONS" in error["message"]
    assert ended["type"] == "complete"


async def test_one_polled_filter_over_the_process_limit_is_refused_and_shared_ones_still_join(
    sandbox: Sandbox,
) -> None:
    # Each distinct filter is a poller spending the provider's quota: 100 searches on one socket
    # made 400 of them. Subscribers of a filter already polled share its poller and are let in.
    searched = "subscription($s: String) { eventChanges(filter: {providers: [STRIGO], search: $s}) { kind } }"
    async with live_gateway(sandbox, gateway_max_live_feeds=2) as base, transport_ws(base) as client:
        for number in (1, 2):
            await client.subscribe(f"s{number}", searched, {"s": f"zz{number}"})

        async def two_feeds() -> bool:
            return await metric(base, "gateway_live_feeds") == 2

        await until(two_feeds, "two filters are polled")
        await client.subscribe("s3", searched, {"s": "zz3"})
        refused, ended = await client.message("s3"), await client.message("s3")
        await client.subscribe("again", searched, {"s": "zz1"})

        async def three_subscribers() -> bool:
            return await metric(base, "gateway_live_subscribers") == 3

        await until(three_subscribers, "a subscriber of a polled filter joins it")
        assert await metric(base, "gateway_live_feeds") == 2
    [error] = refused["payload"]["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "GATEWAY_MAX_LIVE_FEEDS" in error["message"]
    assert ended["type"] == "complete"


async def test_one_operation_over_the_connection_limit_is_a_coded_error(sandbox: Sandbox) -> None:
    async with (
        live_gateway(sandbox, gateway_max_subscriptions_per_connection=1) as base,
        transport_ws(base) as client,
    ):
        await client.subscribe("first", SUBSCRIBE)
        await client.subscribe("second", SUBSCRIBE)
        refused = await client.message("second")
    assert refused["type"] == "error"
    [error] = refused["payload"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION" in error["message"]


# --- each operation its own request state ----------------------------------------------------------------

NODE = "query($id: ID!) { node(id: $id) { id } }"


async def test_operations_on_one_websocket_share_no_loaders(sandbox: Sandbox) -> None:
    variables = {"id": encode_id("strigo", emulator.EVENT_IDS[0])}
    async with live_gateway(sandbox) as base, transport_ws(base) as client:
        for id in ("1", "2"):
            await client.subscribe(id, NODE, variables)
            assert (await client.message(id))["payload"]["data"]["node"] == variables
    # Shared loaders would have answered the second from the first's cache.
    assert [call.method for call in sandbox.calls("strigo")] == ["GET", "GET"]


async def test_operations_on_one_websocket_share_no_partial_errors(sandbox: Sandbox) -> None:
    events = "{ events(first: 1, filter: {providers: [STRIGO, KONA]}) { edges { cursor } } }"
    async with live_gateway(sandbox) as base, transport_ws(base) as client:
        sandbox.fault("kona", error_rate=1.0, status=503)
        await client.subscribe("failing", events)
        failing = await client.message("failing")
        sandbox.log.faults.clear()
        await client.subscribe("healthy", events)
        healthy = await client.message("healthy")
    assert [error["extensions"]["provider"] for error in failing["payload"]["errors"]] == ["KONA"]
    assert "errors" not in healthy["payload"]
