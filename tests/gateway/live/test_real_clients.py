"""Real client libraries receive changes: Python's `gql` over WebSockets (both subprotocols), and npm's
`graphql-ws` and `graphql-sse` in node (clients/live/subscribe.mjs), each with the API key as a browser
or a server would send it.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport

from gateway.ids import encode_id
from tests.gateway.live.test_feeds import NEW_EVENT
from tests.gateway.live.wire import WAIT, live_gateway, metric, until
from tests.gateway.upstream.strigo_requests import CREATE
from tests.harness import Sandbox
from tests.node_tools import node_for
from tests.resolvers.test_event_changes import STRIGO_API, strigo_body, upstream

KEY = "gw_real_clients_9b2f"
CLIENTS = Path(__file__).parents[3] / "clients" / "live"
SUBSCRIPTION = """subscription Changes($filter: EventFilter) {
  eventChanges(filter: $filter) { kind id event { title } }
}"""
ONLY_STRIGO = {"providers": ["STRIGO"]}


async def subscribed_and_polled(base: str, polled: float) -> None:
    """Wait until the gateway serves one subscriber whose detector has polled once."""

    async def ready() -> bool:
        subscribers = await metric(base, "gateway_live_subscribers")
        polls = await metric(base, "gateway_live_polls_total", provider="strigo", outcome="ok")
        return subscribers == 1 and polls > polled

    await until(ready, "the client is subscribed and its first poll is done")


async def write_twice(sandbox: Sandbox, base: str) -> list[str]:
    """One event created upstream, one through the gateway: their global ids."""
    upstream_event = await upstream(sandbox, "POST", STRIGO_API, strigo_body("Seen by a real client"))
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            base + "/graphql",
            json={"query": CREATE, "variables": {"input": NEW_EVENT}},
            headers={"Authorization": f"Bearer {KEY}"},
        ) as response,
    ):
        written: str = (await response.json())["data"]["createStrigoEvent"]["event"]["id"]
    return [encode_id("strigo", upstream_event["id"]), written]


@pytest.mark.parametrize(
    "subprotocol",
    [WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL, WebsocketsTransport.APOLLO_SUBPROTOCOL],
    ids=["graphql-transport-ws", "legacy-graphql-ws"],
)
async def test_python_gql_over_a_websocket_receives_changes(sandbox: Sandbox, subprotocol: str) -> None:
    async with live_gateway(sandbox, gateway_api_keys=KEY) as base:
        polled = await metric(base, "gateway_live_polls_total", provider="strigo", outcome="ok")
        transport = WebsocketsTransport(
            url=base.replace("http://", "ws://") + "/graphql",
            init_payload={"authorization": f"Bearer {KEY}"},
            subprotocols=[subprotocol],
        )
        async with Client(transport=transport) as session:
            request = gql(SUBSCRIPTION)
            request.variable_values = {"filter": ONLY_STRIGO}
            results = session.subscribe(request)
            first = asyncio.ensure_future(anext(results))
            await subscribed_and_polled(base, polled)
            ids = await write_twice(sandbox, base)
            received = [await asyncio.wait_for(first, WAIT), await asyncio.wait_for(anext(results), WAIT)]
            await results.aclose()
    # The write is published at once, the upstream change at the next poll: either may come first.
    changes = sorted((result["eventChanges"]["kind"], result["eventChanges"]["id"]) for result in received)
    assert changes == sorted([("CREATED", ids[0]), ("CREATED", ids[1])])


def node() -> str:
    """node, with clients/live's packages installed (see `tests.node_tools`)."""
    return node_for(CLIENTS)


@pytest.mark.parametrize("transport", ["ws", "sse"], ids=["graphql-ws", "graphql-sse"])
async def test_the_npm_clients_receive_changes(sandbox: Sandbox, transport: str) -> None:
    async with live_gateway(sandbox, gateway_api_keys=KEY) as base:
        polled = await metric(base, "gateway_live_polls_total", provider="strigo", outcome="ok")
        process = await asyncio.create_subprocess_exec(
            node(), "subscribe.mjs", "--url", base + "/graphql", "--transport", transport, "--key", KEY,
            "--count", "2", "--filter", json.dumps(ONLY_STRIGO),
            cwd=CLIENTS, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert process.stdout is not None
        try:
            lines: list[dict[str, Any]] = []

            async def line() -> dict[str, Any]:
                assert process.stdout is not None
                raw = await asyncio.wait_for(process.stdout.readline(), WAIT)
                assert raw, "the client exited early"
                decoded: dict[str, Any] = json.loads(raw)
                return decoded

            lines.append(await line())
            await subscribed_and_polled(base, polled)
            ids = await write_twice(sandbox, base)
            lines += [await line(), await line()]
            returncode = await asyncio.wait_for(process.wait(), WAIT)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert lines[0] == {"connected": transport}
    changes = sorted((change["kind"], change["id"]) for change in lines[1:])
    assert changes == sorted([("CREATED", ids[0]), ("CREATED", ids[1])])
    assert returncode == 0
