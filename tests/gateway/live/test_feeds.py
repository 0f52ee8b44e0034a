"""Feeds are shared and bounded: many subscribers cost one poller per key, leavers free their slots,
and a subscriber that reads too slowly is dropped with a clear reason instead of buffered.

Pollers are counted at the sandbox (its call log) and in the gateway's /metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from tests.gateway.live.wire import (
    event_stream,
    live_gateway,
    metric,
    transport_ws,
    until,
)
from tests.gateway.upstream.strigo_requests import CREATE, new_event
from tests.harness import Sandbox

SUBSCRIBE = "subscription($filter: EventFilter) { eventChanges(filter: $filter) { kind id } }"
#: Three distinct windows over Strigo: three keys, three pollers, whatever the number of subscribers.
FILTERS: list[dict[str, Any]] = [
    {"providers": ["STRIGO"]},
    {"providers": ["STRIGO"], "startsAfter": "2026-01-01T00:00:00Z"},
    {"providers": ["STRIGO"], "search": "Cohort"},
]
NEW_EVENT = new_event("Cohort fan-out")


def list_calls(sandbox: Sandbox) -> int:
    return sum(1 for call in sandbox.calls("strigo") if (call.method, call.path) == ("GET", "/api/v1/events"))


async def gauge(base: str, name: str, value: float, **labels: str) -> None:
    async def reached() -> bool:
        return await metric(base, name, **labels) == value

    await until(reached, f"{name}{labels or ''} is {value}")


async def test_200_subscribers_on_3_filters_cost_3_pollers(sandbox: Sandbox) -> None:
    # One poll an hour: each detector polls once (its first poll) during the test, so the call log
    # counts detectors exactly. The write through the gateway reaches everyone without a poll.
    async with (
        live_gateway(sandbox, gateway_poll_interval=3600) as base,
        contextlib.AsyncExitStack() as stack,
    ):
        polled = await metric(base, "gateway_live_polls_total", provider="strigo")
        sockets = [await stack.enter_async_context(transport_ws(base)) for _ in range(4)]
        for n in range(200):
            await sockets[n % 4].subscribe(str(n), SUBSCRIBE, {"filter": FILTERS[n % 3]})
        await gauge(base, "gateway_live_subscribers", 200)
        await gauge(base, "gateway_live_feeds", 3)

        async def three_first_polls() -> bool:
            return await metric(base, "gateway_live_polls_total", provider="strigo") >= polled + 3

        await until(three_first_polls, "three first polls")
        await gauge(base, "gateway_live_pollers", 3, provider="strigo")
        async with aiohttp.ClientSession() as session:
            posted = await session.post(
                base + "/graphql", json={"query": CREATE, "variables": {"input": NEW_EVENT}}
            )
            created = (await posted.json())["data"]["createStrigoEvent"]["event"]["id"]
        changes = [await sockets[n % 4].change(str(n)) for n in range(200)]
    assert changes == [{"kind": "CREATED", "id": created}] * 200
    assert list_calls(sandbox) == 3


@contextlib.asynccontextmanager
async def polling(base: str, sandbox: Sandbox) -> AsyncIterator[None]:
    """Wait until one Strigo detector polls, and after the block until none does."""
    await gauge(base, "gateway_live_pollers", 1, provider="strigo")
    yield
    await gauge(base, "gateway_live_pollers", 0, provider="strigo")
    await gauge(base, "gateway_live_subscribers", 0)
    await gauge(base, "gateway_live_feeds", 0)


async def assert_polls_stopped(sandbox: Sandbox) -> None:
    """No list call after the poller stopped, across many poll intervals."""
    calls = list_calls(sandbox)
    await asyncio.sleep(1.0)  # five intervals: a poller still running would have called
    assert list_calls(sandbox) == calls


async def test_a_websocket_subscriber_that_leaves_frees_its_slot_and_stops_the_poller(
    sandbox: Sandbox,
) -> None:
    async with live_gateway(sandbox, gateway_max_subscriptions=1) as base:
        async with transport_ws(base) as client:
            await client.subscribe("1", SUBSCRIBE, {"filter": FILTERS[0]})
            async with polling(base, sandbox):
                await client.ws.close()  # gone without `complete`
        await assert_polls_stopped(sandbox)
        async with transport_ws(base) as again:  # the one slot is free again
            await again.subscribe("1", SUBSCRIBE, {"filter": FILTERS[0]})
            await gauge(base, "gateway_live_subscribers", 1)


async def test_completing_one_of_two_subscriptions_keeps_the_shared_poller(sandbox: Sandbox) -> None:
    async with live_gateway(sandbox) as base, transport_ws(base) as client:
        await client.subscribe("a", SUBSCRIBE, {"filter": FILTERS[0]})
        await client.subscribe("b", SUBSCRIBE, {"filter": FILTERS[0]})
        await gauge(base, "gateway_live_subscribers", 2)
        await client.complete("a")
        await gauge(base, "gateway_live_subscribers", 1)
        assert await metric(base, "gateway_live_pollers", provider="strigo") == 1
        async with polling(base, sandbox):
            await client.complete("b")


async def test_an_sse_subscriber_that_leaves_frees_its_slot_and_stops_the_poller(sandbox: Sandbox) -> None:
    async with live_gateway(sandbox) as base:
        async with event_stream(base, SUBSCRIBE, {"filter": FILTERS[0]}) as stream, polling(base, sandbox):
            stream.response.close()  # the client hangs up
        await assert_polls_stopped(sandbox)


async def test_an_sse_subscriber_of_every_provider_that_leaves_stops_every_poller(sandbox: Sandbox) -> None:
    providers = ("strigo", "schoology", "kona", "pretix")
    async with live_gateway(sandbox) as base:
        async with event_stream(base, SUBSCRIBE, {"filter": None}) as stream:
            for provider in providers:

                async def leading(provider: str = provider) -> bool:
                    return await metric(base, "gateway_live_pollers", provider=provider) > 0

                await until(leading, f"{provider} is polled")
            stream.response.close()  # the client hangs up: the stream's task is cancelled
        # Every feed stops, not only the first: the later ones polled on for good with no subscriber.
        for provider in providers:
            await gauge(base, "gateway_live_pollers", 0, provider=provider)
        await gauge(base, "gateway_live_feeds", 0)


# --- slow consumers ---------------------------------------------------------------------------------------


async def churn_at_once(sandbox: Sandbox, count: int) -> None:
    """`count` new Strigo events in one step: the next poll finds them all together."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            sandbox.base_url + "/_sandbox/churn",
            json={"provider": "strigo", "kind": "created", "count": count},
        ) as response,
    ):
        assert len(await response.json()) == count


