"""Writes are never lost track of: a proxy's 502/504 (Cloudflare's 520/524), a reset after the body
went out or an accepted write whose reply cannot be read leave the outcome unknown, and a write already
sent finishes even when the client that asked for it goes away."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from gateway.app import create_app
from gateway.sandbox import strigo as emulator
from tests.gateway.edge.live_server import serving
from tests.gateway.upstream.hostile_providers import STANDS
from tests.gateway.upstream.hostile_upstream import Hostile, Responder
from tests.gateway.upstream.strigo_requests import CREATE, LIST, new_event
from tests.harness import Sandbox, running_gateway, settings_for

CREATED = {
    "result": "success",
    "data": {
        "id": "evtNEW1", "name": "Drill", "status": "ready", "class_id": emulator.CLASS_IDS[0],
        "date_start": "2026-12-01T09:00:00.000Z", "date_end": "2026-12-01T10:00:00.000Z",
    },
}  # fmt: skip


@dataclass
class SlowStrigo:
    """A Strigo stand-in whose POST /events waits for `release`; it notes whether it got to answer or
    was cancelled because its client closed the connection (aiohttp's handler cancellation)."""

    status: int = 200
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    cancelled: asyncio.Event = field(default_factory=asyncio.Event)
    methods: list[str] = field(default_factory=list)

    async def create(self, request: web.Request) -> web.Response:
        self.methods.append(request.method)
        self.arrived.set()
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled.set()
            raise
        self.finished.set()
        if self.status != 200:
            return web.Response(status=self.status, text="<html>Bad Gateway</html>", content_type="text/html")
        return web.json_response(CREATED)

    async def events(self, request: web.Request) -> web.Response:
        self.methods.append(request.method)
        return web.json_response(
            {"result": "success", "data": [CREATED["data"]] if self.finished.is_set() else []}
        )


@asynccontextmanager
async def slow_strigo(status: int = 200) -> AsyncIterator[tuple[SlowStrigo, str]]:
    upstream = SlowStrigo(status=status)
    app = web.Application()
    app.router.add_post("/api/v1/events", upstream.create)
    app.router.add_get("/api/v1/events", upstream.events)
    server = TestServer(app, host="127.0.0.1", handler_cancellation=True)
    await server.start_server()
    try:
        yield upstream, str(server.make_url("/api/v1"))
    finally:
        await server.close()


@pytest.mark.parametrize("status", [502, 504])
async def test_a_proxys_lost_answer_to_a_write_is_an_unknown_outcome(sandbox: Sandbox, status: int) -> None:
    async with slow_strigo(status) as (upstream, url):
        upstream.release.set()
        async with running_gateway(settings_for(sandbox, strigo_base_url=url)) as gateway:
            body = await gateway.query(CREATE, {"input": new_event("Drill")})
    [error] = body["errors"]
    assert error["extensions"] == {"code": "WRITE_OUTCOME_UNKNOWN", "provider": "STRIGO"}
    assert f"HTTP {status}" in error["message"]
    assert upstream.methods == ["POST"]  # never retried blindly


def _page(status: int) -> Responder:
    async def respond(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, text="<html>Something went wrong</html>", content_type="text/html")

    return respond


def _reset_after_reading() -> Responder:
    async def respond(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.abort()  # the body was read (the hostile app records it): then, nothing
        return web.Response()

    return respond


def _cut_short() -> Responder:
    async def respond(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            status=201, headers={"Content-Type": "application/json", "Content-Length": "1000"}
        )
        await response.prepare(request)
        await response.write(b'{"calendar_events": [{"id": 7')
        assert request.transport is not None
        request.transport.abort()
        return response

    return respond


KONA_CREATE = """mutation { createKonaCalendarEvent(input: {name: "Drill", startAt: "2026-05-01T09:00:00Z",
  endAt: "2026-05-01T10:00:00Z"}) { event { providerId } userErrors { code message } } }"""
LOST_ANSWERS: dict[str, tuple[Responder, str]] = {
    "520": (_page(520), "HTTP 520"),
    "524": (_page(524), "HTTP 524"),
    "200-html": (_page(200), "accepted (HTTP 200)"),
    "201-html": (_page(201), "accepted (HTTP 201)"),
    "reset-after-body": (_reset_after_reading(), "closed the connection"),
    "cut-short": (_cut_short(), "closed the connection"),
}


@pytest.mark.parametrize("case", list(LOST_ANSWERS))
async def test_every_lost_or_unreadable_answer_to_a_write_is_an_unknown_outcome(
    sandbox: Sandbox, hostile: Hostile, case: str
) -> None:
    responder, words = LOST_ANSWERS[case]
    hostile.on("POST", "/kona/api/calendar_events", responder)
    async with running_gateway(settings_for(sandbox, **STANDS["kona"].settings(hostile))) as gateway:
        body = await gateway.query(KONA_CREATE)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "WRITE_OUTCOME_UNKNOWN", "provider": "KONA"}
    assert words in error["message"]
    assert "Read the object before trying again" in error["message"]
    [sent] = hostile.calls("/kona/api/calendar_events")  # never retried blindly
    assert b'"Drill"' in sent.body


async def test_a_server_error_to_a_write_stays_an_upstream_error(sandbox: Sandbox) -> None:
    async with slow_strigo(500) as (upstream, url):
        upstream.release.set()
        async with running_gateway(settings_for(sandbox, strigo_base_url=url)) as gateway:
            body = await gateway.query(CREATE, {"input": new_event("Drill")})
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_ERROR"


async def test_a_write_in_flight_finishes_when_its_client_goes_away(sandbox: Sandbox) -> None:
    async with slow_strigo() as (upstream, url):
        settings = settings_for(
            sandbox,
            strigo_base_url=url,
            gateway_upstream_timeout=600,
            gateway_retries=0,
            gateway_cache_ttl=60,
        )
        async with serving(create_app(settings)) as base_url, aiohttp.ClientSession() as client:
            assert (await (await client.post(f"{base_url}/graphql", json={"query": LIST})).json())[
                "data"
            ] == {"strigoEvents": []}
            payload = {"query": CREATE, "variables": {"input": new_event("Drill")}}
            request = asyncio.create_task(client.post(f"{base_url}/graphql", json=payload))
            await asyncio.wait_for(upstream.arrived.wait(), timeout=30)
            request.cancel()  # the client goes away while the write is on the wire
            with pytest.raises(asyncio.CancelledError):
                await request
            # Give a (wrong) cancellation every chance to reach the upstream before it may answer.
            await asyncio.sleep(0.2)
            upstream.release.set()
            done, _ = await asyncio.wait(
                [
                    asyncio.ensure_future(upstream.finished.wait()),
                    asyncio.ensure_future(upstream.cancelled.wait()),
                ],
                timeout=30,
                return_when=asyncio.FIRST_COMPLETED,
            )
            assert upstream.finished.is_set()
            assert not upstream.cancelled.is_set()
            # The write's outcome was seen: the cache it cleared shows the new event, and the
            # provider's health counts no failure.
            listed = await (await client.post(f"{base_url}/graphql", json={"query": LIST})).json()
            status = await (
                await client.post(f"{base_url}/graphql", json={"query": "{ providers { calls failures } }"})
            ).json()
    assert done
    assert listed["data"]["strigoEvents"] == [{"id": listed["data"]["strigoEvents"][0]["id"]}]
    assert upstream.methods == ["GET", "POST", "GET"]
    assert status["data"]["providers"][0] == {"calls": 3, "failures": 0}


async def test_server_errors_to_writes_never_open_the_breaker_for_everyone(sandbox: Sandbox) -> None:
    async with slow_strigo(500) as (upstream, url):
        upstream.release.set()
        settings = settings_for(sandbox, strigo_base_url=url, gateway_breaker_failures=2)
        async with running_gateway(settings) as gateway:
            for _ in range(4):  # twice the failures that open the breaker
                body = await gateway.query(CREATE, {"input": new_event("Drill")})
                assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_ERROR"
            listed = await gateway.query(LIST)
            ready = await gateway.http.get("/readyz")
    assert "errors" not in listed, listed  # another caller's read still goes through
    assert ready.status_code == 200, ready.text
    assert upstream.methods == ["POST"] * 4 + ["GET"]
