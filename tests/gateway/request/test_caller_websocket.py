"""A WebSocket's caller credentials come from its upgrade's headers, checked before it is accepted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from starlette.routing import Route, WebSocketRoute

from gateway.app import create_app
from gateway.ids import decode_id
from gateway.sandbox import strigo
from tests.gateway.edge.live_server import serving
from tests.gateway.request.callers import BOB
from tests.harness import Sandbox, settings_for


@asynccontextmanager
async def websocket_gateway(sandbox: Sandbox) -> AsyncIterator[str]:
    """The app in caller mode with the WebSocket transport on /graphql, served by uvicorn."""
    app = create_app(settings_for(sandbox, gateway_credentials="caller"))
    view = next(
        route.endpoint for route in app.routes if isinstance(route, Route) and route.path == "/graphql"
    )
    app.router.routes.append(WebSocketRoute("/graphql", view))
    async with serving(app) as base_url:
        yield base_url.replace("http://", "ws://") + "/graphql"


async def test_a_websocket_runs_with_the_credentials_of_its_upgrade(sandbox: Sandbox) -> None:
    messages: list[dict[str, Any]] = []
    headers = {"X-Strigo-Credentials": BOB["X-Strigo-Credentials"]}
    async with (
        websocket_gateway(sandbox) as url,
        asyncio.timeout(30),
        aiohttp.ClientSession() as session,
        session.ws_connect(url, protocols=("graphql-transport-ws",), headers=headers) as ws,
    ):
        await ws.send_json({"type": "connection_init"})
        async for message in ws:
            messages.append(message.json())
            if messages[-1]["type"] == "connection_ack":
                await ws.send_json(
                    {"type": "subscribe", "id": "1", "payload": {"query": "{ strigoEvents { id } }"}}
                )
            if messages[-1]["type"] == "complete":
                await ws.close()
    ids = {decode_id(event["id"]).parts[-1] for event in messages[1]["payload"]["data"]["strigoEvents"]}
    assert ids
    assert ids.isdisjoint(strigo.EVENT_IDS)  # the partner org's events: Bob's, not the deployment's


async def test_a_websocket_with_a_malformed_credential_is_refused_at_the_handshake(sandbox: Sandbox) -> None:
    async with websocket_gateway(sandbox) as url, aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(
                url, protocols=("graphql-transport-ws",), headers={"X-Kona-Token": "a b"}
            )
    assert refused.value.status == 403
    assert sandbox.log.calls == []
