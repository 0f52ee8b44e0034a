"""With API keys configured, no spelling of a request runs GraphQL without a key — over HTTP or WebSocket.

The GraphiQL page (and its assets) may be public; data never. Every case below uses a query
that would call Strigo, so "nothing ran" is checked where it matters: the upstream saw no call.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from asgi_lifespan import LifespanManager
from starlette.types import ASGIApp, Message

from gateway.app import create_app
from tests.gateway.edge.live_server import serving
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

KEY = "gw_live_4f9a1c2e7b8d"
QUERY = "{ strigoEvents { id title } }"
ENCODED = "%7B%20strigoEvents%20%7B%20id%20title%20%7D%20%7D"
HTML = "text/html,application/xhtml+xml"
GRAPHQL = "/graphql"
#: Generous: a WebSocket test that waits this long has failed, and must not hang the suite.
WS_TIMEOUT = aiohttp.ClientWSTimeout(ws_receive=30)


@pytest.fixture
async def keyed(sandbox: Sandbox) -> AsyncIterator[Gateway]:
    async with running_gateway(settings_for(sandbox, gateway_api_keys=KEY)) as gateway:
        yield gateway


def _refused_or_page(status: int, content_type: str, body: bytes) -> str:
    """'page' for the GraphiQL page, '401' for a JSON UNAUTHENTICATED refusal; fails on anything else."""
    if status == 200 and content_type.startswith("text/html"):
        assert b'"data"' not in body
        return "page"
    assert status == 401, (status, body[:300])
    assert content_type.startswith("application/")
    assert b'"UNAUTHENTICATED"' in body
    return "401"


@pytest.mark.parametrize(
    ("url", "accept", "expected"),
    [
        (f"/graphql?%71uery={ENCODED}", HTML, "401"),  # the reported bypass
        (f"/graphql?%71%75%65%72%79={ENCODED}", HTML, "401"),
        (f"/graphql?query={ENCODED}", HTML, "401"),
        (f"/graphql?query={ENCODED}", "text/html, application/json", "401"),
        (f"/graphql?query={ENCODED}", "application/json, text/html;q=0.1", "401"),
        (f"/graphql?query={ENCODED}", "*/*", "401"),
        (f"/graphql?query={ENCODED}&query={ENCODED}", HTML, "401"),
        (f"/graphql?x=1&query={ENCODED}", HTML, "401"),
        ("/graphql?query=", HTML, "401"),
        (f"/graphql?query={ENCODED}&api_key={KEY}", HTML, "401"),
        (f"/graphql?x=1;query={ENCODED}", HTML, "page"),  # `;` is no separator: there is no `query`
        (f"/graphql?QUERY={ENCODED}", HTML, "page"),  # parameter names are case-sensitive
        ("/graphql", HTML, "page"),
        ("/graphql", "*/*", "page"),
        ("/graphql?variables=%7B%7D", HTML, "page"),
    ],
)
async def test_a_keyless_get_gets_the_page_or_401_never_data(
    keyed: Gateway, sandbox: Sandbox, url: str, accept: str, expected: str
) -> None:
    response = await keyed.http.get(url, headers={"Accept": accept})

    verdict = _refused_or_page(response.status_code, response.headers["content-type"], response.content)
    assert verdict == expected
    assert sandbox.calls("strigo") == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer gw%5Flive%5F4f9a1c2e7b8d"},  # percent-encoded: a different string
        {"Authorization": f"Basic {KEY}"},
        {"Authorization": f"Bearer {KEY.upper()}"},
        {"Authorization": f"Bearer {KEY}x"},
        {"X-API-Key": f"{KEY[:-1]}"},
        {"X-API-Key": KEY, "Authorization": "Bearer wrong"},  # one valid, one not: refused
    ],
    ids=["percent-encoded", "basic-scheme", "case", "suffix", "prefix", "valid-and-invalid"],
)
async def test_wrong_spellings_of_the_key_are_refused(
    keyed: Gateway, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    posted = await keyed.http.post("/graphql", json={"query": QUERY}, headers=headers)
    got = await keyed.http.get(f"/graphql?query={ENCODED}", headers={**headers, "Accept": HTML})

    assert posted.status_code == got.status_code == 401
    assert sandbox.calls("strigo") == []


async def test_a_header_given_twice_counts_only_when_every_copy_is_valid(sandbox: Sandbox) -> None:
    app = create_app(settings_for(sandbox, gateway_api_keys=KEY))
    valid, invalid = (b"x-api-key", KEY.encode()), (b"x-api-key", b"nope")
    json = (b"content-type", b"application/json")
    body = b'{"query": "{ strigoEvents { id } }"}'
    async with LifespanManager(app) as manager:
        both_valid = await _raw(manager.app, "POST", headers=[json, valid, valid], body=body)
        one_invalid = await _raw(manager.app, "POST", headers=[json, valid, invalid], body=body)
        reversed_order = await _raw(manager.app, "POST", headers=[json, invalid, valid], body=body)
    assert both_valid[0] == 200
    assert one_invalid[0] == reversed_order[0] == 401
    assert len(sandbox.calls("strigo")) == 1


@pytest.mark.parametrize(
    ("method", "path", "query_string"),
    [
        ("HEAD", "/graphql", f"query={ENCODED}"),
        ("get", "/graphql", f"query={ENCODED}"),
        ("Get", "/graphql", f"%71uery={ENCODED}"),
        ("post", "/graphql", ""),
        ("GET", "/graphql/", f"query={ENCODED}"),
        ("GET", "//graphql", f"query={ENCODED}"),
        ("GET", "/graphiql/../graphql", f"query={ENCODED}"),
        ("GET", "/healthz/../graphql", f"query={ENCODED}"),
    ],
)
async def test_odd_methods_and_paths_run_nothing_without_a_key(
    sandbox: Sandbox, method: str, path: str, query_string: str
) -> None:
    app = create_app(settings_for(sandbox, gateway_api_keys=KEY))
    async with LifespanManager(app) as manager:
        status, _, body = await _raw(
            manager.app,
            method,
            path,
            query_string.encode(),
            [(b"accept", b"text/html"), (b"content-type", b"application/json")],
            b'{"query": "{ strigoEvents { id } }"}',
        )
    assert status in {401, 404, 405}, (status, body[:200])
    assert b'"data"' not in body
    assert sandbox.calls("strigo") == []


async def test_post_with_the_query_in_the_url_as_well_needs_a_key(keyed: Gateway, sandbox: Sandbox) -> None:
    response = await keyed.http.post(
        f"/graphql?query={ENCODED}", json={"query": QUERY}, headers={"Accept": HTML}
    )
    assert response.status_code == 401
    assert sandbox.calls("strigo") == []


async def test_the_page_its_assets_and_health_stay_public_and_a_key_still_works(
    keyed: Gateway, sandbox: Sandbox
) -> None:
    page = await keyed.http.get("/graphql", headers={"Accept": HTML})
    asset = await keyed.http.get("/graphiql/graphiql.js")
    health = await keyed.http.get("/healthz")
    metrics = await keyed.http.get("/metrics")
    keyed_get = await keyed.http.get(
        f"/graphql?%71uery={ENCODED}", headers={"Accept": HTML, "Authorization": f"Bearer {KEY}"}
    )

    assert page.status_code == 200
    assert 'id="graphiql"' in page.text
    assert asset.status_code in {200, 404}  # 404 while the assets are not built: never 401
    assert health.status_code == metrics.status_code == 200
    assert keyed_get.status_code == 200
    assert keyed_get.json()["data"]["strigoEvents"]
    assert len(sandbox.calls("strigo")) == 1


async def test_a_graphql_parameter_given_twice_is_a_bad_request(keyed: Gateway, sandbox: Sandbox) -> None:
    response = await keyed.http.get(
        "/graphql?query={__typename}&query=" + ENCODED, headers={"Authorization": f"Bearer {KEY}"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert sandbox.calls("strigo") == []


# --- WebSocket: graphql-transport-ws and the legacy graphql-ws on /graphql -------------------------------


@asynccontextmanager
async def _websocket_gateway(sandbox: Sandbox) -> AsyncIterator[str]:
    """The real app with its WebSocket transport on /graphql (CONTRACT §8), served by uvicorn."""
    app = create_app(settings_for(sandbox, gateway_api_keys=KEY))
    async with serving(app) as base_url:
        yield base_url.replace("http://", "ws://") + "/graphql"


async def _transport_ws(
    url: str, headers: dict[str, str], init_payload: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], int | None]:
    """Run `connection_init` then one query over graphql-transport-ws; the messages and the close code."""
    messages: list[dict[str, Any]] = []
    async with (
        asyncio.timeout(30),
        aiohttp.ClientSession() as session,
        session.ws_connect(
            url, protocols=("graphql-transport-ws",), headers=headers, timeout=WS_TIMEOUT
        ) as ws,
    ):
        init: dict[str, Any] = {"type": "connection_init"}
        if init_payload is not None:
            init["payload"] = init_payload
        await ws.send_json(init)
        async for message in ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            messages.append(message.json())
            if messages[-1]["type"] == "connection_ack":
                await ws.send_json({"type": "subscribe", "id": "1", "payload": {"query": QUERY}})
            if messages[-1]["type"] == "complete":
                await ws.close()
        return messages, ws.close_code


async def test_a_websocket_without_a_key_is_closed_4403_before_running_anything(sandbox: Sandbox) -> None:
    async with _websocket_gateway(sandbox) as url:
        bare = await _transport_ws(url, {}, None)
        wrong_payload = await _transport_ws(url, {}, {"authorization": "Bearer nope"})
        key_as_value = await _transport_ws(url, {}, {"key": KEY})

    for messages, close_code in (bare, wrong_payload, key_as_value):
        assert messages == []
        assert close_code == 4403
    assert sandbox.calls("strigo") == []


@pytest.mark.parametrize(
    ("headers", "payload"),
    [
        ({"Authorization": f"Bearer {KEY}"}, None),
        ({"X-API-Key": KEY}, None),
        ({}, {"authorization": f"Bearer {KEY}"}),
        ({}, {"Authorization": f"Bearer {KEY}"}),
        ({}, {"x-api-key": KEY}),
    ],
    ids=["bearer-header", "x-api-key-header", "payload", "payload-capitalised", "payload-x-api-key"],
)
async def test_a_websocket_with_the_key_runs_queries(
    sandbox: Sandbox, headers: dict[str, str], payload: dict[str, Any] | None
) -> None:
    async with _websocket_gateway(sandbox) as url:
        messages, _ = await _transport_ws(url, headers, payload)

    assert [message["type"] for message in messages] == ["connection_ack", "next", "complete"]
    assert messages[1]["payload"]["data"]["strigoEvents"]
    assert len(sandbox.calls("strigo")) == 1


async def test_a_websocket_upgrade_with_a_wrong_key_is_refused_at_the_handshake(sandbox: Sandbox) -> None:
    async with _websocket_gateway(sandbox) as url, aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(
                url, protocols=("graphql-transport-ws",), headers={"Authorization": "Bearer nope"}
            )
    assert refused.value.status == 403
    assert sandbox.calls("strigo") == []


async def test_the_legacy_graphql_ws_protocol_needs_the_key_too(sandbox: Sandbox) -> None:
    received: list[object] = []
    async with (
        _websocket_gateway(sandbox) as url,
        aiohttp.ClientSession() as session,
        session.ws_connect(url, protocols=("graphql-ws",), timeout=WS_TIMEOUT) as ws,
        asyncio.timeout(30),
    ):
        await ws.send_json({"type": "connection_init", "payload": {}})
        await ws.send_json({"type": "start", "id": "1", "payload": {"query": QUERY}})
        async for message in ws:
            received.append(message.json() if message.type == aiohttp.WSMsgType.TEXT else message.data)
            if len(received) > 1 or message.type != aiohttp.WSMsgType.TEXT:
                break
    assert received == [{"type": "connection_error", "payload": {"message": "Forbidden"}}]
    assert ws.close_code == 4403
    assert sandbox.calls("strigo") == []


async def test_websockets_elsewhere_need_the_key_on_the_upgrade(sandbox: Sandbox) -> None:
    async with _websocket_gateway(sandbox) as url, aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(url.replace("/graphql", "/graphiql/socket"))
    assert refused.value.status == 403


# --- a raw ASGI driver, for what an HTTP client library would normalise away ------------------------------


async def _raw(
    app: ASGIApp,
    method: str,
    path: str = "/graphql",
    query_string: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
    body: bytes = b"",
) -> tuple[int, dict[bytes, bytes], bytes]:
    """Send one request exactly as given (method case, path, repeated headers) to the ASGI app."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query_string,
        "headers": [(b"host", b"gateway.test"), *(headers or [])],
        "client": ("127.0.0.1", 50000),
        "server": ("gateway.test", 80),
    }
    sent = False
    done = asyncio.Event()
    status = 0
    response_headers: dict[bytes, bytes] = {}
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()  # as a server does: the client is still there until the response is complete
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            response_headers.update(dict(message.get("headers", [])))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    await app(scope, receive, send)
    done.set()
    return status, response_headers, b"".join(chunks)