async def first_poll(base: str, before: float) -> None:
    async def done() -> bool:
        return await metric(base, "gateway_live_polls_total", provider="strigo") > before

    await until(done, "the first poll")


async def test_a_websocket_subscriber_too_far_behind_is_closed_4008(sandbox: Sandbox) -> None:
    async with live_gateway(sandbox, gateway_max_pending_changes=2) as base:
        dropped = await metric(base, "gateway_live_dropped_subscribers_total")
        before = await metric(base, "gateway_live_polls_total", provider="strigo")
        async with transport_ws(base) as client:
            await client.subscribe("1", SUBSCRIBE, {"filter": FILTERS[0]})
            await first_poll(base, before)
            await churn_at_once(sandbox, 3)  # three changes in one poll, more than two may wait
            code, reason = await client.closed()
        assert code == 4008
        assert reason.startswith("Slow consumer")
        assert await metric(base, "gateway_live_dropped_subscribers_total") == dropped + 1
        await gauge(base, "gateway_live_subscribers", 0)
        await gauge(base, "gateway_live_pollers", 0, provider="strigo")


async def test_an_sse_subscriber_too_far_behind_gets_a_last_error_event(sandbox: Sandbox) -> None:
    async with live_gateway(sandbox, gateway_max_pending_changes=2) as base:
        before = await metric(base, "gateway_live_polls_total", provider="strigo")
        async with event_stream(base, SUBSCRIBE, {"filter": FILTERS[0]}) as stream:
            await first_poll(base, before)
            await churn_at_once(sandbox, 3)
            event, data = await stream.event()
            end, _ = await stream.event()
        assert (event, end) == ("next", "complete")
        [error] = json.loads(data)["errors"]
        assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert "GATEWAY_MAX_PENDING_CHANGES" in error["message"]
        await gauge(base, "gateway_live_subscribers", 0)


async def test_a_subscriber_keeping_up_is_not_dropped(sandbox: Sandbox) -> None:
    async with live_gateway(sandbox, gateway_max_pending_changes=3) as base:
        before = await metric(base, "gateway_live_polls_total", provider="strigo")
        async with transport_ws(base) as client:
            await client.subscribe("1", SUBSCRIBE, {"filter": FILTERS[0]})
            await first_poll(base, before)
            await churn_at_once(sandbox, 3)
            kinds = [(await client.change("1"))["kind"] for _ in range(3)]
        assert kinds == ["CREATED"] * 3
